"""Deciding well: consent polls with blocks, hidden counts, the early close when everyone has
voted, and meeting polls — their rules as pure functions, then the stories in-process."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.charts import ChartRequest
from handlers.core.clock import FixedClock
from handlers.core.context import Context
from handlers.core.i18n import N_
from handlers.core.messages import Chat, Incoming, Outgoing, Person, Reply
from handlers.core.registry import Feature, Registry, Where
from handlers.core.tally import (
    ConsentRule,
    SlotCount,
    best_slots,
    decide_consent,
    rank_slots,
)
from handlers.features import all_features
from handlers.polls import rules
from handlers.polls.followup import EVERYONE_VOTED
from handlers.polls.parsing import PollInputError, Problem, parse_poll
from handlers.polls.slots import SlotError, SlotProblem, parse_slot
from handlers.polls.voting import closes_early_now, vote
from models import (
    AuditEntry,
    BlockReason,
    Job,
    JobState,
    OutboxMessage,
    Poll,
    PollKind,
    SlotAnswer,
)
from tests.support import Driver, answers, buttons, text

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Berlin
thorough = settings(max_examples=200, deadline=None)

# --- consent: which rule decides ----------------------------------------------------------

counts = st.integers(0, 50)


@thorough
@given(agree=counts, abstain=counts, disagree=counts, blocks=counts, valid=st.booleans())
def test_consent_is_decided_by_the_first_rule_that_holds(
    agree: int, abstain: int, disagree: int, blocks: int, valid: bool
) -> None:
    result = decide_consent(agree, abstain, disagree, blocks, valid=valid)
    if not valid:
        assert result.rule is ConsentRule.NO_QUORUM
    elif agree + abstain + disagree + blocks == 0:
        assert result.rule is ConsentRule.NO_VOTES
    elif blocks:
        assert result.rule is ConsentRule.BLOCKED
    else:
        assert result.rule is (ConsentRule.PASSED if agree > disagree else ConsentRule.OUTVOTED)
    assert result.passed is (valid and blocks == 0 and agree > disagree)
    assert (result.agree, result.abstain, result.disagree, result.blocks) == (
        agree,
        abstain,
        disagree,
        blocks,
    )


@thorough
@given(agree=counts, abstain=counts, disagree=counts, more=st.integers(1, 10))
def test_one_block_stops_any_majority_and_abstaining_changes_nothing(
    agree: int, abstain: int, disagree: int, more: int
) -> None:
    assert decide_consent(agree + 100, abstain, disagree, 1, valid=True).rule is ConsentRule.BLOCKED
    base = decide_consent(agree, abstain, disagree, 0, valid=True)
    if agree + abstain + disagree:
        assert decide_consent(agree, abstain + more, disagree, 0, valid=True).rule is base.rule
    assert not decide_consent(agree, abstain, agree, 0, valid=True).passed, "a tie does not pass"


def test_consent_counts_are_never_negative() -> None:
    with pytest.raises(ValueError):
        decide_consent(1, 0, -1, 0, valid=True)


@pytest.mark.parametrize(
    ("before", "option", "after", "awaits"),
    [
        (None, rules.BLOCK, None, True),
        ((rules.AGREE,), rules.BLOCK, (rules.AGREE,), True),
        ((rules.BLOCK,), rules.BLOCK, None, False),
        ((rules.BLOCK,), rules.AGREE, (rules.AGREE,), False),
        ((rules.DISAGREE,), rules.DISAGREE, None, False),
        (None, rules.ABSTAIN, (rules.ABSTAIN,), False),
    ],
)
def test_block_waits_for_its_reason_and_withdraws_like_any_vote(
    before: tuple[int, ...] | None, option: int, after: tuple[int, ...] | None, awaits: bool
) -> None:
    assert rules.press_consent(before, option) == rules.ConsentPress(after, awaits)


# --- the early close ------------------------------------------------------------------------


@given(eligible=st.integers(0, 500), data=st.data())
def test_a_poll_closes_early_exactly_when_every_eligible_voter_has_voted(
    eligible: int, data: st.DataObject
) -> None:
    voted = data.draw(st.integers(0, eligible))
    assert rules.everyone_voted(eligible, voted) is (eligible > 0 and voted == eligible)
    with pytest.raises(ValueError):
        rules.everyone_voted(eligible, eligible + 1)


# --- meeting slots: ranking, ties, answers --------------------------------------------------

slot_counts = st.lists(
    st.builds(SlotCount, st.integers(0, 6), st.integers(0, 6), st.integers(0, 6)),
    min_size=1,
    max_size=10,
)


@thorough
@given(slot_counts)
def test_slots_rank_by_yes_then_maybe_and_level_slots_tie(found: list[SlotCount]) -> None:
    ranking = rank_slots(found)
    flat = [i for group in ranking for i in group]
    assert sorted(flat) == list(range(len(found)))
    keys = [(found[group[0]].yes, found[group[0]].maybe) for group in ranking]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == len(keys)
    for group in ranking:
        assert all(
            (found[i].yes, found[i].maybe) == (found[group[0]].yes, found[group[0]].maybe)
            for i in group
        )
        assert list(group) == sorted(group), "level slots keep their (time) order"
    best = best_slots(found)
    top_yes = max(c.yes for c in found)
    assert best == (() if top_yes == 0 else ranking[0])


def test_a_tie_in_yes_is_broken_by_maybe_and_a_full_tie_stays_a_tie() -> None:
    found = [SlotCount(3, 0, 1), SlotCount(3, 2, 0), SlotCount(1, 5, 0), SlotCount(3, 2, 4)]
    assert rank_slots(found) == ((1, 3), (0,), (2,))
    assert best_slots(found) == (1, 3)
    assert best_slots([SlotCount(0, 4, 0)]) == (), "maybe alone chooses nothing"


@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from("ymn")), max_size=30))
def test_answers_toggle_per_slot_and_count_once_every_slot_has_one(
    presses: list[tuple[int, str]],
) -> None:
    answers: dict[int, str] = {}
    for slot, answer in presses:
        before = dict(answers)
        answers = rules.press_slot(answers, slot, answer)
        if before.get(slot) == answer:
            assert slot not in answers
        else:
            assert answers[slot] == answer
        assert {k: v for k, v in answers.items() if k != slot} == {
            k: v for k, v in before.items() if k != slot
        }
    assert rules.answered_every_slot(answers, 4) is (set(answers) == {0, 1, 2, 3})


# --- reading slots and the new forms ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("fri 18:00", "2026-03-06T17:00", None),
        ("Sat 10:00-12:00", "2026-03-07T09:00", "2026-03-07T11:00"),
        ("2026-12-05 18:00", "2026-12-05T17:00", None),
        ("05.12.2026 18:00", "2026-12-05T17:00", None),
        ("пт 18:00", "2026-03-06T17:00", None),
        ("周五 １８：００", "2026-03-06T17:00", None),
        ("星期日 15:00–17:00", "2026-03-08T14:00", "2026-03-08T16:00"),
        ("12月5日 18:00", "2026-12-05T17:00", None),
        ("mon 09:00", "2026-03-09T08:00", None),  # this Monday's 09:00 has passed
        ("mon 11:00", "2026-03-02T10:00", None),
        ("sat 22:00-02:00", "2026-03-07T21:00", "2026-03-08T01:00"),
        ("sun 10:00 to 12:00", "2026-03-08T09:00", "2026-03-08T11:00"),
    ],
)
def test_slots_read_in_the_community_zone(text: str, start: str, end: str | None) -> None:
    slot = parse_slot(text, NOW, "Europe/Berlin")
    assert slot.start.isoformat()[:16] == start
    assert (slot.end.isoformat()[:16] if slot.end else None) == end


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("friday evening", SlotProblem.UNREADABLE),
        ("fri", SlotProblem.UNREADABLE),
        ("2026-02-30 10:00", SlotProblem.UNREADABLE),
        ("fri 25:00", SlotProblem.UNREADABLE),
        ("fri 10:00-10:00", SlotProblem.UNREADABLE),
        ("2026-03-29 02:30", SlotProblem.UNREADABLE),  # the hour skipped by the clock change
        ("2026-03-01 10:00", SlotProblem.PAST),
        ("2028-01-01 10:00", SlotProblem.FAR),
    ],
)
def test_unreadable_or_past_slots_are_refused(text: str, problem: SlotProblem) -> None:
    with pytest.raises(SlotError) as caught:
        parse_slot(text, NOW, "Europe/Berlin")
    assert caught.value.problem is problem


@given(
    day=st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
)
def test_a_weekday_is_its_next_occurrence_within_a_week(day: str, hour: int, minute: int) -> None:
    slot = parse_slot(f"{day} {hour}:{minute:02d}", NOW, "Europe/Berlin")
    assert NOW < slot.start <= NOW + timedelta(days=7)


def test_the_new_forms_read_and_old_questions_stay_what_they_were() -> None:
    def read(args: str) -> tuple[PollKind, str, bool, bool, int]:
        draft = parse_poll(args, NOW, "Europe/Berlin")
        return draft.kind, draft.question, draft.hidden, draft.keep_open, len(draft.options)

    assert read("consent Glass door? | 5d") == (PollKind.CONSENT, "Glass door?", False, False, 4)
    assert read("hidden consent Glass door? | keep-open") == (
        PollKind.CONSENT,
        "Glass door?",
        True,
        True,
        4,
    )
    assert read("hidden ranked Lunch? | Soup | Pie | keep-open | 24h")[:4] == (
        PollKind.RANKED,
        "Lunch?",
        True,
        True,
    )
    assert read("when Clean-up? | sun 15:00 | Sat 10:00-12:00")[0] is PollKind.MEETING
    assert read("When can you come? | fri 18:00")[:2] == (PollKind.MEETING, "When can you come?")
    assert read("When shall we paint? | Now | Later")[:2] == (
        PollKind.SINGLE,
        "When shall we paint?",
    )
    assert read("Hidden fees? | Yes | No")[:3] == (PollKind.SINGLE, "Hidden fees?", False)
    assert read("Consent forms: paper or online? | Paper | Online")[0] is PollKind.SINGLE
    draft = parse_poll("when Clean-up? | sun 15:00 | Sat 10:00-12:00", NOW, "Europe/Berlin")
    assert draft.options == ("Sat 10:00-12:00", "sun 15:00"), "slots in time order"
    assert draft.deadline == min(NOW + timedelta(hours=72), draft.slots[0].start)
    for args, problem in (
        ("consent Door? | Yes | No", Problem.CONSENT_OPTIONS),
        ("when Meet? | friday evening", Problem.BAD_SLOT),
        ("when Meet? | fri 18:00 | Fri 18:00", Problem.DUPLICATE_SLOT),
        ("when Meet?", Problem.NO_SLOTS),
        ("when Meet? | 2026-03-01 10:00", Problem.PAST_SLOT),
    ):
        with pytest.raises(PollInputError) as caught:
            parse_poll(args, NOW, "Europe/Berlin")
        assert caught.value.problem is problem, args


# --- the core: replies reach the feature that asked --------------------------------------------


def test_a_reply_prefix_is_declared_once() -> None:
    first, second = Feature("first"), Feature("second")

    async def run(ctx: Context, key: str) -> None: ...

    first.on_reply("same")(run)
    second.on_reply("same")(run)
    with pytest.raises(RuntimeError):
        Registry([first, second])


# --- stories, in-process --------------------------------------------------------------------


def keys_of(replies: list[Reply]) -> dict[str, str]:
    return dict(buttons(replies))


def answer(replies: list[Reply]) -> str:
    [first, *_] = answers(replies)
    return first.text


def edits(replies: list[Reply], chat: Chat) -> list[Outgoing]:
    """Edits of messages in ``chat``."""
    return [
        r
        for r in replies
        if isinstance(r, Outgoing) and r.chat_id == chat.id and (r.edit_message_id or r.edit_key)
    ]


async def posted(driver: Driver, chat: Chat) -> list[OutboxMessage]:
    """New messages queued for ``chat`` (edits left out)."""
    async with driver.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat.id).order_by(OutboxMessage.id)
        )
        return [row for row in rows if "edit_key" not in row.payload]


async def the_poll(driver: Driver, number: int = 1) -> Poll:
    async with driver.sessions() as session:
        poll = await session.scalar(select(Poll).where(Poll.number == number))
        assert poll is not None
        return poll


async def reply_to(
    driver: Driver, person: Person, chat: Chat, message_id: int, key: str, words: str
) -> list[Reply]:
    """``person`` answers the bot's message ``message_id`` (posted under ``key``) with ``words``."""
    from handlers.core.jobs import record_posted

    await record_posted(driver.sessions, Outgoing(chat.id, "", key=key), message_id, NOW)
    incoming = Incoming(
        user=person,
        chat=chat,
        at=driver.clock.now(),
        text=words,
        message_id=9000 + message_id,
        reply_to=message_id,
    )
    return await driver.app.handle(incoming)


