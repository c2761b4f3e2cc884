"""The skill registry, told through the emulator on both runtimes."""

from __future__ import annotations

from tests.e2e.conftest import World
from tests.e2e.helpers import ask, community


async def test_the_registry_flags_a_single_holder_and_the_group_hears_when_they_leave(
    world: World,
) -> None:
    emu = world.emulator
    group, (alice, bob, carol) = await community(world, "Alice", "Bob", "Carol")
    await ask(world, alice, group, "/skill have Plumbing, Cooking", "Alice can teach")
    await ask(world, bob, group, "/skill have plumbing , Bike repair", "Bob can teach")
    await ask(world, carol, group, "/skill learn ＢＩＫＥ ＲＥＰＡＩＲ, cooking", "Carol wants")
    await ask(world, carol, group, "/skill alias pipes = Plumbing", "pipes means Plumbing")

    registry = await ask(world, carol, group, "/skills", "Skills")
    lines = registry.splitlines()
    assert "• Bike repair — 1 can teach, 1 wants to learn ⚠️ only one holder" in lines
    assert "• Cooking — 1 can teach, 1 wants to learn ⚠️ only one holder" in lines
    assert "• Plumbing — 2 can teach, 0 want to learn" in lines
    who = await ask(world, carol, group, "/whoknows Pipes", "Can teach")
    assert "Alice, Bob" in who
    await ask(world, carol, group, "/whoknows plumbng", "Did you mean Plumbing?")

    await emu.leave(bob, group)
    told = await emu.wait_for_bot_message(group, lambda m: "Bob has left, and now" in m.text)
    assert "Bike repair — wanted by Carol" in told.text
    assert "Plumbing" not in told.text  # Alice still teaches it

    await ask(world, alice, group, "/leave", "has left the roster")
    told = await emu.wait_for_bot_message(group, lambda m: "Alice has left, and now" in m.text)
    assert "Cooking — wanted by Carol" in told.text
    assert "Plumbing — nobody has asked to learn it" in told.text
    registry = await ask(world, carol, group, "/skills", "Skills")
    assert "Bike repair — 0 can teach, 1 wants to learn ❗ nobody holds it; wanted by 1" in registry
