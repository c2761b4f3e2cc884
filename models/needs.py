"""Needs and their support, proposals to meet them, the plan that adopted needs become,
and problem reports.

Each kind is numbered per community (#1, #2, ...) because people quote those
numbers in the chat; the database id stays internal. A proposal is numbered
within its need (#3.1, #3.2): it means nothing apart from that need. Nothing here is ever
deleted by the bot except a withdrawn support: a problem report in particular
lives on whatever happens to the chat message that announced it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Numbered
from models.community import User

TEXT_LIMIT = 500
"""Longest need, problem, plan title or note, in characters: a line in a list, not an essay."""


class NeedStatus(enum.StrEnum):
    OPEN = "open"
    VOTING = "voting"
    ADOPTED = "adopted"


class Need(Numbered, Base):
    """Something the community lacks, proposed by a member; open until a vote adopts it."""

    __tablename__ = "needs"
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(TEXT_LIMIT))
    author_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]
    status: Mapped[NeedStatus] = mapped_column(default=NeedStatus.OPEN)
    # The adoption poll while status is voting, the latest one afterwards.
    poll_id: Mapped[int | None]
    adopted_at: Mapped[datetime | None]

    author: Mapped[User] = relationship(lazy="joined")


class NeedSupport(Base):
    """One member's support for one need; the unique pair makes double support impossible."""

    __tablename__ = "need_supports"
    __table_args__ = (UniqueConstraint("need_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]


class Proposal(Base):
    """One way to meet a need, proposed by a member; a ranked vote picks among a need's proposals.

    ``number`` counts within the need (1, 2 ...): it is also the proposal's
    option, ``number - 1``, on the ballot that ranks them.
    """

    __tablename__ = "proposals"
    __table_args__ = (UniqueConstraint("need_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(String(TEXT_LIMIT))
    author_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]

    author: Mapped[User] = relationship(lazy="joined")


class ProposalSupport(Base):
    """One member's support for one proposal, as for a need: the unique pair, one each."""

    __tablename__ = "proposal_supports"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]


class PlanStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class PlanItem(Numbered, Base):
    """Work the community decided to do, with who took it; usually an adopted need."""

    __tablename__ = "plan_items"
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TEXT_LIMIT))
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"), unique=True)
    status: Mapped[PlanStatus] = mapped_column(default=PlanStatus.PLANNED)
    created_at: Mapped[datetime]
    taker_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    taken_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    #: The proposal a ranked vote chose to meet the need; its author is credited on the item.
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))

    taker: Mapped[User | None] = relationship(lazy="joined")
    proposal: Mapped[Proposal | None] = relationship(lazy="joined")


class NoteKind(enum.StrEnum):
    PROGRESS = "progress"
    DONE = "done"


class PlanNote(Base):
    """A dated note on a plan item: progress along the way, or what finished it."""

    __tablename__ = "plan_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_item_id: Mapped[int] = mapped_column(
        ForeignKey("plan_items.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    at: Mapped[datetime]
    kind: Mapped[NoteKind]
    text: Mapped[str] = mapped_column(String(TEXT_LIMIT))


class ProblemStatus(enum.StrEnum):
    OPEN = "open"
    FIXED = "fixed"


class Problem(Numbered, Base):
    """A reported problem. It closes only with a note on the fix and can be reopened.

    The row keeps the latest fix; every fix and reopening is in the audit log.
    """

    __tablename__ = "problems"
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(TEXT_LIMIT))
    reporter_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]
    status: Mapped[ProblemStatus] = mapped_column(default=ProblemStatus.OPEN)
    fixed_at: Mapped[datetime | None]
    fixed_by_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    fix_note: Mapped[str | None] = mapped_column(String(TEXT_LIMIT))
    reopened_at: Mapped[datetime | None]

    reporter: Mapped[User] = relationship(lazy="joined", foreign_keys=[reporter_id])
    fixed_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[fixed_by_id])
