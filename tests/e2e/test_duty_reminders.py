"""Shift reminders told through the emulator on both runtimes: /duty new, the reminders in
the right languages at the right times, "I'm on it", the escalation and the first volunteer."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.sandbox import EmuMessage
from tests.e2e.conftest import World
from tests.e2e.helpers import ask

BERLIN = ZoneInfo("Europe/Berlin")


def _button(message: EmuMessage, label: str) -> str:
    return next(data for row in message.buttons for text, data in row if label in text)


async def test_a_night_watch_is_reminded_confirmed_escalated_and_covered(world: World) -> None:
    emu = world.emulator
    alice, carol = emu.add_user("Alice"), emu.add_user("Carol")
    bob = emu.add_user("Bob", language_code="ru")
    dora, eve = emu.add_user("Dora"), emu.add_user("Eve")
    group = emu.add_group("Maple Court", admins=[alice], members=[bob, carol, dora, eve])
    await ask(world, alice, group, "/setup Europe/Berlin en", "is now a Courtyard community")
    for person in (bob, carol):
        await ask(world, person, group, "/join", "Welcome")
    await ask(world, bob, emu.private_chat(bob), "/start", "Courtyard")

    # Two days ahead, at noon in Berlin: neither reminder falls in the quiet hours.
    day = (world.clock.now().astimezone(BERLIN) + timedelta(days=2)).date()
    starts = datetime(day.year, day.month, day.day, 12, 0, tzinfo=BERLIN)
    await ask(
        world,
        alice,
        group,
        f"/duty new Night watch | once {day.isoformat()} 12:00 | 2h | 3",
        "New duty",
    )
    for person in (dora, eve):  # joined after the rotation chose: not on the shift
        await ask(world, person, group, "/join", "Welcome")

    await world.travel(starts - timedelta(hours=24) - world.clock.now() + timedelta(minutes=1))
    reminder = await emu.wait_for_bot_message(
        group, lambda m: "shift #1, starts" in m.text and bool(m.buttons), timeout=10
    )
    assert "Night watch" in reminder.text and "12:00" in reminder.text
    for name in ("Alice", "Bob", "Carol"):
        assert name in reminder.text
    private = await emu.wait_for_bot_message(
        emu.private_chat(bob), lambda m: "Вы дежурите" in m.text, timeout=10
    )
    assert _labels(private) == ["✋ Я на месте"], "Bob reads Russian privately"

    on_it = _button(reminder, "I'm on it")
    answer = await emu.wait_callback_answer(await emu.press(dora, reminder, on_it))
    assert "not yours" in answer.text
    answer = await emu.wait_callback_answer(await emu.press(alice, reminder, on_it))
    assert "marked as confirmed" in answer.text
    answer = await emu.wait_callback_answer(
        await emu.press(bob, private, _button(private, "Я на месте"))
    )
    assert answer.text.startswith("Спасибо")
    await emu.wait_for_bot_message(
        group,
        lambda m: m.message_id == reminder.message_id and m.text.count("— on it") == 2,
        timeout=10,
    )

    await world.travel(starts - timedelta(hours=1) - world.clock.now() + timedelta(minutes=1))
    cover = await emu.wait_for_bot_message(
        group, lambda m: "nobody has confirmed for: Carol" in m.text, timeout=10
    )
    will_cover = _button(cover, "I'll cover")
    answer = await emu.wait_callback_answer(await emu.press(dora, cover, will_cover))
    assert "You cover shift #1" in answer.text
    answer = await emu.wait_callback_answer(await emu.press(eve, cover, will_cover))
    assert "already covered" in answer.text
    settled = await emu.wait_for_bot_message(
        group,
        lambda m: m.message_id == cover.message_id and "Dora covers for Carol" in m.text,
        timeout=10,
    )
    assert settled.buttons == []
    log = await ask(world, alice, group, "/log", "covers for")
    assert "Dora covers for Carol on shift #1" in log

    await world.travel(starts + timedelta(hours=2, minutes=1) - world.clock.now())
    await emu.wait_for_bot_message(
        group,
        lambda m: "is over" in m.text and "Covered: Dora" in m.text and "Served:" in m.text,
        timeout=10,
    )


def _labels(message: EmuMessage) -> list[str]:
    return [text for row in message.buttons for text, _ in row]
