"""What roles and elections read from the database: roles, seats held, terms, elections and
their candidates. Rows that are about to change are locked (``FOR UPDATE``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.governance.rules import PastTerm
from models import (
    Community,
    Election,
    ElectionPhase,
    Member,
    Nomination,
    Role,
    RoleStatus,
    Term,
    TermEnd,
    User,
)

RUNNING = (ElectionPhase.NOMINATING, ElectionPhase.VOTING)


async def roles_of(session: AsyncSession, community: Community) -> list[Role]:
    """The community's roles that exist or are being voted on: active first, by number."""
    rows = await session.scalars(
        select(Role)
        .where(Role.community_id == community.id, Role.status != RoleStatus.REJECTED)
        .order_by(Role.status != RoleStatus.ACTIVE, Role.number)
    )
    return list(rows)


async def role_keyed(
    session: AsyncSession, community: Community, key: str, *, lock: bool = False
) -> Role | None:
    """The active or proposed role whose key is ``key`` (there is at most one)."""
    query = select(Role).where(
        Role.community_id == community.id,
        Role.key == key,
        Role.status != RoleStatus.REJECTED,
    )
    found: Role | None = await session.scalar(query.with_for_update() if lock else query)
    return found


async def current_terms(
    session: AsyncSession, community: Community, *, user_id: int | None = None
) -> list[Term]:
    """Seats held now in ``community`` (of ``user_id`` only, when given), by role, then start."""
    query = (
        select(Term)
        .join(Role, Role.id == Term.role_id)
        .where(Role.community_id == community.id, Term.ended_at.is_(None))
        .order_by(Role.number, Term.started_at, Term.id)
    )
    if user_id is not None:
        query = query.where(Term.user_id == user_id)
    return list(await session.scalars(query))


async def holders(session: AsyncSession, role: Role) -> list[tuple[Term, User]]:
    """Who holds ``role`` now, with their terms, earliest end first."""
    rows = await session.execute(
        select(Term, User)
        .join(User, User.id == Term.user_id)
        .where(Term.role_id == role.id, Term.ended_at.is_(None))
        .order_by(Term.ends_at, Term.id)
    )
    return [(term, user) for term, user in rows]


async def seats_held(session: AsyncSession, role: Role) -> int:
    count = await session.scalar(
        select(func.count()).where(Term.role_id == role.id, Term.ended_at.is_(None))
    )
    return int(count or 0)


async def past_terms(session: AsyncSession, role: Role, user_id: int) -> list[PastTerm]:
    """Every term ``user_id`` held of ``role``, as the term-limit rules read them."""
    rows = await session.scalars(
        select(Term).where(Term.role_id == role.id, Term.user_id == user_id)
    )
    return [
        PastTerm(
            start=term.started_at,
            end=term.ended_at or term.ends_at,
            recalled=term.end_reason is TermEnd.RECALLED,
        )
        for term in rows
    ]


async def locked_term(session: AsyncSession, term_id: int) -> Term | None:
    found: Term | None = await session.scalar(
        select(Term)
        .where(Term.id == term_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return found


async def running_elections(session: AsyncSession, role: Role) -> list[Election]:
    """Elections of ``role`` taking nominations or voting, oldest first."""
    rows = await session.scalars(
        select(Election)
        .where(Election.role_id == role.id, Election.phase.in_(RUNNING))
        .order_by(Election.number)
    )
    return list(rows)


async def nominating(session: AsyncSession, role: Role) -> Election | None:
    """The election of ``role`` taking nominations, locked; None when there is none."""
    found: Election | None = await session.scalar(
        select(Election)
        .where(Election.role_id == role.id, Election.phase == ElectionPhase.NOMINATING)
        .order_by(Election.number)
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return found


async def locked_election(session: AsyncSession, election_id: int) -> Election | None:
    found: Election | None = await session.scalar(
        select(Election)
        .where(Election.id == election_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return found


async def nominations(session: AsyncSession, election: Election) -> list[tuple[Nomination, User]]:
    """The election's nominations with their people, in the order they came."""
    rows = await session.execute(
        select(Nomination, User)
        .join(User, User.id == Nomination.user_id)
        .where(Nomination.election_id == election.id)
        .order_by(Nomination.nominated_at, Nomination.user_id)
    )
    return [(nomination, user) for nomination, user in rows]


async def nomination_of(
    session: AsyncSession, election: Election, user_id: int
) -> Nomination | None:
    found: Nomination | None = await session.scalar(
        select(Nomination)
        .where(Nomination.election_id == election.id, Nomination.user_id == user_id)
        .with_for_update()
    )
    return found


async def accepted_count(session: AsyncSession, election: Election) -> int:
    count = await session.scalar(
        select(func.count()).where(
            Nomination.election_id == election.id, Nomination.accepted_at.is_not(None)
        )
    )
    return int(count or 0)


async def nominations_of(
    session: AsyncSession, community: Community, user_id: int
) -> list[Election]:
    """Elections of ``community`` taking nominations in which ``user_id`` is nominated."""
    rows = await session.scalars(
        select(Election)
        .join(Nomination, Nomination.election_id == Election.id)
        .where(
            Election.community_id == community.id,
            Election.phase == ElectionPhase.NOMINATING,
            Nomination.user_id == user_id,
        )
        .order_by(Election.number)
        .with_for_update(of=Election)
    )
    return list(rows)


async def membership(session: AsyncSession, community: Community, user_id: int) -> Member | None:
    """``user_id``'s roster row in ``community`` if they are on it now."""
    found: Member | None = await session.scalar(
        select(Member).where(
            Member.community_id == community.id,
            Member.user_id == user_id,
            Member.left_at.is_(None),
        )
    )
    return found


async def users(session: AsyncSession, ids: Sequence[int]) -> dict[int, User]:
    if not ids:
        return {}
    rows = await session.scalars(select(User).where(User.id.in_(list(ids))))
    return {user.id: user for user in rows}
