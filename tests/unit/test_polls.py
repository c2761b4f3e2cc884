"""Poll stories: opening, voting, changing your mind, deadlines, results, scale and races."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.ballots import BallotBox, ballot_token
from handlers.core.charts import ChartRequest, render_result_chart_isolated
from handlers.core.clock import FixedClock
from handlers.core.context import Context, JobContext, UserError, Work
from handlers.core.i18n import Translator
from handlers.core.jobs import record_posted
from handlers.core.messages import Chat, Incoming, Outgoing, Person, Reply
from handlers.core.outcome import Outcome
from handlers.core.registry import Feature, VoteRequest
from handlers.features import all_features
from handlers.polls.use_cases import open_poll
from handlers.polls.views import poll_text
from handlers.polls.voting import count_poll, vote
from models import (
    AuditEntry,
    Community,
    Job,
    JobState,
    Member,
    OutboxMessage,
    Participation,
    Poll,
    PollKind,
    SecretBallot,
    User,
)
from tests.support import Driver, answers, buttons, text

PNG = b"\x89PNG"
HOOKED: list[tuple[int, Outcome]] = []


HOOKS = Feature("test hooks")


@pytest.fixture
def driver(sessions: async_sessionmaker[AsyncSession], clock: FixedClock) -> Driver:
    """The app with every feature and, for polls opened on a test subject, a close hook."""
    return Driver(sessions, clock, features=[*all_features(), HOOKS])


@HOOKS.on_close("test.subject")
async def _record_outcome(work: Work, poll: Poll, outcome: Outcome) -> None:
    HOOKED.append((poll.subject_id or 0, outcome))
    work.post(-1, "hook ran")


def option_buttons(replies: list[Reply]) -> dict[str, str]:
    """Button label → callback data of the poll message in ``replies``."""
    return dict(buttons(replies))


def answer(replies: list[Reply]) -> str:
    found = answers(replies)
    assert found, f"no callback answer in {replies}"
    return found[0].text


def edits(replies: list[Reply]) -> list[Outgoing]:
    return [r for r in replies if isinstance(r, Outgoing) and r.edit_message_id is not None]


async def outbox(driver: Driver) -> list[OutboxMessage]:
    """New messages queued in the outbox (edits of earlier messages left out)."""
    async with driver.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [row for row in rows if "edit_key" not in row.payload]


async def queued_edits(driver: Driver) -> list[OutboxMessage]:
    async with driver.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [row for row in rows if "edit_key" in row.payload]


async def the_poll(driver: Driver, number: int = 1) -> Poll:
    async with driver.sessions() as session:
        poll = await session.scalar(select(Poll).where(Poll.number == number))
        assert poll is not None
        return poll


async def ballots_of(driver: Driver, poll_id: int) -> dict[int, str]:
    """Each voter's ballot in an open poll, as one digit per option (these polls have few)."""
    async with driver.sessions() as session:
        poll = await session.get(Poll, poll_id)
        assert poll is not None
        voters = await session.scalars(
            select(Participation.user_id).where(Participation.poll_id == poll_id)
        )
        found = await BallotBox(session, poll).choices_of(voters)
        return {user: "".join(map(str, choice)) for user, choice in found.items()}


async def set_quorum(driver: Driver, quorum: float) -> None:
    async with driver.sessions() as session, session.begin():
        community = await session.scalar(select(Community))
        assert community is not None
        community.settings = {**community.settings, "quorum": quorum}


async def add_members(
    driver: Driver, chat: Chat, count: int, *, started: bool = False, first_id: int = 5_000_000
) -> list[Person]:
    """Bulk-insert ``count`` members straight through the models (no /join round trips)."""
    people = [Person(id=first_id + i, first_name=f"M{i}") for i in range(count)]
    async with driver.sessions() as session, session.begin():
        community_id = await session.scalar(
            select(Community.id).where(Community.chat_id == chat.id)
        )
        await session.execute(
            insert(User),
            [{"id": p.id, "display_name": p.first_name, "started_bot": started} for p in people],
        )
        await session.execute(
            insert(Member),
            [
                {"community_id": community_id, "user_id": p.id, "joined_at": driver.clock.now()}
                for p in people
            ],
        )
    return people


async def open_single(driver: Driver, *extra: Person) -> tuple[Chat, Person, dict[str, str]]:
    alice = driver.person("Alice")
    chat = await driver.community(alice, *extra)
    replies = await driver.send(alice, chat, "/poll Paint the stairwell green? | Yes | No | 48h")
    return chat, alice, option_buttons(replies)


# Opening and voting -------------------------------------------------------------------------


