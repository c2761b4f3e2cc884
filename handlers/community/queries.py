"""The roster: putting people on and off it, and counting it."""

from __future__ import annotations

from sqlalchemy import func, select

from handlers.core.context import Context
from handlers.core.messages import Person
from models import Community, Member, User


async def join(ctx: Context, community: Community, person: Person) -> bool:
    """Put ``person`` on the roster; False when they already were."""
    member = await ctx.session.scalar(
        select(Member).where(Member.community_id == community.id, Member.user_id == person.id)
    )
    if member is not None and member.active:
        return False
    user = await ctx.session.get(User, person.id)
    if user is None:
        user = User(id=person.id, display_name=person.display_name[:255], username=person.username)
        user.telegram_language = person.language_code
        ctx.session.add(user)
    if member is None:
        member = Member(community_id=community.id, user_id=person.id, joined_at=ctx.now)
        ctx.session.add(member)
    else:
        member.joined_at, member.left_at = ctx.now, None
    if person.id == ctx.incoming.user.id:
        ctx.member = member
    ctx.audit(community, ctx.incoming.user.id, "member.joined", name=person.display_name)
    await ctx.roster_changed(community, person.id, joined=True)
    return True


async def leave(ctx: Context, community: Community, person: Person) -> bool:
    """Take ``person`` off the roster; False when they were not on it."""
    member = await ctx.session.scalar(
        select(Member).where(Member.community_id == community.id, Member.user_id == person.id)
    )
    if member is None or not member.active:
        return False
    member.left_at = ctx.now
    ctx.audit(community, ctx.incoming.user.id, "member.left", name=person.display_name)
    await ctx.roster_changed(community, person.id, joined=False)
    return True


async def roster_size(ctx: Context, community: Community) -> int:
    await ctx.session.flush()
    count = await ctx.session.scalar(
        select(func.count())
        .select_from(Member)
        .where(Member.community_id == community.id, Member.left_at.is_(None))
    )
    return int(count or 0)
