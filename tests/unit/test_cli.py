"""The command line: clear one-line errors for bad settings, never the token."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from bot.logs import RedactTokens
from bot.settings import SettingsError, load_settings

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
