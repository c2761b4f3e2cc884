"""Shared steps of the end-to-end stories."""

from __future__ import annotations

from bot.sandbox import EmuChat, EmuUser
from tests.e2e.conftest import World


async def community(
    world: World, admin: str = "Alice", *members: str
) -> tuple[EmuChat, list[EmuUser]]:
    """A set-up group: the admin ran /setup, every member ran /join."""
    emu = world.emulator
    people = [emu.add_user(admin), *(emu.add_user(name) for name in members)]
    group = emu.add_group("Maple Court", admins=[people[0]], members=people[1:])
    await ask(world, people[0], group, "/setup Europe/Berlin en", "is now a Courtyard community")
    for person in people[1:]:
        await ask(world, person, group, "/join", f"Welcome, {person.first_name}")
    return group, people


async def ask(
    world: World,
    user: EmuUser,
    chat: EmuChat,
    text: str,
    expect: str,
    *,
    timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the whole wait
) -> str:
    """Send ``text`` and wait for the bot's answer containing ``expect``; return its text."""
    sent = await world.emulator.send_text(user, chat, text)
    reply = await world.emulator.wait_for_bot_message(
        chat, lambda m: expect in m.text, since=sent.message_id, timeout=timeout
    )
    return reply.text
