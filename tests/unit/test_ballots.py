"""The secret ballot box: members change their own ballot, totals stay exact, the close unlinks."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.ballots import BallotBox, SealedBox, ballot_token
from handlers.core.choices import Choice
from models import Community, Participation, Poll, PollKind, SecretBallot, User

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_ids = itertools.count(1)


async def open_poll(
    sessions: async_sessionmaker[AsyncSession], voters: int, options: int = 3
) -> tuple[int, list[int]]:
    """A community with ``voters`` members and an open poll keyed as handlers open it."""
    n = next(_ids)
    user_ids = [n * 100_000 + i for i in range(voters)]
    async with sessions() as session, session.begin():
        session.add_all(User(id=u, display_name=f"M{u}") for u in user_ids)
        community = Community(chat_id=-n, title="Maple Court", created_at=NOW)
        session.add(community)
        await session.flush()
        poll = Poll(
            community_id=community.id,
            number=1,
            kind=PollKind.APPROVAL,
            question="Which?",
            options=[f"Option {i}" for i in range(options)],
            creator_id=user_ids[0],
            opened_at=NOW,
            closes_at=NOW + timedelta(days=3),
            electorate=voters,
            ballot_key=BallotBox.new_key(),
        )
        session.add(poll)
        await session.flush()
        return poll.id, user_ids


async def locked(session: AsyncSession, poll_id: int, *, close: bool = False) -> Poll:
    """The poll row as a caller holds it: shared by voters, exclusively by the close."""
    poll = await session.scalar(
        select(Poll)
        .where(Poll.id == poll_id)
        .with_for_update(read=not close)
        .execution_options(populate_existing=True)
    )
    assert poll is not None
    return poll


async def press(
    sessions: async_sessionmaker[AsyncSession], poll_id: int, user_id: int, choice: Choice | None
) -> tuple[Choice | None, Choice | None]:
    async with sessions() as session, session.begin():
        box = BallotBox(session, await locked(session, poll_id))
        return await box.mark(user_id, lambda _before: choice)


async def toggle(
    sessions: async_sessionmaker[AsyncSession], poll_id: int, user_id: int, option: int
) -> None:
    """An approval press: a read-modify-write that would lose a toggle without the row lock."""

    def flip(before: Choice | None) -> Choice | None:
        return tuple(sorted(set(before or ()) ^ {option})) or None

    async with sessions() as session, session.begin():
        await BallotBox(session, await locked(session, poll_id)).mark(user_id, flip)


async def box_state(
    sessions: async_sessionmaker[AsyncSession], poll_id: int
) -> tuple[Counter[Choice], set[int], int]:
    """(totals, participants, ballot rows) of a poll, read the way the close reads them."""
    async with sessions() as session:
        box = BallotBox(session, await locked(session, poll_id))
        totals = Counter(dict(await box.totals()))
        voters = set(
            await session.scalars(
                select(Participation.user_id).where(Participation.poll_id == poll_id)
            )
        )
        return totals, voters, await box.count()


async def test_a_member_replaces_and_then_withdraws_their_own_ballot(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    poll_id, (alice, bob) = await open_poll(sessions, 2)
    assert await press(sessions, poll_id, alice, (1,)) == (None, (1,))
    assert await press(sessions, poll_id, bob, (0,)) == (None, (0,))
    assert await press(sessions, poll_id, alice, (2,)) == ((1,), (2,))
    async with sessions() as session:
        box = BallotBox(session, await locked(session, poll_id))
        assert await box.mine(alice) == (2,) and await box.mine(bob) == (0,)
    assert await box_state(sessions, poll_id) == (Counter({(2,): 1, (0,): 1}), {alice, bob}, 2)

    assert await press(sessions, poll_id, alice, None) == ((2,), None)
    async with sessions() as session:
        assert await BallotBox(session, await locked(session, poll_id)).mine(alice) is None
    assert await box_state(sessions, poll_id) == (Counter({(0,): 1}), {bob}, 1)


async def test_an_unchanged_press_writes_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    poll_id, (alice,) = await open_poll(sessions, 1)
    await press(sessions, poll_id, alice, (1,))
    assert await press(sessions, poll_id, alice, (1,)) == ((1,), (1,))
    assert await press(sessions, poll_id, alice, None) == ((1,), None)
    assert await press(sessions, poll_id, alice, None) == (None, None)
    assert await box_state(sessions, poll_id) == (Counter(), set(), 0)


async def test_approval_rankings_and_forty_options_are_stored_as_cast(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    poll_id, (alice, bob, carol) = await open_poll(sessions, 3, options=40)
    cast = {alice: (0, 3, 11), bob: (39, 2, 10, 0), carol: tuple(range(40))}
    for user, choice in cast.items():
        await press(sessions, poll_id, user, choice)
    async with sessions() as session:
        box = BallotBox(session, await locked(session, poll_id))
        assert await box.choices_of([alice, bob, carol, 999]) == cast
        stored = set(await session.scalars(select(SecretBallot.choice)))
    assert "39,2,10,0" in stored and "0,3,11" in stored
    assert (await box_state(sessions, poll_id))[0] == Counter(cast.values())


async def test_members_who_have_not_voted_are_found_for_reminders(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    poll_id, (alice, bob, carol) = await open_poll(sessions, 3)
    await press(sessions, poll_id, bob, (1,))
    async with sessions() as session:
        box = BallotBox(session, await locked(session, poll_id))
        not_voted = await session.scalars(
            select(User.id).where(User.id.in_([alice, bob, carol]), ~box.has_voted(User.id))
        )
        assert set(not_voted) == {alice, carol}


async def test_fifty_members_pressing_at_once_give_exact_totals(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    poll_id, members = await open_poll(sessions, 50)
    await asyncio.gather(*(press(sessions, poll_id, m, (i % 3,)) for i, m in enumerate(members)))
    totals, voters, rows = await box_state(sessions, poll_id)
    assert totals == Counter({(0,): 17, (1,): 17, (2,): 16})
    assert voters == set(members) and rows == 50


async def test_one_member_pressing_many_times_at_once_keeps_one_ballot(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Racing first presses: one inserts, the others apply on top of it; no toggle is lost."""
    poll_id, (alice, *others) = await open_poll(sessions, 21, options=10)
    await asyncio.gather(*(toggle(sessions, poll_id, alice, option) for option in range(10)))
    await asyncio.gather(*(toggle(sessions, poll_id, m, o) for m in others for o in (0, 1)))
    totals, voters, rows = await box_state(sessions, poll_id)
    assert totals == Counter({tuple(range(10)): 1, (0, 1): 20})
    assert voters == {alice, *others} and rows == 21


