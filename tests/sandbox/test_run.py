"""``courtyard run`` without a token, as a newcomer runs it: a real process, Ctrl-C to stop.

A restart keeps the demo (once) and the moved clock; ``--fresh`` starts over.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.fonts import missing_fonts
from bot.sandbox.run import Sandbox, reset
from bot.sandbox.world import world_path
from bot.settings import Settings
from models.db import create_engine, migrate

START_TIMEOUT = 60


def _command() -> list[str]:
    script = Path(sys.executable).with_name("courtyard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Running:
    url: str
    output: list[str]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        request = urllib.request.Request(
            self.url.rstrip("/") + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json"} if body is not None else {},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())["result"]


@dataclass
class Finished:
    errors: str = ""


@contextmanager
def courtyard_run(
    directory: Path,
    *args: str,
    env_extra: dict[str, str] | None = None,
    finished: Finished | None = None,
) -> Iterator[Running]:
    """Start the sandbox, wait for its address, hand it over, then Ctrl-C it and check the exit.

    ``finished`` receives what the process wrote to stderr.
    """
    env = {key: value for key, value in os.environ.items() if key != "BOT_TOKEN"}
    env.update(env_extra or {})
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{directory / 'courtyard.db'}"
    env["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(
        [*_command(), "run", "--port", str(_free_port()), *args],
        cwd=directory,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    output: list[str] = []
    assert process.stdout is not None
    try:
        while True:
            line = process.stdout.readline()
            if not line:
                _, errors = process.communicate(timeout=10)
                pytest.fail(f"courtyard run ended before serving:\n{''.join(output)}{errors}")
            output.append(line)
            if "http://" in line:
                url = line.split("http://", 1)[1].split()[0]
                break
        yield Running("http://" + url, output)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        rest, errors = process.communicate(timeout=30)
    output.append(rest)
    if finished is not None:
        finished.errors = errors
    assert process.returncode == 0, f"exit {process.returncode}:\n{''.join(output)}{errors}"
    assert "Traceback" not in errors + rest, errors


def test_ctrl_c_stops_cleanly_and_a_restart_keeps_the_demo_and_the_clock(
    tmp_path: Path,
) -> None:
    with courtyard_run(tmp_path) as sandbox:
        page = urllib.request.urlopen(sandbox.url, timeout=10).read().decode()
        assert "Courtyard sandbox" in page
        state = sandbox.call("GET", "/api/state")
        assert [chat["title"] for chat in state["chats"]] == ["Maple Court"]
        sandbox.call("POST", "/api/clock", {"seconds": 86400})
        assert "world new" in "".join(sandbox.output)
    assert (tmp_path / "courtyard.db").exists()
    assert (tmp_path / "courtyard.sandbox.json").exists()

    with courtyard_run(tmp_path) as sandbox:
        assert "world restored" in "".join(sandbox.output)
        state = sandbox.call("GET", "/api/state")
        assert [chat["title"] for chat in state["chats"]] == ["Maple Court"]
        assert len(state["users"]) == 4
        assert state["clock"]["shift_seconds"] >= 86400
        intro = state["messages"][str(state["chats"][0]["id"])]
        assert any("/setup" in (m["text"] or "") for m in intro)

    with courtyard_run(tmp_path, "--fresh") as sandbox:
        assert "world new" in "".join(sandbox.output)
        state = sandbox.call("GET", "/api/state")
        assert state["clock"]["shift_seconds"] == 0
        assert len(state["users"]) == 4


EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig></fontconfig>
"""


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig is not installed")
def test_without_chinese_and_emoji_fonts_one_warning_names_the_packages(tmp_path: Path) -> None:
    """fontconfig told to know no fonts, as on a bare Debian: the browser shows boxes."""
    config = tmp_path / "fonts.conf"
    config.write_text(EMPTY_FONTCONFIG, encoding="utf-8")
    finished = Finished()
    with courtyard_run(tmp_path, env_extra={"FONTCONFIG_FILE": str(config)}, finished=finished):
        pass
    warnings = [line for line in finished.errors.splitlines() if "WARNING" in line]
    assert len(warnings) == 1, finished.errors
    assert "Chinese or emoji" in warnings[0]
    assert "apt-get install fonts-noto-cjk fonts-noto-color-emoji" in warnings[0]


@pytest.mark.skipif(bool(missing_fonts()), reason="the CJK and emoji fonts are not installed")
def test_with_the_fonts_installed_there_is_no_font_warning(tmp_path: Path) -> None:
    finished = Finished()
    with courtyard_run(tmp_path, finished=finished):
        pass
    assert "fonts-noto-cjk" not in finished.errors


def test_a_busy_port_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {key: value for key, value in os.environ.items() if key != "BOT_TOKEN"}
        env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'courtyard.db'}"
        finished = subprocess.run(
            [*_command(), "run", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
        )
    assert finished.returncode == 1
    assert f"cannot serve on 127.0.0.1:{port}" in finished.stderr
    assert "courtyard run --port" in finished.stderr
    assert "Traceback" not in finished.stderr


async def test_fresh_empties_the_database_on_either_backend(
    database_url: str, engine: AsyncEngine
) -> None:
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    await reset(settings)
    emptied = create_engine(database_url)
    try:
        async with emptied.connect() as connection:
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await emptied.dispose()
    assert not set(tables) - {"alembic_version"}
    await migrate(database_url)  # leave the shared test database as the session made it


async def test_stopping_closes_open_pages_at_once(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    sandbox = Sandbox(settings, world_file=tmp_path / "world.json", port=0)
    url = await sandbox.start()
    async with aiohttp.ClientSession() as session:
        socket = await session.ws_connect(url + "api/live")
        assert (await socket.receive_json(timeout=5))["type"] == "snapshot"
        started = time.monotonic()
        await sandbox.stop()
        assert time.monotonic() - started < 5
        kinds = [(await socket.receive(timeout=5)).type for _ in range(100)]
        assert aiohttp.WSMsgType.CLOSE in kinds or aiohttp.WSMsgType.CLOSED in kinds
    saved = json.loads((tmp_path / "world.json").read_text(encoding="utf-8"))
    assert saved["demo_created"] is True


async def test_an_unusable_world_file_starts_a_new_world(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    world_file = tmp_path / "world.json"
    first = Sandbox(settings, world_file=world_file, port=0)
    await first.start()
    await first.stop()
    saved = json.loads(world_file.read_text(encoding="utf-8"))
    saved["emulator"]["users"][0]["id"] = "not a number"
    world_file.write_text(json.dumps(saved), encoding="utf-8")

    second = Sandbox(settings, world_file=world_file, port=0)
    assert not second.restored
    await second.start()
    try:
        assert [group.title for group in second.emulator.chats if group.type != "private"] == [
            "Maple Court"
        ]
    finally:
        await second.stop()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize(
    "database_url",
    [
        "sqlite+aiosqlite:///courtyard.db",
        "sqlite+aiosqlite:///data/other.db",
        "postgresql://x@h/db",
    ],
)
def test_what_the_sandbox_writes_is_ignored_by_git(database_url: str) -> None:
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        pytest.skip("not a git checkout")
    world = world_path(database_url)
    assert world is not None
    written = [world, world.with_name(world.name + ".tmp")]  # write_json's temporary file
    for path in written:
        checked = subprocess.run(
            ["git", "check-ignore", "--no-index", "-q", str(path)], cwd=root, check=False
        )
        assert checked.returncode == 0, f"{path} is not in .gitignore"
