"""Who may record what a closed poll decided: pure, no database, no I/O.

The member who opened a poll knows best what it was for, so the outcome is
theirs to write first; after ``CREATOR_FIRST`` without one, any member may
write it, so a decision is never left unrecorded because one person went
quiet. A recorded outcome may be amended by whoever wrote its current
version or by the poll's creator (every version is kept and logged); anyone
else is refused, so members cannot overwrite each other's account of a
decision, and an amendment by the creator stands.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

#: How long after the close only the poll's creator may record its outcome.
CREATOR_FIRST = timedelta(hours=24)


class Actor(enum.Enum):
    """Who is asking, as far as a poll's outcome is concerned."""

    NON_MEMBER = "non_member"  # not on the community's roster (never joined, or left)
    MEMBER = "member"
    CREATOR = "creator"  # on the roster and opened the poll


class Refusal(enum.Enum):
    NOT_MEMBER = "not_member"
    STILL_OPEN = "still_open"
    CREATOR_FIRST = "creator_first"  # only the creator may, until CREATOR_FIRST has passed
    ALREADY_RECORDED = "already_recorded"


class Permission(enum.Enum):
    RECORD = "record"
    AMEND = "amend"


def outcome_permission(
    actor: Actor,
    *,
    closed_at: datetime | None,
    now: datetime,
    recorded: bool,
    wrote_it: bool = False,
) -> Permission | Refusal:
    """Whether ``actor`` may record (or amend) the outcome of a poll closed at ``closed_at``.

    ``recorded``: the poll has an outcome already; ``wrote_it``: the actor
    wrote the current one.
    """
    if actor is Actor.NON_MEMBER:
        return Refusal.NOT_MEMBER
    if closed_at is None:
        return Refusal.STILL_OPEN
    if recorded:
        if actor is Actor.CREATOR or wrote_it:
            return Permission.AMEND
        return Refusal.ALREADY_RECORDED
    if actor is Actor.CREATOR or now - closed_at >= CREATOR_FIRST:
        return Permission.RECORD
    return Refusal.CREATOR_FIRST


def anyone_may_record_from(closed_at: datetime) -> datetime:
    """When any member may record the outcome of a poll closed at ``closed_at``."""
    return closed_at + CREATOR_FIRST
