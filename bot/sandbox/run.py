"""``courtyard run`` without a token: the emulator, the real bot and the web chat in one process.

Why the real bot over HTTP: the sandbox is the bot a newcomer will later run on Telegram —
the configured runtime (aiogram or python-telegram-bot) talks to the emulator through its
custom Bot API URL exactly as it talks to api.telegram.org, on the same database. Nothing in
the core knows it is in a sandbox; only the clock is one that the page can move forward.

What survives a restart: the bot's state is in the database (``DATABASE_URL``); the emulated
Telegram world and the clock's shift are in a JSON file next to it (:mod:`bot.sandbox.world`).
``--fresh`` removes both: the SQLite file is deleted, a PostgreSQL database is migrated down
to nothing (dropping every table) and back up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bot.lifecycle import Courtyard
from bot.sandbox.communities import GroupFacts, read_group
from bot.sandbox.demo import create_demo
from bot.sandbox.emulator import Emulator
from bot.sandbox.emulator_models import EmulatorError
from bot.sandbox.web import SandboxWeb
from bot.sandbox.world import (
    World,
    load_world,
    read_world,
    world_document,
    world_path,
    write_json,
)
from bot.settings import Settings
from bot.web.site import PublicSite
from handlers.core.clock import ShiftableClock
from models.db import migrate

__all__ = ["SANDBOX_TOKEN", "Sandbox", "reset", "run_sandbox"]

log = logging.getLogger(__name__)

#: A fixed, obviously fake token: buttons sent before a restart stay valid after it (their
#: signatures are keyed by the token), and it can never be mistaken for a real one.
SANDBOX_TOKEN = "100000:courtyard-sandbox-token"
BOT_USERNAME = "CourtyardBot"
#: How soon after a change the world file is written (changes arrive in bursts).
SAVE_DELAY = 1.0


class Sandbox:
    """The three parts wired together; :meth:`start` serves, :meth:`stop` saves and stops.

    ``world_file`` is where the world is kept (:func:`world_path`); ``None`` keeps nothing.
    ``port`` overrides ``settings.sandbox_port`` (0 picks a free one).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        world_file: Path | None = None,
        port: int | None = None,
    ) -> None:
        self.settings = settings
        self.world_file = world_file
        self.port = settings.sandbox_port if port is None else port
        saved = read_world(self.world_file, settings.database_url)
        self.restored = saved is not None
        self.world = saved or World()
        self.clock = ShiftableClock(self.world.clock_shift)
        self.emulator = Emulator(SANDBOX_TOKEN, bot_username=BOT_USERNAME, clock=self.clock.now)
        if self.restored:
            try:
                load_world(self.emulator, self.world)
            except EmulatorError as error:
                log.warning("the saved sandbox world is unusable (%s); starting a new one", error)
                self.restored, self.world = False, World()
                self.emulator = Emulator(
                    SANDBOX_TOKEN, bot_username=BOT_USERNAME, clock=self.clock.now
                )
        self.bot: Courtyard | None = None
        self.web: SandboxWeb | None = None
        self.url = ""
        self._dirty = asyncio.Event()
        self._saver: asyncio.Task[None] | None = None

    async def start(self) -> str:
        """Serve the page and the Bot API, start the bot, create the demo on first run."""
        web = SandboxWeb(
            self.emulator,
            self.clock,
            tick=self._tick,
            changed=self._dirty.set,
            kinds=self.world.kinds,
            told=self.world.told,
            facts=self._read_group,
        )
        self.web = web
        app = web.install(self.emulator.make_app())
        # The communities' public pages, on the same port, reading the bot once it runs.
        PublicSite(lambda: self.bot.web_source() if self.bot else None).install(app)
        base_url = await self.emulator.start(self.settings.sandbox_host, self.port, app=app)
        try:
            bot_settings = self.settings.model_copy(
                update={
                    "bot_token": SecretStr(SANDBOX_TOKEN),
                    "telegram_api_url": base_url,
                    # The emulator does not rate-limit, so neither need we: replies at once.
                    "send_per_second": 0,
                    "send_group_per_minute": 0,
                    "send_private_per_second": 0,
                    "tick_seconds": 5,
                    "public_url": base_url,
                }
            )
            await migrate(bot_settings.database_url)
            self.bot = Courtyard(bot_settings, clock=self.clock, serve_web=False)
            await self.bot.start()
        except BaseException:
            await self.emulator.stop()
            raise
        if not self.world.demo_created:
            _group, kinds = create_demo(self.emulator)
            self.world.kinds.update(kinds)
            self.world.demo_created = True
            self._dirty.set()
        web.refresh_groups()
        self._saver = asyncio.create_task(self._save_when_changed())
        self.url = base_url + "/"
        return self.url

    async def _read_group(self, chat_id: int) -> GroupFacts | None:
        """The page's read-only look at the bot's database (see :mod:`.communities`)."""
        if self.bot is None or self.bot.sessions is None:
            return None
        return await read_group(self.bot.sessions, chat_id)

    async def _tick(self) -> None:
        if self.bot is not None and self.bot.service is not None:
            await self.bot.service.tick()

    async def _save_when_changed(self) -> None:
        while True:
            await self._dirty.wait()
            await asyncio.sleep(SAVE_DELAY)
            self._dirty.clear()
            await self.save()

    async def save(self) -> None:
        """Write the world file now (the clock's shift included)."""
        self.world.clock_shift = self.clock.shift
        if self.world_file is None:
            return
        # Read the emulator on the event loop; only the file write goes to a thread.
        document = world_document(self.world, self.emulator, self.settings.database_url)
        try:
            await asyncio.to_thread(write_json, self.world_file, document)
        except OSError as error:
            log.warning("cannot save the sandbox world to %s: %s", self.world_file, error)

    async def stop(self) -> None:
        """Stop the bot first (it may still be sending), then save, then stop serving."""
        if self._saver is not None:
            self._saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._saver
            self._saver = None
        if self.bot is not None:
            await self.bot.stop()
            self.bot = None
        await self.save()
        await self.emulator.stop()


