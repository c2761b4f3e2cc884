"""Reading /poll: the command's text turned into a PollDraft, or a PollInputError.

Kept apart from the use cases because everything here is a function of the
text, the current time and the community's zone: no database, no session, no
messages sent, so the rules can be read, and tested for any input, on their
own.

Rules of the input:

- ``[multi|ranked] QUESTION | OPTION | OPTION ... [| DEADLINE]``; a leading
  ``multi`` (or ``approval``) makes an approval poll, ``ranked`` a ranked one,
  ``single`` or no word a single-choice poll. Empty trailing fields are
  ignored.
- **Options**: whitespace is collapsed and blank options are dropped; 2 to
  ``MAX_OPTIONS``, each at most ``MAX_OPTION_CHARS`` so it fits a button, and
  no two the same ignoring case. The question is at most
  ``MAX_QUESTION_CHARS``.
- **Deadline**: the last ``|`` field when it reads as a duration (``90m``,
  ``48h``, ``3d``, ``1w``, ``1d 12h``, also in Russian and Chinese units) or
  a date in the community's zone, with or without a time (``2026-12-01
  18:00``, ``01.12.2026 18:00``, ``2026-12-01``; a date alone means the end
  of that day, 23:59). Default 72 hours, at most 90 days.
- A last field that *looks* like a deadline is one, never an option: a
  number with a word for a span of time we do not take (``5y``, ``2
  months``, ``30s``) or a text that starts with a full date (``31/12/2026``,
  ``2026-12-31 18``) is an unreadable deadline, and one that is past or too
  far away is refused as such. Anything else there (``3 eggs``, ``18:00``,
  ``4K``) is an option.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup

from handlers.core.context import example, hint
from handlers.core.i18n import N_, Translator
from models import PollKind

__all__ = [
    "DEFAULT_DURATION",
    "EXAMPLES",
    "KIND_WORDS",
    "MAX_DURATION",
    "MAX_OPTIONS",
    "MAX_OPTION_CHARS",
    "MAX_QUESTION_CHARS",
    "MIN_OPTIONS",
    "PollDraft",
    "PollInputError",
    "Problem",
    "check_poll",
    "input_hint",
    "parse_deadline",
    "parse_poll",
    "poll_example",
    "within_range",
]

MIN_OPTIONS = 2
MAX_OPTIONS = 10  # a keycap emoji marks each rank on a private ballot: there are ten
MAX_OPTION_CHARS = 40  # fits a phone-width button next to its "10. " number
MAX_QUESTION_CHARS = 1000
DEFAULT_DURATION = timedelta(hours=72)
MAX_DURATION = timedelta(days=90)
# The command words, then the free text (translated; deadlines relative, so examples never expire).
EXAMPLES = {
    PollKind.SINGLE: ("/poll", N_("Paint the stairwell green? | Yes | No | 48h")),
    PollKind.APPROVAL: ("/poll multi", N_("Which evenings suit you? | Mon | Wed | Fri | 3d")),
    PollKind.RANKED: ("/poll ranked", N_("Where to hold the party? | Yard | Roof | Café | 5d")),
}
KIND_WORDS = {
    "single": PollKind.SINGLE,
    "multi": PollKind.APPROVAL,
    "approval": PollKind.APPROVAL,
    "ranked": PollKind.RANKED,
}


class Problem(enum.Enum):
    EMPTY_QUESTION = "empty_question"
    QUESTION_TOO_LONG = "question_too_long"
    TOO_FEW_OPTIONS = "too_few_options"
    TOO_MANY_OPTIONS = "too_many_options"
    OPTION_TOO_LONG = "option_too_long"
    DUPLICATE_OPTION = "duplicate_option"
    BAD_DEADLINE = "bad_deadline"
    PAST_DEADLINE = "past_deadline"
    FAR_DEADLINE = "far_deadline"


class PollInputError(ValueError):
    """What is wrong with a poll as written; ``value`` is the offending text."""

    def __init__(self, problem: Problem, value: str = "") -> None:
        super().__init__(f"{problem.value}: {value!r}")
        self.problem = problem
        self.value = value


@dataclass(frozen=True, slots=True)
class PollDraft:
    kind: PollKind
    question: str
    options: tuple[str, ...]
    deadline: datetime | None  # None: the default duration


_UNITS = {
    **dict.fromkeys(
        ("m", "min", "mins", "minute", "minutes", "мин", "минута", "минуты", "минут", "分", "分钟"),
        timedelta(minutes=1),
    ),
    **dict.fromkeys(
        ("h", "hr", "hrs", "hour", "hours", "ч", "час", "часа", "часов", "小时", "时", "個小時"),
        timedelta(hours=1),
    ),
    **dict.fromkeys(
        ("d", "day", "days", "д", "дн", "день", "дня", "дней", "天", "日"), timedelta(days=1)
    ),
    **dict.fromkeys(
        ("w", "wk", "week", "weeks", "н", "нед", "неделя", "недели", "недель", "周", "星期"),
        timedelta(weeks=1),
    ),
}
_DURATION_SHAPE = re.compile(r"(?:\d{1,6}\s*[^\W\d_]+\.?\s*)+")
_DURATION_PART = re.compile(r"(\d{1,6})\s*([^\W\d_]+)\.?")
# Words for spans of time that are not deadline units: a field such as "5y" is
# meant as a deadline we cannot read, not as an option.
_OTHER_TIME_UNITS = frozenset(
    (
        *("s", "sec", "secs", "second", "seconds", "mo", "mos", "month", "months"),
        *("y", "yr", "yrs", "year", "years", "fortnight", "fortnights"),
        *("с", "сек", "секунда", "секунды", "секунд", "мес", "месяц", "месяца", "месяцев"),
        *("г", "год", "года", "лет", "秒", "秒钟", "个月", "月", "年"),
    )
)
_ISO_MOMENT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:\s+|T)(\d{1,2}):(\d{2}))?")
_DOTTED_MOMENT = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2}):(\d{2}))?")
_DATE_SHAPE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}")
END_OF_DAY = (23, 59)
_KIND_PREFIX = re.compile(r"(\w+)(?:\s+|$)(.*)", re.S)


def parse_deadline(text: str, now: datetime, timezone: str) -> datetime | None:
    """The deadline ``text`` names, in UTC, or None when it is not a deadline at all.

    Raises PollInputError when ``text`` is clearly meant as a deadline but is
    unreadable (``5y``, ``2026-13-01 18:00``), already past, or too far away.
    """
    text = text.strip()
    if _DURATION_SHAPE.fullmatch(text):
        parts = [(int(n), unit.lower()) for n, unit in _DURATION_PART.findall(text)]
        if not all(unit in _UNITS for _, unit in parts):
            if any(unit in _UNITS or unit in _OTHER_TIME_UNITS for _, unit in parts):
                raise PollInputError(Problem.BAD_DEADLINE, text)
            return None
        delta = sum((n * _UNITS[unit] for n, unit in parts), timedelta())
        if delta > MAX_DURATION:
            raise PollInputError(Problem.FAR_DEADLINE, text)
        return within_range(now + delta, now, text)
    if match := _ISO_MOMENT.fullmatch(text):
        year, month, day = (int(g) for g in match.groups()[:3])
    elif match := _DOTTED_MOMENT.fullmatch(text):
        day, month, year = (int(g) for g in match.groups()[:3])
    elif _DATE_SHAPE.match(text):
        raise PollInputError(Problem.BAD_DEADLINE, text)
    else:
        return None
    if match[4] is None:
        hour, minute = END_OF_DAY
    else:
        hour, minute = int(match[4]), int(match[5])
    try:
        local = datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(timezone))
        deadline = local.astimezone(now.tzinfo)
    except (ValueError, OverflowError):  # 2026-02-30, or 9999-12-31 west of Greenwich
        raise PollInputError(Problem.BAD_DEADLINE, text) from None
    return within_range(deadline, now, text)


def within_range(deadline: datetime, now: datetime, text: str) -> datetime:
    if deadline <= now:
        raise PollInputError(Problem.PAST_DEADLINE, text)
    if deadline - now > MAX_DURATION:
        raise PollInputError(Problem.FAR_DEADLINE, text)
    return deadline


def parse_poll(args: str, now: datetime, timezone: str) -> PollDraft:
    """Read ``[multi|ranked] QUESTION | OPTION | OPTION ... [| DEADLINE]``.

    Raises PollInputError saying what to fix.
    """
    kind = PollKind.SINGLE
    text = args.strip()
    if (match := _KIND_PREFIX.fullmatch(text)) and match[1].lower() in KIND_WORDS:
        kind, text = KIND_WORDS[match[1].lower()], match[2]
    question, *fields = (field.strip() for field in text.split("|"))
    while fields and not fields[-1]:
        fields.pop()
    deadline = None
    if fields and (deadline := parse_deadline(fields[-1], now, timezone)) is not None:
        fields.pop()
    question, options = check_poll(question, fields)
    return PollDraft(kind, question, options, deadline)


def check_poll(question: str, options: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    """The question and options tidied (whitespace collapsed, blanks dropped), or PollInputError."""
    question = question.strip()
    if not question:
        raise PollInputError(Problem.EMPTY_QUESTION)
    if len(question) > MAX_QUESTION_CHARS:
        raise PollInputError(Problem.QUESTION_TOO_LONG, question)
    tidy = tuple(text for text in (" ".join(str(o).split()) for o in options) if text)
    if len(tidy) < MIN_OPTIONS:
        raise PollInputError(Problem.TOO_FEW_OPTIONS)
    if len(tidy) > MAX_OPTIONS:
        raise PollInputError(Problem.TOO_MANY_OPTIONS)
    seen: set[str] = set()
    for option in tidy:
        if len(option) > MAX_OPTION_CHARS:
            raise PollInputError(Problem.OPTION_TOO_LONG, option)
        if option.casefold() in seen:
            raise PollInputError(Problem.DUPLICATE_OPTION, option)
        seen.add(option.casefold())
    return question, tidy


def input_hint(t: Translator, error: PollInputError, kind: PollKind) -> str:
    value = error.value
    problems: dict[Problem, Markup] = {
        Problem.EMPTY_QUESTION: t("Write the question first, then the options, separated by |."),
        Problem.QUESTION_TOO_LONG: t(
            "The question is too long: at most {limit} characters.", limit=MAX_QUESTION_CHARS
        ),
        Problem.TOO_FEW_OPTIONS: t("A poll needs at least two options, separated by |."),
        Problem.TOO_MANY_OPTIONS: t("A poll can have at most {limit} options.", limit=MAX_OPTIONS),
        Problem.OPTION_TOO_LONG: t(
            "“{option}” is too long for a button: an option can have at most {limit} characters.",
            option=value,
            limit=MAX_OPTION_CHARS,
        ),
        Problem.DUPLICATE_OPTION: t(
            "“{option}” appears twice; every option must be different.", option=value
        ),
        Problem.BAD_DEADLINE: t(
            "I can't read the deadline “{value}”. Give a duration such as 90m, 48h or 3d, "
            "or a date with or without a time, such as 2026-12-01 18:00 or 2026-12-01 "
            "(a date alone means the end of that day, {timezone} time).",
            value=value,
            timezone=t.timezone,
        ),
        Problem.PAST_DEADLINE: t(
            "The deadline “{value}” has already passed; it must be in the future.", value=value
        ),
        Problem.FAR_DEADLINE: t.ngettext(
            "The deadline “{value}” is too far away: a poll runs at most {n} day.",
            "The deadline “{value}” is too far away: a poll runs at most {n} days.",
            MAX_DURATION.days,
            value=value,
        ),
    }
    return hint(t, problems[error.problem], poll_example(t, kind))


def poll_example(t: Translator, kind: PollKind) -> str:
    """A /poll of ``kind`` that works as typed, in ``t``'s language."""
    command, sample = EXAMPLES[kind]
    return example(command, t(sample))