async def test_a_block_counts_only_with_its_reason_and_the_result_says_which_rule_decided(
    driver: Driver,
) -> None:
    alice, bob, carol, dave = (driver.person(n) for n in ("Alice", "Bob", "Carol", "Dave"))
    chat = await driver.community(alice, bob, carol, dave)
    opened = await driver.send(alice, chat, "/poll consent Replace the door with glass? | 48h")
    assert "consent" in text(opened) and "It closes as soon as everyone has voted." in text(opened)
    keys = keys_of(opened)
    assert {"✅ Agree", "🤷 Abstain", "👎 Disagree", "🛑 Block"} <= set(keys)

    await driver.press(alice, chat, keys["✅ Agree"])
    await driver.press(carol, chat, keys["✅ Agree"])
    # Bob has not started the bot: he is told how to give the reason; nothing counts yet.
    pressed = await driver.press(bob, chat, keys["🛑 Block"])
    [told] = answers(pressed)
    assert told.alert and "/block 1 REASON" in told.text and "reply to the poll" in told.text
    assert not [r for r in pressed if isinstance(r, Outgoing) and r.chat_id == chat.id]
    assert "does not count" in answer(await driver.press(bob, chat, keys["My vote"]))

    # Dave started the bot: he is asked privately, with a forced reply, and answers it.
    await driver.send(dave, driver.private(dave), "/start")
    pressed = await driver.press(dave, chat, keys["🛑 Block"])
    [asked] = [r for r in pressed if isinstance(r, Outgoing) and r.chat_id == dave.id and r.key]
    assert asked.key == "block:1" and asked.force_reply and "Why?" in asked.text
    assert "asked you" in answer(pressed)
    replied = await reply_to(driver, dave, driver.private(dave), 501, "block:1", "Too <b>cold</b>")
    assert "counts now" in text(replied)

    # Bob replies to the poll's message in the group; Carol's reply there is only talk.
    await reply_to(driver, carol, chat, 777, "poll:1", "Nice idea!")
    replied = await reply_to(driver, bob, chat, 777, "poll:1", "Glass breaks")
    assert "counts now" in text(replied)
    async with driver.sessions() as session:
        stored = list(await session.scalars(select(BlockReason.reason)))
    assert sorted(stored) == ["Glass breaks", "Too <b>cold</b>"]

    # The last eligible vote was Bob's block: the poll closes early, blocked.
    await driver.run_jobs()
    poll = await the_poll(driver)
    assert not poll.is_open and poll.result is not None
    assert poll.result["closed"] == "everyone_voted"
    [result] = await posted(driver, chat)
    caption = result.payload["text"]
    assert "Closed early: everyone has voted." in caption
    assert "Blocked: 2 blocks." in caption
    assert "• Glass breaks" in caption and "• Too &lt;b&gt;cold&lt;/b&gt;" in caption
    assert "Bob" not in caption and "Dave" not in caption, "the reasons carry no names"
    chart = ChartRequest.from_json(result.payload["chart"])
    assert chart.layout == "stacked" and chart.cells == ((2, 0, 0, 2),)
    async with driver.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(BlockReason)) == 0
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert "poll.consent_blocked" in actions and "poll.everyone_voted" in actions


