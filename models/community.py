"""Communities, the people in them and the append-only audit log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base


class Community(Base):
    """One housing community, keyed by its Telegram group chat."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str] = mapped_column(String(255))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    language: Mapped[str] = mapped_column(String(16), default="en")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]

    members: Mapped[list[Member]] = relationship(back_populates="community")


class User(Base):
    """A Telegram user the bot has seen; personal language lives here."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    display_name: Mapped[str] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(64))
    telegram_language: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(16))
    started_bot: Mapped[bool] = mapped_column(default=False)
    # Plain text in private is answered with a hint once per person, then never again.
    text_hint_sent: Mapped[bool] = mapped_column(default=False, server_default=false())


class MemberKind(enum.StrEnum):
    RESIDENT = "resident"
    WORKER = "worker"


class Member(Base):
    """A person on a community's roster. Leaving keeps the row (history)."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("community_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[MemberKind] = mapped_column(default=MemberKind.RESIDENT)
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None]

    community: Mapped[Community] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")

    @property
    def active(self) -> bool:
        return self.left_at is None


class AuditEntry(Base):
    """Append-only record of every state change; nothing updates or deletes it."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_community_at", "community_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
