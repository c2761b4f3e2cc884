"""Counting a need's supporters as the community is now."""

from __future__ import annotations

from sqlalchemy import ScalarSelect, func, select

from models import Member, Need, NeedSupport


def support_count() -> ScalarSelect[int]:
    """How many people still on the roster support the ``Need`` of the enclosing query.

    Supports of people who left stop counting (and count again if they rejoin),
    so the ranking reflects the community as it is now.
    """
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