async def test_single_choice_vote_moves_and_withdraws(driver: Driver) -> None:
    bob, carol = driver.person("Bob"), driver.person("Carol")
    alice = driver.person("Alice")
    chat = await driver.community(alice, bob, carol)
    opened = await driver.send(alice, chat, "/poll Paint the stairwell green? | Yes | No | 48h")
    message = text(opened)
    assert "Poll #1" in message and "single choice" in message
    assert "Ballots cast: 0 of 3" in message
    keys = option_buttons(opened)
    assert {"1. Yes", "2. No", "My vote", "Vote privately"} <= set(keys)

    replies = await driver.press(bob, chat, keys["1. Yes"])
    assert answer(replies) == "Your vote: Yes"
    assert "Ballots cast: 1 of 3" in edits(replies)[0].text

    replies = await driver.press(bob, chat, keys["2. No"])
    assert answer(replies) == "Your vote: No"
    [moved] = edits(replies)
    assert "1. Yes — 0" in moved.text and "2. No — 1" in moved.text, "the live count follows"
    assert "Ballots cast: 1 of 3" in moved.text

    poll = await the_poll(driver)
    assert await ballots_of(driver, poll.id) == {bob.id: "1"}

    replies = await driver.press(bob, chat, keys["2. No"])
    assert answer(replies) == "Your vote is withdrawn."
    assert "Ballots cast: 0 of 3" in edits(replies)[0].text
    assert await ballots_of(driver, poll.id) == {}

    await driver.press(carol, chat, keys["1. Yes"])
    assert answer(await driver.press(carol, chat, keys["My vote"])) == "Your vote: Yes"
    assert answer(await driver.press(bob, chat, keys["My vote"])) == "You have not voted yet."


async def test_after_the_close_nobody_can_read_a_vote_again(driver: Driver) -> None:
    bob = driver.person("Bob")
    chat, alice, keys = await open_single(driver, bob)
    await driver.press(bob, chat, keys["1. Yes"])
    await driver.send(alice, chat, "/close 1")
    poll = await the_poll(driver)
    assert poll.ballot_key is None and poll.result is not None
    assert poll.result["counts"] == [1, 0]
    refused = answer(await driver.press(bob, chat, keys["My vote"]))
    assert refused == "Poll #1 is closed; votes are no longer accepted."


