"""Petitions: thresholds, progress notices and expiry as pure functions.

- **Threshold**: the larger of a minimum number of signatures and a share of
  the electorate (who may sign, fixed when the petition opens), the share
  rounded *up*: ``max(minimum, ceil(percent × electorate / 100))``. It is
  computed in whole numbers, so 20 % of 15 is exactly 3 (``0.2 * 15`` in
  floating point is 3.0000000000000004, whose ceiling would be 4).
- **Progress notices**: level 1 at a third of the threshold, 2 at two thirds,
  3 at the threshold; a level is reached when ``3 × signatures ≥ level ×
  threshold`` (again exact). A petition remembers the highest level it
  announced and announces only higher ones, so withdrawing and signing
  again never repeats a notice; when one signature reaches two levels at
  once (thresholds of 1 or 2) only the higher is announced.
- **Expiry**: a petition takes signatures from the moment it opens until
  ``days`` whole days later (UTC arithmetic: a clock change does not move it);
  at that moment it is closed.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

#: Progress notices: a third, two thirds, the threshold.
NOTICE_LEVELS = 3


def percent_of(share: float) -> int:
    """A share as /setup stores it (``0.2`` for ``20%``, whole percents) back in percent."""
    return round(share * 100)


def threshold(electorate: int, minimum: int, percent: int) -> int:
    """Signatures needed: ``max(minimum, ceil(percent × electorate / 100))``."""
    return max(minimum, -(-percent * electorate // 100))


def level(signatures: int, needed: int) -> int:
    """How far ``signatures`` got towards ``needed``: 0, 1 (a third), 2 (two thirds) or 3."""
    return min(NOTICE_LEVELS, NOTICE_LEVELS * max(signatures, 0) // max(needed, 1))


def notice_due(signatures: int, needed: int, posted: int) -> int | None:
    """The progress notice to post now (a level above ``posted``), or None."""
    reached = level(signatures, needed)
    return reached if reached > posted else None


def closes_at(opened_at: datetime, days: int) -> datetime:
    """When a petition opened at ``opened_at`` for ``days`` days stops taking signatures."""
    return opened_at + timedelta(days=days)


def may_sign(now: datetime, expires_at: datetime) -> bool:
    """Whether a petition that expires at ``expires_at`` still takes signatures ``now``."""
    return now < expires_at


def fold(text: str) -> str:
    """A name as it is matched: Unicode NFKC, case folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
