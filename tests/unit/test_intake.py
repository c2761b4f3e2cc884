"""The update intake both runtimes share: long polling and the webhook."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp
import pytest

from bot.intake import SECRET_HEADER, Poller, Webhook, WebhookServer
from bot.sender import RetryAfter


class Sink:
    def __init__(self) -> None:
        self.updates: list[Mapping[str, Any]] = []
        self.arrived = asyncio.Event()

    async def handle_update(self, update: Mapping[str, Any]) -> None:
        self.updates.append(update)
        self.arrived.set()


class FakeTelegram:
    """getUpdates over a list of batches; records the offsets and waits it was asked for."""

    def __init__(self, *batches: Sequence[object] | BaseException) -> None:
        self.batches = list(batches)
        self.calls: list[tuple[int | None, int]] = []

    async def fetch(self, offset: int | None, wait: int) -> Sequence[object]:
        self.calls.append((offset, wait))
        if not self.batches:
            await asyncio.sleep(wait or 0)
            return []
        batch = self.batches.pop(0)
        if isinstance(batch, BaseException):
            raise batch
        return batch


async def until(sink: Sink, count: int, seconds: float = 2.0) -> None:
    async with asyncio.timeout(seconds):
        while len(sink.updates) < count:
            sink.arrived.clear()
            await sink.arrived.wait()


async def test_poller_hands_out_the_original_json_and_confirms_the_offset_at_stop() -> None:
    odd = {"update_id": 11, "message": {"brand_new_field": {"x": [1, 2]}}}
    telegram = FakeTelegram([{"update_id": 10, "message": {}}, odd], [{"update_id": 12}])
    sink = Sink()
    poller = Poller(telegram.fetch, sink.handle_update, wait=1)
    await poller.start()
    await until(sink, 3)
    await poller.stop()

    assert sink.updates[1] is odd  # the very object Telegram's JSON became, nothing re-made
    offsets = [offset for offset, _ in telegram.calls]
    assert offsets[:3] == [None, 12, 13]
    assert telegram.calls[-1] == (13, 0)  # the stop confirms what was handed out


async def test_poller_survives_errors_429s_and_updates_that_are_not_objects() -> None:
    telegram = FakeTelegram(
        RuntimeError("network down"),
        RetryAfter(0.01),
        ["not an update", 42, {"update_id": 5}],
    )
    sink = Sink()
    poller = Poller(telegram.fetch, sink.handle_update, wait=1, backoff=0.01)
    await poller.start()
    await until(sink, 1)
    await poller.stop()
    assert sink.updates == [{"update_id": 5}]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, b'{"update_id": 1}', 401),
        ({SECRET_HEADER: "nearly-the-secret-0000"}, b'{"update_id": 1}', 401),
        ({SECRET_HEADER: "the-webhook-secret-000"}, b"not json", 400),
        ({SECRET_HEADER: "the-webhook-secret-000"}, b"[1, 2]", 400),
        ({SECRET_HEADER: "the-webhook-secret-000"}, b'{"update_id": 1, "new": true}', 200),
    ],
)
async def test_webhook_takes_only_telegrams_requests(
    headers: dict[str, str], body: bytes, status: int
) -> None:
    sink = Sink()
    port = _free_port()
    server = WebhookServer(
        sink.handle_update, Webhook("", "the-webhook-secret-000", "127.0.0.1", port, "/hook")
    )
    await server.start()
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"http://127.0.0.1:{port}/hook", data=body, headers=headers) as answer,
        ):
            assert answer.status == status
        if status == 200:
            await asyncio.wait_for(sink.arrived.wait(), 2)
            assert sink.updates == [{"update_id": 1, "new": True}]
        else:
            await asyncio.sleep(0.05)
            assert sink.updates == []
    finally:
        await server.stop()