async def test_approval_poll_toggles_each_option(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    keys = option_buttons(
        await driver.send(alice, chat, "/poll multi Which evenings? | Mon | Wed | Fri")
    )
    await driver.press(bob, chat, keys["1. Mon"])
    assert answer(await driver.press(bob, chat, keys["3. Fri"])) == "You approve: Mon, Fri"
    assert answer(await driver.press(bob, chat, keys["1. Mon"])) == "You approve: Fri"
    poll = await the_poll(driver)
    assert poll.kind is PollKind.APPROVAL
    assert await ballots_of(driver, poll.id) == {bob.id: "2"}
    replies = await driver.press(bob, chat, keys["3. Fri"])
    assert answer(replies) == "Your vote is withdrawn."
    assert "Ballots cast: 0 of 2" in edits(replies)[0].text


async def test_ranked_poll_builds_a_ranking_in_press_order(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    opened = await driver.send(alice, chat, "/poll ranked Party where? | Yard | Roof | Café")
    assert "ranked choice" in text(opened)
    keys = option_buttons(opened)
    assert {"Clear my ranking", "My ranking", "Rank privately"} <= set(keys)

    await driver.press(bob, chat, keys["3. Café"])
    assert (
        answer(await driver.press(bob, chat, keys["1. Yard"])) == "Your ranking: 1. Café → 2. Yard"
    )
    assert "already number 1" in answer(await driver.press(bob, chat, keys["3. Café"]))
    assert answer(await driver.press(bob, chat, keys["My ranking"])) == (
        "Your ranking: 1. Café → 2. Yard"
    )
    replies = await driver.press(bob, chat, keys["Clear my ranking"])
    assert answer(replies) == "Your ranking is cleared."
    assert "Ballots cast: 0 of 2" in edits(replies)[0].text
    await driver.press(bob, chat, keys["2. Roof"])
    assert await ballots_of(driver, (await the_poll(driver)).id) == {bob.id: "1"}


async def test_ranking_privately_needs_a_started_bot_then_works_in_private(
    driver: Driver,
) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    keys = option_buttons(
        await driver.send(alice, chat, "/poll ranked Colour? | Red | Blue | Green")
    )

    refused = await driver.press(bob, chat, keys["Rank privately"])
    assert "/start" in answer(refused) and answers(refused)[0].alert

    await driver.send(bob, driver.private(bob), "/start")
    replies = await driver.press(bob, chat, keys["Rank privately"])
    assert answer(replies) == "I have sent you a private ballot."
    [ballot] = [r for r in replies if isinstance(r, Outgoing)]
    assert ballot.chat_id == bob.id and "Your ballot for poll #1" in ballot.text
    private_keys = {b.label: b.data for row in ballot.buttons for b in row}

    private = driver.private(bob)
    await driver.press(bob, private, private_keys["Blue"])
    replies = await driver.press(bob, private, private_keys["Red"])
    [edited] = edits(replies)
    marks = [b.label for row in edited.buttons for b in row]
    assert marks[:3] == ["2️⃣ Red", "1️⃣ Blue", "Green"]
    assert "Your ranking: 1. Blue → 2. Red" in edited.text
    assert await ballots_of(driver, (await the_poll(driver)).id) == {bob.id: "10"}
    assert edited.edit_key == "ballot:1", "every private copy follows, not just the one pressed"


async def test_a_vote_in_the_group_edits_the_voters_private_ballots(driver: Driver) -> None:
    bob = driver.person("Bob")
    chat, _alice, keys = await open_single(driver, bob)
    replies = await driver.press(bob, chat, keys["2. No"])
    [private] = [r for r in replies if isinstance(r, Outgoing) and r.chat_id == bob.id]
    assert private.edit_key == "ballot:1" and private.edit_message_id is None
    assert "Your vote: No" in private.text


async def test_at_the_close_every_private_ballot_loses_its_buttons_and_shows_the_result(
    driver: Driver,
) -> None:
    bob, boris = driver.person("Bob"), driver.person("Борис", "ru")
    chat, alice, keys = await open_single(driver, bob, boris)
    for person in (bob, boris):
        await driver.send(person, driver.private(person), "/start")
        await driver.press(person, chat, keys["Vote privately"])
        for message_id in (71, 72):  # the ballot asked for and the reminder, as the sender records
            sent = Outgoing(person.id, "ballot", key="ballot:1", copies=True)
            await record_posted(driver.sessions, sent, message_id, driver.clock.now())
    await driver.press(bob, chat, keys["1. Yes"])
    await driver.press(alice, chat, keys["1. Yes"])

    driver.clock.advance(timedelta(hours=48))
    await driver.run_jobs()
    closed = {m.chat_id: m.payload for m in await queued_edits(driver) if m.chat_id != chat.id}
    assert set(closed) == {bob.id, boris.id}
    assert all(p["edit_key"] == "ballot:1" and p["buttons"] == [] for p in closed.values())
    assert "Poll #1 of Maple Court is closed." in closed[bob.id]["text"]
    assert "Your vote: Yes" in closed[bob.id]["text"]
    assert "Winner: <b>Yes</b>." in closed[bob.id]["text"]
    assert "Turnout: 2 of 3" in closed[bob.id]["text"]
    assert "closes" not in closed[bob.id]["text"].lower()
    assert "Вы не голосовали." in closed[boris.id]["text"], "in the reader's own language"


async def test_strangers_are_told_to_join_and_late_joiners_cannot_vote(driver: Driver) -> None:
    dave, erin = driver.person("Dave"), driver.person("Erin")
    chat, _alice, keys = await open_single(driver)
    refused = await driver.press(dave, chat, keys["1. Yes"])
    assert "/join" in answer(refused)

    await driver.send(erin, chat, "/join")
    late = answer(await driver.press(erin, chat, keys["1. Yes"]))
    assert "fixed when it opened" in late and "before you joined" in late
    assert await ballots_of(driver, (await the_poll(driver)).id) == {}


async def test_member_who_left_cannot_vote_until_back(driver: Driver) -> None:
    bob = driver.person("Bob")
    chat, _alice, keys = await open_single(driver, bob)
    await driver.send(bob, chat, "/leave")
    assert "/join" in answer(await driver.press(bob, chat, keys["1. Yes"]))
    await driver.send(bob, chat, "/join")
    assert answer(await driver.press(bob, chat, keys["1. Yes"])) == "Your vote: Yes"


async def test_polls_are_numbered_per_community(driver: Driver) -> None:
    alice, zoe = driver.person("Alice"), driver.person("Zoe")
    first = await driver.community(alice)
    second = await driver.community(zoe)
    await driver.send(alice, first, "/poll A? | x | y")
    await driver.send(alice, first, "/poll B? | x | y")
    assert "Poll #1" in text(await driver.send(zoe, second, "/poll C? | x | y"))
    async with driver.sessions() as session:
        numbers = list(await session.scalars(select(Poll.number).order_by(Poll.id)))
    assert numbers == [1, 2, 1]


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("/poll", "Write the question first"),
        ("/poll | Yes | No", "Write the question first"),
        ("/poll Paint? | Yes", "at least two options"),
        ("/poll Paint? | " + " | ".join(f"o{i}" for i in range(11)), "at most 10 options"),
        ("/poll Paint? | Yes | " + "x" * 41, "at most 40 characters"),
        ("/poll Paint? | Yes | yes", "appears twice"),
        ("/poll Paint? | Yes | No | 2026-02-30 18:00", "read the deadline"),
        ("/poll Paint? | Yes | No | 2020-01-01 18:00", "already passed"),
        ("/poll Paint? | Yes | No | 0h", "already passed"),
        ("/poll Paint? | Yes | No | 400d", "too far away"),
        ("/poll ranked Paint? | Yes", "/poll ranked"),
        ("/poll Colour? | Red | Blue | 5y", "read the deadline “5y”"),
        ("/poll Colour? | Red | Blue | 2026-12-31", "too far away"),
    ],
)
async def test_bad_poll_input_gets_a_hint_with_an_example(
    driver: Driver, command: str, problem: str
) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    reply = text(await driver.send(alice, chat, command))
    assert problem in reply and "Example: <code>/poll" in reply
    async with driver.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Poll)) == 0


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ("90m", "48h", "3d", "2026-12-01 18:00", "end of that day", "Europe/Berlin")),
        ("ru", ("90m", "48h", "3d", "2026-12-01 18:00", "конец этого дня", "Europe/Berlin")),
        ("zh-hans", ("90m", "48h", "3d", "2026-12-01 18:00", "当天结束", "Europe/Berlin")),
    ],
)
async def test_an_unreadable_deadline_gets_the_localized_deadline_hint(
    driver: Driver, language: str, words: tuple[str, ...]
) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice, setup=f"Europe/Berlin {language}")
    reply = text(await driver.send(alice, chat, "/poll Colour? | Red | Blue | 5y"))
    assert all(word in reply for word in words), reply
    async with driver.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Poll)) == 0