async def test_a_consent_poll_passes_without_blocks_and_an_unexplained_block_does_not_count(
    driver: Driver,
) -> None:
    alice, bob, carol = (driver.person(n) for n in ("Alice", "Bob", "Carol"))
    chat = await driver.community(alice, bob, carol)
    keys = keys_of(await driver.send(alice, chat, "/poll consent Paint it blue?"))
    await driver.press(alice, chat, keys["✅ Agree"])
    await driver.press(bob, chat, keys["👎 Disagree"])
    await driver.press(carol, chat, keys["🛑 Block"])  # never explained
    await driver.press(carol, chat, keys["🛑 Block"])  # asks again: still owed
    replies = await driver.send(bob, chat, "/block 1 Blue fades")
    assert "counts now" in text(replies)
    withdrawn = await driver.press(bob, chat, keys["🛑 Block"])
    assert answer(withdrawn) == "Your block is withdrawn."
    await driver.press(bob, chat, keys["🤷 Abstain"])
    await driver.send(alice, chat, "/close 1")
    [result] = await posted(driver, chat)
    caption = result.payload["text"]
    assert "Passed: no blocks, 1 agree vs 0 disagree." in caption
    assert "1 block was pressed without a reason and does not count." in caption
    assert "Blue fades" not in caption, "a withdrawn block's reason goes with it"


