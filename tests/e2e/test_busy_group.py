"""A busy group with Telegram's limits on: votes pour in, and /close is still answered at once.

Nine neighbours join and vote in a few seconds, the creator closes the poll: with every live
count edit spent from the group's 20 messages a minute, the close waited a minute. Here the
sender keeps the real limits and the emulator answers 429 beyond them (strict mode).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.lifecycle import Courtyard
from bot.sandbox import Emulator
from bot.settings import Settings
from handlers.core.clock import ShiftableClock
from tests.e2e.conftest import TOKEN, World
from tests.e2e.helpers import ask, community

BALLOTS = re.compile(r"Ballots cast: (\d+)")


@pytest.fixture(params=["aiogram", "ptb"])
async def strict_world(
    request: pytest.FixtureRequest, database_url: str, engine: AsyncEngine
) -> AsyncIterator[World]:
    """Like ``world``, but with Telegram's flood limits on both sides."""
    clock = ShiftableClock()
    emulator = Emulator(TOKEN, bot_username="CourtyardBot", clock=clock.now, rate_limits=True)
    base_url = await emulator.start()
    settings = Settings(
        bot_token=TOKEN,
        telegram_api_url=base_url,
        database_url=database_url,
        runtime=request.param,
        tick_seconds=3600,
    )
    bot = Courtyard(settings, clock=clock)
    await bot.start()
    world = World(emulator, bot, clock, request.param)
    try:
        yield world
    finally:
        await world.bot.stop()
        await emulator.stop()


async def test_close_is_answered_within_3_s_after_a_burst_of_votes(strict_world: World) -> None:
    world, emu = strict_world, strict_world.emulator
    names = [f"Neighbour {i}" for i in range(9)]
    group, (alice, *neighbours) = await community(world, "Alice", *names)
    sent = await emu.send_text(alice, group, "/poll Paint the stairwell? | Green | Blue | 24h")
    poll = await emu.wait_for_bot_message(
        group, lambda m: bool(m.buttons), since=sent.message_id, timeout=10
    )
    green = next(data for row in poll.buttons for label, data in row if "Green" in label)
    queries = []
    for neighbour in neighbours:
        queries.append(await emu.press(neighbour, poll, green))
        await asyncio.sleep(0.2)
    await asyncio.gather(*(emu.wait_callback_answer(q, timeout=10) for q in queries))

    asked_at = time.perf_counter()
    asked = await emu.send_text(alice, group, "/close 1")
    result = await emu.wait_for_bot_message(
        group, lambda m: m.photo is not None, since=asked.message_id, timeout=10
    )
    assert time.perf_counter() - asked_at < 3.0
    assert "Green — 9" in (result.caption or "")
    # The poll's message was edited far fewer times than there were votes: edits coalesce.
    edits = [c for c in emu.api_calls("editMessageText") if c.error is None]
    assert len(edits) < len(neighbours)
    assert emu.flood_refusals == 0


async def test_the_poll_message_ends_showing_every_vote(strict_world: World) -> None:
    world, emu = strict_world, strict_world.emulator
    group, (alice, *neighbours) = await community(world, "Alice", "Bob", "Carmen", "Wei")
    sent = await emu.send_text(alice, group, "/poll Bins on Monday? | Yes | No | 24h")
    poll = await emu.wait_for_bot_message(
        group, lambda m: bool(m.buttons), since=sent.message_id, timeout=10
    )
    yes = next(data for row in poll.buttons for label, data in row if "Yes" in label)
    queries = await asyncio.gather(*(emu.press(n, poll, yes) for n in neighbours))
    await asyncio.gather(*(emu.wait_callback_answer(q, timeout=10) for q in queries))
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        match = BALLOTS.search(poll.text or "")
        if match and int(match[1]) == len(neighbours):
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail(f"the poll message still says {poll.text!r}")
    await ask(world, alice, group, "/members", "4 members")
