"""Stories of a community getting started, told through the emulator on both runtimes."""

from __future__ import annotations

import asyncio

from tests.e2e.conftest import World


async def test_admin_sets_up_members_join_and_the_roster_lists_them(world: World) -> None:
    emu = world.emulator
    alice = emu.add_user("Alice")
    bob = emu.add_user("Bob")
    carol = emu.add_user("Carol", language_code="ru")
    group = emu.add_group("Maple Court", admins=[alice], members=[bob, carol], bot_added_by=alice)
    intro = await emu.wait_for_bot_message(group, lambda m: "/setup" in m.text)
    assert "Courtyard" in intro.text

    await emu.send_text(alice, group, "/setup@CourtyardBot Europe/Berlin en")
    await emu.wait_for_bot_message(group, lambda m: "is now a Courtyard community" in m.text)
    await emu.send_text(bob, group, "/join")
    await emu.wait_for_bot_message(group, lambda m: "Welcome, Bob" in m.text)
    await emu.send_text(carol, group, "/join")
    await emu.wait_for_bot_message(group, lambda m: "Welcome, Carol" in m.text)

    asked = await emu.send_text(bob, group, "/members")
    roster = await emu.wait_for_bot_message(
        group, lambda m: "3 members" in m.text, since=asked.message_id
    )
    for name in ("Alice", "Bob", "Carol"):
        assert name in roster.text


async def test_a_non_admins_setup_is_refused(world: World) -> None:
    emu = world.emulator
    alice, mallory = emu.add_user("Alice"), emu.add_user("Mallory")
    group = emu.add_group("Maple Court", admins=[alice], members=[mallory])
    await emu.send_text(mallory, group, "/setup")
    await emu.wait_for_bot_message(group, lambda m: "Only an admin" in m.text)
    await emu.send_text(mallory, group, "/join")
    await emu.wait_for_bot_message(group, lambda m: "not set up yet" in m.text)


async def test_languages_group_in_community_language_private_in_members(world: World) -> None:
    emu = world.emulator
    alice = emu.add_user("Alice")
    boris = emu.add_user("Борис", language_code="ru")
    group = emu.add_group("Двор", admins=[alice], members=[boris])
    await emu.send_text(alice, group, "/setup Europe/Moscow ru")
    await emu.wait_for_bot_message(group, lambda m: "Courtyard" in m.text)
    await emu.send_text(boris, group, "/join")
    await emu.wait_for_bot_message(group, lambda m: "Добро пожаловать" in m.text)

    alice_private = emu.private_chat(alice)
    await emu.send_text(alice, alice_private, "/help")
    await emu.wait_for_bot_message(alice_private, lambda m: "commands" in m.text)
    boris_private = emu.private_chat(boris)
    await emu.send_text(boris, boris_private, "/help")
    await emu.wait_for_bot_message(boris_private, lambda m: "команды" in m.text.lower())


async def test_unknown_command_and_malformed_argument_get_hints(world: World) -> None:
    emu = world.emulator
    alice = emu.add_user("Alice", language_code="zh-hans")
    group = emu.add_group("Garden", admins=[alice])
    await emu.send_text(alice, group, "/setup Asia/Shanghai zh-hans")
    await emu.wait_for_bot_message(group, lambda m: "Courtyard" in m.text)
    await emu.send_text(alice, group, "/frobnicate")
    await emu.wait_for_bot_message(group, lambda m: "/help" in m.text and "frobnicate" in m.text)
    await emu.send_text(alice, group, "/iam astronaut")
    await emu.wait_for_bot_message(group, lambda m: "/iam worker" in m.text)


async def test_joining_the_chat_joins_the_roster_and_the_menu_is_localized(world: World) -> None:
    emu = world.emulator
    alice, erin = emu.add_user("Alice"), emu.add_user("Erin")
    group = emu.add_group("Maple Court", admins=[alice])
    await emu.send_text(alice, group, "/setup")
    await emu.wait_for_bot_message(group, lambda m: "Courtyard" in m.text)
    await emu.join(erin, group)
    await emu.wait_for_bot_message(group, lambda m: "Welcome, Erin" in m.text)
    await emu.leave(erin, group)
    await emu.wait_for_bot_message(group, lambda m: "Erin left the chat" in m.text)
    asked = await emu.send_text(alice, group, "/members")
    roster = await emu.wait_for_bot_message(
        group, lambda m: "1 member" in m.text, since=asked.message_id
    )
    assert "Erin" not in roster.text

    english = dict(emu.commands())
    russian = dict(emu.commands("ru"))
    assert "members" in english and "members" in russian
    assert english["members"] != russian["members"]


async def test_plain_text_in_private_gets_one_short_hint(world: World) -> None:
    emu = world.emulator
    bob = emu.add_user("Bob")
    private = emu.private_chat(bob)
    sent = await emu.send_text(bob, private, "hello?")
    hint = await emu.wait_for_bot_message(private, since=sent.message_id)
    assert "/help" in hint.text
    await emu.send_text(bob, private, "anyone?")
    asked = await emu.send_text(bob, private, "/help")
    help_ = await emu.wait_for_bot_message(
        private, lambda m: "commands" in m.text, since=asked.message_id
    )
    replies = [m.message_id for m in emu.bot_messages(private)]
    assert replies == [hint.message_id, help_.message_id], "the second plain text got no answer"


async def test_the_private_command_menu_follows_the_language_chosen_there(world: World) -> None:
    emu = world.emulator
    wei = emu.add_user("Wei", language_code="en")
    private = emu.private_chat(wei)
    sent = await emu.send_text(wei, private, "/start")
    start = await emu.wait_for_bot_message(
        private, lambda m: bool(m.buttons), since=sent.message_id
    )
    chinese = next(data for row in start.buttons for label, data in row if label == "简体中文")
    await emu.wait_callback_answer(await emu.press(wei, start, chinese))

    def menu() -> dict[str, str]:
        return dict(emu.commands(scope_type="chat", chat_id=private.id))

    for _ in range(50):
        if menu():
            break
        await asyncio.sleep(0.05)
    chinese_menu = dict(emu.commands("zh"))
    assert menu() == chinese_menu and menu()["members"] != dict(emu.commands())["members"]

    await emu.send_text(wei, private, "/language ru")
    for _ in range(50):
        if menu() == dict(emu.commands("ru")):
            break
        await asyncio.sleep(0.05)
    assert menu() == dict(emu.commands("ru"))
