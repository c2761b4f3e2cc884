"""The common fund, the costs of plan items and participatory budget rounds.

Money is stored as whole minor units (cents) in a ``BigInteger`` beside its
ISO 4217 currency, never as a float: SQLite has no decimal type, and an
integer of cents is exact on both databases. Code turns it into a
``Decimal`` with the currency's number of digits (Babel knows them:
``handlers.fund.money``). A community keeps one currency (the ``currency``
setting, default EUR), fixed once any amount is stored, so sums of its
rows never mix currencies.

The fund is append-only. A ``FundEntry`` is recorded once and its amount,
note and links never change; a mistake is fixed by a reversing entry that
points at the one it undoes (``reverses_id``, unique: an entry is reversed
at most once; only recorded ins and outs are reversed). An "out" above the
community's limit waits as ``PENDING`` for a members' poll (``poll_id``) and
becomes ``RECORDED`` only if it passes (``REJECTED`` otherwise): the state
is the one thing that changes, once. A budget round's funded items are
recorded as ``COMMITMENT`` entries naming the plan item and the round.

Reading it (``handlers.fund.rules`` says the same in code):

- the balance (cash) is the sum of ``amount_minor`` over recorded ``in``,
  ``out`` and ``reversal`` entries; pending and rejected ones never count;
- a commitment (amount < 0) is money promised to a plan item, not cash
  leaving the fund; an ``out`` with a ``plan_item_id`` pays that item, and
  what is still committed is the commitments less the payments not
  reversed, nothing for a plan item that is done;
- ``recorded_by`` is who recorded it (None for a commitment: the round did).
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
    """What a plan item costs (``/cost ID AMOUNT``) and the budget round that funded it.

    ``set_by``/``set_at`` are the latest change (the audit log keeps each one);
    once ``funded_by`` is set the cost no longer changes.
    """

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
    """A participatory budget round: members pick costed plan items within ``amount_minor``.

    Running while ``closed_at`` is None (one per community at most); while it
    runs it holds ``amount_minor`` of the fund's free money.
    """

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
    #: As published at the close: ``{"ballots": voters who picked, "electorate": n,
    #: "support": [[plan_item_id, picks], ...] in ballot order, "funded": [plan_item_id, ...]
    #: in funding order, "skipped": [plan_item_id, ...] done before the close, "spent": minor
    #: units committed, "left": minor units of the amount not committed}``.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class BudgetVoter(Base):
    """Who may take part in a round, fixed when it opened."""

    __tablename__ = "budget_voters"

    budget_id: Mapped[int] = mapped_column(
        ForeignKey("budgets.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)


class BudgetPick(Base):
    """One item a voter picked in a round; a voter's picks always fit the round's amount.

    Kept only while the round runs, so that each voter can change their picks;
    the close counts them into ``Budget.result`` and deletes them in the same
    transaction, so who picked what is not kept (like a poll's sealed ballots).
    Never shown to anyone but the voter.
    """

    __tablename__ = "budget_picks"
    __table_args__ = (Index("ix_budget_picks_budget_id_item", "budget_id", "plan_item_id"),)

    budget_id: Mapped[int] = mapped_column(
        ForeignKey("budgets.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)
    plan_item_id: Mapped[int] = mapped_column(ForeignKey("plan_items.id"), primary_key=True)
