"""Skills: pure rules — normalising names, splitting lists of them, close matches, risk flags.

A skill's *key* is what matching compares: the name in Unicode NFKC form,
case-folded, inner whitespace collapsed to one space, surrounding space gone.
So "Plumbing", " plumbing " and "ＰＬＵＭＢＩＮＧ" share a key, and Chinese and
Cyrillic names keep their letters ("Сантехника" → "сантехника", "修水管" stays).
"""

from __future__ import annotations

import enum
import re
import re as _re
import unicodedata
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import UTC as _UTC
from datetime import datetime as _datetime
from typing import TypeVar as _TypeVar
from zoneinfo import ZoneInfo as _ZoneInfo

#: The longest skill name or alias, in characters; models.skills.SKILL_NAME_LIMIT says the
#: same for the columns (rules may not import models; a test checks they agree).
NAME_LIMIT = 64
#: How many names one /skill have|learn may declare at once.
NAMES_AT_ONCE = 10
#: How alike (0–100, rapidfuzz's WRatio) a name must be to be suggested.
MATCH_CUTOFF = 60.0

_SPACE = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[,，、;；]")


class NameProblem(enum.Enum):
    EMPTY = "empty"
    TOO_LONG = "too_long"


class BadName(ValueError):
    def __init__(self, reason: NameProblem, name: str) -> None:
        super().__init__(f"{reason.value}: {name!r}")
        self.reason = reason
        self.name = name


def tidy(name: str) -> str:
    """The name as it is shown: NFKC (full-width letters made plain), spaces collapsed, case kept."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", name)).strip()


def _fold(name: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", name).casefold()).strip()


def normalise(name: str) -> str:
    """The key of ``name``; ``BadName`` when it is empty or longer than NAME_LIMIT.

    Idempotent: folding is repeated until nothing changes (case folding can
    undo NFKC's composition in rare scripts, and NFKC can reveal new spaces).
    """
    key = _fold(name)
    for _ in range(4):
        again = _fold(key)
        if again == key:
            break
        key = again
    if not key:
        raise BadName(NameProblem.EMPTY, name)
    if len(key) > NAME_LIMIT or len(tidy(name)) > NAME_LIMIT:
        raise BadName(NameProblem.TOO_LONG, name)
    return key


def split_names(text: str) -> list[str]:
    """The names in a list written with commas (also "，" and "、") or semicolons.

    Empty pieces are dropped; names are tidied but not checked (``normalise`` does that).
    """
    return [piece for piece in (tidy(p) for p in _SEPARATORS.split(text)) if piece]


def unique_by_key(names: Iterable[str]) -> list[tuple[str, str]]:
    """(name, key) of each name, the first of each key only, in order; ``BadName`` as normalise."""
    seen: dict[str, str] = {}
    for name in names:
        key = normalise(name)
        seen.setdefault(key, name)
    return [(name, key) for key, name in seen.items()]


def close_matches(key: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """The candidates most like ``key``, best first, at most ``limit``; an exact one comes first.

    ``candidates`` are keys (already normalised). rapidfuzz is imported here, on
    the first search, not when the bot starts.
    """
    from rapidfuzz import fuzz, process

    pool = list(dict.fromkeys(candidates))
    if limit <= 0:
        return []
    found = [key] if key in pool else []
    others = [c for c in pool if c != key]
    scored = process.extract(
        key, others, scorer=fuzz.WRatio, limit=limit, score_cutoff=MATCH_CUTOFF
    )
    ranked = sorted(scored, key=lambda hit: (-hit[1], hit[2]))
    found += [hit[0] for hit in ranked]
    return found[:limit]


class Risk(enum.Enum):
    """What /skills flags about a skill."""

    NONE = "none"
    #: Exactly one member holds it: if they leave, nobody can teach it.
    SINGLE_HOLDER = "single"
    #: Nobody holds it, and somebody wants to learn it.
    UNHELD = "unheld"


def risk(holders: int, learners: int) -> Risk:
    if holders == 1:
        return Risk.SINGLE_HOLDER
    if holders == 0 and learners > 0:
        return Risk.UNHELD
    return Risk.NONE


def orphaned(held_by_leaver: Iterable[int], holders_left: dict[int, int]) -> list[int]:
    """The skills (ids) the leaver held that nobody else on the roster holds now."""
    return [skill for skill in held_by_leaver if holders_left.get(skill, 0) == 0]


def hours_taught(sessions: Iterable[tuple[int, int]]) -> dict[int, float]:
    """Hours each teacher taught, from (teacher id, length in minutes) of sessions held."""
    minutes: dict[int, int] = {}
    for teacher, length in sessions:
        minutes[teacher] = minutes.get(teacher, 0) + max(length, 0)
    return {teacher: total / 60 for teacher, total in minutes.items()}


# --- Teaching sessions and the digest (appended by the sessions/digest work) ---


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
