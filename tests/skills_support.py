"""Steps shared by the skills tests: skills put into the registry directly (the registry's
own commands are another piece of work), the outbox read back."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.clock import Clock
from models import Community, MemberSkill, OutboxMessage, Skill, SkillAlias, Stance


async def add_skill(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    chat_id: int,
    name: str,
    *,
    holders: tuple[int, ...] = (),
    wants: tuple[int, ...] = (),
    aliases: tuple[str, ...] = (),
) -> int:
    """A skill of the community of ``chat_id``, with holders and learners; returns its id."""
    async with sessions() as session, session.begin():
        community = await session.scalar(select(Community).where(Community.chat_id == chat_id))
        assert community is not None
        skill = Skill(
            community_id=community.id, name=name, key=name.casefold(), created_at=clock.now()
        )
        session.add(skill)
        await session.flush()
        for user_id in holders:
            session.add(
                MemberSkill(
                    skill_id=skill.id, user_id=user_id, stance=Stance.HAS, since=clock.now()
                )
            )
        for user_id in wants:
            session.add(
                MemberSkill(
                    skill_id=skill.id, user_id=user_id, stance=Stance.WANTS, since=clock.now()
                )
            )
        for alias in aliases:
            session.add(
                SkillAlias(
                    community_id=community.id,
                    key=alias.casefold(),
                    skill_id=skill.id,
                    created_by=holders[0] if holders else wants[0],
                    created_at=clock.now(),
                )
            )
        return skill.id


async def posted(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    """New messages queued in the outbox (edits of earlier messages left out)."""
    async with sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [row for row in rows if "edit_key" not in row.payload]


async def edited(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [row for row in rows if "edit_key" in row.payload]
