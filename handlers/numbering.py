"""Per-community numbers (#1, #2 ...) for needs, plan items, problems and polls."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Community
from models.base import Numbered


async def add_numbered(session: AsyncSession, row: Numbered) -> None:
    """Insert ``row`` with the next number of its kind in its community.

    Locking the community row keeps two bot processes from picking the same
    number on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises
    writers. The unique constraint stays as the last word.
    """
    model = type(row)
    await session.execute(
        select(Community.id).where(Community.id == row.community_id).with_for_update(key_share=True)
    )
    top = await session.scalar(
        select(func.max(model.number)).where(model.community_id == row.community_id)
    )
    row.number = (top or 0) + 1
    session.add(row)
    await session.flush()