async def test_a_date_alone_closes_the_poll_at_the_end_of_that_day(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice, setup="Europe/Berlin en")
    await driver.send(alice, chat, "/poll Colour? | Red | Blue | 2026-03-20")
    poll = await the_poll(driver)
    assert poll.options == ["Red", "Blue"]
    assert poll.closes_at.isoformat() == "2026-03-20T22:59:00+00:00"


async def test_deadline_in_community_time_zone(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice, setup="Europe/Berlin en")
    reply = text(await driver.send(alice, chat, "/poll When? | Now | Later | 2026-03-04 18:00"))
    assert "Closes Wed 4 Mar, 18:00 CET." in reply
    poll = await the_poll(driver)
    assert poll.closes_at.isoformat() == "2026-03-04T17:00:00+00:00"


async def test_a_poll_closed_late_by_a_clock_jump_says_it_closed_at_its_deadline(
    driver: Driver,
) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice, setup="Europe/Berlin en")
    await driver.send(alice, chat, "/poll When? | Now | Later | 2026-03-04 18:00")
    driver.clock.advance(timedelta(days=2, hours=10))  # the bot was down: the job runs late
    await driver.run_jobs()
    poll = await the_poll(driver)
    assert poll.closed_at == poll.closes_at
    [closed] = await queued_edits(driver)
    assert "<b>Closed</b> Wed 4 Mar, 18:00 CET." in closed.payload["text"]


# Closing ------------------------------------------------------------------------------------


async def test_deadline_closes_the_poll_and_posts_the_result_with_a_chart(driver: Driver) -> None:
    bob, carol, alice = driver.person("Bob"), driver.person("Carol"), driver.person("Alice")
    chat = await driver.community(alice, bob, carol)
    # Kept open: everyone votes, and it is the deadline that closes it.
    command = "/poll Paint the stairwell green? | Yes | No | 48h | keep-open"
    keys = option_buttons(await driver.send(alice, chat, command))
    await driver.press(alice, chat, keys["1. Yes"])
    await driver.press(bob, chat, keys["1. Yes"])
    await driver.press(carol, chat, keys["2. No"])

    driver.clock.advance(timedelta(hours=47, minutes=59))
    await driver.run_jobs()
    assert (await the_poll(driver)).is_open
    driver.clock.advance(timedelta(minutes=1))
    await driver.run_jobs()

    poll = await the_poll(driver)
    assert not poll.is_open and poll.closed_by is None
    assert poll.result is not None and poll.result["counts"] == [2, 1]
    [result] = [m for m in await outbox(driver) if m.chat_id == chat.id]
    chart = ChartRequest.from_json(result.payload["chart"])
    assert chart.labels == ("1. Yes", "2. No") and chart.values == (2, 1)
    assert chart.value_labels == ("2 (66.7%)", "1 (33.3%)")
    assert (await render_result_chart_isolated(chart)).startswith(PNG)
    caption = result.payload["text"]
    assert "Poll #1 is closed" in caption
    assert "🏆 1. Yes — 2 (66.7%)" in caption and "2. No — 1 (33.3%)" in caption
    assert "Winner: <b>Yes</b>." in caption
    assert "Turnout: 3 of 3 (100%)." in caption and "Quorum" not in caption

    closed = await driver.press(bob, chat, keys["2. No"])
    assert "is closed" in answer(closed)
    assert "already closed" in text(await driver.send(alice, chat, "/close 1"))
    async with driver.sessions() as session:
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-2:] == ["poll.opened", "poll.won"]


