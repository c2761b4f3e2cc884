"""Federation, told through the emulator on both runtimes: two groups link with a code and a
confirmation, see each other's needs and skills, answer a shared need, and unlink."""

from __future__ import annotations

import re

from bot.sandbox import EmuChat, EmuUser
from tests.e2e.conftest import World
from tests.e2e.helpers import ask, community

CODE = re.compile(r"[0-9A-Z]{5}-[0-9A-Z]{5}")


async def press(world: World, user: EmuUser, chat: EmuChat, label: str, shown: str) -> str:
    """``user`` presses the button labelled ``label`` on the bot's message containing ``shown``."""
    emu = world.emulator
    message = await emu.wait_for_bot_message(
        chat, lambda m: shown in m.text and any(label in b for row in m.buttons for b, _ in row)
    )
    data = next(d for row in message.buttons for b, d in row if label in b)
    answer = await emu.wait_callback_answer(await emu.press(user, message, data))
    return answer.text


def everything_in(world: World, chat: EmuChat) -> str:
    """All the group sees from the bot: texts, their HTML and the buttons' data."""
    seen = []
    for message in world.emulator.bot_messages(chat):
        seen.extend([message.text or "", message.html or "", message.caption or ""])
        seen.extend(data for row in message.buttons for _, data in row)
    return "\n".join(seen)


async def test_two_groups_link_see_each_others_needs_answer_one_and_unlink(world: World) -> None:
    emu = world.emulator
    maple, (alice, bob) = await community(world, "Alice", "Bob")
    wei, olga = emu.add_user("Wei"), emu.add_user("Olga")
    oak = emu.add_group("Oak Yard", admins=[wei], members=[olga])
    await ask(world, wei, oak, "/setup Europe/Berlin en", "is now a Courtyard community")
    await ask(world, olga, oak, "/join", "Welcome, Olga")
    await ask(world, wei, oak, "/need A ladder for the roof", "Need #1")
    await ask(world, olga, oak, "/skill have Plumbing", "Olga can teach")
    await ask(world, alice, maple, "/need Chairs for the yard", "Need #1")
    await ask(world, bob, maple, "/skill have Cooking", "Bob can teach")
    await ask(world, alice, maple, "/thing add Drill", "Alice added Drill (#1)")
    assert "#1 Drill — 1 in store" in await ask(world, bob, maple, "/things", "Shared things")

    made = await ask(world, alice, maple, "/link", "A code to link Maple Court")
    code = CODE.search(made)
    assert code is not None
    await ask(world, olga, oak, f"/link {code[0]}", "Olga asked to link with Maple Court")
    answer = await press(world, bob, maple, "Confirm link with Oak Yard", "asks to link with us")
    assert answer == "Linked."
    await emu.wait_for_bot_message(maple, lambda m: "we are linked with Oak Yard" in m.text)
    await emu.wait_for_bot_message(oak, lambda m: "Maple Court confirmed" in m.text)

    theirs = await ask(world, bob, maple, "/federation", "Linked communities")
    assert "1. Oak Yard — linked since" in theirs
    assert "#1 A ladder for the roof — 0 supporters" in theirs
    assert "Skills on offer: Plumbing (1)" in theirs and "Olga" not in theirs
    ours = await ask(world, wei, oak, "/federation", "Linked communities")
    assert "#1 Chairs for the yard" in ours and "Skills on offer: Cooking (1)" in ours

    await ask(world, alice, maple, "/share 1", "Need #1 is shown to Oak Yard")
    answer = await press(world, wei, oak, "We can help", "Maple Court asks for help")
    assert answer == "Thank you! Maple Court has been told that you can help."
    await emu.wait_for_bot_message(
        maple,
        lambda m: m.text == "🙋 Wei from Oak Yard offers to help with need #1: Chairs for the yard",
    )
    await emu.wait_for_bot_message(oak, lambda m: "We can help (1)" in str(m.buttons))

    await ask(world, wei, oak, "/unlink 1", "Wei ended the link with Maple Court")
    await emu.wait_for_bot_message(
        maple, lambda m: "Wei of Oak Yard ended the link with us" in m.text
    )
    await ask(world, bob, maple, "/federation", "not linked with any community")

    for chat, others in ((maple, (wei, olga)), (oak, (alice, bob))):
        seen = everything_in(world, chat)
        for person in others:
            assert str(person.id) not in seen, (chat.title, person.first_name)
