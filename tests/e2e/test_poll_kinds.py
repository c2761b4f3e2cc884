"""Deciding well, told through the emulator on both runtimes and both databases: a consent
poll blocked with reasons and passed in a second round, a hidden poll that closes early, and
a meeting poll that picks a slot."""

from __future__ import annotations

from datetime import timedelta

from bot.sandbox import EmuMessage
from tests.e2e.conftest import World
from tests.e2e.helpers import ask, community

PNG = b"\x89PNG"


async def _open(world: World, user, group, command: str) -> EmuMessage:  # type: ignore[no-untyped-def]
    sent = await world.emulator.send_text(user, group, command)
    return await world.emulator.wait_for_bot_message(
        group, lambda m: "Poll #" in m.text and bool(m.buttons), since=sent.message_id
    )


async def _press(world: World, user, message: EmuMessage, label: str) -> str:  # type: ignore[no-untyped-def]
    query = await world.emulator.press(user, message, message.button_data(label))
    return (await world.emulator.wait_callback_answer(query)).text or ""


async def _result(world: World, group, since: int) -> str:  # type: ignore[no-untyped-def]
    found = await world.emulator.wait_for_bot_message(
        group, lambda m: m.photo is not None, since=since, timeout=30
    )
    assert found.photo is not None and found.photo.startswith(PNG)
    return found.caption or ""


async def test_a_consent_poll_is_blocked_with_reasons_then_passes_in_a_second_round(
    world: World,
) -> None:
    emu = world.emulator
    group, (alice, bob, carol) = await community(world, "Alice", "Bob", "Carol")
    private = emu.private_chat(bob)
    await ask(world, bob, private, "/start", "Courtyard")
    poll = await _open(world, alice, group, "/poll consent Replace the door with glass? | 48h")

    # Bob has started the bot: his Block is asked about privately, and he answers by replying.
    assert "asked you" in await _press(world, bob, poll, "🛑 Block")
    question = await emu.wait_for_bot_message(private, lambda m: "Why?" in m.text)
    assert (question.reply_markup or {}).get("force_reply") is True
    sent = await emu.send_text(bob, private, "Glass breaks", reply_to=question)
    await emu.wait_for_bot_message(private, lambda m: "counts now" in m.text, since=sent.message_id)

    # Carol has not: she is told to reply to the poll's message in the group, and does.
    assert "/block 1 REASON" in await _press(world, carol, poll, "🛑 Block")
    sent = await emu.send_text(carol, group, "It gets too cold", reply_to=poll)
    await emu.wait_for_bot_message(group, lambda m: "counts now" in m.text, since=sent.message_id)

    # Alice's vote is the last one missing: the poll closes at once.
    await _press(world, alice, poll, "✅ Agree")
    caption = await _result(world, group, poll.message_id)
    assert "Closed early: everyone has voted." in caption and "Blocked: 2 blocks." in caption
    assert "• Glass breaks" in caption and "• It gets too cold" in caption
    assert "Bob" not in caption and "Carol" not in caption

    second = await _open(world, alice, group, "/poll consent Replace it with safety glass?")
    for voter in (alice, bob, carol):
        await _press(world, voter, second, "✅ Agree")
    caption = await _result(world, group, second.message_id)
    assert "Passed: no blocks, 3 agree vs 0 disagree." in caption


async def test_a_hidden_poll_shows_no_counts_until_the_last_member_votes(world: World) -> None:
    emu = world.emulator
    group, (alice, bob, carol) = await community(world, "Alice", "Bob", "Carol")
    poll = await _open(world, alice, group, "/poll hidden ranked Lunch? | Soup | Salad | Pie")
    for voter, label in ((alice, "3. Pie"), (bob, "3. Pie"), (bob, "1. Soup")):
        assert "Soup —" not in await _press(world, voter, poll, label)
    live = await emu.wait_for_bot_message(
        group, lambda m: m.message_id == poll.message_id and "Ballots cast: 2 of 3" in m.text
    )
    assert "—" not in live.text and "hidden until the close" in live.text

    await _press(world, carol, poll, "2. Salad")
    caption = await _result(world, group, poll.message_id)
    assert "Closed early: everyone has voted." in caption
    assert "Winner: Pie, with 2 of 3 continuing ballots in round 1." in caption


async def test_a_meeting_poll_picks_the_slot_most_can_come_to(world: World) -> None:
    emu = world.emulator
    group, (alice, bob) = await community(world, "Alice", "Bob")
    # Dated slots (community time, Berlin): a weekday's number would depend on today.
    first, second = (f"{(world.clock.now() + timedelta(days=d)):%Y-%m-%d}" for d in (3, 4))
    command = f"/poll when Clean-up day? | {second} 15:00 | {first} 10:00-12:00"
    poll = await _open(world, alice, group, command)
    assert [label for label, _ in poll.buttons[0]] == ["1 ✅ Yes", "1 🤔 Maybe", "1 ❌ No"]
    for voter, labels in ((alice, ("1 ✅ Yes", "2 🤔 Maybe")), (bob, ("1 ✅ Yes", "2 ❌ No"))):
        for label in labels:
            answered = await _press(world, voter, poll, label)
    assert "Your answers: 1 ✅ · 2 ❌" in answered
    caption = await _result(world, group, poll.message_id)
    best = caption.split("Best time: ")[1].split("\n")[0]
    assert "10:00–12:00" in best, "the earlier slot, where both can come"
    assert f"Can come to {best.rstrip('.')}: Alice, Bob" in caption
    await emu.wait_for_bot_message(
        group, lambda m: m.message_id == poll.message_id and m.buttons == []
    )
