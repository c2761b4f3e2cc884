"""Competing proposals for a need: proposing, supporting, listing, and the ranked vote among
them and "not now" whose winner becomes the plan item."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from handlers.core import tally
from handlers.core.limits import MESSAGE_TEXT
from handlers.core.messages import Chat, Person, plain_text
from handlers.core.outcome import Outcome
from handlers.needs.rules import (
    MAX_PROPOSALS,
    OPTION_CHARS,
    Decision,
    Verdict,
    ballot_options,
    decide,
)
from handlers.polls.voting import count_poll
from models import (
    AuditEntry,
    Community,
    Need,
    NeedStatus,
    OutboxMessage,
    PlanItem,
    Poll,
    PollKind,
)
from models.needs import TEXT_LIMIT
from tests.support import Driver, answers, buttons, text

# The rule: a ranked vote among proposals and "not now" --------------------------------------

NOT_NOW = "Not now"


def counted(
    rankings: list[list[int]], proposals: int, *, electorate: int = 0, quorum: float | None = None
) -> Outcome:
    """What the polls feature hands the close hook: these ballots counted by instant runoff."""
    poll = Poll(
        kind=PollKind.RANKED,
        options=[f"P{i}" for i in range(proposals)] + [NOT_NOW],
        electorate=electorate or len(rankings),
        quorum=quorum,
    )
    grouped: dict[tuple[int, ...], int] = {}
    for ranking in rankings:
        grouped[tuple(ranking)] = grouped.get(tuple(ranking), 0) + 1
    return count_poll(poll, grouped.items())


def rankings(options: int) -> st.SearchStrategy[list[int]]:
    return st.permutations(range(options)).flatmap(
        lambda order: st.integers(1, options).map(lambda k: list(order[:k]))
    )


@st.composite
def votes(draw: st.DrawFn) -> tuple[int, list[list[int]]]:
    proposals = draw(st.integers(1, MAX_PROPOSALS))
    return proposals, draw(st.lists(rankings(proposals + 1), max_size=40))


@given(votes())
def test_the_decision_is_the_instant_runoff_winner_read_as_proposal_or_not_now(
    drawn: tuple[int, list[list[int]]],
) -> None:
    proposals, cast = drawn
    decision = decide(counted(cast, proposals), proposals)
    irv = tally.tally_ranked(cast, proposals + 1)
    if not cast:
        assert decision == Decision(Verdict.NO_VOTES)
    elif irv.winner is None:
        assert decision.verdict is Verdict.TIE
        assert decision.tied == tuple(0 if o == proposals else o + 1 for o in irv.tied)
        assert len(decision.tied) >= 2
    elif irv.winner == proposals:
        assert decision == Decision(Verdict.NOT_NOW)
    else:
        assert decision == Decision(Verdict.ADOPTED, proposal=irv.winner + 1)
        assert 1 <= irv.winner + 1 <= proposals


@given(votes(), st.data())
def test_a_majority_of_first_preferences_wins_at_once(
    drawn: tuple[int, list[list[int]]], data: st.DataObject
) -> None:
    """Whatever the others rank, more than half putting one option first decides it."""
    proposals, others = drawn
    favourite = data.draw(st.integers(0, proposals))
    backing = [[favourite, *rest] for rest in data.draw(st.lists(st.just([]), min_size=1))]
    backing = backing * (len(others) + 1)
    decision = decide(counted(backing + others, proposals), proposals)
    if favourite == proposals:
        assert decision == Decision(Verdict.NOT_NOW)
    else:
        assert decision == Decision(Verdict.ADOPTED, proposal=favourite + 1)


@given(st.integers(1, MAX_PROPOSALS), st.integers(1, 5), st.data())
def test_options_level_in_every_round_tie_and_nothing_is_chosen(
    proposals: int, each: int, data: st.DataObject
) -> None:
    level = data.draw(st.sets(st.integers(0, proposals), min_size=2))
    cast = [[option] for option in sorted(level) for _ in range(each)]
    decision = decide(counted(cast, proposals), proposals)
    assert decision.verdict is Verdict.TIE
    assert set(decision.tied) == {0 if o == proposals else o + 1 for o in level}


@given(votes())
def test_without_quorum_even_a_clear_winner_decides_nothing(
    drawn: tuple[int, list[list[int]]],
) -> None:
    proposals, cast = drawn
    outcome = counted(cast, proposals, electorate=len(cast) * 2 + 1, quorum=0.5)
    expected = Verdict.NO_VOTES if not cast else Verdict.NO_QUORUM
    assert decide(outcome, proposals).verdict is expected


def test_a_ballot_that_is_not_proposals_and_not_now_is_refused() -> None:
    with pytest.raises(ValueError):
        decide(counted([[0]], 2), 3)


@given(
    st.lists(
        st.sampled_from(["Paint the fence green", "paint the fence GREEN", "Not now", "x" * 60])
        | st.text(min_size=1, max_size=TEXT_LIMIT).filter(str.strip),
        min_size=1,
        max_size=MAX_PROPOSALS,
    )
)
def test_ballot_options_fit_a_button_differ_and_end_with_not_now(texts: list[str]) -> None:
    options = ballot_options(texts, NOT_NOW)
    assert len(options) == len(texts) + 1 and options[-1] == NOT_NOW
    assert all(0 < len(option) <= OPTION_CHARS for option in options)
    assert len({option.casefold() for option in options}) == len(options)


def test_proposals_beginning_alike_are_told_apart_by_number() -> None:
    long = "Buy a steel rack at the hardware store on Main Street"
    first, second, not_now = ballot_options([long + ", A", long + ", B"], NOT_NOW)
    assert first.startswith("#1 Buy a steel rack") and second.startswith("#2 Buy a steel rack")
    assert not_now == NOT_NOW
    assert ballot_options(["Weld one", "Buy one"], NOT_NOW) == ["Weld one", "Buy one", NOT_NOW]
    assert ballot_options(["not now"], NOT_NOW) == ["#1 not now", NOT_NOW]


# Proposing and supporting -------------------------------------------------------------------


async def need_row(driver: Driver, number: int) -> Need:
    async with driver.sessions() as session:
        found = await session.scalar(select(Need).where(Need.number == number))
        assert found is not None
        return found


async def card_edits(driver: Driver, need: Need) -> list[OutboxMessage]:
    async with driver.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [row for row in rows if row.payload.get("edit_key") == f"need:{need.id}"]


async def card_buttons(driver: Driver, need: Need) -> dict[str, str]:
    """Label → callback data of the buttons on the need's card as last edited."""
    card = (await card_edits(driver, need))[-1]
    return {label: data for row in card.payload["buttons"] for label, data in row}


