"""The common fund and a budget round, told through the emulator on both runtimes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.sandbox import EmuChat, EmuMessage, EmuUser
from handlers.core.charts import ChartRequest
from tests.e2e.conftest import World
from tests.e2e.helpers import ask, community


async def _draw_here(chart: ChartRequest) -> bytes:
    """The same drawing, without a child process per chart: four charts, a story of seconds."""
    return await asyncio.to_thread(chart.render)


def _button(message: EmuMessage, ending: str) -> str:
    return next(data for row in message.buttons for label, data in row if label.endswith(ending))


async def _vote_yes(world: World, poll: EmuMessage, *voters: EmuUser) -> None:
    for voter in voters:
        await world.emulator.wait_callback_answer(
            await world.emulator.press(voter, poll, _button(poll, "1. Yes"))
        )


async def _poll(world: World, group: EmuChat, about: str) -> EmuMessage:
    return await world.emulator.wait_for_bot_message(
        group,
        lambda m: (
            about in m.text and any(label == "1. Yes" for row in m.buttons for label, _ in row)
        ),
    )


async def _pick_the_rack(world: World, voter: EmuUser, message: EmuMessage) -> None:
    """``voter`` opens a private ballot, picks the €300 rack, and cannot add the €120 fence."""
    emu = world.emulator
    private = emu.private_chat(voter)
    await ask(world, voter, private, "/start", "Courtyard")
    await emu.wait_callback_answer(await emu.press(voter, message, _button(message, "privately")))
    ballot = await emu.wait_for_bot_message(private, lambda m: "Your ballot" in (m.text or ""))
    await emu.wait_callback_answer(await emu.press(voter, ballot, _button(ballot, "€300.00")))
    ballot = await emu.wait_for_bot_message(
        private,
        lambda m: m.message_id == ballot.message_id and "€300.00 of €350.00" in (m.text or ""),
    )
    refused = await emu.wait_callback_answer(
        await emu.press(voter, ballot, _button(ballot, "€120.00"))
    )
    assert "€420.00 of €350.00" in refused.text


async def test_money_comes_in_a_big_out_waits_for_its_poll_a_mistake_is_reversed_and_a_budget_funds_the_favourite(
    world: World,
) -> None:
    emu = world.emulator
    world.service.chart_renderer = _draw_here
    group, (alice, bob, carol) = await community(world, "Alice", "Bob", "Carol")
    # Two needs go to adoption votes that close with the fund's poll below.
    for number, need in ((1, "Paint the fence"), (2, "A bike rack")):
        await ask(world, alice, group, f"/need {need}", f"Need #{number}")
        await emu.send_text(alice, group, f"/adopt {number}")
        await _vote_yes(world, await _poll(world, group, need), alice, bob)

    await ask(world, bob, group, "/fund in 800 Summer party", "Entry #1: €800.00 in")
    await ask(world, carol, group, "/fund in 80 Summer party", "Entry #2: €80.00 in")
    undone = await ask(world, carol, group, "/fund reverse 2 Counted twice", "Entry #3 reverses")
    assert "The fund holds €800.00." in undone
    await ask(world, bob, group, "/fund out 250 New hose", "waits for poll #3")
    await _vote_yes(world, await _poll(world, group, "New hose"), alice, carol)

    await world.travel(timedelta(hours=73))
    await emu.wait_for_bot_message(
        group, lambda m: "approved entry #4" in (m.text or ""), timeout=20
    )
    ledger = await ask(world, alice, group, "/fund", "Common fund")
    assert "Common fund: €550.00" in ledger
    assert "#4 " in ledger and "−€250.00 · New hose — Bob · approved by poll #3" in ledger
    assert "+€80.00 · Summer party — Carol · reversed by #3" in ledger

    await ask(world, alice, group, "/cost 1 120", "costs €120.00")
    await ask(world, alice, group, "/cost 2 300", "costs €300.00")
    opened = await ask(world, alice, group, "/budget 350 | 1d", "Budget #1")
    assert "Ballots: 0 of 3." in opened
    message = next(
        m for m in emu.bot_messages(group) if "Budget #1" in (m.text or "") and m.buttons
    )
    for voter in (bob, carol):
        await _pick_the_rack(world, voter, message)
    await emu.wait_for_bot_message(
        group, lambda m: m.message_id == message.message_id and "Ballots: 2 of 3." in m.text
    )

    await world.travel(timedelta(hours=25))
    result = await emu.wait_for_bot_message(
        group, lambda m: "Budget #1 is closed" in (m.caption or ""), timeout=20
    )
    assert result.photo is not None
    assert "1. #2 A bike rack — €300.00 (2 picks)" in (result.caption or "")
    closed = await emu.wait_for_bot_message(
        emu.private_chat(bob), lambda m: "Budget #1 of Maple Court is closed" in m.text
    )
    assert "You picked: #2 A bike rack" in closed.text and not closed.buttons
    ledger = await ask(world, bob, group, "/fund", "Common fund")
    assert "€300.00 committed to plan item #2 A bike rack by budget #1" in ledger
    assert "Free: €250.00" in ledger
