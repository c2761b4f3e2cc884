"""Swaps of duty shifts, told through the emulator on both runtimes."""

from __future__ import annotations

import re

from bot.sandbox import EmuChat, EmuMessage, EmuUser
from tests.e2e.conftest import World
from tests.e2e.helpers import ask

SHIFT = re.compile(r"#(\d+) Night watch")


async def _neighbours(world: World) -> tuple[EmuChat, list[EmuUser]]:
    """A set-up group of Alice, Bob and Carol, each with a username."""
    emu = world.emulator
    people = [emu.add_user(name, username=name.lower()) for name in ("Alice", "Bob", "Carol")]
    group = emu.add_group("Maple Court", admins=[people[0]], members=people[1:])
    await ask(world, people[0], group, "/setup Europe/Berlin en", "is now a Courtyard community")
    for person in people[1:]:
        await ask(world, person, group, "/join", f"Welcome, {person.first_name}")
    return group, people


def _button(message: EmuMessage, label: str) -> str:
    return next(data for row in message.buttons for text, data in row if text == label)


async def _my_shifts(world: World, user: EmuUser, group: EmuChat) -> list[int]:
    mine = await ask(world, user, group, "/mine", "Your next shifts")
    return [int(number) for number in SHIFT.findall(mine)]


async def _asked(world: World, user: EmuUser, group: EmuChat, command: str) -> EmuMessage:
    sent = await world.emulator.send_text(user, group, command)
    return await world.emulator.wait_for_bot_message(
        group, lambda m: "asks you to take their place" in m.text, since=sent.message_id
    )


async def test_a_swap_is_accepted_and_another_declined(world: World) -> None:
    emu = world.emulator
    group, (alice, bob, carol) = await _neighbours(world)
    await ask(world, alice, group, "/duty new Night watch | daily 22:00 | 8h | 1", "New duty")
    first, second, *_ = await _my_shifts(world, alice, group)

    request = await _asked(world, alice, group, f"/swap {first} @bob")
    assert "Bob" in request.text and [label for label, _ in request.buttons[0]] == [
        "Accept",
        "Decline",
    ]
    refused = await emu.wait_callback_answer(
        await emu.press(carol, request, _button(request, "Accept"))
    )
    assert "Only Bob can answer this request." in refused.text
    taken = await emu.wait_callback_answer(
        await emu.press(bob, request, _button(request, "Accept"))
    )
    assert f"You are on shift #{first} now." in taken.text
    await emu.wait_for_bot_message(group, lambda m: "takes your place" in m.text)
    await emu.wait_for_bot_message(
        group,
        lambda m: m.message_id == request.message_id and "✅ Bob took Alice's place" in m.text,
    )
    assert first in await _my_shifts(world, bob, group)
    assert first not in await _my_shifts(world, alice, group)

    request = await _asked(world, alice, group, f"/swap {second} @carol")
    answer = await emu.wait_callback_answer(
        await emu.press(carol, request, _button(request, "Decline"))
    )
    assert "You declined" in answer.text
    await emu.wait_for_bot_message(group, lambda m: "Carol declined" in m.text)
    assert second in await _my_shifts(world, alice, group)

    log = await ask(world, bob, group, "/log", "Bob took Alice's place")
    assert f"shift #{first}" in log


async def test_ical_arrives_as_a_calendar_file(world: World) -> None:
    emu = world.emulator
    group, (alice, bob, _) = await _neighbours(world)
    await ask(world, alice, group, "/duty new Night watch | daily 22:00 | 8h | 1", "New duty")
    sent = await emu.send_text(bob, group, "/ical")
    message = await emu.wait_for_bot_message(
        group, lambda m: m.document is not None, since=sent.message_id
    )
    assert message.document is not None
    assert message.document.filename == "duties.ics"
    assert message.document.data.startswith(b"BEGIN:VCALENDAR")
    assert b"UID:shift-" in message.document.data
    assert "shifts ahead" in (message.caption or "")
