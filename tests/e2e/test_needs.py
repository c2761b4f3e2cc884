"""Needs and problem reports, told through the emulator on both runtimes."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.conftest import World
from tests.e2e.helpers import ask, community


async def test_alice_proposes_a_need_bob_and_carol_support_it_and_needs_shows_it_first(
    world: World,
) -> None:
    emu = world.emulator
    group, (alice, bob, carol) = await community(world, "Alice", "Bob", "Carol")
    await ask(world, bob, group, "/need A bench in the yard", "Need #1")
    await ask(world, alice, group, "/need Fix the gate", "Need #2")
    card = next(m for m in emu.bot_messages(group) if "Fix the gate" in m.text)

    for supporter in (bob, carol):
        query = await emu.press(supporter, card, card.buttons[0][0][1])
        answer = await emu.wait_callback_answer(query)
        assert "support" in answer.text
    card = await emu.wait_for_bot_message(group, lambda m: "2 members support it" in m.text)
    assert card.buttons[0][0][0] == "👍 Support (2)"

    ranking = await ask(world, carol, group, "/needs", "Open needs")
    assert ranking.index("Fix the gate") < ranking.index("A bench in the yard")

    query = await emu.press(bob, card, card.buttons[0][0][1])
    await emu.wait_callback_answer(query)
    await emu.wait_for_bot_message(group, lambda m: "1 member supports it" in m.text)


async def test_a_report_survives_deletion_and_closes_only_with_a_note(world: World) -> None:
    emu = world.emulator
    group, (alice, bob) = await community(world, "Alice", "Bob")
    await ask(world, bob, group, "/report The lift in block B is stuck", "Problem #1")
    report = next(m for m in emu.bot_messages(group) if "Problem #1" in m.text)
    await emu.delete_message(group, report.message_id)

    listed = await ask(world, alice, group, "/problems", "lift in block B")
    assert "#1" in listed
    refusal = await ask(world, alice, group, "/fixed 1", "Example")
    assert "/fixed" in refusal
    still = await ask(world, alice, group, "/problems", "lift in block B")
    assert "#1" in still

    await ask(world, alice, group, "/fixed 1 Replaced the door sensor", "is fixed")
    await ask(world, bob, group, "/problems", "No open problems")
    await ask(world, bob, group, "/reopen 1", "#1")
    await ask(world, bob, group, "/problems", "lift in block B")


async def test_an_adopted_need_becomes_a_plan_item_and_its_card_says_so(world: World) -> None:
    emu = world.emulator
    group, (alice, bob, carol) = await community(world, "Alice", "Bob", "Carol")
    await ask(world, alice, group, "/need Fix the gate", "Need #1")
    card = next(m for m in emu.bot_messages(group) if "Fix the gate" in m.text)

    sent = await emu.send_text(bob, group, "/adopt 1")
    poll = await emu.wait_for_bot_message(
        group, lambda m: "Poll #1" in m.text and bool(m.buttons), since=sent.message_id
    )
    await emu.wait_for_bot_message(
        group, lambda m: m.message_id == card.message_id and "adoption vote is open" in m.text
    )
    yes = next(data for row in poll.buttons for label, data in row if label == "1. Yes")
    for voter in (bob, carol):
        await emu.wait_callback_answer(await emu.press(voter, poll, yes))

    await world.travel(timedelta(hours=73))
    adopted = await emu.wait_for_bot_message(
        group, lambda m: m.message_id == card.message_id and "plan item #1" in m.text
    )
    assert adopted.buttons == []
    plan = await ask(world, carol, group, "/plan", "Fix the gate")
    assert "#1" in plan
