"""Counting supporters of needs and proposals as the community is now, and toggling a support."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, ScalarSelect, delete, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from models import Member, Need, NeedSupport, Proposal, ProposalSupport


def _supporters(
    support: type[NeedSupport] | type[ProposalSupport],
    owned: ColumnElement[bool],
    community_id: ColumnElement[int] | InstrumentedAttribute[int],
    outer: type[Need] | type[Proposal],
) -> ScalarSelect[int]:
    """How many people still on the roster back the ``outer`` row of the enclosing query.

    Supports of people who left stop counting (and count again if they rejoin),
    so the ranking reflects the community as it is now.
    """
    return (
        select(func.count(support.id))
        .join(
            Member,
            (Member.user_id == support.user_id) & (Member.community_id == community_id),
        )
        .where(owned, Member.left_at.is_(None))
        .correlate(outer)
        .scalar_subquery()
    )


def support_count() -> ScalarSelect[int]:
    """Supporters of the ``Need`` of the enclosing query."""
    return _supporters(NeedSupport, NeedSupport.need_id == Need.id, Need.community_id, Need)


def proposal_support_count(community_id: int) -> ScalarSelect[int]:
    """Supporters of the ``Proposal`` of the enclosing query, a proposal of ``community_id``."""
    return _supporters(
        ProposalSupport,
        ProposalSupport.proposal_id == Proposal.id,
        literal(community_id),
        Proposal,
    )


async def ranked_proposals(
    session: AsyncSession, community_id: int, need_ids: Sequence[int]
) -> dict[int, list[tuple[Proposal, int]]]:
    """The proposals of each need, with their supporters: most supported first, then oldest."""
    supporters = proposal_support_count(community_id).label("support")
    rows = await session.execute(
        select(Proposal, supporters)
        .where(Proposal.need_id.in_(list(need_ids)))
        .order_by(Proposal.need_id, supporters.desc(), Proposal.number)
    )
    found: dict[int, list[tuple[Proposal, int]]] = {need_id: [] for need_id in need_ids}
    for proposal, n in rows.all():
        found[proposal.need_id].append((proposal, n))
    return found


async def proposals_of(session: AsyncSession, need: Need) -> list[Proposal]:
    """The need's proposals by number: the order of the ballot that ranks them."""
    found = await session.scalars(
        select(Proposal).where(Proposal.need_id == need.id).order_by(Proposal.number)
    )
    return list(found)


async def toggle_support(
    session: AsyncSession,
    owner: InstrumentedAttribute[int],
    fresh: NeedSupport | ProposalSupport,
) -> bool:
    """Withdraw the user's support of what ``fresh`` supports, or add ``fresh``: True if added.

    One support per member and thing: a second press withdraws it, and two
    simultaneous presses of the same member end as one support.
    """
    model = type(fresh)
    withdrawn = await session.scalar(
        delete(model)
        .where(owner == getattr(fresh, owner.key), model.user_id == fresh.user_id)
        .returning(model.id)
    )
    if withdrawn is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(fresh)
    except IntegrityError:
        pass  # A simultaneous press of the same member got there first: supported either way.
    return True
