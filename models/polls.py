"""Polls, who may vote in them, and the ballot box.

The electorate is a snapshot taken when a poll opens (``poll_voters``), so
joining afterwards never buys a vote.

The ballot box is two tables that share nothing but the poll:
``poll_participation`` says who has a ballot in the box (for turnout and for
reminding the others), ``poll_ballots`` what the ballots say. A ballot is
found by its token, a keyed hash of the voter made with the poll's
``ballot_key``; the key is erased when the poll closes, and with it every
way back from a ballot to a member. Neither table has a timestamp or a
serial id, and on SQLite both are WITHOUT ROWID tables, so not even the
order in which rows were written is kept. handlers.core.ballots is the one
place that reads or writes them.

A consent poll's block reasons (``poll_block_reasons``) are kept the same
way, by the voter's ballot token, and deleted at the close once the result
has published them without names (handlers.polls.blocks is their one place).

Meeting polls (``/poll when``) are not secret: who can come when is the point
of them, so their answers (``poll_slot_answers``) name the member openly and
never touch the ballot box.
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
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Numbered


class PollKind(enum.StrEnum):
    SINGLE = "single"
    APPROVAL = "approval"
    RANKED = "ranked"
    CONSENT = "consent"
    MEETING = "meeting"


class Availability(enum.StrEnum):
    """A member's answer for one time slot of a meeting poll."""

    YES = "yes"
    MAYBE = "maybe"
    NO = "no"


class Poll(Numbered, Base):
    """A question put to a community's members, numbered #1, #2 ... per community.

    ``subject_kind``/``subject_id`` name what the poll decides when another
    feature opened it (``("need", 7)`` for /adopt); plain /poll leaves them empty.
    ``quorum`` and ``electorate`` are fixed at opening, like the voter list.
    ``result`` keeps the count as published, for pages and exports.
    ``hidden``: no counts are shown before the close. ``keep_open``: the poll
    runs to its deadline even once everyone has voted. ``slots`` (meeting
    polls only): each time slot as ``[start, end]`` in ISO 8601 UTC, ``end``
    null for a slot with a start only; ``options`` then holds the slots as
    they were written.
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
    #: None: the bot opened it (a job, or a rule petition's poll); nobody may close it early.
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[int | None] = mapped_column(BigInteger)
    electorate: Mapped[int]
    quorum: Mapped[float | None] = mapped_column(Float)
    subject_kind: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Makes ballot tokens while the poll is open; erased (None) when it closes.
    ballot_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())
    keep_open: Mapped[bool] = mapped_column(default=False, server_default=false())
    slots: Mapped[list[list[str | None]] | None] = mapped_column(JSON)

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


class SecretBallot(Base):
    """What one ballot says (``choice``, see handlers.core.choices), and nothing about whose it is.

    ``token`` is HMAC-SHA256(poll.ballot_key, voter id) while the poll is
    open, which lets the voter find and replace their ballot; at the close
    it is replaced by random bytes of the same length.
    """

    __tablename__ = "poll_ballots"
    # No rowid: SQLite would otherwise number rows in the order they were cast.
    __table_args__ = {"sqlite_with_rowid": False}

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    choice: Mapped[str] = mapped_column(Text)


class Participation(Base):
    """A member who has a ballot in a poll's box, never what it says."""

    __tablename__ = "poll_participation"
    __table_args__ = {"sqlite_with_rowid": False}

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class BlockReason(Base):
    """A consent poll's block, by ballot token: ``reason`` None while the voter has pressed
    Block and not yet said why (the block does not count until they do)."""

    __tablename__ = "poll_block_reasons"
    __table_args__ = {"sqlite_with_rowid": False}

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str | None] = mapped_column(Text)


class SlotAnswer(Base):
    """One member's answer for one time slot of a meeting poll; open, not secret."""

    __tablename__ = "poll_slot_answers"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    slot: Mapped[int] = mapped_column(primary_key=True)
    answer: Mapped[Availability]
