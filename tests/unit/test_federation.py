"""Federation between communities served by one bot: Maple Court and Oak Yard link with a
one-time code and a confirmation, see each other's open needs and skills, answer a shared
need with "We can help", and unlink — and neither ever sees the other's members' ids."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select

from handlers.core.messages import Chat, Outgoing, Person, Reply
from handlers.federation.views import ConfirmLink, OfferHelp
from models import AuditEntry, CodeState, Community, LinkCode, OutboxMessage
from tests.support import Driver, answers, buttons, text

CODE = re.compile(r"<code>([0-9A-Z]{5}-[0-9A-Z]{5})</code>")
_IDS = itertools.count(5_550_000_001)


def person(driver: Driver, name: str, language: str = "en") -> Person:
    """Someone with an id no chat id or number in a message could contain by chance."""
    return dataclasses.replace(driver.person(name, language), id=next(_IDS))


async def community(
    driver: Driver, title: str, admin: Person, *members: Person, setup: str = "UTC en"
) -> Chat:
    chat = driver.group(title, admins=(admin,))
    await driver.send(admin, chat, f"/setup {setup}")
    for member in members:
        await driver.send(member, chat, "/join")
    return chat


async def posted(driver: Driver, chat: Chat) -> list[OutboxMessage]:
    async with driver.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat.id).order_by(OutboxMessage.id)
        )
        return list(rows)


async def last_post(driver: Driver, chat: Chat) -> tuple[str, list[tuple[str, str]]]:
    row = (await posted(driver, chat))[-1]
    return row.payload["text"], [(b[0], b[1]) for r in row.payload["buttons"] for b in r]


async def make_code(driver: Driver, who: Person, chat: Chat) -> str:
    reply = text(await driver.send(who, chat, "/link"))
    found = CODE.search(reply)
    assert found is not None, reply
    return found[1]


async def linked(driver: Driver) -> tuple[Chat, Chat, list[Person]]:
    """Maple Court (Alice, Bob) and Oak Yard (Wei, Olga), linked and confirmed."""
    alice, bob = person(driver, "Alice"), person(driver, "Bob")
    wei, olga = person(driver, "Wei"), person(driver, "Olga")
    maple = await community(driver, "Maple Court", alice, bob)
    oak = await community(driver, "Oak Yard", wei, olga)
    code = await make_code(driver, alice, maple)
    await driver.send(olga, oak, f"/link {code}")
    [(_, confirm)] = (await last_post(driver, maple))[1]
    await driver.press(bob, maple, confirm)
    return maple, oak, [alice, bob, wei, olga]


async def audit(driver: Driver, chat: Chat) -> list[tuple[str, int | None, dict[str, str]]]:
    async with driver.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry)
            .join(Community, Community.id == AuditEntry.community_id)
            .where(Community.chat_id == chat.id, AuditEntry.action.like("fed.%"))
            .order_by(AuditEntry.id)
        )
        return [(e.action, e.actor_id, e.details) for e in rows]


def shown_to(chat: Chat, replies: Iterable[Reply]) -> list[str]:
    """Everything in ``replies`` that ``chat`` sees: texts and button data."""
    seen = []
    for reply in replies:
        if isinstance(reply, Outgoing) and reply.chat_id == chat.id:
            seen.append(reply.text)
            seen.extend(b.data for row in reply.buttons for b in row)
    return seen


# Linking ---------------------------------------------------------------------------------------


async def test_two_communities_link_with_a_code_and_a_confirmation(driver: Driver) -> None:
    alice, bob = person(driver, "Alice"), person(driver, "Bob")
    wei, olga = person(driver, "Wei"), person(driver, "Olga")
    maple = await community(driver, "Maple Court", alice, bob)
    oak = await community(driver, "Oak Yard", wei, olga)

    reply = text(await driver.send(alice, maple, "/link"))
    code = CODE.search(reply)
    assert code is not None
    assert "A member of the other community sends <code>/link " in reply
    assert "Tue 3 Mar, 09:00 UTC" in reply  # 24 hours from now
    async with driver.sessions() as session:
        [row] = list(await session.scalars(select(LinkCode)))
    assert code[1] not in row.code_hash and code[1].replace("-", "") not in row.code_hash

    asked = text(await driver.send(olga, oak, f"/link {code[1].lower()}"))
    assert "Olga asked to link with <b>Maple Court</b>." in asked
    told, [(label, confirm)] = await last_post(driver, maple)
    assert "<b>Oak Yard</b> asks to link with us" in told
    assert label == "✅ Confirm link with Oak Yard"
    assert "not linked with any community" not in text(await driver.send(bob, maple, "/federation"))
    assert "waiting for confirmation" in text(await driver.send(bob, maple, "/federation"))

    replies = await driver.press(bob, maple, confirm)
    assert "Bob confirmed: we are linked with <b>Oak Yard</b>." in text(replies)
    assert answers(replies)[0].text == "Linked."
    told, _ = await last_post(driver, oak)
    assert "<b>Maple Court</b> confirmed: we are linked with them." in told
    again = await driver.press(alice, maple, confirm)
    assert answers(again)[0].text == "This link is already confirmed."

    assert await audit(driver, maple) == [
        ("fed.code", alice.id, {"actor": "Alice"}),
        ("fed.asked", None, {"partner": "Oak Yard"}),
        ("fed.confirmed", bob.id, {"actor": "Bob", "partner": "Oak Yard"}),
    ]
    assert await audit(driver, oak) == [
        ("fed.requested", olga.id, {"actor": "Olga", "partner": "Maple Court"}),
        ("fed.active", None, {"partner": "Maple Court"}),
    ]


async def test_a_code_is_refused_when_used_replaced_expired_own_or_the_pair_is_linked(
    driver: Driver,
) -> None:
    alice, wei, elm_admin = person(driver, "Alice"), person(driver, "Wei"), person(driver, "Ed")
    maple = await community(driver, "Maple Court", alice)
    oak = await community(driver, "Oak Yard", wei)
    elm = await community(driver, "Elm Row", elm_admin)

    first = await make_code(driver, alice, maple)
    second = await make_code(driver, alice, maple)
    assert "replaced by a newer one" in text(await driver.send(wei, oak, f"/link {first}"))
    assert "this community's own code" in text(await driver.send(alice, maple, f"/link {second}"))
    assert "“12345” is not one" in text(await driver.send(wei, oak, "/link 12345"))
    assert "No community has that code" in text(await driver.send(wei, oak, "/link 00000-00000"))

    driver.clock.advance(timedelta(hours=24))
    assert "has expired" in text(await driver.send(wei, oak, f"/link {second}"))

    third = await make_code(driver, alice, maple)
    assert "asked to link" in text(await driver.send(wei, oak, f"/link {third}"))
    assert "used already" in text(await driver.send(elm_admin, elm, f"/link {third}"))
    fourth = await make_code(driver, wei, oak)
    waiting = text(await driver.send(alice, maple, f"/link {fourth}"))
    assert "A link with <b>Oak Yard</b> is already waiting for confirmation." in waiting

    [(_, confirm)] = (await last_post(driver, maple))[1]
    await driver.press(alice, maple, confirm)
    assert "already linked with <b>Oak Yard</b>" in text(
        await driver.send(alice, maple, f"/link {fourth}")
    )
    async with driver.sessions() as session:
        states = list(await session.scalars(select(LinkCode.state).order_by(LinkCode.id)))
    assert states == [
        CodeState.REPLACED, CodeState.REPLACED, CodeState.USED, CodeState.ACTIVE
    ]  # fmt: skip


async def test_only_a_member_of_the_codes_community_confirms_and_only_in_time(
    driver: Driver,
) -> None:
    alice, wei, stranger = person(driver, "Alice"), person(driver, "Wei"), person(driver, "Zed")
    maple = await community(driver, "Maple Court", alice)
    oak = await community(driver, "Oak Yard", wei)
    elm = await community(driver, "Elm Row", stranger)
    await driver.send(wei, oak, f"/link {await make_code(driver, alice, maple)}")
    [(_, confirm)] = (await last_post(driver, maple))[1]

    [refused] = answers(await driver.press(stranger, maple, confirm))
    assert refused.alert and "/join" in refused.text
    [refused] = answers(await driver.press(stranger, elm, confirm))
    assert "no longer valid" in refused.text
    [own_side] = answers(await driver.press(wei, oak, confirm))
    assert own_side.text == "This link is already confirmed."
    assert "Linked with" not in text(await driver.send(alice, maple, "/federation"))

    driver.clock.advance(timedelta(hours=24, minutes=1))
    replies = await driver.press(alice, maple, confirm)
    assert answers(replies)[0].text == "This request has lapsed."
    assert "has lapsed" in text(replies)
    assert "not linked with any community" in text(await driver.send(alice, maple, "/federation"))
    assert "asked to link" in text(
        await driver.send(wei, oak, f"/link {await make_code(driver, alice, maple)}")
    )


async def test_link_commands_need_a_member_in_a_group(driver: Driver) -> None:
    alice, stranger = person(driver, "Alice"), person(driver, "Stranger")
    maple = await community(driver, "Maple Court", alice)
    assert "group chat" in text(await driver.send(alice, driver.private(alice), "/link"))
    for command in ("/link", "/link 00000-00000", "/federation", "/share 1", "/unlink 1"):
        assert "Send /join first" in text(await driver.send(stranger, maple, command))
    assert await audit(driver, maple) == []


# What a linked community sees --------------------------------------------------------------------


async def test_federation_shows_the_others_top_open_needs_and_skill_counts_never_who(
    driver: Driver,
) -> None:
    maple, oak, (alice, bob, wei, olga) = await linked(driver)
    for need in ("A ladder for the roof", "Seeds for the garden", "A bike pump", "Old need"):
        await driver.send(wei, oak, f"/need {need}")
    card = await driver.send(olga, oak, "/need Someone to fix the boiler")
    [(_, support)] = buttons(card)
    await driver.press(wei, oak, support)
    await driver.press(olga, oak, support)
    await driver.send(wei, oak, "/skill have Plumbing, Cooking")
    await driver.send(olga, oak, "/skill have plumbing")
    await driver.send(olga, oak, "/skill learn Welding")
    await driver.send(alice, maple, "/need Chairs <for> the yard")

    shown = text(await driver.send(bob, maple, "/federation"))
    assert "1. <b>Oak Yard</b> — linked since" in shown
    assert "5 open needs, most supported:" in shown
    assert "  • #5 Someone to fix the boiler — 2 supporters" in shown
    assert shown.count("  • #") == 3 and "Old need" not in shown
    assert "Skills on offer: Plumbing (2), Cooking (1)" in shown
    assert "Welding" not in shown
    for name in ("Wei", "Olga"):
        assert name not in shown
    other = text(await driver.send(wei, oak, "/federation"))
    assert "1. <b>Maple Court</b>" in other
    assert "  • #1 Chairs &lt;for&gt; the yard — 0 supporters" in other
    assert "No skills on offer yet." in other


# Sharing a need ----------------------------------------------------------------------------------


async def test_a_shared_need_gets_help_offers_once_per_member(driver: Driver) -> None:
    maple, oak, (alice, bob, wei, olga) = await linked(driver)
    await driver.send(alice, maple, "/need A <b>ladder</b>")
    await driver.send(bob, maple, "/need Paint")

    shared = text(await driver.send(bob, maple, "/share 1"))
    assert "Need #1 is shown to Oak Yard." in shared
    card, [(label, offer)] = await last_post(driver, oak)
    assert "🤝 <b>Maple Court</b> asks for help:\nNeed #1: A &lt;b&gt;ladder&lt;/b&gt;" in card
    assert label == "🙋 We can help"
    assert "already been shown" in text(await driver.send(alice, maple, "/share #1"))

    replies = await driver.press(wei, oak, offer)
    assert answers(replies)[0].text == "Thank you! Maple Court has been told that you can help."
    [edited] = [r for r in replies if isinstance(r, Outgoing)]
    assert edited.edit_message_id is not None and edited.buttons[0][0].label == "🙋 We can help (1)"
    told, _ = await last_post(driver, maple)
    assert told == (
        "🙋 Wei from <b>Oak Yard</b> offers to help with need #1: A &lt;b&gt;ladder&lt;/b&gt;"
    )
    again = answers(await driver.press(wei, oak, offer))[0]
    assert again.alert and again.text == "You have already offered to help; Maple Court knows."
    await driver.press(olga, oak, offer)
    assert "Olga from <b>Oak Yard</b>" in (await last_post(driver, maple))[0]

    [outsider] = answers(await driver.press(alice, oak, offer))
    assert "/join" in outsider.text
    [forged] = answers(await driver.press(alice, maple, offer))
    assert "no longer valid" in forged.text
    assert [a for a, _, _ in await audit(driver, maple)][-3:] == [
        "fed.shared", "fed.offered", "fed.offered"
    ]  # fmt: skip
    assert (await audit(driver, maple))[-1] == (
        "fed.offered", None, {"actor": "Olga", "partner": "Oak Yard", "number": "1"}
    )  # fmt: skip
    assert [a for a, _, _ in await audit(driver, oak)][-3:] == [
        "fed.shared_in", "fed.offer", "fed.offer"
    ]  # fmt: skip


async def test_sharing_needs_a_link_and_a_need_of_ours(driver: Driver) -> None:
    alice, wei = person(driver, "Alice"), person(driver, "Wei")
    maple = await community(driver, "Maple Court", alice)
    oak = await community(driver, "Oak Yard", wei)
    await driver.send(alice, maple, "/need Chairs")
    await driver.send(wei, oak, "/need Tables")
    assert "not linked with any community yet" in text(await driver.send(alice, maple, "/share 1"))
    await driver.send(wei, oak, f"/link {await make_code(driver, alice, maple)}")
    assert "not linked with any community yet" in text(await driver.send(wei, oak, "/share 1"))
    [(_, confirm)] = (await last_post(driver, maple))[1]
    await driver.press(alice, maple, confirm)
    refused = text(await driver.send(alice, maple, "/share 2"))
    assert "There is no need #2; /needs lists them." in refused and "Example:" in refused
    assert "Which need?" in text(await driver.send(alice, maple, "/share"))


# Unlinking ---------------------------------------------------------------------------------------


async def test_either_side_unlinks_both_are_told_and_old_buttons_stop(driver: Driver) -> None:
    maple, oak, (alice, bob, wei, olga) = await linked(driver)
    ed = person(driver, "Ed")
    elm = await community(driver, "Elm Row", ed)
    await driver.send(ed, elm, f"/link {await make_code(driver, alice, maple)}")
    [(_, confirm)] = (await last_post(driver, maple))[1]
    await driver.press(alice, maple, confirm)
    listed = text(await driver.send(alice, maple, "/federation"))
    assert listed.index("1. <b>Oak Yard</b>") < listed.index("2. <b>Elm Row</b>")
    await driver.send(alice, maple, "/need Chairs")
    await driver.send(alice, maple, "/share 1")
    [(_, offer)] = (await last_post(driver, oak))[1]

    assert "There is no link 3" in text(await driver.send(wei, oak, "/unlink 3"))
    ended = text(await driver.send(wei, oak, "/unlink 1"))
    assert "Wei ended the link with <b>Maple Court</b>." in ended
    told, _ = await last_post(driver, maple)
    assert told == "🔗 Wei of <b>Oak Yard</b> ended the link with us."
    listed = text(await driver.send(bob, maple, "/federation"))
    assert "Oak Yard" not in listed and "1. <b>Elm Row</b>" in listed
    assert "not linked with any community" in text(await driver.send(olga, oak, "/federation"))
    [stale] = answers(await driver.press(olga, oak, offer))
    assert stale.text == "We are no longer linked with Maple Court."
    assert (await audit(driver, oak))[-1] == (
        "fed.ended", wei.id, {"actor": "Wei", "partner": "Maple Court"}
    )  # fmt: skip
    assert (await audit(driver, maple))[-1] == (
        "fed.ended_by", None, {"actor": "Wei", "partner": "Oak Yard"}
    )  # fmt: skip

    again = await make_code(driver, olga, oak)
    assert "asked to link" in text(await driver.send(bob, maple, f"/link {again}"))


# Privacy -----------------------------------------------------------------------------------------


async def test_nothing_one_community_is_sent_holds_an_id_of_the_others_members(
    driver: Driver,
) -> None:
    """Replies and posts to each group, button data included, and each log's entries."""
    maple_people = [person(driver, n) for n in ("Alice", "Bob")]
    oak_people = [person(driver, n) for n in ("Wei", "Olga")]
    maple = await community(driver, "Maple Court", *maple_people)
    oak = await community(driver, "Oak Yard", *oak_people)
    alice, bob = maple_people
    wei, olga = oak_people
    seen: dict[int, list[str]] = {maple.id: [], oak.id: []}

    async def send(who: Person, chat: Chat, command: str) -> list[Reply]:
        replies = await driver.send(who, chat, command)
        for group in (maple, oak):
            seen[group.id].extend(shown_to(group, replies))
        return replies

    async def press(who: Person, chat: Chat, data: str) -> None:
        replies = await driver.press(who, chat, data)
        for group in (maple, oak):
            seen[group.id].extend(shown_to(group, replies))
        seen[chat.id].extend(a.text for a in answers(replies))

    await send(wei, oak, "/skill have Plumbing")
    await send(olga, oak, "/need A ladder")
    code = CODE.search(text(await send(alice, maple, "/link")))
    assert code is not None
    await send(olga, oak, f"/link {code[1]}")
    [(_, confirm)] = (await last_post(driver, maple))[1]
    await press(bob, maple, confirm)
    await send(alice, maple, "/need Chairs")
    await send(alice, maple, "/share 1")
    [(_, offer)] = (await last_post(driver, oak))[1]
    await send(olga, oak, "/share 1")
    [(_, offer_back)] = (await last_post(driver, maple))[1]
    await press(wei, oak, offer)
    await press(bob, maple, offer_back)
    await send(bob, maple, "/federation")
    await send(wei, oak, "/federation")
    await send(alice, maple, "/log")
    await send(olga, oak, "/log")
    await send(wei, oak, "/unlink 1")
    for group in (maple, oak):
        for row in await posted(driver, group):
            seen[group.id].append(row.payload["text"])
            seen[group.id].extend(b[1] for r in row.payload["buttons"] for b in r)
    async with driver.sessions() as session:
        entries = list(
            await session.execute(select(Community.chat_id, AuditEntry).join(AuditEntry))
        )
    for chat_id, entry in entries:
        seen[chat_id].extend([str(entry.actor_id), *entry.details.values()])

    for group, others in ((maple, oak_people), (oak, maple_people)):
        everything = "\n".join(seen[group.id])
        assert "offers to help" in everything or "asks for help" in everything
        for other in others:
            assert str(other.id) not in everything, (group.title, other.first_name)
    assert "Wei from <b>Oak Yard</b>" in "\n".join(seen[maple.id])


async def test_a_linked_community_is_told_in_its_own_language(driver: Driver) -> None:
    alice, wei = person(driver, "Alice"), person(driver, "Wei", "zh-hans")
    maple = await community(driver, "Maple Court", alice)
    oak = await community(driver, "Oak & Elm", wei, setup="Asia/Shanghai zh_Hans")
    await driver.send(wei, oak, f"/link {await make_code(driver, alice, maple)}")
    told, [(label, confirm)] = await last_post(driver, maple)
    assert "<b>Oak &amp; Elm</b> asks to link with us" in told
    assert label == "✅ Confirm link with Oak & Elm"
    await driver.press(alice, maple, confirm)
    await driver.send(alice, maple, "/need Chairs")
    await driver.send(alice, maple, "/share 1")
    card, [(label, _)] = await last_post(driver, oak)
    assert "<b>Maple Court</b>" in card and re.search("[\u4e00-\u9fff]", card)
    assert re.search("[\u4e00-\u9fff]", label)


def test_button_data_carries_only_our_own_row_ids() -> None:
    assert [f.name for f in dataclasses.fields(ConfirmLink)] == ["link_id"]
    assert [f.name for f in dataclasses.fields(OfferHelp)] == ["share_id"]
