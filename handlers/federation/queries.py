"""Federation: what it reads from the database — codes, links, and what a linked community
shows of itself (open needs with their support, skills with how many hold them; never who).

Needs and skills are read from their models directly: features never import each other.
Only members on the roster count, as in the needs and skills features themselves.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, ScalarSelect, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CodeState,
    Community,
    CommunityLink,
    HelpOffer,
    LinkCode,
    LinkState,
    Member,
    MemberSkill,
    Need,
    NeedShare,
    NeedStatus,
    NeedSupport,
    Skill,
    Stance,
)


async def lock_communities(session: AsyncSession, *communities: Community) -> None:
    """Lock the community rows in id order: two links made at once between the same pair
    queue up, and the second sees the first (PostgreSQL; SQLite has one writer anyway)."""
    await session.execute(
        select(Community.id)
        .where(Community.id.in_([c.id for c in communities]))
        .order_by(Community.id)
        .with_for_update()
    )


async def code_by_hash(session: AsyncSession, digest: str) -> LinkCode | None:
    found: LinkCode | None = await session.scalar(
        select(LinkCode).where(LinkCode.code_hash == digest).with_for_update()
    )
    return found


async def active_codes(session: AsyncSession, community: Community) -> list[LinkCode]:
    rows = await session.scalars(
        select(LinkCode)
        .where(LinkCode.community_id == community.id, LinkCode.state == CodeState.ACTIVE)
        .with_for_update()
    )
    return list(rows)


def _involving(community: Community) -> ColumnElement[bool]:
    return or_(CommunityLink.inviter_id == community.id, CommunityLink.invitee_id == community.id)


async def links_of(
    session: AsyncSession, community: Community, now: datetime
) -> list[tuple[CommunityLink, Community]]:
    """The community's active links and those still waiting for confirmation, oldest first,
    each with the community at its other end: the numbering of /federation and /unlink."""
    rows = await session.scalars(
        select(CommunityLink)
        .where(
            _involving(community),
            or_(
                CommunityLink.state == LinkState.ACTIVE,
                (CommunityLink.state == LinkState.PENDING) & (CommunityLink.expires_at > now),
            ),
        )
        .order_by(CommunityLink.requested_at, CommunityLink.id)
    )
    return [(link, other_side(link, community)) for link in rows.unique()]


def other_side(link: CommunityLink, community: Community) -> Community:
    return link.invitee if link.inviter_id == community.id else link.inviter


async def links_between(
    session: AsyncSession, one: Community, other: Community
) -> list[CommunityLink]:
    """Every link the two communities have had that has not ended, either way round."""
    rows = await session.scalars(
        select(CommunityLink).where(
            CommunityLink.state != LinkState.ENDED,
            or_(
                (CommunityLink.inviter_id == one.id) & (CommunityLink.invitee_id == other.id),
                (CommunityLink.inviter_id == other.id) & (CommunityLink.invitee_id == one.id),
            ),
        )
    )
    return list(rows.unique())


async def link_for_update(session: AsyncSession, link_id: int) -> CommunityLink | None:
    found: CommunityLink | None = await session.scalar(
        select(CommunityLink).where(CommunityLink.id == link_id).with_for_update(of=CommunityLink)
    )
    return found


def _support() -> ScalarSelect[int]:
    """Supporters of the enclosing ``Need`` who are still on its community's roster."""
    return (
        select(func.count(NeedSupport.id))
        .join(
            Member,
            (Member.user_id == NeedSupport.user_id) & (Member.community_id == Need.community_id),
        )
        .where(NeedSupport.need_id == Need.id, Member.left_at.is_(None))
        .correlate(Need)
        .scalar_subquery()
    )


async def open_needs(
    session: AsyncSession, community: Community, limit: int
) -> tuple[list[tuple[Need, int]], int]:
    """The community's most supported open needs (at most ``limit``), and how many are open."""
    support = _support().label("support")
    is_open = (Need.community_id == community.id) & Need.status.in_(
        [NeedStatus.OPEN, NeedStatus.VOTING]
    )
    rows = await session.execute(
        select(Need, support).where(is_open).order_by(support.desc(), Need.created_at).limit(limit)
    )
    total = await session.scalar(select(func.count(Need.id)).where(is_open))
    return [(need, int(n)) for need, n in rows.all()], int(total or 0)


async def support_of(session: AsyncSession, need: Need) -> int:
    return int(await session.scalar(select(_support()).where(Need.id == need.id)) or 0)


async def skills_offered(
    session: AsyncSession, community: Community, limit: int
) -> tuple[list[tuple[str, int]], int]:
    """Skills someone on the roster can teach, most holders first (at most ``limit``), each
    with how many hold it, and how many such skills there are. Never who."""
    holders = func.count(MemberSkill.id).label("holders")
    rows = (
        await session.execute(
            select(Skill.name, holders)
            .join(MemberSkill, MemberSkill.skill_id == Skill.id)
            .join(
                Member,
                (Member.user_id == MemberSkill.user_id) & (Member.community_id == community.id),
            )
            .where(
                Skill.community_id == community.id,
                MemberSkill.stance == Stance.HAS,
                Member.left_at.is_(None),
            )
            .group_by(Skill.id, Skill.name, Skill.key)
            .order_by(holders.desc(), Skill.key)
        )
    ).all()
    return [(name, int(n)) for name, n in rows[:limit]], len(rows)


async def shares_of(session: AsyncSession, need: Need) -> set[int]:
    """The links ``need`` has already been shown over."""
    rows = await session.scalars(select(NeedShare.link_id).where(NeedShare.need_id == need.id))
    return set(rows)


async def offers(session: AsyncSession, share: NeedShare) -> int:
    found = await session.scalar(
        select(func.count()).select_from(HelpOffer).where(HelpOffer.share_id == share.id)
    )
    return int(found or 0)
