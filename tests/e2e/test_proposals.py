"""Competing proposals and recorded outcomes, told through the emulator on both runtimes."""

from __future__ import annotations

from bot.sandbox import EmuMessage
from tests.e2e.conftest import World
from tests.e2e.helpers import ask, community


def _button(message: EmuMessage, label: str) -> str:
    return next(data for row in message.buttons for text, data in row if text == label)


async def test_two_proposals_compete_the_ranked_winner_is_planned_and_its_outcome_recorded(
    world: World,
) -> None:
    emu = world.emulator
    group, (alice, bob, carol) = await community(world, "Alice", "Bob", "Carol")
    await ask(world, alice, group, "/need A bike rack by the entrance", "Need #1")
    card = next(m for m in emu.bot_messages(group) if "bike rack" in m.text)
    await ask(world, bob, group, "/propose 1 Buy a steel rack", "Bob proposed #1.1")
    await ask(world, carol, group, "/propose 1 Weld one from old pipes", "Carol proposed #1.2")
    card = await emu.wait_for_bot_message(
        group, lambda m: m.message_id == card.message_id and "👍 #1.2 (0)" in str(m.buttons)
    )
    answer = await emu.wait_callback_answer(
        await emu.press(bob, card, _button(card, "👍 #1.2 (0)"))
    )
    assert answer.text == "You support proposal #1.2."
    listed = await ask(world, alice, group, "/needs", "Open needs")
    assert listed.index("#1.2 Weld one") < listed.index("#1.1 Buy a steel rack")

    sent = await emu.send_text(alice, group, "/adopt 1")
    poll = await emu.wait_for_bot_message(
        group, lambda m: "Poll #1" in m.text and bool(m.buttons), since=sent.message_id
    )
    ballots = {
        alice: ["1. Buy a steel rack"],
        bob: ["2. Weld one from old pipes", "1. Buy a steel rack"],
        carol: ["2. Weld one from old pipes", "3. Not now"],
    }
    for voter, ranking in ballots.items():
        for label in ranking:
            await emu.wait_callback_answer(await emu.press(voter, poll, _button(poll, label)))
    sent = await emu.send_text(alice, group, "/close 1")
    result = await emu.wait_for_bot_message(
        group,
        lambda m: "Poll #1 is closed" in (m.caption or m.text),
        since=sent.message_id,
        timeout=30,  # the chart is drawn in a child process, which starts matplotlib
    )
    await emu.wait_for_bot_message(
        group,
        lambda m: "the ranked vote chose proposal #1.2 from Carol" in (m.text or ""),
        since=sent.message_id,
    )
    plan = await ask(world, bob, group, "/plan", "Weld one from old pipes")
    assert "💡 proposed by Carol" in plan
    # Which message carries the result is recorded once the sender is done with it; a person
    # takes longer than that to read a result and answer it, a test must wait for it.
    await world.service.tick()

    sent = await emu.send_text(alice, group, "/outcome 1 Welding on Saturday; Carol leads")
    outcome = await emu.wait_for_bot_message(
        group, lambda m: "Outcome of poll #1" in (m.text or ""), since=sent.message_id
    )
    assert outcome.reply_to == result.message_id, "the outcome answers the result"
    assert "recorded by Alice" in outcome.text
    log = await ask(world, carol, group, "/log", "Audit log")
    assert "Alice recorded the outcome of poll #1: Welding on Saturday; Carol leads" in log
    plan = await ask(world, carol, group, "/plan", "Weld one from old pipes")
    assert "📌 Outcome of poll #1: Welding on Saturday; Carol leads" in plan