async def posts(driver: Driver, chat: Chat) -> list[str]:
    async with driver.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat.id).order_by(OutboxMessage.id)
        )
        return [row.payload["text"] for row in rows if "edit_key" not in row.payload]


async def rack_need(driver: Driver) -> tuple[Chat, Person, Person, Person]:
    alice, bob, carol = driver.person("Alice"), driver.person("Bob"), driver.person("Carol")
    chat = await driver.community(alice, bob, carol)
    await driver.send(alice, chat, "/need A bike rack by the entrance")
    return chat, alice, bob, carol


async def test_a_proposal_joins_the_need_and_its_card_gets_a_support_button(
    driver: Driver,
) -> None:
    chat, alice, bob, _ = await rack_need(driver)
    reply = text(await driver.send(bob, chat, "/propose 1 Buy a steel rack at the hardware store"))
    assert "Bob proposed #1.1, a way to meet need #1" in reply
    assert "Buy a steel rack" in reply

    need = await need_row(driver, 1)
    [edit] = await card_edits(driver, need)
    assert "<b>Proposals</b>" in edit.payload["text"]
    assert (
        "<b>#1.1</b> Buy a steel rack at the hardware store — Bob, 0 supporters"
        in (edit.payload["text"])
    )
    labels = [label for row in edit.payload["buttons"] for label, _ in row]
    assert labels == ["👍 Support (0)", "👍 #1.1 (0)"]

    await driver.send(alice, chat, "/propose #1 Weld one from old pipes")
    async with driver.sessions() as session:
        logged = list(
            await session.scalars(
                select(AuditEntry.details).where(AuditEntry.action == "need.proposal")
            )
        )
    assert [entry["label"] for entry in logged] == ["#1.1", "#1.2"]


BAD_PROPOSALS = [
    ("/propose", "Which need, and how would you meet it?"),
    ("/propose 1", "Say how to meet need #1."),
    ("/propose 7 Buy one", "There is no need #7"),
    ("/propose one Buy one", "is not a number"),
    ("/propose 1 " + "x" * (TEXT_LIMIT + 1), "the limit is 500"),
]


async def test_bad_proposals_get_a_reason_and_an_example(driver: Driver) -> None:
    chat, _, bob, _ = await rack_need(driver)
    for command, says in BAD_PROPOSALS:
        reply = text(await driver.send(bob, chat, command))
        assert says in reply, command
        assert "Example: <code>/propose" in reply, command


