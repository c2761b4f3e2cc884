"""Community rules: who may set up, joining and leaving, kinds, languages, the log."""

from __future__ import annotations

from sqlalchemy import func, select

from handlers.core.messages import Chat, Event, Incoming, MenuUpdate, Person, Reply
from models import AuditEntry, Community, Member
from tests.support import Driver, answers, buttons, text


def menus(replies: list[Reply]) -> list[MenuUpdate]:
    return [r for r in replies if isinstance(r, MenuUpdate)]


async def test_admin_sets_up_and_members_join(driver: Driver) -> None:
    alice, bob, carol = driver.person("Alice"), driver.person("Bob"), driver.person("Carol")
    chat = driver.group(admins=(alice,))
    assert "Courtyard community" in text(await driver.send(alice, chat, "/setup Europe/Berlin en"))
    await driver.send(bob, chat, "/join")
    await driver.send(carol, chat, "/join")
    roster = text(await driver.send(bob, chat, "/members"))
    assert "3 members" in roster
    for name in ("Alice", "Bob", "Carol"):
        assert name in roster


async def test_non_admin_setup_is_refused_and_changes_nothing(driver: Driver) -> None:
    alice, mallory = driver.person("Alice"), driver.person("Mallory")
    chat = driver.group(admins=(alice,))
    reply = text(await driver.send(mallory, chat, "/setup Europe/Paris ru"))
    assert "Only an admin" in reply
    async with driver.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Community)) == 0
    await driver.send(alice, chat, "/setup")
    await driver.send(mallory, chat, "/setup Asia/Tokyo ru")
    async with driver.sessions() as session:
        community = await session.scalar(select(Community))
        assert community is not None
        assert (community.timezone, community.language) == ("UTC", "en")


