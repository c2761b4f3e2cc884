"""The rules of duties: pure functions of their inputs, no database, no I/O.

- **When** a duty's shifts start: ``parse_when`` reads ``daily 22:00``,
  ``weekly mon,thu 22:00``, ``every 3 days 07:30`` or ``once 2026-05-01
  09:00`` into a ``Recurrence``; ``starts`` turns it into UTC moments. The
  times are the community's wall-clock times, so a night watch at 22:00 stays
  at 22:00 across a daylight-saving change; the calendar arithmetic is
  dateutil's ``rrule`` on naive local datetimes, never ours.
- **Who** takes a shift: ``rotate`` (one shift) and ``plan_rotation`` (a run
  of them). Everyone is in every pool; whoever has done least goes next, so
  over time the counts of people who are always around differ by at most one.
- **When** a private reminder goes out: 24 h and 1 h before a shift
  (``reminder_moments``), held back to the end of the community's quiet hours
  (``quiet_until``) unless the shift would start first. Shifts get their
  people ``assign_until`` ahead, so the first reminder always has someone to
  go to.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MO, WEEKLY, rrule, weekday

__all__ = [
    "DEFAULT_QUIET",
    "HORIZON",
    "MAX_INTERVAL",
    "MAX_LENGTH",
    "MAX_PEOPLE",
    "MAX_TICK",
    "MIN_LENGTH",
    "REMIND_BEFORE",
    "WEEKDAYS",
    "Candidate",
    "Reason",
    "Recurrence",
    "WhenError",
    "assign_until",
    "in_quiet",
    "parse_length",
    "parse_people",
    "parse_quiet",
    "parse_when",
    "plan_rotation",
    "quiet_until",
    "reminder_moments",
    "rotate",
    "starts",
]

# --- WHEN ---------------------------------------------------------------------

#: Weekday abbreviations as members write them and as ``Recurrence.text`` writes
#: them back, Monday first (``datetime.weekday()`` numbering). Full names
#: ("monday") are read too, but only the short ones are written.
WEEKDAYS: dict[str, int] = {
    name: number for number, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
}
_FULL_WEEKDAYS = {
    name: number
    for number, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}
_DAY_NAMES = {**WEEKDAYS, **_FULL_WEEKDAYS}
_SHORT_NAMES = tuple(WEEKDAYS)

#: The longest gap "every N days" may leave: a duty done less than once a year
#: is a one-off, and a bigger N is more likely a typo than a plan.
MAX_INTERVAL = 365

_KINDS = ("daily", "weekly", "every", "once")
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_NUMBER = re.compile(r"[0-9]{1,6}")
# Chinese and Japanese keyboards type full-width punctuation; it means the same.
_FULL_WIDTH = str.maketrans({"：": ":", "，": ",", "、": ","})


class Reason(enum.StrEnum):
    """Why a WHEN could not be read; each has its own message for the member."""

    EMPTY = "empty"
    UNKNOWN_FORM = "unknown_form"
    BAD_TIME = "bad_time"
    BAD_DAY = "bad_day"
    BAD_INTERVAL = "bad_interval"
    BAD_DATE = "bad_date"
    IN_THE_PAST = "in_the_past"


class WhenError(ValueError):
    """Unreadable WHEN; ``reason`` says which part, ``value`` the text that failed."""

    def __init__(self, reason: Reason, value: str = "") -> None:
        super().__init__(f"{reason.value}: {value!r}")
        self.reason = reason
        self.value = value


@dataclass(frozen=True)
class Recurrence:
    """How often a duty's shifts start, in local wall-clock time.

    Checked on construction, so any Recurrence (also one rebuilt from stored
    columns) has a ``text()`` that ``parse_when`` reads back to an equal one.
    """

    kind: str  # "daily" | "weekly" | "every" | "once"
    at: time  # local wall-clock start time, whole minutes, no tzinfo
    weekdays: tuple[int, ...] = ()  # weekly: sorted unique 0..6
    interval: int = 1  # every N days: 1..MAX_INTERVAL
    on: date | None = None  # once: the date

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown recurrence kind {self.kind!r}")
        if self.at.tzinfo is not None or self.at.second or self.at.microsecond:
            raise ValueError(f"a start time is a naive whole minute, not {self.at!r}")
        if self.kind == "weekly":
            if not self.weekdays or self.weekdays != tuple(sorted(set(self.weekdays))):
                raise ValueError(f"weekdays must be sorted and unique: {self.weekdays!r}")
            if not all(0 <= day <= 6 for day in self.weekdays):
                raise ValueError(f"weekdays are 0..6: {self.weekdays!r}")
        elif self.weekdays:
            raise ValueError(f"only a weekly duty has weekdays, not {self.kind!r}")
        if self.kind == "every":
            if not 1 <= self.interval <= MAX_INTERVAL:
                raise ValueError(f"every N days needs 1 <= N <= {MAX_INTERVAL}")
        elif self.interval != 1:
            raise ValueError(f"only 'every N days' has an interval, not {self.kind!r}")
        if (self.on is not None) != (self.kind == "once"):
            raise ValueError("a date goes with 'once' and only with it")

    def text(self) -> str:
        """The canonical WHEN, e.g. ``weekly mon,thu 22:00``; what /duties shows."""
        at = f"{self.at.hour:02d}:{self.at.minute:02d}"
        if self.kind == "daily":
            return f"daily {at}"
        if self.kind == "weekly":
            return f"weekly {','.join(_SHORT_NAMES[day] for day in self.weekdays)} {at}"
        if self.kind == "every":
            return f"every {self.interval} {'day' if self.interval == 1 else 'days'} {at}"
        assert self.on is not None
        return f"once {self.on.isoformat()} {at}"


def _parse_time(text: str) -> time:
    match = _TIME.fullmatch(text)
    if match is None:
        raise WhenError(Reason.BAD_TIME, text)
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise WhenError(Reason.BAD_TIME, text)
    return time(hour, minute)


def _parse_days(text: str) -> tuple[int, ...]:
    names = [name for name in text.split(",") if name]
    if not names:
        raise WhenError(Reason.BAD_DAY, text)
    for name in names:
        if name not in _DAY_NAMES:
            raise WhenError(Reason.BAD_DAY, name)
    return tuple(sorted({_DAY_NAMES[name] for name in names}))


def _parse_date(text: str) -> date:
    match = _DATE.fullmatch(text)
    if match is None:
        raise WhenError(Reason.BAD_DATE, text)
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise WhenError(Reason.BAD_DATE, text) from None


def _time_last(words: list[str]) -> tuple[list[str], time]:
    """Split off the start time, which ends every form; its absence is a bad time."""
    if not words:
        raise WhenError(Reason.BAD_TIME, "")
    return words[:-1], _parse_time(words[-1])


def parse_when(text: str, *, now: datetime | None = None, zone: str | None = None) -> Recurrence:
    """The Recurrence a member's WHEN names; raises WhenError with the reason.

    Case and extra spaces do not matter, nor spaces after the commas of a
    weekday list (``weekly mon, thu 22:00``). Given ``now`` (and the
    community's ``zone``), a ``once`` whose start is not after ``now`` is
    refused as IN_THE_PAST; without them only the text is checked.
    """
    words = text.translate(_FULL_WIDTH).lower().split()
    if not words:
        raise WhenError(Reason.EMPTY, text)
    kind, rest = words[0], words[1:]
    if kind == "daily":
        extra, at = _time_last(rest)
        if extra:
            raise WhenError(Reason.UNKNOWN_FORM, text)
        return Recurrence("daily", at)
    if kind == "weekly":
        if not rest:
            raise WhenError(Reason.BAD_DAY, "")
        days_words, at = _time_last(rest)
        return Recurrence("weekly", at, weekdays=_parse_days(",".join(days_words)))
    if kind == "every":
        if not rest or _NUMBER.fullmatch(rest[0]) is None:
            raise WhenError(Reason.BAD_INTERVAL, rest[0] if rest else "")
        interval = int(rest[0])
        if not 1 <= interval <= MAX_INTERVAL:
            raise WhenError(Reason.BAD_INTERVAL, rest[0])
        if len(rest) < 2 or rest[1] not in ("day", "days"):
            raise WhenError(Reason.UNKNOWN_FORM, text)
        extra, at = _time_last(rest[2:])
        if extra:
            raise WhenError(Reason.UNKNOWN_FORM, text)
        return Recurrence("every", at, interval=interval)
    if kind == "once":
        on = _parse_date(rest[0] if rest else "")
        extra, at = _time_last(rest[1:])
        if extra:
            raise WhenError(Reason.UNKNOWN_FORM, text)
        recurrence = Recurrence("once", at, on=on)
        if now is not None:
            if zone is None:
                raise TypeError("parse_when needs the zone to tell whether 'once' is past")
            if _to_utc(datetime.combine(on, at), ZoneInfo(zone)) <= now:
                raise WhenError(Reason.IN_THE_PAST, text)
        return recurrence
    raise WhenError(Reason.UNKNOWN_FORM, text)


# --- LENGTH and PEOPLE -----------------------------------------------------------

#: A shift shorter than this is not a duty; one longer than a week is a role.
MIN_LENGTH = timedelta(minutes=5)
MAX_LENGTH = timedelta(days=7)
#: More people than this on one shift is an event, not a rotation.
MAX_PEOPLE = 20

_LENGTH = re.compile(r"(?:([0-9]{1,4})d)?(?:([0-9]{1,5})h)?(?:([0-9]{1,6})m(?:in)?)?")


def parse_length(text: str) -> timedelta:
    """How long a shift lasts: ``8h``, ``30m``, ``1h30m`` (or ``1h 30m``), ``1d``.

    Days, hours and minutes in that order, each at most once; between
    MIN_LENGTH and MAX_LENGTH. Raises ValueError otherwise.
    """
    compact = "".join(text.lower().split())
    match = _LENGTH.fullmatch(compact)
    if not compact or match is None:
        raise ValueError(f"unreadable length: {text!r}")
    days, hours, minutes = (int(part or 0) for part in match.groups())
    length = timedelta(days=days, hours=hours, minutes=minutes)
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ValueError(f"a shift lasts {MIN_LENGTH} to {MAX_LENGTH}, not {text!r}")
    return length


def parse_people(text: str) -> int:
    """How many people one shift needs: a plain number, 1 to MAX_PEOPLE."""
    stripped = text.strip()
    if _NUMBER.fullmatch(stripped) is None or not 1 <= int(stripped) <= MAX_PEOPLE:
        raise ValueError(f"a shift needs 1 to {MAX_PEOPLE} people, not {text!r}")
    return int(stripped)


# --- start moments ------------------------------------------------------------------


def _to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A naive local wall-clock time as a UTC moment, the way shifts read the clock.

    fold=0 does both things we want (PEP 495): on a fall-back day an ambiguous
    time is its first occurrence, and on a spring-forward day a time that does
    not exist is read with the offset from before the change, which lands it
    as far past the gap's end as it was past the gap's start (02:30 -> 03:30).
    """
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _rule(rec: Recurrence, first_day: date) -> rrule:
    dtstart = datetime.combine(first_day, rec.at)
    if rec.kind == "weekly":
        days = [weekday(day) for day in rec.weekdays]
        return rrule(WEEKLY, dtstart=dtstart, byweekday=days, wkst=MO)
    return rrule(DAILY, dtstart=dtstart, interval=rec.interval, wkst=MO)


def starts(
    rec: Recurrence, *, anchor: datetime, after: datetime, until: datetime, zone: str
) -> list[datetime]:
    """Aware UTC start moments of shifts in (after, until], in order.

    ``anchor`` (aware) is when the duty was created: "every N days" counts
    from the anchor's local date; daily, weekly and every-N start on or after
    the anchor's local date (a daily 22:00 created at 23:00 has had a start
    that day, which ``after`` then leaves out). A ``once`` starts on its date.

    Local wall-clock times are kept across DST: 22:00 stays 22:00 local
    before and after the change. A local time that does not exist on a
    spring-forward day moves forward by the gap (02:30 -> 03:30); an
    ambiguous one on a fall-back day takes the first (fold=0).
    """
    for name, moment in (("anchor", anchor), ("after", after), ("until", until)):
        if moment.tzinfo is None:
            raise ValueError(f"{name} must be an aware datetime")
    if until <= after:
        return []
    tz = ZoneInfo(zone)
    if rec.kind == "once":
        assert rec.on is not None
        only = _to_utc(datetime.combine(rec.on, rec.at), tz)
        return [only] if after < only <= until else []
    first_day = anchor.astimezone(tz).date()
    # The window in local naive time, a day wider on each side: no offset is a
    # day long, so nothing in (after, until] falls outside it; the exact cut is
    # made in UTC below.
    low = after.astimezone(tz).replace(tzinfo=None) - timedelta(days=1)
    high = until.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
    # Start the rule near the window instead of at the anchor, keeping its
    # phase (a whole number of intervals), so a duty years old costs no more
    # than a new one.
    skipped = max(0, (low.date() - first_day).days // rec.interval - 1)
    first_day += timedelta(days=skipped * rec.interval)
    local_starts = _rule(rec, first_day).between(low, high, inc=True)
    moments = (_to_utc(local, tz) for local in local_starts)
    return [moment for moment in moments if after < moment <= until]


# --- rotation ----------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A member as the rotation sees them for one duty and one shift."""

    user_id: int
    load: int  # shifts served + covered so far (in this duty)
    last_shift: datetime | None  # start of their latest shift in this duty, None if never
    available: bool  # False when away for this shift or off the roster


def _turn(candidate: Candidate) -> tuple[int, bool, datetime, int]:
    """Whose turn comes first: least load, then longest since the last shift.

    Never having served counts as longest; the user id makes ties
    deterministic, so a schedule computed twice is the same schedule.
    """
    never = candidate.last_shift is None
    last = candidate.last_shift if candidate.last_shift is not None else datetime.min
    return (candidate.load, not never, last, candidate.user_id)


def _unique(candidates: Iterable[Candidate]) -> None:
    seen: set[int] = set()
    for candidate in candidates:
        if candidate.user_id in seen:
            raise ValueError(f"user {candidate.user_id} is a candidate twice")
        seen.add(candidate.user_id)


def rotate(candidates: Sequence[Candidate], people: int, previous: Collection[int]) -> list[int]:
    """Who takes the next shift: ``people`` user ids, fewer only when fewer are available.

    Least load first; ties by longest since the last shift (never before =
    longest); then lowest user id. Nobody unavailable. Nobody from
    ``previous`` (the people on this duty's immediately preceding shift)
    unless there are not enough others available — then those from
    ``previous`` are taken in the same order, so the night watch that just
    ended is asked again only when nobody else is there.
    """
    if people < 1:
        raise ValueError(f"a shift needs at least one person, not {people}")
    _unique(candidates)
    ordered = sorted((c for c in candidates if c.available), key=_turn)
    rested = [c.user_id for c in ordered if c.user_id not in previous]
    again = [c.user_id for c in ordered if c.user_id in previous]
    return (rested + again)[:people]


def plan_rotation(
    candidates: Sequence[Candidate],
    people: int,
    shifts: Sequence[datetime],
    previous: Collection[int],
    away: Callable[[int, datetime], bool],
) -> list[list[int]]:
    """Assign a run of future shifts in order: one list of user ids per shift.

    Each assignment counts as +1 load and moves the person's last shift, so
    the second shift of the run already sees who took the first; who is
    available is checked per shift, ``away(user_id, shift_start)`` on top of
    ``Candidate.available``. The loads assume the shifts will be served —
    someone who then misses one simply is not credited later.
    """
    if any(later <= earlier for earlier, later in pairwise(shifts)):
        raise ValueError("shifts must be in strictly increasing order")
    _unique(candidates)
    state = {c.user_id: c for c in candidates}
    before: Collection[int] = previous
    plan: list[list[int]] = []
    for start in shifts:
        pool = [
            replace(c, available=c.available and not away(c.user_id, start)) for c in state.values()
        ]
        chosen = rotate(pool, people, before)
        for user_id in chosen:
            taken = state[user_id]
            state[user_id] = replace(taken, load=taken.load + 1, last_shift=start)
        plan.append(chosen)
        before = chosen
    return plan


# --- reminders and how far ahead -------------------------------------------------------

#: Reminders go this long before a shift starts, earliest first.
REMIND_BEFORE = (timedelta(hours=24), timedelta(hours=1))
#: Shifts have their people at least this far ahead: /schedule shows two weeks.
HORIZON = timedelta(days=14)
#: The longest the scheduler may sleep between wake-ups (the settings allow a
#: tick of up to an hour); a shift assigned one tick late must still get its
#: first reminder.
MAX_TICK = timedelta(hours=1)


def reminder_moments(start: datetime) -> tuple[datetime, datetime]:
    """When the reminders of a shift starting at ``start`` are due: 24 h and 1 h before."""
    early, late = REMIND_BEFORE
    return start - early, start - late


def assign_until(now: datetime, *, tick: timedelta = MAX_TICK) -> datetime:
    """The latest shift start that must already have people at ``now``.

    Two weeks ahead for the schedule, and never less than the first
    reminder's lead plus a tick, so a shift always has people before its 24 h
    reminder is due.
    """
    return now + max(HORIZON, REMIND_BEFORE[0] + tick)


# --- quiet hours -----------------------------------------------------------------------

#: Private reminders wait out the night unless the community says otherwise.
DEFAULT_QUIET = (time(22), time(8))
_QUIET = re.compile(r"([0-9]{1,2}:[0-9]{2})\s*[-–—]\s*([0-9]{1,2}:[0-9]{2})")


def parse_quiet(text: str) -> tuple[time, time]:
    """Quiet hours as a community sets them: ``22:00-08:00`` or ``off``.

    ``off`` (like any start equal to its end) is (00:00, 00:00): no quiet
    hours. Raises ValueError for anything else.
    """
    compact = text.strip().lower().translate(_FULL_WIDTH)
    if compact == "off":
        return time(0), time(0)
    match = _QUIET.fullmatch(compact)
    if match is None:
        raise ValueError(f"quiet hours are HH:MM-HH:MM or off, not {text!r}")
    try:
        return _parse_time(match[1]), _parse_time(match[2])
    except WhenError:
        raise ValueError(f"quiet hours are HH:MM-HH:MM or off, not {text!r}") from None


def in_quiet(wall: time, quiet: tuple[time, time]) -> bool:
    """Whether a local wall-clock time falls in quiet hours [start, end).

    The period may wrap midnight (22:00-08:00) or not (13:00-15:00); a start
    equal to its end means there are none.
    """
    begin, end = quiet
    if begin < end:
        return begin <= wall < end
    if begin > end:
        return wall >= begin or wall < end
    return False


def _first_reading(wall: datetime, zone: ZoneInfo, after: datetime) -> datetime:
    """The first moment later than ``after`` at which local clocks read ``wall`` or later.

    Usually the one moment ``wall`` names. On a fall-back day the wall time
    comes twice, and the first occurrence may be before ``after``. On a
    spring-forward day it never comes: the clocks jump over it, and the jump
    itself is the moment, found by bisection between the readings with the
    offsets from after (earlier) and before the change (later).
    """
    readings = [wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)]
    real = [r for r in readings if r.astimezone(zone).replace(tzinfo=None) == wall]
    if not real:
        low, high = min(readings), max(readings)
        while high - low > timedelta(seconds=1):
            middle = low + (high - low) / 2
            if middle.astimezone(zone).replace(tzinfo=None) >= wall:
                high = middle
            else:
                low = middle
        real = [high.replace(microsecond=0)]
    later = [r for r in real if r > after]
    return min(later) if later else after


def quiet_until(
    moment: datetime,
    *,
    zone: str,
    quiet: tuple[time, time] = DEFAULT_QUIET,
    shift_start: datetime,
) -> datetime:
    """When a private reminder due at ``moment`` may go out.

    ``moment`` itself outside quiet hours; inside them, the end of the quiet
    period (local, DST-correct: the first moment local clocks read the end
    time) — unless the shift starts by then, when a reminder at night beats
    one after the shift has begun, and ``moment`` is returned.
    """
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    wall = local.time().replace(tzinfo=None)
    if not in_quiet(wall, quiet):
        return moment
    begin, end = quiet
    end_day = local.date() + timedelta(days=1 if begin > end and wall >= begin else 0)
    over = _first_reading(datetime.combine(end_day, end), tz, moment)
    return moment if shift_start <= over else over
