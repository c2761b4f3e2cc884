"""Steps shared by the petition tests: a seat given straight in the database (an active role
and a term), so the recall stories do not depend on how roles are proposed and elected."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.numbering import add_numbered
from models import Community, Role, RoleStatus, Term


async def give_seat(
    sessions: async_sessionmaker[AsyncSession],
    chat_id: int,
    holder_id: int,
    now: datetime,
    role: str = "Treasurer",
) -> int:
    """``holder_id`` holds a seat of a new active ``role`` for 90 days from ``now``; the term id."""
    async with sessions() as session, session.begin():
        community = await session.scalar(select(Community).where(Community.chat_id == chat_id))
        assert community is not None
        row = Role(
            community_id=community.id,
            name=role,
            key=role.casefold(),
            term_days=90,
            seats=1,
            status=RoleStatus.ACTIVE,
            proposed_by=holder_id,
            created_at=now,
        )
        await add_numbered(session, row)
        term = Term(
            role_id=row.id, user_id=holder_id, started_at=now, ends_at=now + timedelta(days=90)
        )
        session.add(term)
        await session.flush()
        return term.id