@pytest.mark.parametrize(
    ("presses", "quorum", "verdict"),
    [
        (["👎 Disagree", "✅ Agree"], None, "Not passed: no blocks, but 1 agree vs 1 disagree."),
        (["✅ Agree"], 0.9, "Not passed: no quorum."),
        ([], None, "Not passed: nobody voted."),
    ],
)
async def test_each_consent_rule_is_named_in_the_result(
    driver: Driver, presses: list[str], quorum: float | None, verdict: str
) -> None:
    alice, bob, carol = (driver.person(n) for n in ("Alice", "Bob", "Carol"))
    chat = await driver.community(alice, bob, carol)
    if quorum:
        await driver.send(alice, chat, f"/setup quorum={int(quorum * 100)}%")
    keys = keys_of(await driver.send(alice, chat, "/poll consent Paint it blue?"))
    for person, label in zip((bob, carol), presses, strict=False):
        await driver.press(person, chat, keys[label])
    await driver.send(alice, chat, "/close 1")
    [result] = await posted(driver, chat)
    assert verdict in result.payload["text"]


async def test_block_as_a_command_finds_the_poll_and_refuses_what_it_must(driver: Driver) -> None:
    alice, bob, zoe = driver.person("Alice"), driver.person("Bob"), driver.person("Zoe")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/poll Lunch? | Soup | Pie")
    await driver.send(alice, chat, "/poll consent Paint it blue?")
    assert "not a consent poll" in text(await driver.send(bob, chat, "/block 1 No"))
    assert "needs its reason" in text(await driver.send(bob, chat, "/block 2"))
    assert "Example: <code>/block" in text(await driver.send(bob, chat, "/block"))
    assert "/join" in text(await driver.send(zoe, chat, "/block 2 Not mine"))
    assert "at most 300" in text(await driver.send(bob, chat, "/block 2 " + "x" * 301))

    private = driver.private(bob)
    await driver.send(bob, private, "/start")
    assert "no open consent poll #5" in text(await driver.send(bob, private, "/block 5 Why"))
    assert "counts now" in text(await driver.send(bob, private, "/block 2 Blue fades"))
    other = await driver.community(zoe, bob)
    await driver.send(zoe, other, "/poll Tea? | Yes | No")
    await driver.send(zoe, other, "/poll consent Plant a tree?")
    assert "Several of your communities" in text(await driver.send(bob, private, "/block 2 Hm"))


