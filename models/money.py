"""The common fund, the costs of plan items and participatory budget rounds.

Money is stored as whole minor units (cents) in a ``BigInteger`` beside its
ISO 4217 currency, never as a float: SQLite has no decimal type, and an
integer of cents is exact on both databases. Code turns it into a
``Decimal`` with the currency's number of digits (Babel knows them).

The fund is append-only. A ``FundEntry`` is recorded once and never
changed; a mistake is fixed by a reversing entry that points at the one it
undoes (``reverses_id``, unique: an entry is reversed at most once). An
"out" above the community's limit waits as ``PENDING`` for a members' poll
(``poll_id``) and is ``RECORDED`` only if it passes (``REJECTED``
otherwise); only recorded entries count in the balance. A budget round's
funded items are recorded as ``COMMITMENT`` entries naming the plan item.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Numbered


class EntryKind(enum.StrEnum):
    IN = "in"
    OUT = "out"
    REVERSAL = "reversal"
    COMMITMENT = "commitment"


class EntryState(enum.StrEnum):
    RECORDED = "recorded"
    PENDING = "pending"
    REJECTED = "rejected"


class FundEntry(Numbered, Base):
    """One movement of the common fund; ``amount_minor`` is signed: in > 0, out < 0."""

    __tablename__ = "fund_entries"
    __table_args__ = (
        UniqueConstraint("community_id", "number"),
        UniqueConstraint("reverses_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EntryKind]
    state: Mapped[EntryState] = mapped_column(default=EntryState.RECORDED)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    note: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    recorded_at: Mapped[datetime]
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("fund_entries.id"))
    #: The poll an "out" above the limit waits for.
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id"))
    #: A commitment's plan item and budget round.
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("plan_items.id"))
    budget_id: Mapped[int | None] = mapped_column(ForeignKey("budgets.id"))


class PlanCost(Base):
    """What a plan item costs (``/cost ID AMOUNT``) and the budget round that funded it."""

    __tablename__ = "plan_costs"

    plan_item_id: Mapped[int] = mapped_column(
        ForeignKey("plan_items.id", ondelete="CASCADE"), primary_key=True
    )
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    set_by: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    set_at: Mapped[datetime]
    funded_by: Mapped[int | None] = mapped_column(ForeignKey("budgets.id"))


class Budget(Numbered, Base):
    """A participatory budget round: members pick costed plan items within ``amount_minor``."""

    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    opened_by: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    electorate: Mapped[int] = mapped_column(default=0)
    #: The items on the ballot with their costs when it opened: [[plan_item_id, cost], ...].
    items: Mapped[list[Any]] = mapped_column(JSON)
    #: As published at the close: support per item, funded items in order, what is left.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class BudgetVoter(Base):
    """Who may take part in a round, fixed when it opened."""

    __tablename__ = "budget_voters"

    budget_id: Mapped[int] = mapped_column(
        ForeignKey("budgets.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)


class BudgetPick(Base):
    """One item a voter picked in a round; a voter's picks always fit the round's amount."""

    __tablename__ = "budget_picks"
    __table_args__ = (Index("ix_budget_picks_budget_id_item", "budget_id", "plan_item_id"),)

    budget_id: Mapped[int] = mapped_column(
        ForeignKey("budgets.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)
    plan_item_id: Mapped[int] = mapped_column(ForeignKey("plan_items.id"), primary_key=True)
