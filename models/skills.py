"""The skill registry and teaching sessions: who can teach what, who wants to learn it.

A skill is named per community by its normalised key (case, spaces and
Unicode forms folded), so "Plumbing", "plumbing " and "ＰＬＵＭＢＩＮＧ" are
one skill; an alias is another key for the same skill ("pipes"). A member
holds a skill (can teach it) or wants it (would learn it), one row each.
A teaching session is numbered per community, has seats up to its
capacity and a waitlist after them, in sign-up order.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Numbered
from models.community import User

SKILL_NAME_LIMIT = 64


class Skill(Base):
    __tablename__ = "skills"
    __table_args__ = (UniqueConstraint("community_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    #: As first written by a member, for display.
    name: Mapped[str] = mapped_column(String(SKILL_NAME_LIMIT))
    #: The normalised name: what matching compares.
    key: Mapped[str] = mapped_column(String(SKILL_NAME_LIMIT))
    created_at: Mapped[datetime]


class SkillAlias(Base):
    """Another name for a skill in one community ("pipes" for plumbing)."""

    __tablename__ = "skill_aliases"
    __table_args__ = (UniqueConstraint("community_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(SKILL_NAME_LIMIT))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    created_by: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]


class Stance(enum.StrEnum):
    HAS = "has"
    WANTS = "wants"


class MemberSkill(Base):
    """A member holds a skill (can teach it) or wants to learn it."""

    __tablename__ = "member_skills"
    __table_args__ = (
        UniqueConstraint("skill_id", "user_id", "stance"),
        Index("ix_member_skills_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    stance: Mapped[Stance]
    since: Mapped[datetime]

    user: Mapped[User] = relationship(lazy="joined")


class TeachingSession(Numbered, Base):
    """A member teaches a skill at ``starts_at`` to at most ``capacity`` people."""

    __tablename__ = "teaching_sessions"
    __table_args__ = (
        UniqueConstraint("community_id", "number"),
        Index("ix_teaching_sessions_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    teacher_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    starts_at: Mapped[datetime]
    length_minutes: Mapped[int] = mapped_column(default=60)
    capacity: Mapped[int]
    created_at: Mapped[datetime]
    #: When participants were asked whether they learned it (the session is over).
    asked_at: Mapped[datetime | None]

    skill: Mapped[Skill] = relationship(lazy="joined")
    teacher: Mapped[User] = relationship(lazy="joined")


class SessionSeat(Base):
    """A sign-up: seated while within capacity in sign-up order, waiting after it."""

    __tablename__ = "session_seats"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("teaching_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    signed_at: Mapped[datetime]
    #: The participant's answer after the session: learned it or not (None: not answered).
    learned: Mapped[bool | None]

    user: Mapped[User] = relationship(lazy="joined")