async def test_a_hidden_poll_shows_no_count_anywhere_until_its_result(driver: Driver) -> None:
    alice, bob, carol = (driver.person(n) for n in ("Alice", "Bob", "Carol"))
    chat = await driver.community(alice, bob, carol)
    await driver.send(bob, driver.private(bob), "/start")
    opened = await driver.send(alice, chat, "/poll hidden Paint it? | Green | Blue | Red")
    assert "hidden until the close" in text(opened) and "— 0" not in text(opened)
    keys = keys_of(opened)
    private = await driver.press(bob, chat, keys["Vote privately"])
    ballot_keys = keys_of(private)
    seen: list[str] = [text(opened), *(r.text for r in private if isinstance(r, Outgoing))]
    for person, label in ((bob, "Blue"), (alice, "1. Green"), (bob, "Green")):
        where = driver.private(bob) if label == "Green" else chat
        replies = await driver.press(person, where, (ballot_keys | keys)[label])
        seen.extend(r.text for r in replies if isinstance(r, Outgoing))
        seen.extend(a.text for a in answers(replies))
    assert any("Ballots cast: 2 of 3" in s for s in seen)
    assert not any("— 1" in s or "— 2" in s for s in seen), "no count before the close"

    await driver.press(carol, chat, keys["2. Blue"])
    await driver.run_jobs()
    [result] = await posted(driver, chat)
    assert "Closed early: everyone has voted." in result.payload["text"]
    assert "1. Green — 2 (66.7%)" in result.payload["text"]


