"""Reading duties and shifts: a duty by name, a shift by number, and who the rotation may pick."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.duties.rules import Candidate
from models import Away, Community, Duty, DutyState, Member, Shift, ShiftOutcome, ShiftPerson


async def duty_named(session: AsyncSession, community: Community, name: str) -> Duty | None:
    """The community's duty called ``name`` (any case) that has not ended, locked for a change."""
    found: Duty | None = await session.scalar(
        select(Duty)
        .where(
            Duty.community_id == community.id,
            func.lower(Duty.name) == name.strip().lower(),
            Duty.state != DutyState.ENDED,
        )
        .with_for_update()
    )
    return found


async def live_duties(session: AsyncSession, community: Community) -> list[Duty]:
    rows = await session.scalars(
        select(Duty)
        .where(Duty.community_id == community.id, Duty.state != DutyState.ENDED)
        .order_by(Duty.name)
    )
    return list(rows)


async def upcoming(
    session: AsyncSession, community: Community, after: datetime, until: datetime, duty: Duty | None
) -> list[Shift]:
    """Shifts starting in [after, until), soonest first."""
    query = select(Shift).where(
        Shift.community_id == community.id,
        Shift.starts_at >= after,
        Shift.starts_at < until,
    )
    if duty is not None:
        query = query.where(Shift.duty_id == duty.id)
    rows = await session.scalars(query.order_by(Shift.starts_at, Shift.number))
    return list(rows)


async def people_on(
    session: AsyncSession, shift_ids: Collection[int]
) -> dict[int, list[ShiftPerson]]:
    """The people on each of ``shift_ids``, by shift id, in the order they were put on it
    (each with its ``user`` loaded)."""
    found: dict[int, list[ShiftPerson]] = {shift_id: [] for shift_id in shift_ids}
    if not found:
        return found
    rows = await session.scalars(
        select(ShiftPerson)
        .where(ShiftPerson.shift_id.in_(found))
        .order_by(ShiftPerson.shift_id, ShiftPerson.id)
    )
    for person in rows:
        found[person.shift_id].append(person)
    return found


async def last_start(session: AsyncSession, duty: Duty) -> datetime | None:
    """The start of the duty's latest shift made so far."""
    found: datetime | None = await session.scalar(
        select(func.max(Shift.starts_at)).where(Shift.duty_id == duty.id)
    )
    return found


async def previous_people(session: AsyncSession, duty: Duty, before: datetime) -> list[int]:
    """Who is on the duty's shift just before ``before`` (none: the duty's first shift)."""
    shift_id = await session.scalar(
        select(Shift.id)
        .where(Shift.duty_id == duty.id, Shift.starts_at < before)
        .order_by(Shift.starts_at.desc())
        .limit(1)
    )
    if shift_id is None:
        return []
    rows = await session.scalars(
        select(ShiftPerson.user_id).where(ShiftPerson.shift_id == shift_id)
    )
    return list(rows)


async def candidates(session: AsyncSession, duty: Duty) -> list[Candidate]:
    """Everyone on the roster, with what the rotation weighs: shifts served or covered in this
    duty plus those they are already down for, and the start of their latest one.

    Missed shifts do not count as served, so who missed one is asked again soon.
    Availability here is the roster only; absences are checked per shift (``away_during``).
    """
    counted = case(
        (ShiftPerson.outcome.is_(None), 1),
        (ShiftPerson.outcome.in_([ShiftOutcome.SERVED, ShiftOutcome.COVERED]), 1),
        else_=0,
    )
    load = (
        select(
            ShiftPerson.user_id,
            func.sum(counted).label("load"),
            func.max(Shift.starts_at).label("last"),
        )
        .join(Shift, Shift.id == ShiftPerson.shift_id)
        .where(Shift.duty_id == duty.id)
        .group_by(ShiftPerson.user_id)
        .subquery()
    )
    rows = await session.execute(
        select(Member.user_id, load.c.load, load.c.last)
        .outerjoin(load, load.c.user_id == Member.user_id)
        .where(Member.community_id == duty.community_id, Member.left_at.is_(None))
        .order_by(Member.user_id)
    )
    return [
        Candidate(user_id=user_id, load=int(n or 0), last_shift=last, available=True)
        for user_id, n, last in rows
    ]


async def absences(
    session: AsyncSession, community: Community
) -> dict[int, list[tuple[date, date]]]:
    """Who is away when: user id → (first day, last day) periods, local dates."""
    rows = await session.execute(
        select(Away.user_id, Away.first_day, Away.last_day).where(Away.community_id == community.id)
    )
    found: dict[int, list[tuple[date, date]]] = {}
    for user_id, first, last in rows:
        found.setdefault(user_id, []).append((first, last))
    return found


def away_during(
    periods: dict[int, list[tuple[date, date]]],
    zone: str,
    user_id: int,
    start: datetime,
    end: datetime,
) -> bool:
    """Whether ``user_id`` is away on any local day the shift from ``start`` to ``end`` touches
    (a night watch that starts the evening before an absence is theirs no more than the
    absence itself: /away reassigns it the same way)."""
    local = ZoneInfo(zone)
    first = start.astimezone(local).date()
    last = (end - timedelta(microseconds=1)).astimezone(local).date()
    return any(begin <= last and first <= finish for begin, finish in periods.get(user_id, ()))
