"""Saving and restoring the sandbox's emulated Telegram world in a JSON file.

Why a file: the bot's own state lives in the database and survives a restart, but the
emulator keeps the people, chats and chat histories in memory. Without them a restarted
sandbox would show a set-up community in a group nobody remembers. Replaying the history
instead would re-send every update to the bot, so the world is written out as it is:
users, chats, messages (with the photos and documents the bot sent, base64-encoded), the id
counters that keep new ids from colliding with old ones, and the sandbox clock's shift.

The emulator's part comes from :meth:`Emulator.export_world` and goes back through
:meth:`Emulator.import_world`; this module adds what only the sandbox knows (which database
the world belongs to, the clock's shift, whether the demo was created) and the file handling.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.sandbox.emulator import Emulator

__all__ = [
    "WORLD_VERSION",
    "World",
    "load_world",
    "save_world",
    "world_document",
    "world_path",
    "write_json",
]

log = logging.getLogger(__name__)

#: Bumped when the file's shape changes; an unknown version is ignored, not misread.
WORLD_VERSION = 1


@dataclass
class World:
    """What the sandbox keeps besides the database."""

    clock_shift: timedelta = timedelta(0)
    #: The demo group has been created once; a restart must not create it again.
    demo_created: bool = False
    #: user id → "resident" | "worker": what each person tells the bot once on a roster.
    kinds: dict[int, str] = field(default_factory=dict)
    #: (group chat id, user id) pairs whose kind was already told (or right) there.
    told: set[tuple[int, int]] = field(default_factory=set)
    #: The database the world belongs to (password hidden); another database, another world.
    database: str = ""
    #: The emulator's world as :meth:`Emulator.export_world` made it; see :func:`load_world`.
    emulator: dict[str, Any] = field(default_factory=dict)


def world_path(database_url: str) -> Path | None:
    """Where the world file lives: next to a SQLite file, or in the working directory.

    ``None`` for an in-memory SQLite database, whose contents die with the process anyway.
    """
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        if not url.database or url.database == ":memory:":
            return None
        database = Path(url.database)
        return database.with_name(f"{database.stem}.sandbox.json")
    return Path(f"courtyard.{url.database or 'postgres'}.sandbox.json")


def database_label(database_url: str) -> str:
    return make_url(database_url).render_as_string(hide_password=True)


def read_world(path: Path | None, database_url: str) -> World | None:
    """The saved world, or ``None`` when there is none or it belongs elsewhere.

    A world whose SQLite file was deleted is stale too: its chats would show a community the
    bot no longer knows.

    A damaged file is reported and ignored: the sandbox then starts a new world rather than
    refusing to start.
    """
    if path is None or not path.exists():
        return None
    url = make_url(database_url)
    if url.drivername.startswith("sqlite") and url.database and not Path(url.database).exists():
        log.warning("ignoring %s: its database %s is gone", path, url.database)
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != WORLD_VERSION:
            log.warning("ignoring %s: it was written by another version of the sandbox", path)
            return None
        world = World(
            clock_shift=timedelta(seconds=float(data["clock_shift_seconds"])),
            demo_created=bool(data["demo_created"]),
            kinds={int(key): str(value) for key, value in data.get("kinds", {}).items()},
            told={(int(chat), int(user)) for chat, user in data.get("told", [])},
            database=str(data.get("database", "")),
            emulator=dict(data["emulator"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("ignoring %s: %s", path, error)
        return None
    if world.database and world.database != database_label(database_url):
        log.warning("ignoring %s: it belongs to the database %s", path, world.database)
        return None
    return world


def save_world(path: Path | None, world: World, emulator: Emulator, database_url: str) -> None:
    """Write the world atomically (a temporary file, then a rename)."""
    if path is None:
        return
    write_json(path, world_document(world, emulator, database_url))


def world_document(world: World, emulator: Emulator, database_url: str) -> dict[str, Any]:
    """The world file's content; built on the event loop, where the emulator's state lives."""
    return {
        "version": WORLD_VERSION,
        "database": database_label(database_url),
        "clock_shift_seconds": world.clock_shift.total_seconds(),
        "demo_created": world.demo_created,
        "kinds": {str(key): value for key, value in world.kinds.items()},
        "told": sorted([chat, user] for chat, user in world.told),
        "emulator": emulator.export_world(),
    }


def write_json(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")
    os.replace(temporary, path)


def load_world(emulator: Emulator, world: World) -> None:
    """Put a saved world back into a new, empty emulator (before the bot starts polling).

    Raises :class:`~bot.sandbox.emulator_models.EmulatorError` when the file's emulator part
    is malformed (``--fresh`` starts over).
    """
    emulator.import_world(world.emulator)
