"""The App's promises: one update per chat at a time, in order, and no leftovers."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from handlers.core.context import Context
from tests.support import Driver, text


async def test_updates_of_one_chat_run_in_arrival_order_and_release_their_lock(
    driver: Driver,
) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    replies = await asyncio.gather(
        *(driver.send(alice, chat, f"/need Item {i}") for i in range(1, 21))
    )
    for i, reply in enumerate(replies, start=1):
        assert f"Need #{i}</b>" in text(reply) and f"Item {i}" in text(reply)
    assert driver.app._locks == {}


async def test_a_crash_inside_a_use_case_becomes_an_apology_and_rolls_back(
    driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)

    async def broken(ctx: Context) -> None:
        ctx.log("need.proposed", actor="Alice", number=1, text="half-done")
        raise RuntimeError("boom")

    monkeypatch.setitem(
        driver.app.registry.commands,
        "need",
        dataclasses.replace(driver.app.registry.commands["need"], run=broken),
    )
    assert "Something went wrong" in text(await driver.send(alice, chat, "/need Anything"))
    monkeypatch.undo()
    assert "half-done" not in text(await driver.send(alice, chat, "/log"))
    assert "Need #1" in text(await driver.send(alice, chat, "/need A bench"))
