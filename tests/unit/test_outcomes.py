"""Outcomes: after a poll closes, its creator (or after 24 h any member) records what was decided;
it is posted under the result, kept in the log and shown on the plan item the poll adopted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from handlers.core.messages import Chat, Person
from handlers.polls.outcome_rules import (
    CREATOR_FIRST,
    Actor,
    Permission,
    Refusal,
    outcome_permission,
)
from handlers.polls.outcomes import result_key
from models import OutboxMessage, Poll, PollOutcome, PostedMessage
from models.needs import TEXT_LIMIT
from tests.support import Driver, buttons, text

# The rule -----------------------------------------------------------------------------------

CLOSED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
moments = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60))


@given(moments, st.booleans(), st.booleans(), st.sampled_from([None, CLOSED]))
def test_a_non_member_may_never_record_an_outcome(
    since: timedelta, recorded: bool, wrote_it: bool, closed_at: datetime | None
) -> None:
    verdict = outcome_permission(
        Actor.NON_MEMBER,
        closed_at=closed_at,
        now=CLOSED + since,
        recorded=recorded,
        wrote_it=wrote_it,
    )
    assert verdict is Refusal.NOT_MEMBER


@given(st.sampled_from([Actor.MEMBER, Actor.CREATOR]), moments, st.booleans())
def test_nobody_records_the_outcome_of_an_open_poll(
    actor: Actor, since: timedelta, recorded: bool
) -> None:
    verdict = outcome_permission(actor, closed_at=None, now=CLOSED + since, recorded=recorded)
    assert verdict is Refusal.STILL_OPEN


@given(moments)
def test_the_creator_records_first_and_any_member_after_a_day(since: timedelta) -> None:
    now = CLOSED + since
    creator = outcome_permission(Actor.CREATOR, closed_at=CLOSED, now=now, recorded=False)
    member = outcome_permission(Actor.MEMBER, closed_at=CLOSED, now=now, recorded=False)
    assert creator is Permission.RECORD
    assert member is (Permission.RECORD if since >= CREATOR_FIRST else Refusal.CREATOR_FIRST)


def test_the_day_ends_exactly_at_24_hours() -> None:
    just_before = CLOSED + CREATOR_FIRST - timedelta(seconds=1)
    member = Actor.MEMBER
    assert (
        outcome_permission(member, closed_at=CLOSED, now=just_before, recorded=False)
        is Refusal.CREATOR_FIRST
    )
    assert (
        outcome_permission(member, closed_at=CLOSED, now=CLOSED + CREATOR_FIRST, recorded=False)
        is Permission.RECORD
    )


@given(st.sampled_from([Actor.MEMBER, Actor.CREATOR]), moments, st.booleans())
def test_a_recorded_outcome_is_amended_by_its_writer_or_the_creator_only(
    actor: Actor, since: timedelta, wrote_it: bool
) -> None:
    verdict = outcome_permission(
        actor, closed_at=CLOSED, now=CLOSED + since, recorded=True, wrote_it=wrote_it
    )
    if actor is Actor.CREATOR or wrote_it:
        assert verdict is Permission.AMEND
    else:
        assert verdict is Refusal.ALREADY_RECORDED


# The command --------------------------------------------------------------------------------


async def closed_poll(driver: Driver) -> tuple[Chat, Person, Person, Poll]:
    """Alice's poll, voted on and closed early by her; Bob is a member."""
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    keys = dict(
        buttons(await driver.send(alice, chat, "/poll Paint the stairwell? | Green | Blue"))
    )
    await driver.press(bob, chat, keys["1. Green"])
    await driver.send(alice, chat, "/close 1")
    return chat, alice, bob, await the_poll(driver)


async def the_poll(driver: Driver, number: int = 1) -> Poll:
    async with driver.sessions() as session:
        poll = await session.scalar(select(Poll).where(Poll.number == number))
        assert poll is not None
        return poll


async def posted(driver: Driver, chat: Chat) -> list[OutboxMessage]:
    async with driver.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat.id).order_by(OutboxMessage.id)
        )
        return [row for row in rows if "edit_key" not in row.payload]


async def outcomes(driver: Driver) -> list[tuple[str, str]]:
    async with driver.sessions() as session:
        rows = await session.scalars(select(PollOutcome).order_by(PollOutcome.id))
        return [(row.author.display_name, row.text) for row in rows]


async def sent(driver: Driver, chat: Chat, key: str, message_id: int) -> None:
    """What the sender records once a named message is out: here, by hand."""
    async with driver.sessions() as session, session.begin():
        session.add(
            PostedMessage(chat_id=chat.id, key=key, message_id=message_id, posted_at=CLOSED)
        )


async def test_the_creator_records_the_outcome_as_a_reply_to_the_result(driver: Driver) -> None:
    chat, alice, _, poll = await closed_poll(driver)
    [result] = await posted(driver, chat)
    assert result.payload["key"] == result_key(poll), "the result is named for the reply"
    await sent(driver, chat, f"poll:{poll.id}", 40)
    await sent(driver, chat, result_key(poll), 41)

    assert await driver.send(alice, chat, "/outcome 1 Green it is; Bob buys the paint") == []
    outcome = (await posted(driver, chat))[-1]
    assert outcome.payload["reply_to"] == 41
    assert outcome.payload["text"] == (
        "📌 <b>Outcome of poll #1</b>, recorded by Alice:\nGreen it is; Bob buys the paint"
    )
    assert await outcomes(driver) == [("Alice", "Green it is; Bob buys the paint")]
    log = text(await driver.send(alice, chat, "/log"))
    assert "Alice recorded the outcome of poll #1: Green it is; Bob buys the paint" in log


