"""What the bot knows of a group, read from its database, so the page never contradicts it.

Why read the database: the page shows who is a resident or a worker and the time the bot
speaks in. Both are the bot's own state (the roster, the community's time zone) and change
only through commands the bot handles (``/iam worker``, ``/setup Europe/Berlin``). A copy
kept by the sandbox would drift from it; the emulator cannot know it either, since Telegram
does not. So the page's server asks the bot's database, read-only, after the bot has
answered in a group (the bot commits before it replies) — the same rows ``/members`` reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Community, Member

__all__ = ["GroupFacts", "read_group", "zone_abbreviation"]


@dataclass(frozen=True)
class GroupFacts:
    """A set-up community as the bot has it: its time zone and its roster's kinds."""

    timezone: str
    #: Active roster members: user id → "resident" | "worker".
    kinds: dict[int, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"timezone": self.timezone, "kinds": {str(k): v for k, v in self.kinds.items()}}


async def read_group(sessions: async_sessionmaker[AsyncSession], chat_id: int) -> GroupFacts | None:
    """The community of the group ``chat_id``, or ``None`` while it is not set up."""
    async with sessions() as session:
        community = await session.scalar(select(Community).where(Community.chat_id == chat_id))
        if community is None:
            return None
        rows = await session.execute(
            select(Member.user_id, Member.kind).where(
                Member.community_id == community.id, Member.left_at.is_(None)
            )
        )
        return GroupFacts(
            timezone=community.timezone,
            kinds={user_id: kind.value for user_id, kind in rows.all()},
        )


def zone_abbreviation(zone: str, moment: datetime) -> str:
    """The zone's abbreviation at ``moment`` as tzdata has it: CET or CEST, MSK, UTC."""
    try:
        return moment.astimezone(ZoneInfo(zone)).tzname() or zone
    except (ZoneInfoNotFoundError, ValueError):
        return zone
