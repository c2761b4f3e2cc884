"""The one clock every piece of code asks for the time.

Tests and the sandbox's time travel move a ``ShiftableClock`` forward; the
real bot uses it with no shift. Everything returns aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftableClock:
    """Real time plus a shift that only grows: time never runs backwards."""

    def __init__(self, shift: timedelta = timedelta(0)) -> None:
        self._shift = shift

    @property
    def shift(self) -> timedelta:
        return self._shift

    def now(self) -> datetime:
        return datetime.now(UTC) + self._shift

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self._shift += delta
        return self.now()


class FixedClock:
    """A clock that stands still until moved; for unit tests."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now
