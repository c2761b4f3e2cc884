"""Saving and restoring the sandbox's emulated Telegram world in a JSON file.

Why a file: the bot's own state lives in the database and survives a restart, but the
emulator keeps the people, chats and chat histories in memory. Without them a restarted
sandbox would show a set-up community in a group nobody remembers. Replaying the history
instead would re-send every update to the bot, so the world is written out as it is:
users, chats, messages (with the photos and documents the bot sent, base64-encoded), the id
counters that keep new ids from colliding with old ones, and the sandbox clock's shift.

The emulator has no public export API, so this module reads and writes its state object
directly (``Emulator._state``); everything that does so is in this one file. A public
``Emulator.export_world()/import_world()`` pair would let this module shrink to the file
handling.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.sandbox.emulator import Emulator
from bot.sandbox.emulator_models import EmuChat, EmuDocument, EmuMessage, EmuUser, StoredFile

__all__ = ["WORLD_VERSION", "World", "load_world", "save_world", "world_path"]

log = logging.getLogger(__name__)

#: Bumped when the file's shape changes; an unknown version is ignored, not misread.
WORLD_VERSION = 1


@dataclass
class World:
    """What the sandbox keeps besides the database."""

    clock_shift: timedelta = timedelta(0)
    #: The demo group has been created once; a restart must not create it again.
    demo_created: bool = False
    #: Demo personas: user id → "resident" | "worker", shown next to their names.
    kinds: dict[int, str] = field(default_factory=dict)
    #: The database the world belongs to (password hidden); another database, another world.
    database: str = ""
    #: The emulator's state as :func:`_dump_emulator` wrote it, applied by :func:`load_world`.
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
    data = {
        "version": WORLD_VERSION,
        "database": database_label(database_url),
        "clock_shift_seconds": world.clock_shift.total_seconds(),
        "demo_created": world.demo_created,
        "kinds": {str(key): value for key, value in world.kinds.items()},
        "emulator": _dump_emulator(emulator),
    }
    write_json(path, data)


def write_json(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")
    os.replace(temporary, path)


def load_world(emulator: Emulator, world: World) -> None:
    """Put a saved world back into a new, empty emulator (before the bot starts polling)."""
    _load_emulator(emulator, world.emulator)


# -- the emulator's state --------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def _dump_emulator(emulator: Emulator) -> dict[str, Any]:
    state = emulator._state
    return {
        "next_user_id": emulator._next_user_id,
        "next_group_id": emulator._next_group_id,
        "next_message_ids": {str(k): v for k, v in state._next_message_id.items()},
        "next_query": state._next_query,
        "users": [
            {
                "id": user.id,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "username": user.username,
                "language_code": user.language_code,
                "started_bot": user.started_bot,
                "blocked_bot": user.blocked_bot,
            }
            for user in state.users.values()
        ],
        "chats": [
            {
                "id": chat.id,
                "type": chat.type,
                "title": chat.title,
                "user_id": chat.user_id,
                "members": sorted(chat.members),
                "admins": sorted(chat.admins),
                "owner_id": chat.owner_id,
                "bot_status": chat.bot_status,
            }
            for chat in state.chats.values()
        ],
        "files": [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_path": stored.file_path,
                "kind": stored.kind,
                "filename": stored.filename,
                "mime_type": stored.mime_type,
                "width": stored.width,
                "height": stored.height,
                "data": _b64(stored.data),
            }
            for stored in state.files.values()
        ],
        "messages": [
            _dump_message(message)
            for history in state.history.values()
            for message in history.values()
        ],
    }


def _dump_message(message: EmuMessage) -> dict[str, Any]:
    """A message without its media bytes: those are in ``files``, found by ``file_id``."""
    return {
        "message_id": message.message_id,
        "chat_id": message.chat_id,
        "from_user": message.from_user,
        "date": message.date.isoformat(),
        "text": message.text,
        "html": message.html,
        "buttons": message.buttons,
        "caption": message.caption,
        "caption_html": message.caption_html,
        "reply_to": message.reply_to,
        "edited": message.edited,
        "is_bot": message.is_bot,
        "entities": message.entities,
        "caption_entities": message.caption_entities,
        "reply_markup": message.reply_markup,
        "file_id": message.file_id,
        "new_chat_members": message.new_chat_members,
        "left_chat_member": message.left_chat_member,
        "edit_date": message.edit_date.isoformat() if message.edit_date else None,
        "deleted": message.deleted,
    }


def _load_emulator(emulator: Emulator, data: dict[str, Any]) -> None:
    state = emulator._state
    for raw in data.get("users", []):
        state.users[int(raw["id"])] = EmuUser(**raw)
    for raw in data.get("chats", []):
        chat = EmuChat(**{**raw, "members": set(raw["members"]), "admins": set(raw["admins"])})
        state.chats[chat.id] = chat
        state.history.setdefault(chat.id, {})
    for raw in data.get("files", []):
        upload = StoredFile(**{**raw, "data": _unb64(raw["data"])})
        state.files[upload.file_id] = upload
        state.files_by_path[upload.file_path] = upload
    for raw in data.get("messages", []):
        stored = state.files.get(raw["file_id"]) if raw.get("file_id") else None
        message = EmuMessage(
            **{
                **raw,
                "date": datetime.fromisoformat(raw["date"]),
                "edit_date": datetime.fromisoformat(raw["edit_date"])
                if raw.get("edit_date")
                else None,
                "buttons": [[(str(a), str(b)) for a, b in row] for row in raw["buttons"]],
                "photo": stored.data if stored is not None and stored.kind == "photo" else None,
                "document": EmuDocument(
                    stored.filename or "document",
                    stored.data,
                    stored.mime_type or "application/octet-stream",
                )
                if stored is not None and stored.kind == "document"
                else None,
            }
        )
        state.history.setdefault(message.chat_id, {})[message.message_id] = message
    state._next_message_id.update(
        {int(k): int(v) for k, v in data.get("next_message_ids", {}).items()}
    )
    state._next_query = max(state._next_query, int(data.get("next_query", 0)))
    emulator._next_user_id = max(emulator._next_user_id, int(data.get("next_user_id", 0)))
    emulator._next_group_id = min(emulator._next_group_id, int(data.get("next_group_id", 0)))