async def test_after_the_seal_no_ballot_leads_back_to_a_member(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    poll_id, members = await open_poll(sessions, 6)
    cast = {m: (i % 2,) for i, m in enumerate(members[:5])}
    for member, choice in cast.items():
        await press(sessions, poll_id, member, choice)
    async with sessions() as session, session.begin():
        poll = await locked(session, poll_id, close=True)
        key = poll.ballot_key
        assert key is not None
        box = BallotBox(session, poll)
        assert await box.choices_of(members) == cast  # each voter is told their vote first
        await box.seal()
        assert box.sealed
    async with sessions() as session:
        poll = await locked(session, poll_id)
        box = BallotBox(session, poll)
        assert poll.ballot_key is None
        assert [c.name for c in inspect(SecretBallot).columns] == ["poll_id", "token", "choice"]
        tokens = set(await session.scalars(select(SecretBallot.token)))
        # Not even the erased key would find them again: the tokens were drawn anew.
        assert len(tokens) == 5 and tokens.isdisjoint(ballot_token(key, m) for m in members)
        assert all(len(t) == 64 and int(t, 16) >= 0 for t in tokens)
        assert Counter(dict(await box.totals())) == Counter({(0,): 3, (1,): 2})
        assert await box.count() == 5
        for read in (box.mine(members[0]), box.choices_of(members)):
            with pytest.raises(SealedBox):
                await read
        with pytest.raises(SealedBox):
            await box.mark(members[5], lambda _before: (0,))


presses = st.lists(
    st.tuples(
        st.integers(0, 4),
        st.none() | st.lists(st.integers(0, 11), min_size=1, max_size=4, unique=True).map(tuple),
    ),
    max_size=25,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sequence=presses)
async def test_totals_are_the_final_choices_of_any_sequence_of_presses(
    sessions: async_sessionmaker[AsyncSession], sequence: Sequence[tuple[int, Choice | None]]
) -> None:
    poll_id, members = await open_poll(sessions, 5, options=12)
    final: dict[int, Choice | None] = {}
    for who, choice in sequence:
        await press(sessions, poll_id, members[who], choice)
        final[members[who]] = choice
    totals, voters, rows = await box_state(sessions, poll_id)
    assert totals == Counter(c for c in final.values() if c is not None)
    assert voters == {m for m, c in final.items() if c is not None} and rows == len(voters)
