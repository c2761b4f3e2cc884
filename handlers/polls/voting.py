"""Ballots and counts: who may vote, one press applied, a poll locked and counted."""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from handlers.core import tally
from handlers.core.ballots import BallotBox
from handlers.core.buttons import BadAction
from handlers.core.choices import Choice
from handlers.core.outcome import Outcome
from handlers.polls import rules
from models import Community, Member, Poll, PollKind, PollVoter


def choices(choice: Choice | None) -> list[int]:
    return list(choice or ())


log = logging.getLogger(__name__)


class Refusal(enum.Enum):
    NO_POLL = "no_poll"
    CLOSED = "closed"
    NOT_MEMBER = "not_member"
    LATE_JOINER = "late_joiner"


class VoteRefused(Exception):
    def __init__(self, reason: Refusal, poll: Poll | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.poll = poll


@dataclass(frozen=True, slots=True)
class VoteChange:
    """A voter's ballot before and after a press (None: no ballot)."""

    poll: Poll
    before: Choice | None
    after: Choice | None

    @property
    def counted_changed(self) -> bool:
        """Whether the number of ballots went up or down."""
        return (self.before is None) != (self.after is None)


PRESS = {
    PollKind.SINGLE: rules.press_single,
    PollKind.APPROVAL: rules.press_approval,
    PollKind.RANKED: rules.press_ranked,
}


def next_choice(kind: PollKind, before: Choice | None, option: int | None) -> Choice | None:
    """The ballot after pressing ``option`` (None: clear) on ballot ``before``."""
    if option is None:
        return None
    return PRESS[kind](before, option)


def quorum(community: Community) -> float | None:
    value = (community.settings or {}).get("quorum")
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1:
        return float(value)
    if value not in (None, 0):
        log.warning("community %s has an unusable quorum setting %r", community.id, value)
    return None


async def count_rows(session: AsyncSession, table: type[PollVoter], poll_id: int) -> int:
    found = await session.scalar(
        select(func.count()).select_from(table).where(table.poll_id == poll_id)
    )
    return int(found or 0)


async def poll_for_voter(session: AsyncSession, poll_id: int, user_id: int, now: datetime) -> Poll:
    """The poll, share-locked against closing, once ``user_id`` may vote in it."""
    poll = await session.scalar(
        select(Poll)
        .where(Poll.id == poll_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    if poll is None:
        raise VoteRefused(Refusal.NO_POLL)
    if poll.closed_at is not None or now >= poll.closes_at:
        raise VoteRefused(Refusal.CLOSED, poll)
    row = (
        await session.execute(
            select(Member.left_at, PollVoter.user_id)
            .select_from(Member)
            .outerjoin(
                PollVoter, (PollVoter.poll_id == poll.id) & (PollVoter.user_id == Member.user_id)
            )
            .where(Member.community_id == poll.community_id, Member.user_id == user_id)
        )
    ).first()
    if row is None or row.left_at is not None:
        raise VoteRefused(Refusal.NOT_MEMBER, poll)
    if row.user_id is None:
        raise VoteRefused(Refusal.LATE_JOINER, poll)
    return poll


async def vote(
    session: AsyncSession, poll_id: int, user_id: int, option: int | None, now: datetime
) -> VoteChange:
    """Apply one press of ``option`` (None: clear the ballot) by ``user_id``.

    Raises VoteRefused when the poll is unknown or closed or the user may
    not vote, and BadAction for an option the poll does not have.
    """
    poll = await poll_for_voter(session, poll_id, user_id, now)
    if option is not None and not 0 <= option < len(poll.options):
        raise BadAction(f"poll {poll_id} has no option {option}")
    before, after = await BallotBox(session, poll).mark(
        user_id, lambda current: next_choice(poll.kind, current, option)
    )
    return VoteChange(poll, before, after)


async def poll_community(session: AsyncSession, poll: Poll) -> Community:
    community = await session.get(Community, poll.community_id)
    assert community is not None
    return community


def count_poll(poll: Poll, ballots: Iterable[tuple[Choice, int]]) -> Outcome:
    """Count ``ballots`` given as (choice, how many voters cast exactly it)."""
    n = len(poll.options)
    grouped = [(choices(choice), weight) for choice, weight in ballots]
    cast = sum(weight for _, weight in grouped)
    valid = tally.quorum_met(cast, poll.electorate, poll.quorum)
    rounds: tuple[tally.Round, ...] = ()
    if poll.kind is PollKind.RANKED:
        ranked = tally.tally_ranked(expand(grouped), n)
        rounds = ranked.rounds
        counts = ranked.final.counts
        winners = (ranked.winner,) if ranked.winner is not None else ranked.tied
    else:
        if poll.kind is PollKind.SINGLE:
            result = tally.tally_single((c[0] for c in expand(grouped)), n)
        else:
            result = tally.tally_approval(expand(grouped), n)
        counts, winners = result.counts, result.winners
    two_way = poll.kind is PollKind.SINGLE and n == 2
    passed = rules.passed(
        valid=valid, counts=tuple(counts), winners=tuple(winners), two_way=two_way
    )
    return Outcome(
        ballots=cast,
        electorate=poll.electorate,
        quorum=poll.quorum,
        valid=valid,
        passed=passed,
        counts=tuple(counts),
        winners=tuple(winners),
        rounds=rounds,
    )


def expand(grouped: Iterable[tuple[list[int], int]]) -> Iterable[list[int]]:
    for choice, weight in grouped:
        for _ in range(weight):
            yield choice


async def lock_for_close(session: AsyncSession, where: ColumnElement[bool]) -> Poll | None:
    return await session.scalar(
        select(Poll).where(where).with_for_update().execution_options(populate_existing=True)
    )
