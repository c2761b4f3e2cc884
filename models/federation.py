"""Federation: communities served by the same bot that link up to see each other's needs
and skills and to help each other.

A link starts from a one-time ``LinkCode`` made in one community (the
*inviter*): only its SHA-256 is stored, it is valid 24 h, a newer code of the
same community replaces it, and using it spends it. Whoever types it in
another community's group (the *invitee*) starts a ``CommunityLink``, pending
until a member of each side has confirmed it; an ended link stays as history.
A need shared with a linked community is a ``NeedShare`` (one per need and
target community), and each member of the target who answers "we can help"
is one ``HelpOffer``.

Nothing of one community's members but display names ever reaches the other:
the rows keep user ids for the bot's own bookkeeping only.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.community import Community


class CodeState(enum.StrEnum):
    ACTIVE = "active"
    USED = "used"
    REPLACED = "replaced"


class LinkCode(Base):
    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    #: SHA-256 (hex) of the code as the bot reads it; the code itself is never stored.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[CodeState] = mapped_column(default=CodeState.ACTIVE)
    created_by: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LinkState(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    ENDED = "ended"


class CommunityLink(Base):
    """Two communities linked: pending until each side has confirmed, active, then ended."""

    __tablename__ = "community_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The community whose code was used, and the one whose member used it.
    inviter_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    invitee_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[LinkState] = mapped_column(default=LinkState.PENDING)
    requested_at: Mapped[datetime]
    #: A link still pending then has lapsed.
    expires_at: Mapped[datetime]
    inviter_confirmed_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    inviter_confirmed_at: Mapped[datetime | None]
    invitee_confirmed_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    invitee_confirmed_at: Mapped[datetime | None]
    activated_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    ended_from: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))

    inviter: Mapped[Community] = relationship(lazy="joined", foreign_keys=[inviter_id])
    invitee: Mapped[Community] = relationship(lazy="joined", foreign_keys=[invitee_id])


class NeedShare(Base):
    """A need of one community shown to one linked community, with a "we can help" button.

    One per need and link: after an unlink and a new link the need can be shown again.
    """

    __tablename__ = "need_shares"
    __table_args__ = (UniqueConstraint("need_id", "link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"))
    link_id: Mapped[int] = mapped_column(ForeignKey("community_links.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    shared_by: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    shared_at: Mapped[datetime]


class HelpOffer(Base):
    """A member of the target community offers help with a shared need; one per member."""

    __tablename__ = "help_offers"

    share_id: Mapped[int] = mapped_column(
        ForeignKey("need_shares.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), primary_key=True)
    offered_at: Mapped[datetime]
