"""A weekly moment in a community's time: "mon 09:00", and when it next comes.

Pure: no database, no I/O. A community setting that more than one feature reads (the
skills digest is scheduled by /setup and by the digest itself) is parsed here, in the
core, because features never import each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_WEEKLY = re.compile(r"([a-z]{3})[a-z]*\s+(\d{1,2}):(\d{2})")


@dataclass(frozen=True, slots=True)
class Weekly:
    """A weekday (0 Monday … 6 Sunday) and a wall-clock time in the community's zone."""

    weekday: int
    hour: int
    minute: int

    def as_setting(self) -> str:
        return f"{DAYS[self.weekday]} {self.hour:02d}:{self.minute:02d}"


def parse_weekly(text: str) -> Weekly | None:
    """``mon 09:00`` or ``Monday 9:00`` (any case); None for anything else."""
    match = _WEEKLY.fullmatch(text.strip().lower())
    if match is None:
        return None
    word = text.strip().lower().split()[0]
    if word not in DAYS and word not in NAMES:
        return None
    hour, minute = int(match[2]), int(match[3])
    if hour > 23 or minute > 59:
        return None
    return Weekly(DAYS.index(word[:3]), hour, minute)


def next_weekly(weekly: Weekly, timezone: str, after: datetime) -> datetime:
    """The first moment strictly after ``after`` that is ``weekly`` in ``timezone``, in UTC.

    The wall-clock time is kept across a clock change: 09:00 is 09:00 in winter and
    in summer. A time that a spring change skips is taken with the offset before it.
    """
    zone = ZoneInfo(timezone)
    local = after.astimezone(zone)
    day = local.date() + timedelta(days=(weekly.weekday - local.weekday()) % 7)
    for _ in range(3):
        moment = datetime.combine(day, time(weekly.hour, weekly.minute), tzinfo=zone)
        if moment.astimezone(UTC) > after:
            return moment.astimezone(UTC)
        day += timedelta(days=7)
    raise AssertionError("unreachable: a week always comes")


#: The digest's moment when a community has not chosen one: Monday 09:00, its own time.
DEFAULT_DIGEST = Weekly(0, 9, 0)
DIGEST_OFF = "off"


def digest_moment(setting: object) -> Weekly | None:
    """The community's digest moment from its ``digest`` setting; None when it is off."""
    if setting == DIGEST_OFF:
        return None
    if isinstance(setting, str) and (weekly := parse_weekly(setting)) is not None:
        return weekly
    return DEFAULT_DIGEST
