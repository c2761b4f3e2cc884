"""A treasurer is proposed, created by the members' poll, elected by a secret vote and, when the
term ends, an election for the seat opens by itself — through the emulator, on both runtimes."""

from __future__ import annotations

from datetime import timedelta

from bot.sandbox import EmuChat, EmuMessage, EmuUser
from tests.e2e.conftest import World
from tests.e2e.helpers import ask, community


def _text(message: EmuMessage) -> str:
    return message.text or message.caption or ""


def _button(message: EmuMessage, label: str) -> str:
    return next(data for row in message.buttons for text, data in row if text == label)


async def _press(world: World, user: EmuUser, message: EmuMessage, label: str) -> str:
    query = await world.emulator.press(user, message, _button(message, label))
    return (await world.emulator.wait_callback_answer(query)).text


async def _message(world: World, chat: EmuChat, says: str, since: int = 0) -> EmuMessage:
    return await world.emulator.wait_for_bot_message(
        chat, lambda m: says in _text(m) and bool(m.buttons), since=since
    )


async def test_a_treasurer_is_approved_elected_and_replaced_when_the_term_ends(
    world: World,
) -> None:
    emu = world.emulator
    group, (alice, bob, carol, dora) = await community(world, "Alice", "Bob", "Carol", "Dora")

    # Bob proposes the role; three of four approve it and the poll's deadline passes.
    sent = await emu.send_text(bob, group, "/role new Treasurer | 90 days | 1")
    role_poll = await _message(world, group, "Create the role “Treasurer”", sent.message_id)
    for voter in (alice, bob, carol):
        assert "Yes" in await _press(world, voter, role_poll, "1. Yes")
    await world.travel(timedelta(hours=73))
    election = await _message(world, group, "Election #1: Treasurer")
    assert "The role is new" in election.text

    # Bob stands; Alice nominates Carol, who accepts.
    assert "You stand for Treasurer" in await _press(world, bob, election, "✋ Nominate me")
    sent = await emu.send_text(alice, group, "/nominate Treasurer Carol")
    asked = await _message(world, group, "Carol, do you accept?", sent.message_id)
    assert "Only Carol" in await _press(world, dora, asked, "Accept")
    assert "You stand for Treasurer" in await _press(world, carol, asked, "Accept")
    await emu.wait_for_bot_message(
        group,
        lambda m: m.message_id == election.message_id and "Candidates: Bob, Carol." in _text(m),
    )

    # Nominations close; the secret vote runs; Bob wins the seat.
    await world.travel(timedelta(hours=24, minutes=1))
    vote = await _message(world, group, "Election #1: who should be Treasurer?")
    for voter, label in ((alice, "1. Bob"), (bob, "1. Bob"), (dora, "1. Bob"), (carol, "2. Carol")):
        await _press(world, voter, vote, label)
    await world.travel(timedelta(hours=49))
    result = await emu.wait_for_bot_message(group, lambda m: "Elected: Bob, until" in _text(m))
    assert "the secret vote (poll #2) has decided" in result.text
    listing = await ask(world, dora, group, "/roles", "Treasurer")
    assert "Bob, until" in listing and "vacant" not in listing

    # The term ends: the seat is announced vacant and the next election opens by itself.
    await world.travel(timedelta(days=90))
    await emu.wait_for_bot_message(
        group, lambda m: "The term of Bob as Treasurer has ended" in _text(m)
    )
    following = await _message(world, group, "Election #2: Treasurer")
    assert "A term has ended." in following.text
    log = await ask(world, alice, group, "/log", "Audit log")
    assert "Election #2 for Treasurer opened because a term ended" in log
