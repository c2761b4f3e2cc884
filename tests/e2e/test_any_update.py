"""Any update Telegram may send goes through both runtimes, polled or posted, without a crash.

Updates are built from the pinned Bot API description (tests/botapi): every kind of update,
random optional fields, odd values. Each batch is fed through the real update path of four
bots — aiogram and PTB, each by long polling from the emulator and by webhook — and every bot
must hand the core the same ``Incoming`` values the converter makes of the original JSON.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.intake import SECRET_HEADER
from bot.runtimes import Runtime, Webhook, build_runtime
from bot.sandbox import Emulator
from bot.updates import to_incoming
from handlers.core.messages import Incoming
from tests.botapi import updates
from tests.e2e.conftest import TOKEN

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SECRET = "any-update-webhook-secret"
T = TypeVar("T")


class Recorder:
    """Stands in for the service as the intake's sink: records what the core would hear."""

    def __init__(self, bot_username: str) -> None:
        self.heard: dict[int, list[Incoming]] = {}
        self.failures: list[str] = []
        self.arrived = asyncio.Event()
        self.bot_username = bot_username

    async def handle_update(self, update: Mapping[str, Any]) -> None:
        try:
            self.heard[update["update_id"]] = to_incoming(update, self.bot_username, NOW)
        except Exception as error:  # recorded: the test fails with every failure listed
            self.failures.append(f"{type(error).__name__}: {error}")
        self.arrived.set()

    async def wait_for(self, update_id: int) -> list[Incoming]:
        async with asyncio.timeout(10):
            while update_id not in self.heard:
                self.arrived.clear()
                await self.arrived.wait()
        return self.heard[update_id]


@dataclass
class Bot:
    name: str
    emulator: Emulator
    runtime: Runtime
    recorder: Recorder
    webhook: str | None = None
    next_id: int = 1

    async def feed(self, update: dict[str, Any]) -> list[Incoming]:
        if self.webhook is None:
            update_id = self.emulator.inject_update(update)
        else:
            update_id, self.next_id = self.next_id, self.next_id + 1
            headers = {SECRET_HEADER: SECRET}
            async with (
                aiohttp.ClientSession() as http,
                http.post(
                    self.webhook, json={**update, "update_id": update_id}, headers=headers
                ) as answer,
            ):
                assert answer.status == 200
        return await self.recorder.wait_for(update_id)


@dataclass
class Bots:
    loop: asyncio.AbstractEventLoop
    bots: list[Bot] = field(default_factory=list)

    def run(self, work: Awaitable[T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=60)  # type: ignore[arg-type]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _start(name: str, *, webhook: bool) -> Bot:
    emulator = Emulator(TOKEN, bot_username="CourtyardBot")
    base_url = await emulator.start()
    runtime = build_runtime(name, TOKEN, base_url)
    recorder = Recorder(await runtime.connect())
    if not webhook:
        await runtime.start_intake(recorder.handle_update)
        return Bot(f"{name}/polling", emulator, runtime, recorder)
    hook = Webhook("https://courtyard.example/hook", SECRET, "127.0.0.1", _free_port(), "/hook")
    await runtime.start_intake(recorder.handle_update, hook)
    url = f"http://127.0.0.1:{hook.port}{hook.path}"
    return Bot(f"{name}/webhook", emulator, runtime, recorder, webhook=url)


@pytest.fixture(scope="module")
def bots() -> Iterator[Bots]:
    """Four bots on an event loop of their own, so hypothesis can drive them synchronously."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    running = Bots(loop)
    try:
        for name in ("aiogram", "ptb"):
            for webhook in (False, True):
                running.bots.append(running.run(_start(name, webhook=webhook)))
        yield running
    finally:
        for bot in running.bots:
            running.run(bot.runtime.stop_intake())
            running.run(bot.runtime.close())
            running.run(bot.emulator.stop())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


@given(batch=st.lists(updates(max_depth=3), min_size=1, max_size=8))
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_every_runtime_and_path_hears_any_update_the_same_way(
    bots: Bots, batch: list[dict[str, Any]]
) -> None:
    for update in batch:
        expected = to_incoming(update, "CourtyardBot", NOW)
        for bot in bots.bots:
            heard = bots.run(bot.feed(update))
            assert heard == expected, bot.name
    failures = [f for bot in bots.bots for f in bot.recorder.failures]
    assert failures == []


def test_a_button_under_a_message_with_link_previews_off_reaches_the_core(bots: Bots) -> None:
    """The update that broke every button of the aiogram runtime on real Telegram."""
    update = {
        "callback_query": {
            "id": "4382",
            "from": {"id": 7001, "is_bot": False, "first_name": "Wei", "language_code": "zh-hans"},
            "chat_instance": "-77",
            "data": "poll.v:1:0:sig",
            "message": {
                "message_id": 12,
                "date": 1_780_000_000,
                "chat": {"id": -1001, "type": "supergroup", "title": "Maple Court"},
                "from": {"id": 1, "is_bot": True, "first_name": "Courtyard"},
                "text": "Poll #1",
                "link_preview_options": {"is_disabled": True},
                "reply_markup": {
                    "inline_keyboard": [[{"text": "1. Yes", "callback_data": "poll.v:1:0:sig"}]]
                },
            },
        }
    }
    for bot in bots.bots:
        (heard,) = bots.run(bot.feed(update))
        assert heard.callback_data == "poll.v:1:0:sig", bot.name
        assert heard.user.language_code == "zh-hans"
