"""Needs: proposing, supporting, ranking and putting them to an adoption vote."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from handlers.core.app import App
from handlers.core.context import JobContext
from handlers.core.messages import Chat, Incoming, Outgoing, Person, Reply
from handlers.features import all_features
from handlers.needs.use_cases import need_poll_closed
from models import (
    AuditEntry,
    Community,
    Need,
    NeedStatus,
    NeedSupport,
    OutboxMessage,
    PlanItem,
    PlanStatus,
)
from tests.support import Driver, answers, buttons, text

LISTED = re.compile(r"<b>#(\d+)</b>")


async def propose(driver: Driver, person: Person, chat: Chat, what: str) -> str:
    """Propose a need and return the callback data of its Support button."""
    replies = await driver.send(person, chat, f"/need {what}")
    [(label, data)] = buttons(replies)
    assert label.startswith("👍")
    return data


async def need_row(driver: Driver, chat: Chat, number: int) -> Need:
    async with driver.sessions() as session:
        found = await session.scalar(
            select(Need)
            .join(Community, Community.id == Need.community_id)
            .where(Need.number == number, Community.chat_id == chat.id)
        )
        assert found is not None
        return found


async def close_adoption_vote(driver: Driver, chat: Chat, number: int, *, passed: bool) -> None:
    """What the polls module does when the vote opened by /adopt ends."""
    need = await need_row(driver, chat, number)
    poll = SimpleNamespace(id=need.poll_id, subject_id=need.id)
    async with driver.sessions() as session, session.begin():
        await need_poll_closed(
            JobContext(session, driver.services, driver.app.registry),
            poll,
            SimpleNamespace(passed=passed),
        )


async def adopt(driver: Driver, person: Person, chat: Chat, what: str) -> None:
    """Propose a need and have its adoption vote pass: it becomes the next plan item."""
    card = text(await driver.send(person, chat, f"/need {what}"))
    match = re.search(r"Need #(\d+)", card)
    assert match is not None, card
    number = int(match[1])
    await driver.send(person, chat, f"/adopt {number}")
    await close_adoption_vote(driver, chat, number, passed=True)


async def need_row_count(driver: Driver, chat: Chat) -> int:
    async with driver.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Need)
            .join(Community, Community.id == Need.community_id)
            .where(Community.chat_id == chat.id)
        )
        return int(count or 0)


async def audit_actions(driver: Driver) -> list[str]:
    async with driver.sessions() as session:
        return list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


async def posted(driver: Driver) -> str:
    async with driver.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return "\n".join(row.payload["text"] for row in rows)


async def test_most_supported_need_comes_first(driver: Driver) -> None:
    alice, bob, carol, dave = (driver.person(n) for n in ("Alice", "Bob", "Carol", "Dave"))
    chat = await driver.community(alice, bob, carol, dave)
    await propose(driver, alice, chat, "A bike rack by the entrance")
    driver.clock.advance(timedelta(hours=1))
    bench = await propose(driver, dave, chat, "A bench in the yard")
    await driver.press(bob, chat, bench)
    await driver.press(carol, chat, bench)
    listing = text(await driver.send(alice, chat, "/needs"))
    assert listing.index("A bench in the yard — 2 supporters") < listing.index(
        "A bike rack by the entrance — 0 supporters"
    )
    assert "proposed need #1" in str(await _log(driver, alice, chat))


async def _log(driver: Driver, person: Person, chat: Chat) -> str:
    return text(await driver.send(person, chat, "/log"))


async def test_support_toggles_and_edits_the_count(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    support = await propose(driver, alice, chat, "A bike rack")

    pressed = await driver.press(bob, chat, support, message_id=77)
    [edit] = [r for r in pressed if isinstance(r, Outgoing)]
    assert edit.edit_message_id == 77
    assert "1 member supports it." in edit.text
    assert [(b.label, b.data) for row in edit.buttons for b in row] == [("👍 Support (1)", support)]
    assert answers(pressed)[0].text == "You support need #1."

    again = await driver.press(bob, chat, support, message_id=77)
    assert "0 members support it." in text(again)
    assert answers(again)[0].text == "You no longer support need #1."


async def test_supports_count_only_people_still_on_the_roster(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    support = await propose(driver, alice, chat, "A bike rack")
    await driver.press(bob, chat, support)
    await driver.send(bob, chat, "/leave")
    assert "A bike rack — 0 supporters" in text(await driver.send(alice, chat, "/needs"))
    await driver.send(bob, chat, "/join")
    assert "A bike rack — 1 supporter" in text(await driver.send(alice, chat, "/needs"))


async def test_one_support_per_member_is_a_database_rule(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    support = await propose(driver, alice, chat, "A bike rack")
    await driver.press(bob, chat, support)
    need = await need_row(driver, chat, 1)
    async with driver.sessions() as session:
        session.add(NeedSupport(need_id=need.id, user_id=bob.id, created_at=driver.clock.now()))
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_racing_presses_from_two_processes_never_count_twice(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    support = await propose(driver, alice, chat, "A bike rack")
    other_process = App(driver.sessions, driver.services, driver.admins, all_features())
    first, second = await asyncio.gather(
        driver.press(bob, chat, support),
        _press_through(other_process, driver, bob, chat, support),
    )
    for replies in (first, second):
        assert "went wrong" not in answers(replies)[0].text
    async with driver.sessions() as session:
        supports = await session.scalar(select(func.count()).select_from(NeedSupport))
    assert supports is not None and supports <= 1


async def _press_through(
    app: App, driver: Driver, person: Person, chat: Chat, data: str
) -> list[Reply]:
    return await app.handle(
        Incoming(
            user=person,
            chat=chat,
            at=driver.clock.now(),
            message_id=1,
            callback_id="other-process",
            callback_data=data,
        )
    )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(support=st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=6))
async def test_needs_rank_by_support_then_age(driver: Driver, support: list[int]) -> None:
    admin = driver.person("Admin")
    backers = [driver.person(f"Backer {i}") for i in range(3)]
    chat = await driver.community(admin, *backers)
    for number, count in enumerate(support, start=1):
        button = await propose(driver, admin, chat, f"Need number {number}")
        for backer in backers[:count]:
            await driver.press(backer, chat, button)
        driver.clock.advance(timedelta(minutes=1))
    listing = text(await driver.send(admin, chat, "/needs"))
    expected = sorted(range(1, len(support) + 1), key=lambda n: (-support[n - 1], n))
    assert [int(n) for n in LISTED.findall(listing)] == expected


async def test_long_need_lists_are_paginated_with_buttons(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    for number in range(1, 26):
        await driver.send(alice, chat, f"/need Need number {number}")
        driver.clock.advance(timedelta(minutes=1))
    first = await driver.send(alice, chat, "/needs")
    assert LISTED.findall(text(first)) == [str(n) for n in range(1, 11)]
    pager = dict(buttons(first))
    assert set(pager) == {"1/3", "▶"}
    second = await driver.press(alice, chat, pager["▶"], message_id=5)
    [edit] = [r for r in second if isinstance(r, Outgoing)]
    assert edit.edit_message_id == 5
    assert LISTED.findall(edit.text) == [str(n) for n in range(11, 21)]
    assert {b.label for row in edit.buttons for b in row} == {"◀", "2/3", "▶"}


async def test_no_open_needs_gets_an_example(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    assert "Example" in text(await driver.send(alice, chat, "/needs"))


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/adopt", "Which need?"),
        ("/adopt soon", "is not a number"),
        ("/adopt 7", "There is no need #7"),
        ("/adopt #7", "There is no need #7"),
        ("/adopt 99999999999999999999", "There is no need #99999999999999999999"),
    ],
)
async def test_adopt_needs_a_known_need_number(driver: Driver, command: str, expected: str) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/need A bike rack")
    reply = text(await driver.send(alice, chat, command))
    assert expected in reply and "Example: <code>/adopt 3</code>" in reply


async def test_a_passed_adoption_vote_turns_the_need_into_a_plan_item(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/need A bike rack")
    await driver.send(bob, chat, "/adopt #1")
    assert (await need_row(driver, chat, 1)).status is NeedStatus.VOTING
    assert "already being voted on" in text(await driver.send(alice, chat, "/adopt 1"))
    assert "adoption vote open" in text(await driver.send(alice, chat, "/needs"))

    await close_adoption_vote(driver, chat, 1, passed=True)

    need = await need_row(driver, chat, 1)
    assert need.status is NeedStatus.ADOPTED and need.adopted_at == driver.clock.now()
    async with driver.sessions() as session:
        item = await session.scalar(select(PlanItem))
    assert item is not None
    assert (item.number, item.title, item.status, item.need_id) == (
        1,
        "A bike rack",
        PlanStatus.PLANNED,
        need.id,
    )
    assert "Need #1 is adopted. It is now plan item #1: A bike rack" in await posted(driver)
    assert (await audit_actions(driver))[-2:] == ["need.vote", "need.adopted"]
    assert "There are no open needs" in text(await driver.send(alice, chat, "/needs"))
    assert "A bike rack" in text(await driver.send(alice, chat, "/plan"))
    assert "already adopted" in text(await driver.send(alice, chat, "/adopt 1"))


@pytest.mark.parametrize(("bobs_vote", "adopted"), [("Yes", True), ("No", False)])
async def test_the_adoption_poll_decides_when_its_deadline_passes(
    driver: Driver, bobs_vote: str, adopted: bool
) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/need A bike rack")
    poll = await driver.send(alice, chat, "/adopt 1")
    assert "Adopt need #1 into the plan? A bike rack" in text(poll)
    vote = {label.split()[-1]: data for label, data in buttons(poll)}
    await driver.press(alice, chat, vote["Yes"])
    await driver.press(bob, chat, vote[bobs_vote])

    driver.clock.advance(timedelta(hours=72))
    await driver.run_jobs()

    need = await need_row(driver, chat, 1)
    plan = text(await driver.send(alice, chat, "/plan"))
    if adopted:
        assert need.status is NeedStatus.ADOPTED
        assert "Need #1 is adopted. It is now plan item #1: A bike rack" in await posted(driver)
        assert "A bike rack — planned" in plan
    else:
        assert need.status is NeedStatus.OPEN
        assert "Need #1 was not adopted this time" in await posted(driver)
        assert "The plan is empty" in plan


async def test_closing_the_same_vote_twice_makes_one_plan_item(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/need A bike rack")
    await driver.send(alice, chat, "/adopt 1")
    await close_adoption_vote(driver, chat, 1, passed=True)
    await close_adoption_vote(driver, chat, 1, passed=True)
    async with driver.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(PlanItem)) == 1


async def test_a_failed_vote_leaves_the_need_open_for_another_try(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/need A bike rack")
    await driver.send(alice, chat, "/adopt 1")
    await close_adoption_vote(driver, chat, 1, passed=False)
    assert (await need_row(driver, chat, 1)).status is NeedStatus.OPEN
    assert "Need #1 was not adopted this time" in await posted(driver)
    assert (await audit_actions(driver))[-1] == "need.rejected"
    assert "A bike rack — 0 supporters" in text(await driver.send(alice, chat, "/needs"))
    await driver.send(alice, chat, "/adopt 1")
    assert (await need_row(driver, chat, 1)).status is NeedStatus.VOTING


async def test_supporting_an_adopted_need_points_to_the_plan(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    support = await propose(driver, alice, chat, "A bike rack")
    await driver.send(alice, chat, "/adopt 1")
    await close_adoption_vote(driver, chat, 1, passed=True)
    pressed = await driver.press(bob, chat, support)
    assert "Adopted as plan item #1." in text(pressed)
    assert buttons(pressed) == []
    assert answers(pressed)[0].alert


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/need", "Say what the community needs."),
        ("/need " + "x" * 501, "That text has 501 characters; the limit is 500."),
    ],
)
async def test_need_text_is_required_and_bounded(
    driver: Driver, command: str, expected: str
) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    reply = text(await driver.send(alice, chat, command))
    assert expected in reply and "Example: <code>/need A bike rack by the entrance</code>" in reply
    assert await need_row_count(driver, chat) == 0
    await driver.send(alice, chat, "/need " + "x" * 500)
    assert await need_row_count(driver, chat) == 1


async def test_html_in_a_need_is_escaped_everywhere(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    card = text(await driver.send(alice, chat, "/need <b>free</b> & <a href='x'>beer</a>"))
    listing = text(await driver.send(alice, chat, "/needs"))
    for shown in (card, listing):
        assert "&lt;b&gt;free&lt;/b&gt; &amp; &lt;a href=&#39;x&#39;&gt;beer&lt;/a&gt;" in shown
        assert "<a href" not in shown


async def test_strangers_are_told_to_join(driver: Driver) -> None:
    alice, dave = driver.person("Alice"), driver.person("Dave")
    chat = await driver.community(alice)
    support = await propose(driver, alice, chat, "A bike rack")
    for command in ("/need A pool", "/needs", "/adopt 1"):
        assert "/join" in text(await driver.send(dave, chat, command))
    pressed = await driver.press(dave, chat, support)
    assert "/join" in answers(pressed)[0].text
    async with driver.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(NeedSupport)) == 0


async def test_a_support_button_only_works_in_its_own_community(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    maple = await driver.community(alice, bob)
    oak = await driver.community(bob)
    support = await propose(driver, alice, maple, "A bike rack")
    pressed = await driver.press(bob, oak, support)
    assert answers(pressed)[0].text == "This button is no longer valid."


async def test_two_bot_processes_proposing_at_once_get_different_numbers(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    other_process = App(driver.sessions, driver.services, driver.admins, all_features())
    first, second = await asyncio.gather(
        driver.send(alice, chat, "/need A bike rack"),
        other_process.handle(
            Incoming(user=bob, chat=chat, at=driver.clock.now(), command="need", args="A bench")
        ),
    )
    cards = text(first) + text(second)
    assert "Need #1" in cards and "Need #2" in cards


async def test_needs_plan_items_and_problems_are_numbered_per_community(driver: Driver) -> None:
    alice = driver.person("Alice")
    maple, oak = await driver.community(alice), await driver.community(alice)
    assert "Need #1" in text(await driver.send(alice, maple, "/need A bike rack"))
    assert "Problem #1" in text(await driver.send(alice, maple, "/report The lift is stuck"))
    assert "Need #2" in text(await driver.send(alice, maple, "/need A bench"))
    assert "Need #1" in text(await driver.send(alice, oak, "/need A sandpit"))
