"""The ledger of shared things: tools and materials that move between people and plan items.

Nothing here is money. A ``Thing`` is numbered per community and named by its
normalised key (case, width and spaces folded), so "Cement bags" and
"cement  BAGS" are one thing; its units are in the common store
(``in_store``), held by members (``ThingHolding``, one row per holder) or used
up for plan items for good (``used``). Every movement is a ``ThingMove`` row,
append-only: who recorded it, what, how many, from whom to whom or to which
plan item, and when. The counters on ``Thing`` and the holdings are the
ledger's current sum, changed in the same transaction as the row that moves
them, so store + held + used always equals every unit ever added.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Numbered
from models.community import User

THING_NAME_LIMIT = 64


class Thing(Numbered, Base):
    __tablename__ = "things"
    __table_args__ = (
        UniqueConstraint("community_id", "number"),
        UniqueConstraint("key", "community_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: As first written by a member, for display ("Cement bags").
    name: Mapped[str] = mapped_column(String(THING_NAME_LIMIT))
    #: The normalised name: what finding a thing by name compares.
    key: Mapped[str] = mapped_column(String(THING_NAME_LIMIT))
    in_store: Mapped[int]
    #: Units given to plan items: gone from the store for good.
    used: Mapped[int] = mapped_column(default=0)
    added_by: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]


class ThingHolding(Base):
    """How many units of a thing one person holds now; no row when they hold none."""

    __tablename__ = "thing_holdings"

    thing_id: Mapped[int] = mapped_column(
        ForeignKey("things.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id"), primary_key=True, index=True
    )
    quantity: Mapped[int]
    since: Mapped[datetime]

    user: Mapped[User] = relationship(lazy="joined")


class MoveKind(enum.StrEnum):
    ADDED = "added"
    LENT = "lent"
    RETURNED = "returned"
    GIVEN = "given"


class ThingMove(Base):
    """One recorded hand-over. ``None`` as giver or receiver is the common store; an
    ``added`` move comes from outside, a ``given`` one goes to ``plan_item_id``."""

    __tablename__ = "thing_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    thing_id: Mapped[int] = mapped_column(ForeignKey("things.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MoveKind]
    quantity: Mapped[int]
    recorded_by: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    at: Mapped[datetime]
    from_user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    to_user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("plan_items.id"))
