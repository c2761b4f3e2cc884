"""``courtyard`` command line: run the bot (or the sandbox), apply migrations.

It owns the bot's one lifecycle, :class:`Courtyard`: the sandbox and the tests start and stop
the bot through it too, so there is one order of start-up and of shutdown to get right.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from typing import TYPE_CHECKING

from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    pass

log = logging.getLogger("courtyard")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="courtyard",
        description="Courtyard: a Telegram bot for a housing community to run its own affairs.",
        epilog="Settings come from the environment or a .env file: BOT_TOKEN, TELEGRAM_API_URL, "
        "DATABASE_URL, RUNTIME (aiogram|ptb), LOG_LEVEL. See README.md.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser(
        "run", help="run the bot; without BOT_TOKEN, the local sandbox in your browser"
    )
    run.add_argument("--fresh", action="store_true", help="sandbox: start from an empty database")
    run.add_argument("--port", type=int, help="sandbox: web page port (default 8080)")
    run.add_argument("--runtime", choices=["aiogram", "ptb"], help="override RUNTIME")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates at WEBHOOK_URL (with WEBHOOK_SECRET) instead of long polling",
    )
    commands.add_parser("migrate", help="apply database migrations and exit")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    overrides: dict[str, object] = {}
    if getattr(args, "runtime", None):
        overrides["runtime"] = args.runtime
    if getattr(args, "port", None) is not None:
        overrides["sandbox_port"] = args.port
    try:
        settings = load_settings(**overrides)
    except SettingsError as error:
        print(f"courtyard: configuration error: {error}", file=sys.stderr)
        return 2
    from bot import logs

    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    logs.configure(settings.log_level, token)
    try:
        if args.command == "migrate":
            return asyncio.run(_migrate(settings))
        return asyncio.run(_run(settings, fresh=args.fresh, webhook=args.webhook))
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        print(f"courtyard: {error.strerror or error}", file=sys.stderr)
        return 1


async def _migrate(settings: Settings) -> int:
    from models.db import migrate

    try:
        await migrate(settings.database_url)
    except Exception as error:  # a bad URL or an unreachable server: one clear line
        print(f"courtyard: cannot migrate the database: {_first_line(error)}", file=sys.stderr)
        return 1
    print("courtyard: database is up to date")
    return 0


async def _run(settings: Settings, *, fresh: bool, webhook: bool) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    from bot.fonts import font_warning

    if warning := await asyncio.to_thread(font_warning, sandbox=settings.sandbox):
        log.warning(warning)
    if settings.sandbox:
        from bot.sandbox.run import run_sandbox

        return await run_sandbox(settings, stop, fresh=fresh)

    from bot.runtimes import Webhook

    if fresh:
        print("courtyard: --fresh only applies to the sandbox (no BOT_TOKEN)", file=sys.stderr)
        return 2
    hook = None
    if webhook:
        if not settings.webhook_url or settings.webhook_secret is None:
            print("courtyard: --webhook needs WEBHOOK_URL and WEBHOOK_SECRET", file=sys.stderr)
            return 2
        hook = Webhook(
            url=settings.webhook_url,
            secret=settings.webhook_secret.get_secret_value(),
            host=settings.webhook_host,
            port=settings.webhook_port,
        )
    if (failure := await _migrate_in_child()) is not None:
        print(f"courtyard: cannot migrate the database: {failure}", file=sys.stderr)
        return 1
    from bot.lifecycle import Courtyard

    courtyard = Courtyard(settings, webhook=hook)
    try:
        await courtyard.start()
    except Exception as error:
        print(f"courtyard: cannot start: {_first_line(error)}", file=sys.stderr)
        return 1
    log.info("Courtyard is running as @%s (%s runtime)", courtyard.bot_username, settings.runtime)
    await stop.wait()
    log.info("stopping")
    await courtyard.stop()
    return 0


async def _migrate_in_child() -> str | None:
    """Run ``courtyard migrate`` in a child process; None when it succeeded.

    Alembic and Mako stay resident once imported (~8 MB); the bot never needs
    them again after start-up, so they are loaded in a process that exits.
    """
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "migrate",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await child.communicate()
    if child.returncode == 0:
        return None
    lines = errors.decode(errors="replace").strip().splitlines()
    return lines[-1].removeprefix("courtyard: cannot migrate the database: ") if lines else "failed"


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