async def test_setup_rejects_unknown_tokens_with_an_example(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = driver.group(admins=(alice,))
    reply = text(await driver.send(alice, chat, "/setup Mars/Olympus"))
    assert "Example" in reply and "/setup Europe/Berlin ru" in reply


async def test_group_speaks_community_language_private_speaks_member_language(
    driver: Driver,
) -> None:
    alice, boris = driver.person("Alice"), driver.person("Борис", "ru")
    chat = await driver.community(alice, setup="Asia/Shanghai zh-hans")
    group_reply = text(await driver.send(boris, chat, "/join"))
    assert "欢迎" in group_reply
    private_reply = text(await driver.send(boris, driver.private(boris), "/help"))
    assert "команды" in private_reply.lower()


async def test_unknown_command_and_wrong_place_get_hints(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    assert "/help" in text(await driver.send(alice, chat, "/frobnicate"))
    assert "group chat" in text(await driver.send(alice, driver.private(alice), "/members"))


async def test_strangers_are_told_to_join(driver: Driver) -> None:
    alice, dave = driver.person("Alice"), driver.person("Dave")
    chat = await driver.community(alice)
    assert "/join" in text(await driver.send(dave, chat, "/members"))


async def test_leave_and_rejoin_keep_one_row_and_log_both(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(bob, chat, "/leave")
    assert "Bob" not in text(await driver.send(alice, chat, "/members"))
    await driver.send(bob, chat, "/join")
    async with driver.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 2
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == [
        "community.setup",
        "member.joined",
        "member.joined",
        "member.left",
        "member.joined",
    ]


async def test_chat_member_events_update_the_roster(driver: Driver) -> None:
    alice, erin = driver.person("Alice"), driver.person("Erin")
    chat = await driver.community(alice)
    await driver.event(erin, chat, Event.MEMBER_JOINED)
    assert "Erin" in text(await driver.send(alice, chat, "/members"))
    left = text(await driver.event(erin, chat, Event.MEMBER_LEFT))
    assert "Erin left the chat" in left, "leaving is said in the group, as joining is"
    assert "Erin" not in text(await driver.send(alice, chat, "/members"))
    assert "Erin left the community" in text(await driver.send(alice, chat, "/log"))
    assert text(await driver.event(erin, chat, Event.MEMBER_LEFT)) == "", "said once"


async def test_iam_sets_kind_and_rejects_nonsense(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    assert "worker" in text(await driver.send(alice, chat, "/iam worker"))
    assert "Example" in text(await driver.send(alice, chat, "/iam landlord"))
    assert "worker" in text(await driver.send(alice, chat, "/members"))


async def test_language_command_and_button(driver: Driver) -> None:
    alice = driver.person("Alice")
    private = driver.private(alice)
    start = await driver.send(alice, private, "/start")
    language_buttons = dict(buttons(start))
    assert set(language_buttons) == {"English", "Русский", "简体中文"}
    replies = await driver.press(alice, private, language_buttons["Русский"])
    assert answers(replies)
    assert "команды" in text(await driver.send(alice, private, "/help")).lower()
    assert "/language ru" in text(await driver.send(alice, private, "/language klingon"))


async def test_choosing_a_language_in_private_sets_that_chats_command_menu(
    driver: Driver,
) -> None:
    alice = driver.person("Alice", "en")
    private = driver.private(alice)
    language_buttons = dict(buttons(await driver.send(alice, private, "/start")))
    pressed = await driver.press(alice, private, language_buttons["简体中文"])
    assert menus(pressed) == [MenuUpdate(alice.id, "zh_Hans")]
    assert menus(await driver.send(alice, private, "/language ru")) == [MenuUpdate(alice.id, "ru")]
    assert menus(await driver.send(alice, private, "/language klingon")) == []


async def test_a_language_chosen_in_the_group_sets_the_private_menu_once_the_bot_is_started(
    driver: Driver,
) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    assert menus(await driver.send(bob, chat, "/language ru")) == [], "no private chat yet"
    await driver.send(alice, driver.private(alice), "/start")
    assert menus(await driver.send(alice, chat, "/language ru")) == [MenuUpdate(alice.id, "ru")]


async def test_forged_button_is_refused_politely(driver: Driver) -> None:
    alice = driver.person("Alice")
    replies = await driver.press(alice, driver.private(alice), "lang:ru:AAAAAAAA")
    assert answers(replies)[0].text == "This button is no longer valid."


async def test_log_lists_changes_newest_first(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    log = text(await driver.send(bob, chat, "/log"))
    assert log.index("Bob joined") < log.index("set up the community")


async def test_user_html_is_escaped(driver: Driver) -> None:
    alice, evil = driver.person("Alice"), driver.person("<b>Eve</b>")
    chat = await driver.community(alice)
    reply = text(await driver.send(evil, chat, "/join"))
    assert "&lt;b&gt;Eve&lt;/b&gt;" in reply and "<b>Eve</b>" not in reply


async def test_setup_sets_and_clears_the_quorum(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = driver.group(admins=(alice,))
    assert "Quorum: 30%" in text(await driver.send(alice, chat, "/setup 30%"))
    async with driver.sessions() as session:
        community = await session.scalar(select(Community))
        assert community is not None and community.settings["quorum"] == 0.3
    assert "Quorum: none" in text(await driver.send(alice, chat, "/setup quorum=none"))
    assert "Example" in text(await driver.send(alice, chat, "/setup 150%"))
    async with driver.sessions() as session:
        community = await session.scalar(select(Community))
        assert community is not None and community.settings["quorum"] is None


async def test_the_group_greeting_and_help_tell_of_duties(driver: Driver) -> None:
    duties = {"en": "dut", "ru": "дежурств", "zh-hans": "值班"}
    for language, word in duties.items():
        adder = driver.person("Olga", language)
        greeting = text(await driver.event(adder, driver.group(), Event.BOT_ADDED))
        assert "/setup" in greeting
        assert word in greeting.lower(), f"{language}: the greeting names duties"
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    help_text = "\n".join(await all_help(driver, alice, chat))
    assert "/duty" in help_text and "/duties" in help_text and "/schedule" in help_text


async def all_help(driver: Driver, person: Person, chat: Chat) -> list[str]:
    """Every page of /help, turned with its ▶ button."""
    replies = await driver.send(person, chat, "/help")
    pages = [text(replies)]
    while forward := [data for label, data in buttons(replies) if label == "▶"]:
        replies = await driver.press(person, chat, forward[0])
        pages.append(text(replies))
    return pages


async def test_help_lists_every_command_in_pages_that_fit_a_message(driver: Driver) -> None:
    """All the commands together are longer than Telegram's 4096 characters in Russian."""
    for language in ("en", "ru", "zh-hans"):
        reader = driver.person(f"Reader {language}", language)
        pages = await all_help(driver, reader, driver.private(reader))
        assert len(pages) > 1
        assert all(0 < len(page) <= 4096 for page in pages), language
        listed = [line.split(" ")[0] for page in pages for line in page.splitlines()[1:]]
        menu = [f"/{spec.name}" for spec in driver.app.registry.commands.values() if spec.in_menu]
        assert listed == menu, f"{language}: every command once, in menu order"


async def test_plain_text_in_private_gets_one_hint_once_and_never_in_the_group(
    driver: Driver,
) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob", "ru")
    chat = await driver.community(alice, bob)
    assert text(await driver.send(bob, chat, "hello everyone")) == ""

    private = driver.private(bob)
    hint = text(await driver.send(bob, private, "hello?"))
    assert "/help" in hint and "команд" in hint, "short, in the reader's language"
    assert text(await driver.send(bob, private, "is anyone there?")) == ""
    assert text(await driver.send(bob, private, "/help")) != "", "commands still work"
    assert text(await driver.send(bob, private, "thanks")) == "", "once per person, for good"
    assert "/help" in text(await driver.send(alice, driver.private(alice), "hi"))


async def test_a_command_in_the_new_supergroup_finds_its_community_at_once(
    driver: Driver,
) -> None:
    """The supergroup's own notice (migrate_from_chat_id) is handled in the supergroup's turn,
    so a command sent there never arrives before the community has moved, whatever the old
    group's notice is doing meanwhile; the old notice, coming second, changes nothing."""
    alice, bob = driver.person("Alice"), driver.person("Bob")
    group = await driver.community(alice)
    supergroup = driver.group()
    anonymous = Person(id=1087968824, first_name="Group", username="GroupAnonymousBot", is_bot=True)
    notice = Incoming(
        anonymous, supergroup, driver.clock.now(), event=Event.CHAT_MIGRATED, old_chat_id=group.id
    )
    await driver.app.handle(notice)
    assert "Welcome, Bob" in text(await driver.send(bob, supergroup, "/join"))
    farewell = Incoming(
        alice, group, driver.clock.now(), event=Event.CHAT_MIGRATED, new_chat_id=supergroup.id
    )
    await driver.app.handle(farewell)
    assert "2 members" in text(await driver.send(alice, supergroup, "/members"))
