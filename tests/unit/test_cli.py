"""The command line: clear one-line errors for bad settings, never the token; the bot's
lifecycle: parts started in order, stopped in reverse."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.lifecycle import Courtyard
from bot.logs import RedactTokens
from bot.settings import Settings, SettingsError, load_settings

SECRET = "987654321:AAHsecretsecretsecretsecretsecret12345"


def _courtyard(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **env},
        timeout=60,
        check=False,
    )


def test_help_lists_the_commands() -> None:
    result = _courtyard("--help", env={})
    assert result.returncode == 0
    assert "run" in result.stdout and "migrate" in result.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"RUNTIME": "telethon"}, "RUNTIME"),
        ({"BOT_TOKEN": "not-a-token"}, "BOT_TOKEN"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_bad_settings_end_with_one_clear_line(env: dict[str, str], expected: str) -> None:
    result = _courtyard("migrate", env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0]
    assert "Traceback" not in result.stderr


def test_a_bad_token_is_never_echoed() -> None:
    leaked = SECRET + "!"
    result = _courtyard("migrate", env={"BOT_TOKEN": leaked})
    assert result.returncode == 2
    assert "secretsecret" not in result.stderr + result.stdout


def test_unreachable_database_is_one_line(tmp_path: object) -> None:
    result = _courtyard("migrate", env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_settings_reject_values_without_quoting_them() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(bot_token="123:" + "x" * 5)
    assert "xxxxx" not in str(caught.value)


def test_log_filter_redacts_tokens() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "GET /bot%s/getMe", (SECRET,), None)
    RedactTokens(SECRET).filter(record)
    assert SECRET not in record.getMessage()


class RecordingRuntime:
    """A runtime port that writes down what it is asked, in order."""

    def __init__(self, calls: list[str], *, fail_connect: bool = False) -> None:
        self.calls = calls
        self.fail_connect = fail_connect

    async def connect(self) -> str:
        self.calls.append("connect")
        if self.fail_connect:
            raise ConnectionError("Unauthorized")
        return "YardBot"

    async def start_intake(self, sink: object, webhook: object = None) -> None:
        self.calls.append(f"start_intake {getattr(sink, '__name__', sink)}")

    async def stop_intake(self) -> None:
        self.calls.append("stop_intake")

    async def close(self) -> None:
        self.calls.append("close")

    async def deliver(self, message: object) -> None:
        self.calls.append("deliver")

    async def answer_callback(self, answer: object) -> None:
        self.calls.append("answer_callback")

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        return False

    async def set_menu(
        self, commands: list[tuple[str, str]], language_code: str, scope_chat_id: int | None = None
    ) -> None:
        self.calls.append("set_menu")


def _recorded_bot(
    monkeypatch: pytest.MonkeyPatch, database_url: str, calls: list[str], **runtime: bool
) -> Courtyard:
    import bot.runtimes

    monkeypatch.setattr(
        bot.runtimes, "build_runtime", lambda *_: RecordingRuntime(calls, **runtime)
    )
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=SECRET,
        database_url=database_url,
        tick_seconds=3600,
    )
    return Courtyard(settings)


async def test_the_bot_starts_part_by_part_and_stops_in_reverse(
    monkeypatch: pytest.MonkeyPatch, database_url: str, engine: AsyncEngine
) -> None:
    calls: list[str] = []
    courtyard = _recorded_bot(monkeypatch, database_url, calls)
    await courtyard.start()
    assert courtyard.bot_username == "YardBot"
    assert courtyard.service is not None
    assert courtyard.service.services.bot_username == "YardBot", "built knowing the username"
    # Connected first; the menu published once per language; updates taken last.
    assert calls == ["connect", "set_menu", "set_menu", "set_menu", "start_intake handle_update"]
    service = courtyard.service
    stop_service = service.stop

    async def recorded_stop() -> None:
        calls.append("service.stop")
        await stop_service()

    monkeypatch.setattr(service, "stop", recorded_stop)
    calls.clear()
    await courtyard.stop()
    assert calls == ["stop_intake", "service.stop", "close"]
    assert service.scheduler is None and service.sender is None
    assert courtyard.engine is None and courtyard.service is None
    await courtyard.stop()  # a second stop does nothing
    assert calls == ["stop_intake", "service.stop", "close"]


async def test_a_bot_that_cannot_connect_leaves_nothing_running(
    monkeypatch: pytest.MonkeyPatch, database_url: str, engine: AsyncEngine
) -> None:
    calls: list[str] = []
    courtyard = _recorded_bot(monkeypatch, database_url, calls, fail_connect=True)
    with pytest.raises(ConnectionError):
        await courtyard.start()
    assert calls == ["connect", "close"], "no service, no intake; the session closed"
    assert courtyard.engine is None and courtyard.runtime is None
