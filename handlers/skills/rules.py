"""Skills: pure rules (being written)."""


# --- Teaching sessions and the digest (appended by the sessions/digest work) ---

import re as _re
from collections.abc import Hashable, Mapping, Sequence
from datetime import UTC as _UTC
from datetime import datetime as _datetime
from typing import TypeVar as _TypeVar
from zoneinfo import ZoneInfo as _ZoneInfo

#: The most people one session takes (the waitlist has no limit).
CAPACITY_LIMIT = 100
_WHEN = _re.compile(r"(\d{4})-(\d{2})-(\d{2})\s+(\d{1,2}):(\d{2})")


def parse_session_when(text: str, timezone: str) -> _datetime | None:
    """``YYYY-MM-DD HH:MM`` in the community's ``timezone``, as a UTC moment; None if unreadable."""
    match = _WHEN.fullmatch(text.strip())
    if match is None:
        return None
    try:
        year, month, day, hour, minute = (int(part) for part in match.groups())
        local = _datetime(year, month, day, hour, minute, tzinfo=_ZoneInfo(timezone))
    except ValueError:
        return None
    return local.astimezone(_UTC)


def parse_capacity(text: str) -> int | None:
    """A whole number of seats (``0`` included, so that it can be explained); None otherwise."""
    value = text.strip()
    return int(value) if value.isdigit() and len(value) <= 6 else None


S = _TypeVar("S", bound=Hashable)
P = _TypeVar("P", bound=Hashable)


def pair(wants: Mapping[S, Sequence[P]], holders: Mapping[S, Sequence[P]]) -> list[tuple[S, P, P]]:
    """Each learner with a holder of the skill they want: ``(skill, learner, holder)``.

    A learner is never paired with themselves; every learner who has a holder
    other than themselves gets one; the learners of a skill are spread over
    its holders so that any two holders' counts differ by at most one; the
    same input always gives the same pairs, in the order of ``wants`` and of
    each skill's learners. A learner or holder listed twice counts once.

    Each learner first goes to the least busy other holder (ties to the one
    listed first); a learner who is also a holder can leave the others
    unbalanced (A, B and C all want and hold it: A→B, B→A, C→A), so the
    busiest holder then hands one of their learners to the idlest until the
    counts are within one. A holder with two or more learners more than
    another always has one who is not that other holder, so this ends.
    """
    pairs: list[tuple[S, P, P]] = []
    for skill, learners in wants.items():
        teachers = list(dict.fromkeys(holders.get(skill, ())))
        if not teachers:
            continue
        chosen: dict[P, P] = {}
        load = dict.fromkeys(teachers, 0)
        rank = {holder: index for index, holder in enumerate(teachers)}
        for learner in dict.fromkeys(learners):
            others = [h for h in teachers if h != learner]
            if others:
                holder = min(others, key=lambda h: (load[h], rank[h]))
                chosen[learner] = holder
                load[holder] += 1
        while True:
            busiest = max(teachers, key=lambda h: (load[h], -rank[h]))
            idlest = min(teachers, key=lambda h: (load[h], rank[h]))
            if load[busiest] - load[idlest] <= 1:
                break
            moved = next(
                learner
                for learner, holder in reversed(chosen.items())
                if holder == busiest and learner != idlest
            )
            chosen[moved] = idlest
            load[busiest] -= 1
            load[idlest] += 1
        pairs.extend((skill, learner, holder) for learner, holder in chosen.items())
    return pairs