async def test_votes_after_the_deadline_are_refused_before_the_job_runs(driver: Driver) -> None:
    bob = driver.person("Bob")
    chat, _alice, keys = await open_single(driver, bob)
    driver.clock.advance(timedelta(hours=48))
    assert "is closed" in answer(await driver.press(bob, chat, keys["1. Yes"]))


async def test_only_the_creator_closes_early(driver: Driver) -> None:
    bob = driver.person("Bob")
    chat, alice, keys = await open_single(driver, bob)
    await driver.press(bob, chat, keys["2. No"])

    refused = text(await driver.send(bob, chat, "/close 1"))
    assert "Only the member who opened poll #1" in refused
    assert (await the_poll(driver)).is_open

    assert "There is no poll #7" in text(await driver.send(alice, chat, "/close 7"))
    assert "Example: <code>/close" in text(await driver.send(alice, chat, "/close soon"))

    assert text(await driver.send(alice, chat, "/close #1")) == ""
    poll = await the_poll(driver)
    assert not poll.is_open and poll.closed_by == alice.id
    [result] = [m for m in await outbox(driver) if m.chat_id == chat.id]
    assert "Closed early by Alice." in result.payload["text"]
    assert "Winner: <b>No</b>." in result.payload["text"]
    async with driver.sessions() as session:
        pending = await session.scalar(
            select(func.count()).select_from(Job).where(Job.state == JobState.DUE)
        )
    assert pending == 0, "the deadline and reminder jobs are cancelled"

    assert "already closed" in text(await driver.send(alice, chat, "/close 1"))
    driver.clock.advance(timedelta(days=3))
    await driver.run_jobs()
    assert len([m for m in await outbox(driver) if m.chat_id == chat.id]) == 1


