"""Ballots and counts: who may vote, one press applied, a poll locked and counted.

Also when a poll may close early: ``closes_early_now`` after a ballot is cast
(serialised between concurrent last votes), ``eligible_turnout`` for the job
that then closes it under the poll's exclusive lock.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from handlers.core import tally
from handlers.core.ballots import BallotBox
from handlers.core.buttons import BadAction
from handlers.core.choices import Choice
from handlers.core.outcome import Outcome
from handlers.polls import rules
from handlers.polls.answers import Answers, SlotAnswers
from handlers.polls.blocks import BlockReasons
from models import Availability, Community, Member, Poll, PollKind, PollVoter, SlotAnswer


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
    #: A consent poll's Block was pressed: the ballot is unchanged until its reason comes.
    awaits_reason: bool = False

    @property
    def counted_changed(self) -> bool:
        """Whether the number of ballots went up or down."""
        return (self.before is None) != (self.after is None)

    @property
    def cast(self) -> bool:
        """This press cast a ballot that was not there: maybe the last one missing."""
        return self.before is None and self.after is not None


@dataclass(frozen=True, slots=True)
class SlotChange:
    """A member's answers to a meeting poll before and after a press."""

    poll: Poll
    before: Answers
    after: Answers

    @property
    def counted_changed(self) -> bool:
        """Whether the ballot became complete, or stopped being."""
        slots = len(self.poll.options)
        return rules.answered_every_slot(self.before, slots) != rules.answered_every_slot(
            self.after, slots
        )

    @property
    def cast(self) -> bool:
        return self.counted_changed and rules.answered_every_slot(
            self.after, len(self.poll.options)
        )


def _press_consent(before: Choice | None, option: int) -> Choice | None:
    return rules.press_consent(before, option).after


PRESS = {
    PollKind.SINGLE: rules.press_single,
    PollKind.APPROVAL: rules.press_approval,
    PollKind.RANKED: rules.press_ranked,
    PollKind.CONSENT: _press_consent,
}


def next_choice(kind: PollKind, before: Choice | None, option: int | None) -> Choice | None:
    """The ballot after pressing ``option`` (None: clear) on ballot ``before``.

    Not for meeting polls: their answers are not a ballot (``answer_slot``).
    """
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
    if poll.kind is PollKind.MEETING:
        raise BadAction(f"poll {poll_id} is a meeting poll: no ballot")
    if option is not None and not 0 <= option < len(poll.options):
        raise BadAction(f"poll {poll_id} has no option {option}")
    if poll.kind is not PollKind.CONSENT:
        before, after = await BallotBox(session, poll).mark(
            user_id, lambda current: next_choice(poll.kind, current, option)
        )
        return VoteChange(poll, before, after)
    presses: list[rules.ConsentPress] = []

    def press(current: Choice | None) -> Choice | None:
        presses.append(
            rules.ConsentPress(None) if option is None else rules.press_consent(current, option)
        )
        return presses[-1].after

    before, after = await BallotBox(session, poll).mark(user_id, press)
    blocks = BlockReasons(session, poll)
    awaits = presses[-1].awaits_reason
    if awaits:
        await blocks.await_reason(user_id)
    elif after != (rules.BLOCK,):
        await blocks.drop(user_id)
    return VoteChange(poll, before, after, awaits)


async def block(session: AsyncSession, poll: Poll, user_id: int, reason: str) -> VoteChange:
    """``user_id``'s ballot in consent ``poll`` (checked and share-locked) is a block for ``reason``.

    Given again, the reason replaces the earlier one.
    """
    before, after = await BallotBox(session, poll).mark(user_id, lambda _: (rules.BLOCK,))
    await BlockReasons(session, poll).give(user_id, reason)
    return VoteChange(poll, before, after)


async def answer_slot(
    session: AsyncSession,
    poll_id: int,
    user_id: int,
    slot: int | None,
    answer: Availability | None,
    now: datetime,
) -> SlotChange:
    """One press on a meeting poll: ``answer`` for ``slot``; ``slot`` None clears every answer."""
    poll = await poll_for_voter(session, poll_id, user_id, now)
    if poll.kind is not PollKind.MEETING:
        raise BadAction(f"poll {poll_id} has no time slots")
    if slot is not None and not 0 <= slot < len(poll.options):
        raise BadAction(f"poll {poll_id} has no slot {slot}")
    store = SlotAnswers(session, poll)
    before = await store.mine(user_id)
    after: Answers = (
        {} if slot is None or answer is None else rules.press_slot(before, slot, answer)
    )
    await store.change(user_id, before, after)
    return SlotChange(poll, before, after)


async def poll_community(session: AsyncSession, poll: Poll) -> Community:
    community = await session.get(Community, poll.community_id)
    assert community is not None
    return community


def count_poll(poll: Poll, ballots: Iterable[tuple[Choice, int]]) -> Outcome:
    """Count ``ballots`` given as (choice, how many voters cast exactly it).

    A consent poll's ``counts`` are agree, abstain, disagree and blocks (each
    block has its reason: one still waiting for it is no ballot); it passes by
    ``tally.decide_consent``. Meeting polls are counted by ``count_meeting``.
    """
    n = len(poll.options)
    grouped = [(choices(choice), weight) for choice, weight in ballots]
    cast = sum(weight for _, weight in grouped)
    valid = tally.quorum_met(cast, poll.electorate, poll.quorum)
    rounds: tuple[tally.Round, ...] = ()
    if poll.kind is PollKind.CONSENT:
        result = tally.tally_single((c[0] for c in expand(grouped)), n)
        decided = tally.decide_consent(*result.counts, valid=valid)
        return Outcome(
            ballots=cast,
            electorate=poll.electorate,
            quorum=poll.quorum,
            valid=valid,
            passed=decided.passed,
            counts=result.counts,
            winners=result.winners,
        )
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


