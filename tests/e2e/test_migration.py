"""A basic group becomes a supergroup (new chat id): the community moves with it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.sandbox import EmuChat, Emulator
from tests.e2e.conftest import World
from tests.e2e.helpers import ask


async def _upgraded(emu: Emulator, group: EmuChat) -> EmuChat:
    """Upgrade, then give the bot a moment to handle it, as people take a moment to write."""
    supergroup = await emu.upgrade_to_supergroup(group)
    for _ in range(100):
        if not emu.pending_updates:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    return supergroup


async def test_the_community_follows_its_group_into_the_supergroup(world: World) -> None:
    emu = world.emulator
    alice, bob, carol = emu.add_user("Alice"), emu.add_user("Bob"), emu.add_user("Carol")
    group = emu.add_group("Maple Court", admins=[alice], members=[bob, carol], supergroup=False)
    await ask(world, alice, group, "/setup Europe/Berlin en", "is now a Courtyard community")
    await ask(world, bob, group, "/join", "Welcome, Bob")

    supergroup = await _upgraded(emu, group)

    await ask(world, carol, supergroup, "/join", "Welcome, Carol")
    roster = await ask(world, bob, supergroup, "/members", "3 members")
    for name in ("Alice", "Bob", "Carol"):
        assert name in roster


async def test_a_poll_opened_before_the_upgrade_closes_in_the_supergroup(world: World) -> None:
    emu = world.emulator
    alice, bob = emu.add_user("Alice"), emu.add_user("Bob")
    group = emu.add_group("Maple Court", admins=[alice], members=[bob], supergroup=False)
    await ask(world, alice, group, "/setup Europe/Berlin en", "is now a Courtyard community")
    await ask(world, bob, group, "/join", "Welcome, Bob")
    await ask(world, alice, group, "/poll Paint the door? | Green | Blue | 24h", "Poll #1")

    supergroup = await _upgraded(emu, group)
    await world.travel(timedelta(hours=25))

    result = await emu.wait_for_bot_message(supergroup, lambda m: m.photo is not None, timeout=30)
    assert "Poll #1 is closed" in (result.caption or "")