async def test_proposals_are_refused_on_adopted_and_voting_needs_and_beyond_nine(
    driver: Driver,
) -> None:
    chat, alice, bob, _ = await rack_need(driver)
    await driver.send(bob, chat, "/propose 1 Buy one")
    assert "already proposal #1.1" in text(await driver.send(alice, chat, "/propose 1 buy ONE"))
    for n in range(2, MAX_PROPOSALS + 1):
        await driver.send(bob, chat, f"/propose 1 Way number {n}")
    refused = text(await driver.send(alice, chat, "/propose 1 One more"))
    assert "already has 9 proposals, as many as one vote can rank" in refused

    await driver.send(alice, chat, "/need Fix the gate")
    await driver.send(alice, chat, "/propose 2 New hinges")
    await driver.send(alice, chat, "/adopt 2")
    refused = text(await driver.send(bob, chat, "/propose 2 A new gate"))
    assert "Need #2 is being voted on until" in refused
    assert "ballot cannot change" in refused
    await driver.send(alice, chat, "/need Plant a tree")
    await driver.send(alice, chat, "/adopt 3")  # a yes/no vote: no proposals yet
    assert "being voted on" in text(await driver.send(bob, chat, "/propose 3 An oak"))


async def test_strangers_cannot_propose(driver: Driver) -> None:
    chat, *_ = await rack_need(driver)
    stranger = driver.person("Dan")
    assert "Send /join first" in text(await driver.send(stranger, chat, "/propose 1 Buy one"))


async def test_supporting_a_proposal_toggles_and_updates_the_card(driver: Driver) -> None:
    chat, alice, bob, carol = await rack_need(driver)
    await driver.send(bob, chat, "/propose 1 Buy one")
    await driver.send(alice, chat, "/propose 1 Weld one")
    support = await card_buttons(driver, await need_row(driver, 1))

    replies = await driver.press(carol, chat, support["👍 #1.2 (0)"])
    assert answers(replies)[0].text == "You support proposal #1.2."
    card = text(replies)
    assert card.index("#1.2</b> Weld one — Alice, 1 supporter") < card.index("#1.1</b> Buy one")
    assert "👍 #1.2 (1)" in dict(buttons(replies))

    replies = await driver.press(carol, chat, support["👍 #1.2 (0)"])
    assert answers(replies)[0].text == "You no longer support proposal #1.2."
    assert "Weld one — Alice, 0 supporters" in text(replies)


async def test_needs_lists_proposals_under_their_need_most_supported_first(
    driver: Driver,
) -> None:
    chat, alice, bob, carol = await rack_need(driver)
    await driver.send(alice, chat, "/need Fix the gate")
    await driver.send(bob, chat, "/propose 1 Buy one")
    await driver.send(alice, chat, "/propose 1 Weld one")
    support = await card_buttons(driver, await need_row(driver, 1))
    await driver.press(carol, chat, support["👍 #1.2 (0)"])

    listed = text(await driver.send(carol, chat, "/needs"))
    lines = listed.splitlines()
    rack = lines.index(next(line for line in lines if "bike rack" in line))
    assert "#1.2</b> Weld one — Alice, 1 supporter" in lines[rack + 1]
    assert "#1.1</b> Buy one — Bob, 0 supporters" in lines[rack + 2]
    assert "Fix the gate" in listed


async def test_a_need_with_nine_long_proposals_fits_its_card_and_the_list(
    driver: Driver,
) -> None:
    long_name = "W" * 64 + " " + "Z" * 64
    alice = Person(id=77, first_name="W" * 64, last_name="Z" * 64)
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/need " + "&" * TEXT_LIMIT)
    for n in range(MAX_PROPOSALS):
        await driver.send(alice, chat, f"/propose 1 {n}" + "<" * (TEXT_LIMIT - 1))
    need = await need_row(driver, 1)
    card = (await card_edits(driver, need))[-1].payload["text"]
    assert long_name in card
    assert len(plain_text(card, 10 * MESSAGE_TEXT)) <= MESSAGE_TEXT
    listed = text(await driver.send(alice, chat, "/needs"))
    assert long_name in listed
    assert len(plain_text(listed, 10 * MESSAGE_TEXT)) <= MESSAGE_TEXT


# Adopting with proposals --------------------------------------------------------------------


async def ranked_vote(driver: Driver) -> tuple[Chat, list[Person], dict[str, str]]:
    """Need #1 with two proposals put to a ranked vote by Alice; its option buttons."""
    chat, alice, bob, carol = await rack_need(driver)
    await driver.send(bob, chat, "/propose 1 Buy a steel rack")
    await driver.send(carol, chat, "/propose 1 Weld one from old pipes")
    keys = dict(buttons(await driver.send(alice, chat, "/adopt 1")))
    return chat, [alice, bob, carol], keys


