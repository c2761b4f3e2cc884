"""Reading the time slots of a meeting poll (``/poll when``): pure, no database, no I/O.

A slot is a day and a time in the community's zone, optionally with an end
time: ``fri 18:00``, ``Sat 10:00-12:00``, ``2026-12-05 18:00``,
``05.12.2026 18:00``, ``12月5日 18:00``, ``tomorrow 9:30``. Days may be
written in English, Russian or Chinese (``пт 18:00``, ``周五 18:00``), and
full-width digits and colons count as ordinary ones (NFKC), so a Chinese
keyboard's ``１８：００`` reads too.

- A weekday means its next occurrence that is still ahead: ``fri 18:00``
  on a Friday at 19:00 is next Friday.
- A date without a year (``12月5日``) is its next occurrence.
- An end at or before the start runs past midnight (``22:00-02:00``); an end
  equal to the start is refused (a slot of no length, or of 24 hours, is a typo).
- A slot must lie ahead, within ``MAX_AHEAD``; a wall-clock time that does not
  exist that day (the hour skipped when clocks go forward) is unreadable.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["MAX_AHEAD", "Slot", "SlotError", "SlotProblem", "parse_slot"]

MAX_AHEAD = timedelta(days=365)

_WEEKDAY_NAMES = (
    ("mon", "monday", "пн", "пон", "понедельник"),
    ("tue", "tues", "tuesday", "вт", "вторник"),
    ("wed", "wednesday", "ср", "среда", "среду"),
    ("thu", "thur", "thurs", "thursday", "чт", "четверг"),
    ("fri", "friday", "пт", "пятница", "пятницу"),
    ("sat", "saturday", "сб", "суббота", "субботу"),
    ("sun", "sunday", "вс", "воскресенье"),
)
WEEKDAYS = {name: number for number, names in enumerate(_WEEKDAY_NAMES) for name in names}
#: 周五, 星期五, 礼拜五: Friday; 日 and 天 both end the week.
_CHINESE_WEEK = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
_CHINESE_DAYS = {**{name: n for n, name in enumerate("一二三四五六日")}, "天": 6}
_RELATIVE = {
    **dict.fromkeys(("today", "сегодня", "今天", "今日"), 0),
    **dict.fromkeys(("tomorrow", "завтра", "明天", "明日"), 1),
}
_SHAPE = re.compile(
    r"(?P<day>.*?)\s*(?P<h1>\d{1,2}):(?P<m1>\d{2})(?:\s*-\s*(?P<h2>\d{1,2}):(?P<m2>\d{2}))?"
)
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_CHINESE_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]")
_DASHES = str.maketrans({"–": "-", "—": "-", "~": "-", "〜": "-", "～": "-", "至": "-", "到": "-"})


class SlotProblem(enum.Enum):
    UNREADABLE = "unreadable"
    PAST = "past"
    FAR = "far"


class SlotError(ValueError):
    def __init__(self, problem: SlotProblem, value: str) -> None:
        super().__init__(f"{problem.value}: {value!r}")
        self.problem = problem
        self.value = value


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    """A time slot in UTC; ``end`` None when only a start was given."""

    start: datetime
    end: datetime | None = None

    def as_json(self) -> list[str | None]:
        return [self.start.isoformat(), self.end.isoformat() if self.end else None]

    @classmethod
    def from_json(cls, data: list[str | None]) -> Slot:
        start, end = data
        assert start is not None
        return cls(datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None)


def parse_slot(text: str, now: datetime, timezone: str) -> Slot:
    """The slot ``text`` names, in UTC; SlotError says why it cannot be one."""
    zone = ZoneInfo(timezone)
    tidy = unicodedata.normalize("NFKC", text).translate(_DASHES).lower()
    tidy = re.sub(r"\s+to\s+(?=\d)", "-", tidy.strip())
    match = _SHAPE.fullmatch(tidy)
    if match is None:
        raise SlotError(SlotProblem.UNREADABLE, text)
    try:
        starts = time(int(match["h1"]), int(match["m1"]))
        ends = time(int(match["h2"]), int(match["m2"])) if match["h2"] else None
    except ValueError:
        raise SlotError(SlotProblem.UNREADABLE, text) from None
    local_now = now.astimezone(zone)
    day = _day(match["day"].strip(" ,.").strip(), local_now, starts, text)
    start = _at(day, starts, zone, text)
    end = None
    if ends is not None:
        if ends == starts:
            raise SlotError(SlotProblem.UNREADABLE, text)
        end = _at(day + timedelta(days=1) if ends < starts else day, ends, zone, text)
    if start <= now:
        raise SlotError(SlotProblem.PAST, text)
    if start - now > MAX_AHEAD:
        raise SlotError(SlotProblem.FAR, text)
    return Slot(start, end)


def _day(word: str, local_now: datetime, starts: time, text: str) -> date:
    """The day ``word`` names: a weekday or a date yet to come, today or tomorrow."""
    today = local_now.date()
    if word in _RELATIVE:
        return today + timedelta(days=_RELATIVE[word])
    weekday = WEEKDAYS.get(word)
    if weekday is None and (chinese := _CHINESE_WEEK.fullmatch(word)):
        weekday = _CHINESE_DAYS[chinese[1]]
    if weekday is not None:
        ahead = (weekday - today.weekday()) % 7
        if ahead == 0 and starts <= local_now.time():
            ahead = 7
        return today + timedelta(days=ahead)
    try:
        if match := _ISO_DATE.fullmatch(word):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DOTTED_DATE.fullmatch(word):
            return date(int(match[3]), int(match[2]), int(match[1]))
        if match := _CHINESE_DATE.fullmatch(word):
            if match[1]:
                return date(int(match[1]), int(match[2]), int(match[3]))
            found = date(today.year, int(match[2]), int(match[3]))
            return found if found >= today else date(today.year + 1, found.month, found.day)
    except ValueError:  # 2026-02-30
        pass
    raise SlotError(SlotProblem.UNREADABLE, text)


def _at(day: date, at: time, zone: ZoneInfo, text: str) -> datetime:
    """``day`` at ``at`` on the community's clock, in UTC; a skipped hour is unreadable."""
    local = datetime.combine(day, at, tzinfo=zone)
    moment = local.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise SlotError(SlotProblem.UNREADABLE, text)
    return moment
