"""Reading plan items: the plan in order, an item's latest activity, whether its taker stayed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Community, Member, PlanItem, PlanNote, PlanStatus


async def plan_rows(
    session: AsyncSession, community: Community
) -> list[tuple[PlanItem, datetime | None]]:
    """Every item with its latest note's moment: work under way first, then what waits
    for someone, then what is done, newest first."""
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
    rows = await session.execute(
        select(PlanItem, latest.c.at)
        .outerjoin(latest, latest.c.plan_item_id == PlanItem.id)
        .where(PlanItem.community_id == community.id)
        .order_by(stage, PlanItem.done_at.desc(), PlanItem.number)
    )
    return [(item, noted) for item, noted in rows.all()]


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
