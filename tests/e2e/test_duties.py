"""Duties, told through the emulator on both runtimes."""

from __future__ import annotations

from tests.e2e.conftest import World
from tests.e2e.helpers import ask, community


async def test_a_night_watch_is_created_and_the_schedule_names_everyone_in_turn(
    world: World,
) -> None:
    emu = world.emulator
    group, (alice, bob, carol) = await community(world, "Alice", "Bob", "Carol")
    created = await ask(
        world, bob, group, "/duty new Night watch | daily 22:00 | 8h | 1", "New duty"
    )
    assert "every day at 22:00" in created and "#1 Night watch" in created
    schedule = await ask(world, carol, group, "/schedule night watch", "Schedule of Night watch")
    for name in ("Alice", "Bob", "Carol"):
        assert name in schedule
    page = next(m for m in emu.bot_messages(group) if "Schedule of Night watch" in m.text)
    forward = next(d for row in page.buttons for label, d in row if label == "▶")
    await emu.wait_callback_answer(await emu.press(alice, page, forward))
    await emu.wait_for_bot_message(
        group, lambda m: m.message_id == page.message_id and "#11 Night watch" in m.text
    )
    hint = await ask(world, alice, group, "/duty new Bins | sometimes | 1h | 1", "Example")
    assert "WHEN is one of" in hint
    await ask(world, alice, group, "/duty pause night watch", "is paused")
    await ask(world, alice, group, "/duties", "paused")
