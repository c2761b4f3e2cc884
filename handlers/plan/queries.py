"""Reading plan items: the plan in order, an item's latest activity, whether its taker stayed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Community, Member, Need, PlanItem, PlanNote, PlanStatus, Poll, PollOutcome


@dataclass(frozen=True, slots=True)
class PlanRow:
    """An item of the plan with what its line shows besides the item itself.

    ``outcome`` is the latest outcome recorded for the poll that adopted the
    item's need (``poll`` its number), if anyone has recorded one.
    """

    item: PlanItem
    noted: datetime | None
    poll: int | None
    outcome: str | None


async def plan_rows(session: AsyncSession, community: Community) -> list[PlanRow]:
    """Every item with its latest note's moment and its vote's outcome: work under way first,
    then what waits for someone, then what is done, newest first."""
    latest = (
        select(PlanNote.plan_item_id, func.max(PlanNote.at).label("at"))
        .join(PlanItem, PlanItem.id == PlanNote.plan_item_id)
        .where(PlanItem.community_id == community.id)
        .group_by(PlanNote.plan_item_id)
        .subquery()
    )
    stage = case(
        (PlanItem.status == PlanStatus.IN_PROGRESS, 0),
        (PlanItem.status == PlanStatus.PLANNED, 1),
        else_=2,
    )
    outcome = (
        select(PollOutcome.text)
        .where(PollOutcome.poll_id == Poll.id)
        .order_by(PollOutcome.id.desc())
        .limit(1)
        .correlate(Poll)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(PlanItem, latest.c.at, Poll.number, outcome)
        .outerjoin(latest, latest.c.plan_item_id == PlanItem.id)
        .outerjoin(Need, Need.id == PlanItem.need_id)
        .outerjoin(Poll, Poll.id == Need.poll_id)
        .where(PlanItem.community_id == community.id)
        .order_by(stage, PlanItem.done_at.desc(), PlanItem.number)
    )
    return [PlanRow(*row) for row in rows.all()]


async def last_activity(session: AsyncSession, item: PlanItem) -> datetime | None:
    """When the item was taken or last noted on, whichever is later."""
    noted = await session.scalar(
        select(func.max(PlanNote.at)).where(PlanNote.plan_item_id == item.id)
    )
    moments = [moment for moment in (item.taken_at, noted) if moment is not None]
    return max(moments, default=None)


async def on_roster(session: AsyncSession, community: Community, user_id: int) -> bool:
    found = await session.scalar(
        select(Member.id).where(
            Member.community_id == community.id,
            Member.user_id == user_id,
            Member.left_at.is_(None),
        )
    )
    return found is not None