async def test_adopt_ranks_the_proposals_against_not_now(driver: Driver) -> None:
    _, _, keys = await ranked_vote(driver)
    assert [label for label in keys if re.match(r"\d\. ", label)] == [
        "1. Buy a steel rack",
        "2. Weld one from old pipes",
        "3. Not now",
    ]
    async with driver.sessions() as session:
        poll = await session.scalar(select(Poll))
        assert poll is not None
        assert (poll.kind, poll.subject_kind) == (PollKind.RANKED, "proposals")
        assert "Which proposal should meet need #1? A bike rack by the entrance" in poll.question
        need = await session.scalar(select(Need))
        assert need is not None and need.status is NeedStatus.VOTING and need.poll_id == poll.id
        logged = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "need.ranked_vote")
        )
        assert logged is not None


async def test_the_ranked_winner_becomes_the_plan_item_credited_to_its_author(
    driver: Driver,
) -> None:
    chat, (alice, bob, carol), keys = await ranked_vote(driver)
    # Bob: rack first; Carol and Alice: welding first. Welding wins 2 of 3.
    await driver.press(bob, chat, keys["1. Buy a steel rack"])
    for voter in (alice, carol):
        await driver.press(voter, chat, keys["2. Weld one from old pipes"])
        await driver.press(voter, chat, keys["3. Not now"])
    await driver.send(alice, chat, "/close 1")

    async with driver.sessions() as session:
        item = await session.scalar(select(PlanItem))
        assert item is not None and item.proposal is not None
        assert item.title == "Weld one from old pipes"
        assert item.proposal.author.display_name == "Carol"
        need = await session.scalar(select(Need))
        assert need is not None and need.status is NeedStatus.ADOPTED
    said = await posts(driver, chat)
    assert any(
        "Need #1 is adopted: the ranked vote chose proposal #1.2 from Carol. "
        "It is now plan item #1: Weld one from old pipes" in post
        for post in said
    )
    plan = text(await driver.send(bob, chat, "/plan"))
    assert "<b>#1</b> Weld one from old pipes — planned" in plan
    assert "💡 proposed by Carol" in plan
    need = await need_row(driver, 1)
    assert (
        "Adopted as plan item #1, with proposal #1.2 from Carol."
        in ((await card_edits(driver, need))[-1].payload["text"])
    )
    assert "need.adopted_proposal" in await actions(driver)


async def actions(driver: Driver) -> list[str]:
    async with driver.sessions() as session:
        return list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.mark.parametrize(
    ("ballots", "says"),
    [
        ([["3. Not now"], ["3. Not now"], ["1. Buy a steel rack"]], "chose “not now” for need #1"),
        (
            [["1. Buy a steel rack"], ["2. Weld one from old pipes"]],
            "ended in a tie between #1.1, #1.2",
        ),
        ([], "Nobody voted in poll #1 on need #1."),
    ],
)
async def test_not_now_a_tie_or_no_votes_leave_the_need_open_and_say_so(
    driver: Driver, ballots: list[list[str]], says: str
) -> None:
    chat, people, keys = await ranked_vote(driver)
    for voter, ranking in zip(people, ballots, strict=False):
        for label in ranking:
            await driver.press(voter, chat, keys[label])
    await driver.send(people[0], chat, "/close 1")

    said = "\n".join(await posts(driver, chat))
    assert says in said
    assert "The need stays open with its proposals; /propose 1 adds one" in said
    need = await need_row(driver, 1)
    assert need.status is NeedStatus.OPEN
    async with driver.sessions() as session:
        assert await session.scalar(select(PlanItem)) is None
    assert "need.rejected" in await actions(driver)
    # Open again: a new proposal is welcome, and /adopt ranks all three.
    await driver.send(people[1], chat, "/propose 1 Borrow one from block B")
    keys = dict(buttons(await driver.send(people[0], chat, "/adopt 1")))
    assert "3. Borrow one from block B" in keys and "4. Not now" in keys


async def test_without_quorum_the_need_stays_open(driver: Driver) -> None:
    chat, alice, bob, _ = await rack_need(driver)
    async with driver.sessions() as session, session.begin():
        community = await session.scalar(select(Community))
        assert community is not None
        community.settings = {**community.settings, "quorum": 0.9}
    await driver.send(bob, chat, "/propose 1 Buy a steel rack")
    keys = dict(buttons(await driver.send(alice, chat, "/adopt 1")))
    await driver.press(bob, chat, keys["1. Buy a steel rack"])  # one ballot of three
    await driver.send(alice, chat, "/close 1")

    said = "\n".join(await posts(driver, chat))
    assert "Too few members voted in poll #1 on need #1 for the result to count." in said
    assert (await need_row(driver, 1)).status is NeedStatus.OPEN
