"""Roles with short terms, elections, petitions (recall and rules) and the rule book.

Every mandate is temporary and revocable: a role exists once a members'
poll approved it; a ``Term`` is one person holding one seat of a role from
``started_at`` to ``ends_at`` (or until ``ended_at``, when they resigned,
were recalled or left). Terms are never deleted: consecutive terms are
counted from them for the term limit. An ``Election`` fills seats: it
collects ``Nomination`` rows, then puts the accepted nominees to a secret
poll (``poll_id``). A ``Petition`` collects signatures (one row per signer,
withdrawn by deleting it) from those fixed as eligible when it opened
(``PetitionSigner``, as ``poll_voters`` does for polls); at its threshold a
recall petition opens a secret recall vote and a rule petition a poll. A
``Rule`` is numbered in the community; its text lives in ``RuleVersion``
rows, one per adoption, amendment or repeal, so ``/rules N`` shows history.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Numbered

ROLE_NAME_LIMIT = 64


class RoleStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    REJECTED = "rejected"


class Role(Numbered, Base):
    """A role such as treasurer: ``seats`` people hold it for ``term_days`` each."""

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(ROLE_NAME_LIMIT))
    #: The normalised name (case and spaces folded): what /elect ROLE matches.
    key: Mapped[str] = mapped_column(String(ROLE_NAME_LIMIT))
    term_days: Mapped[int]
    seats: Mapped[int]
    status: Mapped[RoleStatus] = mapped_column(default=RoleStatus.PROPOSED)
    proposed_by: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]
    #: The members' poll that approves (or rejected) the role.
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id"))


class TermEnd(enum.StrEnum):
    EXPIRED = "expired"
    RESIGNED = "resigned"
    RECALLED = "recalled"
    LEFT = "left"


class Term(Base):
    """One person holding one seat of a role; ``ended_at`` is set when it ends, however."""

    __tablename__ = "terms"
    __table_args__ = (Index("ix_terms_role_id_user_id", "role_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    started_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[TermEnd | None]
    #: The election that gave the seat.
    election_id: Mapped[int | None] = mapped_column(ForeignKey("elections.id"))


class ElectionPhase(enum.StrEnum):
    NOMINATING = "nominating"
    VOTING = "voting"
    DONE = "done"
    #: Nobody stood, or the vote did not decide (no quorum, no votes).
    FAILED = "failed"


class Election(Numbered, Base):
    """Fills ``seats`` seats of a role: nominations until ``nominations_close_at``, then a vote."""

    __tablename__ = "elections"
    __table_args__ = (
        UniqueConstraint("community_id", "number"),
        Index("ix_elections_role_id", "role_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))
    seats: Mapped[int]
    phase: Mapped[ElectionPhase] = mapped_column(default=ElectionPhase.NOMINATING)
    #: Why it opened: "term_end", "resignation", "recall", "new_role", "member".
    reason: Mapped[str] = mapped_column(String(16))
    #: Who ran /elect; None when the bot opened it.
    opened_by: Mapped[int | None] = mapped_column(BigInteger)
    opened_at: Mapped[datetime]
    nominations_close_at: Mapped[datetime]
    #: How long the vote runs once nominations close, in hours.
    vote_hours: Mapped[int] = mapped_column(default=48)
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id"))
    closed_at: Mapped[datetime | None]
    #: The result as published: winners, the tie-break rule used, counts.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Nomination(Base):
    """A candidate for an election; nominated by another member, they must accept."""

    __tablename__ = "nominations"

    election_id: Mapped[int] = mapped_column(
        ForeignKey("elections.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)
    nominated_by: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    nominated_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]


class PetitionKind(enum.StrEnum):
    RECALL = "recall"
    RULE = "rule"
    AMEND = "amend"
    REPEAL = "repeal"


class PetitionState(enum.StrEnum):
    OPEN = "open"
    #: The threshold was reached; the vote it opened runs.
    VOTING = "voting"
    PASSED = "passed"
    FAILED = "failed"
    EXPIRED = "expired"


class Petition(Numbered, Base):
    """A recall of a holder or a change to the rules, signed by members until ``expires_at``."""

    __tablename__ = "petitions"
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PetitionKind]
    state: Mapped[PetitionState] = mapped_column(default=PetitionState.OPEN)
    #: The reason (recall) or the rule's proposed text (rule, amend); empty for repeal.
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    opened_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    #: Signatures needed, fixed when it opened (from the electorate then).
    threshold: Mapped[int]
    electorate: Mapped[int]
    #: Which progress notices were posted: 0 none, 1 a third, 2 two thirds, 3 the threshold.
    notices: Mapped[int] = mapped_column(default=0)
    #: A recall's target: the term (seat) it would end.
    term_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id"))
    #: An amendment's or repeal's rule.
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("rules.id"))
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id"))
    closed_at: Mapped[datetime | None]


class PetitionSigner(Base):
    """Who may sign, fixed when the petition opened."""

    __tablename__ = "petition_signers"

    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)


class Signature(Base):
    """One member's signature; withdrawing it deletes the row while the petition is open."""

    __tablename__ = "signatures"

    petition_id: Mapped[int] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)
    signed_at: Mapped[datetime]


class Rule(Numbered, Base):
    """A rule of the community, numbered; its text is its latest version."""

    __tablename__ = "rules"
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    repealed_at: Mapped[datetime | None]


class RuleVersion(Base):
    """One adoption, amendment or repeal of a rule, with the petition and poll behind it."""

    __tablename__ = "rule_versions"
    __table_args__ = (UniqueConstraint("rule_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("rules.id", ondelete="CASCADE"))
    version: Mapped[int]
    kind: Mapped[PetitionKind]
    #: The rule's text from this version on; empty for a repeal.
    text: Mapped[str] = mapped_column(Text)
    adopted_at: Mapped[datetime]
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"))
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id"))
    #: The poll's totals as published ("12 yes, 3 no of 20").
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
