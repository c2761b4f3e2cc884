"""What swaps, /away, /mine, /fairness and /ical read: shifts, their people, records.

Kept apart from ``queries`` (the planner's) so the modules of the duties
feature can be written at the same time; nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Community,
    Member,
    Shift,
    ShiftOutcome,
    ShiftPerson,
    SwapRequest,
    SwapState,
    User,
)


async def locked_shift(session: AsyncSession, shift_id: int) -> Shift | None:
    """The shift, locked for a change of its people."""
    found: Shift | None = await session.scalar(
        select(Shift)
        .where(Shift.id == shift_id)
        .with_for_update(of=Shift)
        .execution_options(populate_existing=True)
    )
    return found


async def place_of(session: AsyncSession, shift: Shift, user_id: int) -> ShiftPerson | None:
    """``user_id``'s place on ``shift``, locked, if they are on it."""
    found: ShiftPerson | None = await session.scalar(
        select(ShiftPerson)
        .where(ShiftPerson.shift_id == shift.id, ShiftPerson.user_id == user_id)
        .with_for_update(of=ShiftPerson)
        .execution_options(populate_existing=True)
    )
    return found


async def upcoming_shifts(
    session: AsyncSession,
    community_ids: Collection[int],
    now: datetime,
    *,
    user_id: int | None = None,
    limit: int | None = None,
) -> list[Shift]:
    """Shifts not over yet, soonest first; with ``user_id``, only theirs."""
    query = (
        select(Shift)
        .where(
            Shift.community_id.in_(community_ids),
            Shift.ends_at > now,
        )
        .order_by(Shift.starts_at, Shift.id)
    )
    if user_id is not None:
        query = query.where(
            Shift.id.in_(select(ShiftPerson.shift_id).where(ShiftPerson.user_id == user_id))
        )
    if limit is not None:
        query = query.limit(limit)
    return list(await session.scalars(query))


@dataclass
class Record:
    """How one member's shifts went: served, covered (stood in for someone), missed."""

    served: int = 0
    covered: int = 0
    missed: int = 0

    @property
    def done(self) -> int:
        return self.served + self.covered


async def records(session: AsyncSession, community_ids: Collection[int]) -> dict[int, Record]:
    """Per user, the recorded outcomes of their shifts in ``community_ids``."""
    result: dict[int, Record] = defaultdict(Record)
    rows = await session.execute(
        select(ShiftPerson.user_id, ShiftPerson.outcome, func.count())
        .join(Shift, Shift.id == ShiftPerson.shift_id)
        .where(Shift.community_id.in_(community_ids), ShiftPerson.outcome.is_not(None))
        .group_by(ShiftPerson.user_id, ShiftPerson.outcome)
    )
    for user_id, outcome, count in rows.all():
        record = result[user_id]
        if outcome is ShiftOutcome.SERVED:
            record.served += count
        elif outcome is ShiftOutcome.COVERED:
            record.covered += count
        elif outcome is ShiftOutcome.MISSED:
            record.missed += count
    return result


async def swaps_of(session: AsyncSession, community_ids: Collection[int], user_id: int) -> int:
    """Swaps ``user_id`` took part in that happened: places they gave away or took."""
    found = await session.scalar(
        select(func.count())
        .select_from(SwapRequest)
        .join(Shift, Shift.id == SwapRequest.shift_id)
        .where(
            Shift.community_id.in_(community_ids),
            SwapRequest.state == SwapState.ACCEPTED,
            or_(SwapRequest.from_user == user_id, SwapRequest.taken_by == user_id),
        )
    )
    return int(found or 0)


async def member_communities(session: AsyncSession, user_id: int) -> list[Community]:
    """The communities with ``user_id`` on the roster, oldest membership first."""
    return list(
        await session.scalars(
            select(Community)
            .join(Member, Member.community_id == Community.id)
            .where(Member.user_id == user_id, Member.left_at.is_(None))
            .order_by(Member.joined_at, Community.id)
        )
    )


async def roster(session: AsyncSession, community: Community) -> list[User]:
    """Who is on ``community``'s roster now, in joining order."""
    return list(
        await session.scalars(
            select(User)
            .join(Member, Member.user_id == User.id)
            .where(Member.community_id == community.id, Member.left_at.is_(None))
            .order_by(Member.joined_at, Member.id)
        )
    )


async def open_swaps(session: AsyncSession, shift_ids: Sequence[int], user_id: int) -> list[int]:
    """Ids of ``user_id``'s swap requests still waiting for an answer on ``shift_ids``."""
    if not shift_ids:
        return []
    return list(
        await session.scalars(
            select(SwapRequest.id)
            .where(
                SwapRequest.shift_id.in_(shift_ids),
                SwapRequest.from_user == user_id,
                SwapRequest.state.in_([SwapState.ASKED, SwapState.OFFERED]),
            )
            .order_by(SwapRequest.id)
            .with_for_update()
        )
    )