def count_meeting(poll: Poll, slots: Sequence[tally.SlotCount], complete: int) -> Outcome:
    """A meeting poll's count: ``counts`` are the yes per slot, ``winners`` the best slots.

    ``complete`` is how many answered every slot: the ballots cast. A meeting
    is not a decision, so no quorum applies; it "passed" with one best slot.
    """
    winners = tally.best_slots(slots)
    return Outcome(
        ballots=complete,
        electorate=poll.electorate,
        quorum=None,
        valid=True,
        passed=len(winners) == 1,
        counts=tuple(slot.yes for slot in slots),
        winners=winners,
    )


@dataclass(frozen=True, slots=True)
class Details:
    """What a result shows beyond the counts: a consent poll's block reasons (sorted, no
    names) and blocks never explained; a meeting poll's answers per slot and who can come
    to each best slot (yes, then maybe)."""

    reasons: tuple[str, ...] = ()
    unexplained: int = 0
    slots: tuple[tally.SlotCount, ...] = ()
    coming: dict[int, tuple[list[str], list[str]]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.reasons or self.unexplained:
            found["block_reasons"] = list(self.reasons)
            found["blocks_without_reason"] = self.unexplained
        if self.slots:
            found["slot_answers"] = [[s.yes, s.maybe, s.no] for s in self.slots]
            found["coming"] = {str(i): {"yes": y, "maybe": m} for i, (y, m) in self.coming.items()}
        return found


async def count_with_details(session: AsyncSession, poll: Poll) -> tuple[Outcome, Details]:
    """The outcome of ``poll`` as it stands, with what its result shows beyond the counts."""
    if poll.kind is PollKind.MEETING:
        store = SlotAnswers(session, poll)
        slots = await store.counts()
        outcome = count_meeting(poll, slots, await store.complete())
        coming = {
            i: (
                await store.names(i, Availability.YES),
                await store.names(i, Availability.MAYBE),
            )
            for i in outcome.winners
        }
        return outcome, Details(slots=tuple(slots), coming=coming)
    outcome = count_poll(poll, await BallotBox(session, poll).totals())
    if poll.kind is not PollKind.CONSENT:
        return outcome, Details()
    blocks = BlockReasons(session, poll)
    return outcome, Details(
        reasons=tuple(await blocks.reasons()), unexplained=await blocks.awaiting()
    )


async def live_counts(session: AsyncSession, poll: Poll) -> list[tuple[int, ...]]:
    """Per option what the open poll's message shows when its counts are not hidden.

    Votes, approvals or consent answers as ``(n,)``; a ranked poll's first
    choices (the runoff decides only at the close); a meeting slot's
    ``(yes, maybe, no)``.
    """
    if poll.kind is PollKind.MEETING:
        return [(s.yes, s.maybe, s.no) for s in await SlotAnswers(session, poll).counts()]
    counts = [0] * len(poll.options)
    for choice, weight in await BallotBox(session, poll).totals():
        for option in choice[:1] if poll.kind is not PollKind.APPROVAL else choice:
            counts[option] += weight
    return [(n,) for n in counts]


async def ballots_cast(session: AsyncSession, poll: Poll) -> int:
    """Ballots in the box; for a meeting poll, members who answered every slot."""
    if poll.kind is PollKind.MEETING:
        return await SlotAnswers(session, poll).complete()
    return await BallotBox(session, poll).count()


def has_voted(session: AsyncSession, poll: Poll, user_id_column: Any) -> ColumnElement[bool]:
    """SQL truth of "this member has cast a ballot" (a meeting poll: answered every slot)."""
    if poll.kind is PollKind.MEETING:
        answered = (
            select(func.count())
            .where(SlotAnswer.poll_id == poll.id, SlotAnswer.user_id == user_id_column)
            .scalar_subquery()
        )
        return answered == len(poll.options)
    return BallotBox(session, poll).has_voted(user_id_column)


async def eligible_turnout(session: AsyncSession, poll: Poll) -> tuple[int, int]:
    """(eligible, voted): voters of the electorate still on the roster, and how many voted."""
    voted = has_voted(session, poll, PollVoter.user_id)
    row = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(case((voted, 1), else_=0)), 0))
            .select_from(PollVoter)
            .join(
                Member,
                (Member.user_id == PollVoter.user_id) & (Member.community_id == poll.community_id),
            )
            .where(PollVoter.poll_id == poll.id, Member.left_at.is_(None))
        )
    ).one()
    return int(row[0]), int(row[1])


#: The first key of the PostgreSQL advisory lock that serialises last votes ("poll").
_CASTING_LOCK = 0x706F6C6C


async def closes_early_now(session: AsyncSession, poll: Poll) -> bool:
    """After a ballot was cast in ``poll``: has every eligible voter voted now?

    Voters share the poll row's lock, so two last votes at once would each
    miss the other's ballot and neither see everyone voted. On PostgreSQL the
    casts of one poll take a transaction-scoped advisory lock here, one after
    the other: the second sees the first's committed ballot. (SQLite has one
    writer at a time anyway.) The close itself is left to the
    ``poll.everyone_voted`` job, which takes the poll's exclusive lock like
    /close and the deadline, so it happens once.
    """
    if poll.keep_open:
        return False
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:kind, :poll)"),
            {"kind": _CASTING_LOCK, "poll": poll.id},
        )
    eligible, voted = await eligible_turnout(session, poll)
    return rules.everyone_voted(eligible, voted)
