"""Polls, who may vote in them, and the ballots cast.

The electorate is a snapshot taken when a poll opens (``poll_voters``), so
joining afterwards never buys a vote. A ballot is one row per voter and poll
(primary key ``poll_id, user_id``): a vote changes by updating that row,
which is what keeps totals exact when many people press at once.

``Ballot.choice`` stores option indices as a string of digits, most
preferred first: ``"2"`` for a single choice, ``"03"`` for an approval of
options 0 and 3, ``"201"`` for a ranking. A poll has at most ten options,
so every index is one digit; the compact form lets the count be one
``GROUP BY choice`` query however many ballots there are.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Numbered

MAX_POLL_OPTIONS = 10  # one digit per option index in Ballot.choice


class PollKind(enum.StrEnum):
    SINGLE = "single"
    APPROVAL = "approval"
    RANKED = "ranked"


class Poll(Numbered, Base):
    """A question put to a community's members, numbered #1, #2 ... per community.

    ``subject_kind``/``subject_id`` name what the poll decides when another
    feature opened it (``("need", 7)`` for /adopt); plain /poll leaves them empty.
    ``quorum`` and ``electorate`` are fixed at opening, like the voter list.
    ``result`` keeps the count as published, for pages and exports.
    """

    __tablename__ = "polls"
    __table_args__ = (
        UniqueConstraint("community_id", "number"),
        Index("ix_polls_subject", "subject_kind", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PollKind]
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON)
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[int | None] = mapped_column(BigInteger)
    electorate: Mapped[int]
    quorum: Mapped[float | None] = mapped_column(Float)
    subject_kind: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class PollVoter(Base):
    """One member allowed to vote in a poll: the roster as it was at opening."""

    __tablename__ = "poll_voters"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class Ballot(Base):
    """A voter's current choice in a poll; withdrawing a vote deletes the row."""

    __tablename__ = "poll_ballots"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    choice: Mapped[str] = mapped_column(String(MAX_POLL_OPTIONS))
    cast_at: Mapped[datetime]
