"""What a closed poll decided, in the words of a member: the outcome recorded after the result.

A table of its own rather than columns on ``polls``: an outcome can be
amended, and every version stays (one row each, the newest is the outcome);
the poll row is the vote's and stays as it was counted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.community import User
from models.needs import TEXT_LIMIT


class PollOutcome(Base):
    """One version of a poll's outcome: who wrote it, when, and what was decided."""

    __tablename__ = "poll_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    at: Mapped[datetime]
    text: Mapped[str] = mapped_column(String(TEXT_LIMIT))

    author: Mapped[User] = relationship(lazy="joined")