async def test_without_the_result_message_the_outcome_names_the_poll(driver: Driver) -> None:
    chat, alice, _, poll = await closed_poll(driver)
    await driver.send(alice, chat, "/outcome 1 Green <b>it</b> is")
    outcome = (await posted(driver, chat))[-1]
    assert "reply_to" not in outcome.payload
    assert outcome.payload["text"] == (
        "📌 <b>Outcome of poll #1</b>, recorded by Alice:\n"
        "<i>Paint the stairwell?</i>\nGreen &lt;b&gt;it&lt;/b&gt; is"
    )
    await sent(driver, chat, f"poll:{poll.id}", 40)
    await driver.send(alice, chat, "/outcome 1 Green, in May")
    assert (await posted(driver, chat))[-1].payload["reply_to"] == 40


async def test_others_wait_a_day_for_the_creator_then_any_member_may(driver: Driver) -> None:
    chat, _, bob, poll = await closed_poll(driver)
    refused = text(await driver.send(bob, chat, "/outcome 1 Green"))
    assert "Alice opened poll #1, so they record its outcome first." in refused
    assert "If they have not by Tue 3 Mar, 09:00 UTC, any member can." in refused
    assert await outcomes(driver) == []

    driver.clock.advance(CREATOR_FIRST)
    assert await driver.send(bob, chat, "/outcome 1 Green, Bob paints") == []
    assert await outcomes(driver) == [("Bob", "Green, Bob paints")]
    assert poll.closed_at is not None


async def test_a_second_outcome_is_refused_and_an_amendment_keeps_the_history(
    driver: Driver,
) -> None:
    chat, alice, bob, _ = await closed_poll(driver)
    driver.clock.advance(timedelta(days=2))
    await driver.send(bob, chat, "/outcome 1 Green")
    carol = driver.person("Carol")
    await driver.send(carol, chat, "/join")
    refused = text(await driver.send(carol, chat, "/outcome 1 Blue"))
    assert "Bob already recorded the outcome of poll #1: “Green”." in refused
    assert "Only they or the member who opened the poll can amend it." in refused

    await driver.send(bob, chat, "/outcome 1 Green, Bob paints")  # the writer amends
    await driver.send(alice, chat, "/outcome 1 Green, from May")  # so does the creator
    assert "amended by Alice" in (await posted(driver, chat))[-1].payload["text"]
    # Bob no longer wrote the current one: the creator's amendment stands.
    refused = text(await driver.send(bob, chat, "/outcome 1 Green, now"))
    assert "Alice already recorded the outcome of poll #1: “Green, from May”." in refused
    assert await outcomes(driver) == [
        ("Bob", "Green"),
        ("Bob", "Green, Bob paints"),
        ("Alice", "Green, from May"),
    ]
    log = text(await driver.send(alice, chat, "/log"))
    assert "Bob amended the outcome of poll #1: Green, Bob paints" in log
    assert "Alice amended the outcome of poll #1: Green, from May" in log


BAD_OUTCOMES = [
    ("/outcome", "Which poll, and what was decided?"),
    ("/outcome 1", "Say what poll #1 decided."),
    ("/outcome 9 Green", "There is no poll #9 here."),
    ("/outcome 1 " + "x" * (TEXT_LIMIT + 1), "the limit is 500"),
]


async def test_bad_outcomes_get_a_reason_and_an_example(driver: Driver) -> None:
    chat, alice, _, _ = await closed_poll(driver)
    for command, says in BAD_OUTCOMES:
        reply = text(await driver.send(alice, chat, command))
        assert says in reply, command
        assert "Example: <code>/outcome" in reply, command
    assert await outcomes(driver) == []


async def test_an_open_poll_has_no_outcome_yet(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/poll Paint? | Green | Blue | 48h")
    refused = text(await driver.send(alice, chat, "/outcome 1 Green"))
    assert "Poll #1 is still open (it closes Wed 4 Mar, 09:00 UTC)" in refused


async def test_strangers_and_members_who_left_are_refused(driver: Driver) -> None:
    chat, _, bob, _ = await closed_poll(driver)
    driver.clock.advance(timedelta(days=2))
    stranger = driver.person("Dan")
    assert "Send /join first" in text(await driver.send(stranger, chat, "/outcome 1 Green"))
    await driver.send(bob, chat, "/leave")
    assert "Send /join first" in text(await driver.send(bob, chat, "/outcome 1 Green"))
    assert await outcomes(driver) == []


async def test_the_outcome_of_the_vote_that_adopted_a_need_shows_on_the_plan(
    driver: Driver,
) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/need A bike rack")
    await driver.send(alice, chat, "/poll Unrelated? | Yes | No")
    keys = dict(buttons(await driver.send(bob, chat, "/adopt 1")))
    for voter in (alice, bob):
        await driver.press(voter, chat, keys["1. Yes"])
    await driver.send(bob, chat, "/close 2")
    await driver.send(alice, chat, "/close 1")
    await driver.send(alice, chat, "/outcome 1 Not about the rack")
    assert "📌" not in text(await driver.send(alice, chat, "/plan"))

    await driver.send(bob, chat, "/outcome 2 Rack ordered from Hansen's, fitted on Friday")
    plan = text(await driver.send(alice, chat, "/plan"))
    assert "<b>#1</b> A bike rack — planned, nobody has taken it yet" in plan
    assert "📌 Outcome of poll #2: Rack ordered from Hansen&#39;s, fitted on Friday" in plan
