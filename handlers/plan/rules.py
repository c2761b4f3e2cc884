"""When a plan item someone took may be taken over: pure, no database, no I/O."""

from __future__ import annotations

from datetime import datetime, timedelta

#: How long a taker may post nothing on an item before others may take it over.
TAKE_OVER_AFTER = timedelta(days=14)


def may_take_over(*, taker_on_roster: bool, last_activity: datetime | None, now: datetime) -> bool:
    """Whether an item taken by someone else can change hands now.

    Once its taker has left the roster, or posted nothing on it (taking it
    counts) for TAKE_OVER_AFTER, so nobody sits on a task for ever.
    """
    if not taker_on_roster:
        return True
    return last_activity is None or now - last_activity >= TAKE_OVER_AFTER
