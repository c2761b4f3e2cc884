"""Polls told through the emulator on both runtimes and both databases."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from bot.lifecycle import Courtyard
from bot.sandbox import EmuMessage
from handlers.core.charts import ChartRequest, render_result_chart_isolated
from tests.e2e.conftest import World
from tests.e2e.helpers import ask, community

PNG = b"\x89PNG"
DRAWING_SECONDS = 3.0


def _button(message: EmuMessage, label: str) -> str:
    return next(data for row in message.buttons for text, data in row if text == label)


async def _open_poll(world: World, user, group, command: str) -> EmuMessage:  # type: ignore[no-untyped-def]
    sent = await world.emulator.send_text(user, group, command)
    return await world.emulator.wait_for_bot_message(
        group, lambda m: "Poll #" in m.text and bool(m.buttons), since=sent.message_id
    )


async def test_a_poll_with_a_deadline_closes_by_itself_and_posts_a_chart(world: World) -> None:
    emu = world.emulator
    group, (alice, bob, carol) = await community(world, "Alice", "Bob", "Carol")
    poll = await _open_poll(world, alice, group, "/poll Paint the door? | Green | Blue | 48h")

    for voter, label in ((bob, "1. Green"), (carol, "2. Blue"), (carol, "1. Green")):
        query = await emu.press(voter, poll, _button(poll, label))
        assert "Green" in (await emu.wait_callback_answer(query)).text or label == "2. Blue"

    await world.travel(timedelta(hours=49))
    result = await emu.wait_for_bot_message(group, lambda m: m.photo is not None, timeout=30)
    assert result.photo is not None and result.photo.startswith(PNG)
    assert "Poll #1 is closed" in (result.caption or result.text)
    assert "Green — 2 (100%)" in (result.caption or result.text)

    closed = await emu.wait_for_bot_message(
        group, lambda m: m.message_id == poll.message_id and "Closed" in m.text
    )
    assert closed.buttons == [], "the poll's own message loses its vote buttons"
    assert "Ballots cast: 2 of 3" in closed.text


async def test_a_ballot_ranked_in_private_updates_the_group_message(world: World) -> None:
    emu = world.emulator
    group, (alice, bob) = await community(world, "Alice", "Bob")
    private = emu.private_chat(bob)
    await ask(world, bob, private, "/start", "Courtyard")
    poll = await _open_poll(world, alice, group, "/poll ranked Lunch? | Soup | Salad | Pie | 24h")

    await emu.wait_callback_answer(await emu.press(bob, poll, _button(poll, "Rank privately")))
    ballot = await emu.wait_for_bot_message(private, lambda m: "Your ballot" in m.text)
    for option in ("Pie", "Soup"):
        current = next(m for m in emu.bot_messages(private) if m.message_id == ballot.message_id)
        data = next(d for row in current.buttons for label, d in row if label.endswith(option))
        await emu.wait_callback_answer(await emu.press(bob, current, data))
    await emu.wait_for_bot_message(
        private,
        lambda m: (
            m.message_id == ballot.message_id
            and "1️⃣ Pie" in str(m.buttons)
            and "2️⃣ Soup" in str(m.buttons)
        ),
    )

    updated = await emu.wait_for_bot_message(
        group, lambda m: m.message_id == poll.message_id and "Ballots cast: 1 of 2" in m.text
    )
    assert updated.buttons, "the group message keeps its buttons while the poll is open"


async def test_a_deadline_passed_while_the_bot_was_down_still_closes_the_poll(world: World) -> None:
    emu = world.emulator
    group, (alice, bob) = await community(world, "Alice", "Bob")
    poll = await _open_poll(world, alice, group, "/poll Hire a gardener? | Yes | No | 2h")
    query = await emu.press(bob, poll, _button(poll, "1. Yes"))
    await emu.wait_callback_answer(query)

    await world.bot.stop()
    world.clock.advance(timedelta(hours=3))
    world.bot = Courtyard(world.bot.settings, clock=world.clock)
    await world.bot.start()

    result = await emu.wait_for_bot_message(group, lambda m: m.photo is not None, timeout=30)
    assert "Yes — 1 (100%)" in (result.caption or "")


async def test_concurrent_votes_from_100_members_give_exact_totals(world: World) -> None:
    emu = world.emulator
    group, (alice,) = await community(world, "Alice")
    voters = [emu.add_user(f"Neighbour {i}") for i in range(100)]
    for voter in voters:
        await emu.join(voter, group)
    # The reply waits behind a hundred welcomes in the group's queue: give it time on a busy machine.
    await ask(world, alice, group, "/members", "101 members", timeout=30)

    poll = await _open_poll(world, alice, group, "/poll Bins on Monday? | Yes | No | 24h")
    yes, no = _button(poll, "1. Yes"), _button(poll, "2. No")
    queries = await asyncio.gather(
        *(emu.press(v, poll, yes if i % 3 else no) for i, v in enumerate(voters))
    )
    await asyncio.gather(*(emu.wait_callback_answer(q, timeout=30) for q in queries))

    asked = await emu.send_text(alice, group, "/close 1")
    result = await emu.wait_for_bot_message(
        group, lambda m: m.photo is not None, since=asked.message_id, timeout=30
    )
    caption = result.caption or ""
    assert "Yes — 66 (66%)" in caption and "No — 34 (34%)" in caption
    assert "100 of 101" in caption


async def test_another_group_is_answered_while_a_result_chart_is_drawn(world: World) -> None:
    """Alice closes her poll; its chart takes seconds to draw. Meanwhile Dora, in another
    group, asks for her roster and is answered at once: the chart is drawn after the close
    has committed, outside any transaction. Alice's result photo follows."""
    emu = world.emulator
    loop = asyncio.get_running_loop()
    drawing = asyncio.Event()
    drawn_at: list[float] = []

    async def slow_renderer(chart: ChartRequest) -> bytes:
        drawing.set()
        await asyncio.to_thread(time.sleep, DRAWING_SECONDS)
        png = await render_result_chart_isolated(chart)
        drawn_at.append(loop.time())
        return png

    world.service.chart_renderer = slow_renderer
    group_a, (alice, bob) = await community(world, "Alice", "Bob")
    group_b, (dora,) = await community(world, "Dora")
    poll = await _open_poll(world, alice, group_a, "/poll Paint the door? | Green | Blue | 48h")
    await emu.wait_callback_answer(await emu.press(bob, poll, _button(poll, "1. Green")))

    closing = await emu.send_text(alice, group_a, "/close 1")
    await asyncio.wait_for(drawing.wait(), timeout=10)
    asked_at = loop.time()
    await ask(world, dora, group_b, "/members", "1 member")
    answered_at = loop.time()
    assert answered_at - asked_at < 1.0, "Dora's group waited for the chart of Alice's"

    result = await emu.wait_for_bot_message(
        group_a, lambda m: m.photo is not None, since=closing.message_id, timeout=30
    )
    assert result.photo is not None and result.photo.startswith(PNG)
    assert "Green — 1 (100%)" in (result.caption or "")
    assert drawn_at and drawn_at[0] > answered_at


