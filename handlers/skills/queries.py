"""Skills: what the registry reads from the database.

Only members on the roster count: someone who left keeps their rows (they
come back with their skills if they /join again) but is nobody's holder or
learner meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.skills import rules
from models import (
    Community,
    Member,
    MemberSkill,
    SessionSeat,
    Skill,
    SkillAlias,
    Stance,
    TeachingSession,
    User,
)


async def skill_by_key(session: AsyncSession, community: Community, key: str) -> Skill | None:
    """The community's skill whose key, or one of whose aliases, is ``key`` (already normalised)."""
    skill = await session.scalar(
        select(Skill).where(Skill.community_id == community.id, Skill.key == key)
    )
    if skill is not None:
        return skill
    return await session.scalar(
        select(Skill)
        .join(SkillAlias, SkillAlias.skill_id == Skill.id)
        .where(SkillAlias.community_id == community.id, SkillAlias.key == key)
    )


async def skill_named(session: AsyncSession, community: Community, name: str) -> Skill | None:
    """The skill a member means by ``name`` (any case, spacing, width, or an alias); None when
    there is none or ``name`` cannot be a skill's name at all."""
    try:
        key = rules.normalise(name)
    except rules.BadName:
        return None
    return await skill_by_key(session, community, key)


async def alias_by_key(session: AsyncSession, community: Community, key: str) -> SkillAlias | None:
    return await session.scalar(
        select(SkillAlias).where(SkillAlias.community_id == community.id, SkillAlias.key == key)
    )


async def add_skill(
    session: AsyncSession, community: Community, name: str, key: str, now: datetime
) -> Skill:
    skill = Skill(community_id=community.id, name=name, key=key, created_at=now)
    session.add(skill)
    await session.flush()
    return skill


async def names_by_key(session: AsyncSession, community: Community) -> dict[str, Skill]:
    """Every key a member may type — skills' keys and aliases — and the skill it names."""
    skills = list(await session.scalars(select(Skill).where(Skill.community_id == community.id)))
    found = {skill.key: skill for skill in skills}
    by_id = {skill.id: skill for skill in skills}
    aliases = await session.execute(
        select(SkillAlias.key, SkillAlias.skill_id).where(SkillAlias.community_id == community.id)
    )
    for key, skill_id in aliases:
        found.setdefault(key, by_id[skill_id])
    return found


async def stance_of(
    session: AsyncSession, skill: Skill, user_id: int, stance: Stance
) -> MemberSkill | None:
    return await session.scalar(
        select(MemberSkill).where(
            MemberSkill.skill_id == skill.id,
            MemberSkill.user_id == user_id,
            MemberSkill.stance == stance,
        )
    )


async def people(
    session: AsyncSession, community: Community, skills: Sequence[Skill], stance: Stance
) -> dict[int, list[User]]:
    """Who on the roster holds (or wants) each of ``skills``, in the order they said so."""
    found: dict[int, list[User]] = {skill.id: [] for skill in skills}
    if not skills:
        return found
    rows = await session.execute(
        select(MemberSkill.skill_id, User)
        .join(User, User.id == MemberSkill.user_id)
        .join(
            Member,
            (Member.user_id == MemberSkill.user_id) & (Member.community_id == community.id),
        )
        .where(
            MemberSkill.skill_id.in_([skill.id for skill in skills]),
            MemberSkill.stance == stance,
            Member.left_at.is_(None),
        )
        .order_by(MemberSkill.since, MemberSkill.id)
    )
    for skill_id, user in rows:
        found[skill_id].append(user)
    return found


async def counted(session: AsyncSession, community: Community) -> list[tuple[Skill, int, int]]:
    """Each skill someone on the roster holds or wants, with (holders, learners), by name."""
    rows = await session.execute(
        select(MemberSkill.skill_id, MemberSkill.stance, func.count())
        .join(Skill, Skill.id == MemberSkill.skill_id)
        .join(
            Member,
            (Member.user_id == MemberSkill.user_id) & (Member.community_id == community.id),
        )
        .where(Skill.community_id == community.id, Member.left_at.is_(None))
        .group_by(MemberSkill.skill_id, MemberSkill.stance)
    )
    counts: dict[int, list[int]] = {}
    for skill_id, stance, n in rows:
        counts.setdefault(skill_id, [0, 0])[0 if stance is Stance.HAS else 1] = int(n)
    if not counts:
        return []
    skills = await session.scalars(select(Skill).where(Skill.id.in_(list(counts))))
    ordered = sorted(skills, key=lambda s: (s.key, s.id))
    return [(skill, counts[skill.id][0], counts[skill.id][1]) for skill in ordered]


async def held_by(session: AsyncSession, community: Community, user_id: int) -> list[Skill]:
    """The community's skills ``user_id`` has said they can teach (on the roster or not)."""
    rows = await session.scalars(
        select(Skill)
        .join(MemberSkill, MemberSkill.skill_id == Skill.id)
        .where(
            Skill.community_id == community.id,
            MemberSkill.user_id == user_id,
            MemberSkill.stance == Stance.HAS,
        )
        .order_by(Skill.key)
    )
    return list(rows)


async def hours_taught(session: AsyncSession, community: Community) -> list[tuple[User, float]]:
    """Hours each member on the roster has taught, most first: sessions held (their
    participants were asked whether they learned) that somebody signed up for."""
    rows = await session.execute(
        select(TeachingSession.teacher_id, TeachingSession.length_minutes)
        .join(
            Member,
            (Member.user_id == TeachingSession.teacher_id) & (Member.community_id == community.id),
        )
        .where(
            TeachingSession.community_id == community.id,
            TeachingSession.asked_at.is_not(None),
            exists().where(SessionSeat.session_id == TeachingSession.id),
            Member.left_at.is_(None),
        )
    )
    hours = rules.hours_taught((teacher, length) for teacher, length in rows)
    if not hours:
        return []
    users = {u.id: u for u in await session.scalars(select(User).where(User.id.in_(list(hours))))}
    return sorted(
        ((users[uid], h) for uid, h in hours.items()),
        key=lambda pair: (-pair[1], pair[0].display_name),
    )