async def test_an_open_poll_shows_its_counts_as_they_stand(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    keys = keys_of(await driver.send(alice, chat, "/poll ranked Lunch? | Soup | Pie"))
    [live] = edits(await driver.press(bob, chat, keys["2. Pie"]), chat)
    assert "2. Pie — 1" in live.text and "first choices" in live.text


async def test_a_poll_closes_early_when_everyone_voted_unless_kept_open(driver: Driver) -> None:
    alice, bob, carol = (driver.person(n) for n in ("Alice", "Bob", "Carol"))
    chat = await driver.community(alice, bob, carol)
    kept = keys_of(await driver.send(alice, chat, "/poll Tea? | Yes | No | keep-open | 48h"))
    early = keys_of(await driver.send(alice, chat, "/poll Cake? | Yes | No | 48h"))
    for person in (alice, bob, carol):
        await driver.press(person, chat, kept["1. Yes"])
    for person in (alice, bob):
        await driver.press(person, chat, early["2. No"])
    await driver.run_jobs()
    assert (await the_poll(driver, 1)).is_open and (await the_poll(driver, 2)).is_open

    # Carol leaves without voting: everyone still eligible has voted on poll #2.
    await driver.send(carol, chat, "/leave")
    await driver.run_jobs()
    cake = await the_poll(driver, 2)
    assert not cake.is_open and cake.closed_at == NOW and cake.closed_by is None
    assert (await the_poll(driver, 1)).is_open
    async with driver.sessions() as session:
        due = await session.scalars(
            select(Job.kind).where(Job.ref_id == cake.id, Job.state == JobState.DUE)
        )
        assert list(due) == [], "the deadline and the reminder are cancelled"
    [result] = await posted(driver, chat)
    assert "Closed early: everyone has voted." in result.payload["text"]
    assert "Turnout: 2 of 3" in result.payload["text"]


async def test_concurrent_last_votes_close_the_poll_once(driver: Driver) -> None:
    """Six last votes at once, each in its own transaction, as a press does it: at least one
    of them sees that everyone has voted (never none), and the poll closes once."""
    alice = driver.person("Alice")
    people = [driver.person(f"M{i}") for i in range(6)]
    chat = await driver.community(alice, *people)
    keys = keys_of(await driver.send(alice, chat, "/poll Bins on Monday? | Yes | No"))
    await driver.press(alice, chat, keys["2. No"])
    poll = await the_poll(driver)

    async def last_vote(person: Person) -> bool:
        async with driver.sessions() as session, session.begin():
            change = await vote(session, poll.id, person.id, 0, driver.clock.now())
            if change.cast and await closes_early_now(session, change.poll):
                session.add(Job(kind=EVERYONE_VOTED, ref_id=poll.id, due_at=NOW))
                return True
            return False

    seen = await asyncio.gather(*(last_vote(person) for person in people))
    assert any(seen)
    await driver.run_jobs()
    closed = await the_poll(driver)
    assert not closed.is_open and closed.result is not None and closed.result["counts"] == [6, 1]
    results = [m for m in await posted(driver, chat) if "Poll #1 is closed" in m.payload["text"]]
    assert len(results) == 1


async def test_a_meeting_poll_ranks_its_slots_and_names_who_can_come(driver: Driver) -> None:
    alice, bob, carol = driver.person("Alice"), driver.person("Bob <b>"), driver.person("Carol")
    chat = await driver.community(alice, bob, carol, setup="Europe/Berlin en")
    opened = await driver.send(
        alice, chat, "/poll when Clean-up day? | sun 15:00 | Sat 10:00-12:00 | 2026-03-13 18:00"
    )
    message = text(opened)
    assert "1. Sat 7 Mar, 10:00–12:00 CET" in message and "2. Sun 8 Mar, 15:00 CET" in message
    keys = keys_of(opened)
    assert len([k for k in keys if k[0].isdigit()]) == 9 and "1 🤔 Maybe" in keys
    async with driver.sessions() as session:
        poll = await session.scalar(select(Poll))
        assert poll is not None and poll.ballot_key is None and poll.quorum is None

    pressed = await driver.press(bob, chat, keys["2 ✅ Yes"])
    assert "2 slots have no answer yet" in answer(pressed)
    [live] = edits(pressed, chat)
    assert "2. Sun 8 Mar, 15:00 CET — ✅ 1 · 🤔 0 · ❌ 0" in live.text
    assert "Ballots cast: 0 of 3" in live.text, "a ballot counts once every slot has an answer"
    cleared = await driver.press(bob, chat, keys["2 ✅ Yes"])
    assert "Your answers are cleared." in answer(cleared)
    for person, picks in (
        (alice, ("1 ✅ Yes", "2 🤔 Maybe", "3 ❌ No")),
        (bob, ("1 ✅ Yes", "2 ✅ Yes", "3 ❌ No")),
        (carol, ("1 🤔 Maybe", "2 ✅ Yes", "3 ✅ Yes")),
    ):
        for pick in picks:
            last = await driver.press(person, chat, keys[pick])
    assert "Ballots cast: 3 of 3" in edits(last, chat)[0].text
    assert "Your answers: 1 🤔 · 2 ✅ · 3 ✅" in answer(
        await driver.press(carol, chat, keys["My answers"])
    )

    await driver.run_jobs()
    [result] = await posted(driver, chat)
    caption = result.payload["text"]
    assert "Closed early: everyone has voted." in caption
    # Sat and Sun both have 2 yes and 1 maybe: a tie, both named with who can come.
    assert "Tie between: Sat 7 Mar, 10:00–12:00 CET; Sun 8 Mar, 15:00 CET." in caption
    assert "Can come to Sun 8 Mar, 15:00 CET: Bob &lt;b&gt;, Carol" in caption
    assert "Maybe: Alice" in caption and "Maybe: Carol" in caption
    assert caption.index("🏆 1. Sat") < caption.index("3. Fri")
    chart = ChartRequest.from_json(result.payload["chart"])
    assert chart.layout == "grid" and chart.highlight == (0, 1)
    assert chart.cells == ((2, 1, 0), (2, 1, 0), (1, 0, 2))
    async with driver.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(SlotAnswer)) == 9
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert "poll.slots_tied" in actions


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ("can't read the time slot “friday evening”", "fri 18:00", "/poll when")),
        ("ru", ("Не могу прочитать время", "пт 18:00", "/poll when")),
        ("zh-hans", ("无法识别", "周五 18:00", "/poll when")),
    ],
)
async def test_an_unreadable_slot_gets_a_localized_hint_with_an_example(
    driver: Driver, language: str, words: tuple[str, ...]
) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice, setup=f"Europe/Berlin {language}")
    reply = text(await driver.send(alice, chat, "/poll when Meet? | friday evening"))
    assert all(word in reply for word in words), reply
    example = reply.split("<code>")[1].split("</code>")[0]
    assert parse_poll(example.removeprefix("/poll "), NOW, "Europe/Berlin").kind is PollKind.MEETING