async def test_quorum_not_met_makes_the_result_invalid(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    people = await add_members(driver, chat, 9)
    await set_quorum(driver, 0.5)
    keys = option_buttons(await driver.send(alice, chat, "/poll Buy a ladder? | Yes | No"))
    for person in people[:3]:
        await driver.press(person, chat, keys["1. Yes"])
    await driver.send(alice, chat, "/close 1")
    [result] = [m for m in await outbox(driver) if m.chat_id == chat.id]
    caption = result.payload["text"]
    assert "Turnout: 3 of 10 (30%)." in caption
    assert "Quorum of 50%: not met. The result is not valid." in caption
    assert "without quorum there is no result" in caption and "🏆" not in caption
    poll = await the_poll(driver)
    assert poll.result is not None and not poll.result["valid"] and not poll.result["passed"]


async def test_quorum_met_is_reported_valid_and_fixed_at_opening(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await set_quorum(driver, 0.5)
    keys = option_buttons(await driver.send(alice, chat, "/poll Buy a ladder? | Yes | No"))
    await set_quorum(driver, 1.0)
    await driver.press(bob, chat, keys["1. Yes"])
    await driver.send(alice, chat, "/close 1")
    [result] = [m for m in await outbox(driver) if m.chat_id == chat.id]
    assert "Quorum of 50%: met. The result is valid." in result.payload["text"]


async def test_ranked_result_explains_every_round(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    people = await add_members(driver, chat, 9)
    keys = option_buttons(
        await driver.send(alice, chat, "/poll ranked Party where? | Yard | Roof | Café")
    )
    # Yard 4, Roof 3, Café 2 whose voters prefer Roof next: Café is out, Roof wins 5 to 4.
    ballots = [["1. Yard"]] * 4 + [["2. Roof", "3. Café"]] * 3 + [["3. Café", "2. Roof"]] * 2
    for person, ranking in zip(people, ballots, strict=True):
        for label in ranking:
            await driver.press(person, chat, keys[label])
    await driver.send(alice, chat, "/close 1")
    [result] = [m for m in await outbox(driver) if m.chat_id == chat.id]
    caption = result.payload["text"]
    assert "<b>Round 1</b>: Yard 4 · Roof 3 · Café 2" in caption
    assert "eliminated: Café" in caption
    assert "<b>Round 2</b>: Yard 4 · Roof 5" in caption
    assert "Winner: <b>Roof</b>, with 5 of 9 continuing ballots in round 2." in caption
    assert "Turnout: 9 of 10 (90%)." in caption
    chart = ChartRequest.from_json(result.payload["chart"])
    assert chart.values == (4, 5, 0), "the chart shows the final round"
    assert chart.value_labels is not None and chart.value_labels[2] == "out in round 1"


async def test_a_long_result_goes_as_chart_then_text(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    people = iter(await add_members(driver, chat, 55))
    options = [f"Option number {i} with a fairly long name" for i in range(10)]
    keys = option_buttons(
        await driver.send(alice, chat, "/poll ranked Which? | " + " | ".join(options))
    )
    for i, option in enumerate(options):  # option i gets i + 1 first preferences
        for _ in range(i + 1):
            await driver.press(next(people), chat, keys[f"{i + 1}. {option}"])
    await driver.send(alice, chat, "/close 1")
    photo, *rest = [m for m in await outbox(driver) if m.chat_id == chat.id]
    assert photo.payload["chart"] and photo.payload["caption_only"]
    assert len(photo.payload["text"]) <= 1024 and "Result of poll #1" in photo.payload["text"]
    assert rest and all("chart" not in m.payload and len(m.payload["text"]) <= 4096 for m in rest)
    full = "\n".join(m.payload["text"] for m in rest)
    assert "<b>Round 9</b>" in full and "<b>Round 10</b>" not in full
    assert "Winner: <b>Option number 9 with a fairly long name</b>" in full


# Reminders ----------------------------------------------------------------------------------


async def test_reminder_goes_privately_to_non_voters_who_started_the_bot(driver: Driver) -> None:
    bob, carol, dave = driver.person("Bob"), driver.person("Carol"), driver.person("Dave")
    boris, erin = driver.person("Борис", "ru"), driver.person("Erin")
    chat, _alice, keys = await open_single(driver, bob, carol, dave, boris)
    for person in (bob, carol, boris, erin):
        await driver.send(person, driver.private(person), "/start")
    await driver.send(erin, chat, "/join")  # joined after opening: not in the electorate
    await driver.press(carol, chat, keys["1. Yes"])

    driver.clock.advance(timedelta(hours=23, minutes=59))
    await driver.run_jobs()
    assert await outbox(driver) == []
    driver.clock.advance(timedelta(minutes=1))
    await driver.run_jobs()

    messages = await outbox(driver)
    assert sorted(m.chat_id for m in messages) == sorted([bob.id, boris.id])
    assert all(m.chat_id != chat.id for m in messages)
    in_russian = next(m for m in messages if m.chat_id == boris.id)
    assert "ср, 4 мар., 09:00 UTC" in in_russian.payload["text"], (
        "dates follow the voter's language"
    )
    reminder = next(m for m in messages if m.chat_id == bob.id)
    assert "You have not voted yet in poll #1 of Maple Court" in reminder.payload["text"]
    labels = [label for row in reminder.payload["buttons"] for label, _ in row]
    assert labels == ["Yes", "No", "Withdraw my vote"]

    _, data = reminder.payload["buttons"][0][0]
    assert answer(await driver.press(bob, driver.private(bob), data)) == "Your vote: Yes"
    async with driver.sessions() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "poll.reminded"))
    assert entry is not None and entry.details["count"] == "2"


async def test_short_polls_get_no_reminder(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/poll Quick? | Yes | No | 90m")
    async with driver.sessions() as session:
        kinds = list(await session.scalars(select(Job.kind)))
    assert kinds == ["poll.close"]


# For other features -------------------------------------------------------------------------


async def _context(driver: Driver, session: AsyncSession, person: Person, chat: Chat) -> Context:
    community = await session.scalar(select(Community).where(Community.chat_id == chat.id))
    user = await session.get(User, person.id)
    member = await session.scalar(select(Member).where(Member.user_id == person.id))
    assert community is not None and user is not None
    incoming = Incoming(user=person, chat=chat, at=driver.clock.now(), command="adopt")
    t = Translator(community.language, community.timezone)
    return Context(
        incoming, session, driver.services, driver.app.registry, t, user, community, member
    )


async def test_open_poll_with_a_subject_runs_its_close_hook(driver: Driver) -> None:
    alice, bob, carol = driver.person("Alice"), driver.person("Bob"), driver.person("Carol")
    chat = await driver.community(alice, bob, carol)
    async with driver.sessions() as session, session.begin():
        ctx = await _context(driver, session, alice, chat)
        poll = await ctx.open_vote(
            VoteRequest(
                question="Adopt need #4?",
                options=["Yes", "No"],
                kind=PollKind.SINGLE,
                deadline=driver.clock.now() + timedelta(hours=30),
                subject=("test.subject", 4),
            )
        )
        assert poll.number == 1 and poll.electorate == 3 and poll.creator_id == alice.id
    [posted] = [r for r in ctx.replies if isinstance(r, Outgoing)]
    assert posted.chat_id == chat.id and "Adopt need #4?" in posted.text
    keys = {b.label: b.data for row in posted.buttons for b in row}
    await driver.press(bob, chat, keys["1. Yes"])
    await driver.press(carol, chat, keys["1. Yes"])
    await driver.press(alice, chat, keys["2. No"])
    HOOKED.clear()
    driver.clock.advance(timedelta(hours=30))
    await driver.run_jobs()
    [(subject_id, outcome)] = HOOKED
    assert subject_id == 4 and outcome.passed and outcome.counts == (2, 1)
    assert [m.payload["text"] for m in await outbox(driver)][-1] == "hook ran"


async def test_open_poll_refuses_bad_input_like_the_command(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    async with driver.sessions() as session, session.begin():
        ctx = await _context(driver, session, alice, chat)
        with pytest.raises(UserError, match="at least two options"):
            await open_poll(
                ctx,
                ctx.require_community(),
                t=ctx.t,
                creator=ctx.user,
                question="Q?",
                options=["Only"],
                kind=PollKind.SINGLE,
            )


async def test_a_job_opens_a_vote_nobody_can_close_early(driver: Driver) -> None:
    """A vote the bot opens (from a job, or ``by_bot``) is posted through the outbox, has
    no creator, and /close refuses everyone, the member whose action led to it included."""
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    async with driver.sessions() as session, session.begin():
        community = await session.scalar(select(Community))
        assert community is not None
        work = JobContext(session, driver.services, driver.app.registry)
        poll = await work.open_vote(
            VoteRequest("Elect a treasurer?", ["Yes", "No"], PollKind.SINGLE, ("t", 1)),
            community,
        )
        assert poll.creator_id is None and poll.electorate == 2
        ctx = await _context(driver, session, alice, chat)
        by_rule = await ctx.open_vote(
            VoteRequest("Adopt rule 1?", ["Yes", "No"], PollKind.SINGLE, ("t", 2), by_bot=True)
        )
        assert by_rule.creator_id is None
    posted = [m.payload["text"] for m in await outbox(driver)]
    assert any("Elect a treasurer?" in p and "opened by the community's rules" in p for p in posted)
    for person, number in ((alice, 1), (bob, 2)):
        refused = text(await driver.send(person, chat, f"/close {number}"))
        assert "nobody can close it early" in refused
    assert "opened poll #1" in text(await driver.send(bob, chat, "/log"))


async def test_who_joined_within_member_days_does_not_vote(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob, setup="member_days=7")
    driver.clock.advance(timedelta(days=8))
    carol = driver.person("Carol")
    await driver.send(carol, chat, "/join")
    opened = text(await driver.send(alice, chat, "/poll Paint? | Yes | No"))
    assert "Ballots cast: 0 of 2" in opened, "Carol joined a day ago: not in the electorate"
    shown = text(await driver.send(alice, chat, "/setup"))
    assert "joined at least 7 days before" in shown
    assert "a whole number from 0 to 365" in text(
        await driver.send(alice, chat, "/setup member_days=x")
    )


def _poll(kind: PollKind, n: int, electorate: int, quorum: float | None = None) -> Poll:
    return Poll(kind=kind, options=[str(i) for i in range(n)], electorate=electorate, quorum=quorum)


@pytest.mark.parametrize(
    ("poll", "ballots", "passed"),
    [
        (_poll(PollKind.SINGLE, 2, 5), [("0", 2), ("1", 1)], True),
        (_poll(PollKind.SINGLE, 2, 5), [("0", 1), ("1", 1)], False),
        (_poll(PollKind.SINGLE, 2, 5), [("0", 1), ("1", 2)], False),
        (_poll(PollKind.SINGLE, 2, 10, 0.5), [("0", 3), ("1", 1)], False),
        (_poll(PollKind.SINGLE, 3, 5), [("2", 2), ("1", 1)], True),
        (_poll(PollKind.APPROVAL, 3, 5), [("01", 2), ("1", 1)], True),
        (_poll(PollKind.APPROVAL, 3, 5), [("01", 2)], False),
        (_poll(PollKind.RANKED, 3, 5), [("012", 3), ("102", 1), ("2", 1)], True),
        (_poll(PollKind.RANKED, 3, 5), [("012", 2), ("102", 2), ("2", 1)], False),
        (_poll(PollKind.RANKED, 2, 5), [], False),
    ],
)
def test_passed_means_yes_beats_no_or_a_single_valid_winner(
    poll: Poll, ballots: list[tuple[str, int]], passed: bool
) -> None:
    choices = [(tuple(int(digit) for digit in choice), n) for choice, n in ballots]
    assert count_poll(poll, choices).passed is passed


# Scale and races ----------------------------------------------------------------------------


async def test_five_thousand_members_vote_and_the_poll_closes_correctly(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    people = await add_members(driver, chat, 4_999, started=True)
    opened = await driver.send(
        alice, chat, "/poll multi New bike racks where? | Gate | Yard | Roof"
    )
    assert "Ballots cast: 0 of 5,000" in text(opened)
    keys = option_buttons(opened)
    poll = await the_poll(driver)
    voters, latecomers = [alice, *people[:3_999]], people[3_999:]
    choices = ["0", "0,1", "2", "1,2", "0,1,2"]
    assert poll.ballot_key is not None
    async with driver.sessions() as session, session.begin():
        await session.execute(
            insert(SecretBallot),
            [
                {
                    "poll_id": poll.id,
                    "token": ballot_token(poll.ballot_key, p.id),
                    "choice": choices[i % len(choices)],
                }
                for i, p in enumerate(voters)
            ],
        )
        await session.execute(
            insert(Participation), [{"poll_id": poll.id, "user_id": p.id} for p in voters]
        )
    live = await driver.press(latecomers[0], chat, keys["3. Roof"])
    assert "Ballots cast: 4,001 of 5,000" in edits(live)[0].text

    driver.clock.advance(timedelta(hours=48))
    await driver.run_jobs()
    reminded = {m.chat_id for m in await outbox(driver)}
    assert reminded == {p.id for p in latecomers[1:]}

    driver.clock.advance(timedelta(hours=24))
    await driver.run_jobs()
    poll = await the_poll(driver)
    assert poll.result is not None
    assert poll.result["ballots"] == 4_001 and poll.result["counts"] == [2_400, 2_400, 2_401]
    [result] = [m for m in await outbox(driver) if m.chat_id == chat.id]
    assert "Turnout: 4,001 of 5,000 (80%)." in result.payload["text"]
    assert "Winner: <b>Roof</b>." in result.payload["text"]


async def test_a_hundred_members_voting_at_once_through_the_app(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    people = await add_members(driver, chat, 100)
    keys = option_buttons(await driver.send(alice, chat, "/poll Which? | Red | Blue"))
    presses = [
        driver.press(p, chat, keys["1. Red" if i % 3 else "2. Blue"]) for i, p in enumerate(people)
    ]
    results = await asyncio.gather(*presses)
    assert all(answer(r).startswith("Your vote") for r in results)
    await driver.send(alice, chat, "/close 1")
    poll = await the_poll(driver)
    assert poll.result is not None and poll.result["counts"] == [66, 34]


async def _vote_in_own_session(
    sessions: async_sessionmaker[AsyncSession],
    poll_id: int,
    user_id: int,
    option: int,
    driver: Driver,
) -> None:
    async with sessions() as session, session.begin():
        await vote(session, poll_id, user_id, option, driver.clock.now())


async def test_concurrent_sessions_never_lose_a_vote(driver: Driver) -> None:
    """Each member presses two options at the same instant, from two sessions: both count.

    The first round races two inserts of each ballot row, the second two
    updates of it (a read-modify-write that would lose one toggle unlocked).
    """
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    people = await add_members(driver, chat, 100)
    await driver.send(alice, chat, "/poll multi Which days? | Mon | Tue | Wed")
    poll = await the_poll(driver)
    for pair, expected in (((0, 2), "02"), ((1, 0), "12")):
        await asyncio.gather(
            *(
                _vote_in_own_session(driver.sessions, poll.id, p.id, option, driver)
                for p in people
                for option in pair
            )
        )
        ballots = await ballots_of(driver, poll.id)
        assert len(ballots) == 100 and set(ballots.values()) == {expected}
    await driver.send(alice, chat, "/close 1")
    poll = await the_poll(driver)
    assert poll.result is not None and poll.result["counts"] == [0, 100, 100]


async def test_concurrent_first_presses_of_one_voter_agree(driver: Driver) -> None:
    """Racing inserts of the same ballot row: one inserts, the other applies on top."""
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    people = await add_members(driver, chat, 50)
    await driver.send(alice, chat, "/poll ranked Order? | A | B")
    poll = await the_poll(driver)
    await asyncio.gather(
        *(
            _vote_in_own_session(driver.sessions, poll.id, p.id, option, driver)
            for p in people
            for option in (0, 1)
        )
    )
    ballots = await ballots_of(driver, poll.id)
    assert len(ballots) == 50 and set(ballots.values()) <= {"01", "10"}


def test_escape_user_text_in_the_poll_message() -> None:
    poll = _poll(PollKind.SINGLE, 2, 1)
    poll.number, poll.question, poll.options = 1, "<b>Free</b> & fair?", ["<i>yes</i>", "no"]
    poll.opened_at, poll.closes_at = (
        datetime(2026, 3, 2, tzinfo=UTC),
        datetime(2026, 3, 5, tzinfo=UTC),
    )
    message = poll_text(Translator("en"), poll, ballots=0, creator="<Eve>")
    assert "&lt;b&gt;Free&lt;/b&gt; &amp; fair?" in message
    assert "&lt;i&gt;yes&lt;/i&gt;" in message and "&lt;Eve&gt;" in message
    assert not re.search(r"<(?!/?(b|i)>)", message)