async def reset(settings: Settings) -> None:
    """``--fresh``: forget the world file and empty the database.

    SQLite: delete the file (and its WAL companions). PostgreSQL: migrate down to the base
    revision, which drops every table the migrations created; the bot migrates up on start.
    """
    url = make_url(settings.database_url)
    doomed = [world_path(settings.database_url)]
    sqlite = url.drivername.startswith("sqlite")
    if sqlite and url.database and url.database != ":memory:":
        doomed += [Path(url.database + suffix) for suffix in ("", "-wal", "-shm", "-journal")]
    await asyncio.to_thread(_unlink, doomed)
    if not sqlite:
        from models.db import downgrade

        await downgrade(settings.database_url, "base")


def _unlink(paths: list[Path | None]) -> None:
    for path in paths:
        if path is not None:
            path.unlink(missing_ok=True)


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


async def run_sandbox(settings: Settings, stop: asyncio.Event, *, fresh: bool = False) -> int:
    """Run until ``stop`` is set (Ctrl-C); returns the process's exit code."""
    if fresh:
        try:
            await reset(settings)
        except Exception as error:
            sys.stderr.write(f"courtyard: cannot empty the database: {_first_line(error)}\n")
            return 1
    sandbox = Sandbox(settings, world_file=world_path(settings.database_url))
    try:
        url = await sandbox.start()
    except OSError as error:
        sys.stderr.write(
            f"courtyard: cannot serve on {settings.sandbox_host}:{sandbox.port}: "
            f"{error.strerror or error}. Try another port: courtyard run --port 8081\n"
        )
        return 1
    except Exception as error:
        sys.stderr.write(f"courtyard: cannot start the sandbox: {_first_line(error)}\n")
        return 1
    world = f"world restored from {sandbox.world_file}" if sandbox.restored else "world new"
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    _say(f"Courtyard sandbox: {settings.runtime} runtime, database {database}, {world}.")
    _say(f"Open {url} in a browser; Ctrl-C stops.")
    await stop.wait()
    _say("Stopping the sandbox…")
    await sandbox.stop()
    return 0


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