def _current(world: World, chat, message_id: int) -> EmuMessage:  # type: ignore[no-untyped-def]
    return next(m for m in world.emulator.bot_messages(chat) if m.message_id == message_id)


async def test_every_private_copy_of_a_ballot_follows_the_poll_to_its_close(world: World) -> None:
    emu = world.emulator
    group, (alice, bob) = await community(world, "Alice", "Bob")
    private = emu.private_chat(bob)
    await ask(world, bob, private, "/start", "Courtyard")
    poll = await _open_poll(world, alice, group, "/poll ranked Lunch? | Soup | Salad | Pie")

    # Bob asks for a private ballot, then the 24-hour reminder brings a second copy.
    await emu.wait_callback_answer(await emu.press(bob, poll, _button(poll, "Rank privately")))
    first = await emu.wait_for_bot_message(private, lambda m: "Your ballot" in m.text)
    await world.travel(timedelta(hours=48, minutes=1))
    reminder = await emu.wait_for_bot_message(
        private, lambda m: "You have not voted yet" in m.text, since=first.message_id
    )

    # He votes on the reminder: both copies show his ranking.
    data = next(d for row in reminder.buttons for label, d in row if label.endswith("Pie"))
    await emu.wait_callback_answer(await emu.press(bob, reminder, data))
    for copy in (first, reminder):
        await emu.wait_for_bot_message(
            private,
            lambda m, copy=copy: (
                m.message_id == copy.message_id
                and "Your ranking: 1. Pie" in m.text
                and "1️⃣ Pie" in str(m.buttons)
            ),
        )
    assert "not voted" not in _current(world, private, first.message_id).text

    # He adds Soup in the group: the private copies follow that too.
    group_poll = _current(world, group, poll.message_id)
    await emu.wait_callback_answer(await emu.press(bob, group_poll, _button(group_poll, "1. Soup")))
    for copy in (first, reminder):
        await emu.wait_for_bot_message(
            private,
            lambda m, copy=copy: (
                m.message_id == copy.message_id and "Your ranking: 1. Pie → 2. Soup" in m.text
            ),
        )

    # The poll closes: every copy loses its buttons and shows the result.
    await world.travel(timedelta(hours=24))
    await emu.wait_for_bot_message(group, lambda m: m.photo is not None, timeout=30)
    for copy in (first, reminder):
        closed = await emu.wait_for_bot_message(
            private,
            lambda m, copy=copy: m.message_id == copy.message_id and "is closed" in m.text,
        )
        assert closed.buttons == [], "a closed ballot has nothing left to press"
        assert "Closes" not in closed.text and "not voted" not in closed.text
        assert "Your ranking: 1. Pie → 2. Soup" in closed.text
        assert "Winner: <b>Pie</b>" in closed.text or "Winner: Pie" in closed.text
