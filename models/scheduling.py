"""Work due later (jobs) and messages waiting to be sent (outbox).

The database is the source of truth for everything that must happen later;
the scheduler only wakes the app, which claims due rows in a transaction.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class JobState(enum.StrEnum):
    DUE = "due"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    """A unit of work due at a moment: close poll 7, remind shift 12, ..."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_state_due_at", "state", "due_at"),
        Index("ix_jobs_kind_ref", "kind", "ref_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    ref_id: Mapped[int] = mapped_column(BigInteger)
    due_at: Mapped[datetime]
    state: Mapped[JobState] = mapped_column(default=JobState.DUE)
    claimed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(500))


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    """A message written in the same transaction as the change it announces."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_id", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The attachment's bytes, a photo's or a document's: the payload's ``attachment`` says
    #: which (named ``photo`` from when only pictures went out; renaming needs a migration).
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    state: Mapped[OutboxState] = mapped_column(default=OutboxState.PENDING)
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)


class PostedMessage(Base):
    """Which Telegram messages carry a named thing (``poll:42``) in a chat.

    Lets later work — a deadline job, a vote cast in private — edit the
    message everyone sees, without the use case knowing message ids. A key
    usually names one message per chat; a voter's private ballot can have
    several copies (the ballot they asked for, the reminder), one row each.
    """

    __tablename__ = "posted_messages"
    # Key first: edits look up (chat, key), the close of a poll finds every chat with a key.
    # (chat, message): a member's reply to a bot message is routed by the key it carries.
    __table_args__ = (
        Index("ix_posted_messages_key_chat_id", "key", "chat_id"),
        Index("ix_posted_messages_chat_id_message_id", "chat_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    key: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[int] = mapped_column(BigInteger)
    posted_at: Mapped[datetime]
