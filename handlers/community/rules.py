"""Reading /setup's settings: pure functions, no database, no I/O."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from handlers.core.weekly import DIGEST_OFF, parse_weekly


def parse_timezone(token: str) -> str | None:
    """An IANA zone name (``Europe/Berlin``, any case) or UTC; None for anything else."""
    if "/" not in token and token.upper() != "UTC":
        return None
    try:
        ZoneInfo(token)
    except (ZoneInfoNotFoundError, ValueError):
        lowered = {name.lower(): name for name in available_timezones()}
        return lowered.get(token.lower())
    return token


def parse_quorum(token: str) -> float | None:
    """``30%`` or ``quorum=30%`` → 0.3; ``quorum=none``/``0%`` → 0.0 (no quorum); else None."""
    value = token.lower().removeprefix("quorum=")
    if value in ("none", "off", "no") and token.lower().startswith("quorum="):
        return 0.0
    match = re.fullmatch(r"(\d{1,3})%", value)
    if match is None or int(match[1]) > 100:
        return None
    return int(match[1]) / 100


_DIGEST = re.compile(r"(?:^|\s)digest=(\S+(?:\s+\d{1,2}:\d{2})?)", re.IGNORECASE)


def split_digest(args: str) -> tuple[str | None, str]:
    """``digest=mon 09:00`` (two words) or ``digest=off`` out of /setup's arguments: the value
    (None when absent) and the other arguments."""
    match = _DIGEST.search(args)
    if match is None:
        return None, args
    return match[1], args[: match.start()] + " " + args[match.end() :]


def parse_digest(value: str) -> str | None:
    """The digest setting as stored: ``mon 09:00`` or ``off``; None when unreadable."""
    if value.strip().lower() in ("off", "none", "no"):
        return DIGEST_OFF
    weekly = parse_weekly(value)
    return weekly.as_setting() if weekly else None