async def test_a_reply_to_a_named_message_reaches_the_feature_that_asked(
    sessions: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    """Plain text that replies to a message posted under ``ask:…`` goes to ``on_reply("ask")``;
    other text, in private, still gets the community feature's one-time hint."""
    heard: list[tuple[str, str]] = []
    asking = Feature("asking")

    @asking.command("ask", N_("say it back"), where=Where.ANY)
    async def ask(ctx: Context) -> None:
        ctx.reply("What is it?", key="ask:7")

    @asking.on_reply("ask")
    async def answered(ctx: Context, key: str) -> None:
        heard.append((key, ctx.incoming.text))

    driver = Driver(sessions, clock, features=[*all_features(), asking])
    alice = driver.person("Alice")
    private = driver.private(alice)
    await driver.send(alice, private, "/start")
    replies = await reply_to(driver, alice, private, 41, "ask:7", "a bench")
    assert heard == [("ask:7", "a bench")] and replies == []
    other = Incoming(user=alice, chat=private, at=NOW, text="hello", message_id=3, reply_to=40)
    assert "only understand commands" in text(await driver.app.handle(other))


# --- charts ---------------------------------------------------------------------------------

STACKED = ChartRequest(
    "#3 Glass door?",
    ("",),
    (8,),
    subtitle="Blocked: 1 block · Turnout 80%",
    layout="stacked",
    series=("Agree 5", "Abstain 1", "Disagree 1", "Block 1"),
    cells=((5, 1, 1, 1),),
    colours=("#3b9c5a", "#9aa5b1", "#e0a43a", "#c8423b"),
)
GRID = ChartRequest(
    "#4 Субботник 大扫除",
    ("1. сб 7 мар., 10:00–12:00 CET", "2. Sun 8 Mar, 15:00 CET"),
    (5, 5),
    layout="grid",
    series=("Да", "Возможно", "Нет"),
    cells=((3, 1, 1), (4, 0, 1)),
    colours=("#3b9c5a", "#e0a43a", "#c8423b"),
    highlight=(1,),
)


@pytest.mark.parametrize("chart", [STACKED, GRID], ids=["consent", "meeting"])
def test_consent_and_meeting_charts_draw_and_survive_the_outbox(chart: ChartRequest) -> None:
    import warnings

    again = ChartRequest.from_json(chart.as_json())
    assert again == chart
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = again.render()
    assert png.startswith(b"\x89PNG") and png == chart.render()
    assert png != ChartRequest(chart.title, ("A",), (1,)).render()


def test_a_bars_chart_keeps_the_payload_it_always_had() -> None:
    plain = ChartRequest("#1 Paint?", ("1. Yes",), (2,))
    assert set(plain.as_json()) == {"title", "labels", "values", "value_labels", "subtitle"}
    with pytest.raises(ValueError):
        ChartRequest(
            "x", ("a",), (1,), layout="grid", series=("y",), cells=((1, 2),), colours=("#000",)
        ).render()
