"""Teaching sessions and the digest told through the emulator, on both runtimes."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from models.db import session_factory
from tests.e2e.conftest import World
from tests.e2e.helpers import ask, community
from tests.skills_support import add_skill


async def test_capacity_two_waitlists_the_third_and_a_cancel_promotes_them(
    world: World, engine: AsyncEngine
) -> None:
    emu = world.emulator
    group, (alice, bob, carol, dan) = await community(world, "Alice", "Bob", "Carol", "Dan")
    await ask(world, dan, emu.private_chat(dan), "/start", "Courtyard")
    await add_skill(session_factory(engine), world.clock, group.id, "Plumbing", holders=(alice.id,))
    when = (world.clock.now() + timedelta(days=3)).astimezone(ZoneInfo("Europe/Berlin"))
    sent = await emu.send_text(alice, group, f"/teach plumbing | {when:%Y-%m-%d %H:%M} | 2")
    card = await emu.wait_for_bot_message(
        group, lambda m: "Session #1" in m.text and bool(m.buttons), since=sent.message_id
    )
    data = card.buttons[0][0][1]
    for person in (bob, carol, dan):
        await emu.wait_callback_answer(await emu.press(person, card, data))
    await emu.wait_for_bot_message(
        group, lambda m: m.message_id == card.message_id and "Waitlist (1): Dan" in m.text
    )
    answer = await emu.wait_callback_answer(await emu.press(bob, card, data))
    assert "cancelled" in answer.text
    told = await emu.wait_for_bot_message(
        emu.private_chat(dan), lambda m: "A seat opened at session #1" in m.text
    )
    assert "Plumbing" in told.text
    await emu.wait_for_bot_message(
        group, lambda m: m.message_id == card.message_id and "Coming: Carol, Dan" in m.text
    )


async def test_the_digest_arrives_on_schedule_in_the_communitys_language(
    world: World, engine: AsyncEngine
) -> None:
    emu = world.emulator
    group, (alice, bob) = await community(world, "Alice", "Bob")
    await add_skill(
        session_factory(engine),
        world.clock,
        group.id,
        "Сварка",
        holders=(alice.id,),
        wants=(bob.id,),
    )
    await ask(world, alice, group, "/setup ru digest=mon 09:00", "Настройки")
    await world.travel(timedelta(days=7, hours=1))
    digest = await emu.wait_for_bot_message(
        group, lambda m: "Навыки на этой неделе" in m.text, timeout=30
    )
    assert "Сварка — Alice" in digest.text
    assert "Bob может научиться навыку Сварка у Alice" in digest.text
