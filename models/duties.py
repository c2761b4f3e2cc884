"""Duties and their shifts: who is on each one, who stood in, and who is away.

A duty (``Night watch``, daily 22:00 for 8 h, 2 people) is named per
community. Its shifts are rows made ahead of time (two weeks at least), so
reminders are ordinary due jobs and the schedule can be shown and exported.
Shifts are numbered per community (#1, #2 ...) because members quote them
(``/swap 12 @bob``, ``/cover 12``). The people on a shift are rows of
``shift_people``; after the shift each row records whether that person
served, covered (stood in for someone) or missed it, which is what
/fairness counts and what the rotation weighs.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Numbered
from models.community import User

NAME_LIMIT = 64


class DutyState(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class Duty(Base):
    """Recurring work done by everyone in turn; ``recurrence`` is the canonical WHEN text."""

    __tablename__ = "duties"
    __table_args__ = (Index("ix_duties_community_id_state", "community_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_LIMIT))
    recurrence: Mapped[str] = mapped_column(String(64))
    length_minutes: Mapped[int]
    people: Mapped[int]
    state: Mapped[DutyState] = mapped_column(default=DutyState.ACTIVE)
    created_by: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]
    #: Where its recurrence counts from ('every 3 days' from this moment's local date).
    anchor: Mapped[datetime]


class Shift(Numbered, Base):
    """One occurrence of a duty, from ``starts_at`` to ``ends_at``."""

    __tablename__ = "shifts"
    __table_args__ = (
        UniqueConstraint("community_id", "number"),
        UniqueConstraint("duty_id", "starts_at"),
        Index("ix_shifts_community_id_starts_at", "community_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: When the shift was offered to the group for lack of acknowledgement.
    escalated_at: Mapped[datetime | None]
    #: When its people were recorded as served, covered or missed.
    recorded_at: Mapped[datetime | None]

    duty: Mapped[Duty] = relationship(lazy="joined")


class ShiftOutcome(enum.StrEnum):
    SERVED = "served"
    COVERED = "covered"
    MISSED = "missed"


class ShiftPerson(Base):
    """One person on one shift; ``covering`` names whom they stand in for."""

    __tablename__ = "shift_people"
    __table_args__ = (
        UniqueConstraint("shift_id", "user_id"),
        Index("ix_shift_people_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None]
    covering: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    outcome: Mapped[ShiftOutcome | None]

    user: Mapped[User] = relationship(lazy="joined", foreign_keys=[user_id])


class Away(Base):
    """A member away from ``first_day`` to ``last_day`` (local dates, both included)."""

    __tablename__ = "away"
    __table_args__ = (Index("ix_away_community_id_user_id", "community_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    first_day: Mapped[date]
    last_day: Mapped[date]
    created_at: Mapped[datetime]


class SwapState(enum.StrEnum):
    ASKED = "asked"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CLOSED = "closed"


class SwapRequest(Base):
    """``from_user`` asks ``to_user`` to take their place on a shift; offered to all if unanswered."""

    __tablename__ = "swap_requests"
    __table_args__ = (Index("ix_swap_requests_shift_id", "shift_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    from_user: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    to_user: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    state: Mapped[SwapState] = mapped_column(default=SwapState.ASKED)
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    taken_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
