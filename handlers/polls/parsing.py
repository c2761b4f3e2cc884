"""Reading /poll: the command's text turned into a PollDraft, or a PollInputError.

Kept apart from the use cases because everything here is a function of the
text, the current time and the community's zone: no database, no session, no
messages sent, so the rules can be read, and tested for any input, on their
own.

Rules of the input:

- ``[hidden] [multi|ranked] QUESTION | OPTION | OPTION ... [| DEADLINE] [| keep-open]``;
  a leading ``multi`` (or ``approval``) makes an approval poll, ``ranked`` a
  ranked one, ``single`` or no word a single-choice poll. Empty trailing
  fields are ignored.
- ``consent QUESTION [| DEADLINE]``: the answers are fixed (Agree, Abstain,
  Disagree, Block), so options are refused.
- ``when QUESTION | SLOT | SLOT ... [| DURATION]``: a meeting poll; slots are
  read by ``handlers.polls.slots`` and listed in time order, 1 to
  ``MAX_OPTIONS``, none twice. Its deadline can only be a duration (``48h``),
  since a date would read as one more slot; by default it closes after
  DEFAULT_DURATION or when its first slot begins, whichever is first.
- ``hidden`` before any of them hides the counts until the close;
  ``keep-open`` as a last field (before or after the deadline) keeps the poll
  open when everyone has voted.
- New words must not swallow questions that begin with them: written in lower
  case, ``hidden``, ``consent`` and ``when`` always are the words; capitalised
  (as a sentence starts) ``Hidden`` only before another kind word, ``Consent``
  only when no options follow, ``When`` only when a field reads as a time
  slot. So ``/poll When shall we paint? | Now | Later`` stays what it always was.
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
from handlers.polls.slots import Slot, SlotError, SlotProblem, parse_slot
from models import PollKind

__all__ = [
    "CONSENT_OPTIONS",
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
    "check_question",
    "input_hint",
    "parse_deadline",
    "parse_duration",
    "parse_poll",
    "poll_example",
    "read_slots",
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
    PollKind.CONSENT: ("/poll consent", N_("Replace the entrance door with a glass one? | 5d")),
    PollKind.MEETING: (
        "/poll when",
        N_("Spring clean-up: when can you come? | Sat 10:00-12:00 | Sun 15:00-17:00"),
    ),
}
#: Answers of a consent poll as stored in ``Poll.options``; shown translated.
CONSENT_OPTIONS = (N_("Agree"), N_("Abstain"), N_("Disagree"), N_("Block"))
HIDDEN_WORD = "hidden"
KEEP_OPEN_WORDS = frozenset(("keep-open", "keep open", "keepopen", "keep_open"))
KIND_WORDS = {
    "single": PollKind.SINGLE,
    "multi": PollKind.APPROVAL,
    "approval": PollKind.APPROVAL,
    "ranked": PollKind.RANKED,
    "consent": PollKind.CONSENT,
    "when": PollKind.MEETING,
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
    CONSENT_OPTIONS = "consent_options"
    NO_SLOTS = "no_slots"
    BAD_SLOT = "bad_slot"
    PAST_SLOT = "past_slot"
    FAR_SLOT = "far_slot"
    DUPLICATE_SLOT = "duplicate_slot"


class PollInputError(ValueError):
    """What is wrong with a poll as written; ``value`` is the offending text, ``kind`` the
    kind of poll it was meant to be (for the example in the hint)."""

    def __init__(self, problem: Problem, value: str = "", kind: PollKind | None = None) -> None:
        super().__init__(f"{problem.value}: {value!r}")
        self.problem = problem
        self.value = value
        self.kind = kind


@dataclass(frozen=True, slots=True)
class PollDraft:
    kind: PollKind
    question: str
    options: tuple[str, ...]
    deadline: datetime | None  # None: the default duration
    hidden: bool = False
    keep_open: bool = False
    slots: tuple[Slot, ...] = ()  # meeting polls: one per option, in time order


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
        return parse_duration(text, now)
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


def parse_duration(text: str, now: datetime) -> datetime | None:
    """The deadline a duration (``48h``, ``1d 12h``) names, or None when ``text`` is none.

    Raises PollInputError for a duration in units we do not take (``5y``) or out of range.
    """
    text = text.strip()
    if not _DURATION_SHAPE.fullmatch(text):
        return None
    parts = [(int(n), unit.lower()) for n, unit in _DURATION_PART.findall(text)]
    if not all(unit in _UNITS for _, unit in parts):
        if any(unit in _UNITS or unit in _OTHER_TIME_UNITS for _, unit in parts):
            raise PollInputError(Problem.BAD_DEADLINE, text)
        return None
    delta = sum((n * _UNITS[unit] for n, unit in parts), timedelta())
    if delta > MAX_DURATION:
        raise PollInputError(Problem.FAR_DEADLINE, text)
    return within_range(now + delta, now, text)


def within_range(deadline: datetime, now: datetime, text: str) -> datetime:
    if deadline <= now:
        raise PollInputError(Problem.PAST_DEADLINE, text)
    if deadline - now > MAX_DURATION:
        raise PollInputError(Problem.FAR_DEADLINE, text)
    return deadline


def parse_poll(args: str, now: datetime, timezone: str) -> PollDraft:
    """Read a /poll (see the module's rules); raises PollInputError saying what to fix."""
    body = args.strip()
    hidden = False
    if (match := _KIND_PREFIX.fullmatch(body)) and _is_hidden_word(match[1], match[2]):
        hidden, body = True, match[2]
    kind = PollKind.SINGLE
    match = _KIND_PREFIX.fullmatch(body)
    if match is None or match[1].lower() not in KIND_WORDS:
        return _draft(kind, hidden, body, now, timezone)
    word, kind = match[1], KIND_WORDS[match[1].lower()]
    sure = kind not in _NEW_KINDS or word == word.lower()
    # "When can you come? | fri 18:00 | …": the capitalised word is the question's first.
    text = body if kind is PollKind.MEETING and not sure else match[2]
    try:
        return _draft(kind, hidden, text, now, timezone, sure=sure)
    except _OrdinaryPoll:
        return _draft(PollKind.SINGLE, hidden, body, now, timezone)
    except PollInputError as error:
        error.kind = error.kind or kind
        raise


_NEW_KINDS = frozenset((PollKind.CONSENT, PollKind.MEETING))


class _OrdinaryPoll(Exception):
    """A capitalised ``Consent``/``When`` turned out to begin an ordinary poll's question."""


def _is_hidden_word(word: str, rest: str) -> bool:
    if word == HIDDEN_WORD:
        return True
    after = _KIND_PREFIX.fullmatch(rest)
    return word.lower() == HIDDEN_WORD and after is not None and after[1].lower() in KIND_WORDS


def _draft(
    kind: PollKind, hidden: bool, text: str, now: datetime, timezone: str, *, sure: bool = True
) -> PollDraft:
    question, *fields = (field.strip() for field in text.split("|"))
    while fields and not fields[-1]:
        fields.pop()
    keep_open, deadline = _trailing(fields, kind, now, timezone)
    if kind is PollKind.CONSENT:
        if fields:
            if not sure:
                raise _OrdinaryPoll
            raise PollInputError(Problem.CONSENT_OPTIONS, kind=kind)
        return PollDraft(
            kind, check_question(question), CONSENT_OPTIONS, deadline, hidden, keep_open
        )
    if kind is PollKind.MEETING:
        if not sure and not any(_reads_as_slot(f, now, timezone) for f in fields):
            raise _OrdinaryPoll
        question = check_question(question)
        options, slots = read_slots(fields, now, timezone)
        if deadline is None:
            deadline = min(now + DEFAULT_DURATION, slots[0].start)
        return PollDraft(kind, question, options, deadline, hidden, keep_open, slots)
    question, options = check_poll(question, fields)
    return PollDraft(kind, question, options, deadline, hidden, keep_open)


def _trailing(
    fields: list[str], kind: PollKind, now: datetime, timezone: str
) -> tuple[bool, datetime | None]:
    """Take ``keep-open`` and the deadline (either order) off the end of ``fields``."""
    keep_open, deadline = False, None
    for _ in range(2):
        if not fields:
            break
        last = fields[-1]
        if not keep_open and " ".join(last.lower().split()) in KEEP_OPEN_WORDS:
            keep_open = True
        elif deadline is None and (found := _deadline(last, kind, now, timezone)) is not None:
            deadline = found
        else:
            break
        fields.pop()
    return keep_open, deadline


def _deadline(text: str, kind: PollKind, now: datetime, timezone: str) -> datetime | None:
    """A meeting poll takes durations only: a date there is one more slot."""
    if kind is PollKind.MEETING:
        return parse_duration(text, now)
    return parse_deadline(text, now, timezone)


def _reads_as_slot(text: str, now: datetime, timezone: str) -> bool:
    try:
        parse_slot(text, now, timezone)
    except SlotError as error:
        return error.problem is not SlotProblem.UNREADABLE
    return True


_SLOT_PROBLEMS = {
    SlotProblem.UNREADABLE: Problem.BAD_SLOT,
    SlotProblem.PAST: Problem.PAST_SLOT,
    SlotProblem.FAR: Problem.FAR_SLOT,
}


def read_slots(
    fields: Iterable[str], now: datetime, timezone: str
) -> tuple[tuple[str, ...], tuple[Slot, ...]]:
    """A meeting poll's slots, in time order, with each slot's text as it was written."""
    written = [text for text in (" ".join(f.split()) for f in fields) if text]
    if not written:
        raise PollInputError(Problem.NO_SLOTS)
    if len(written) > MAX_OPTIONS:
        raise PollInputError(Problem.TOO_MANY_OPTIONS)
    read: list[tuple[Slot, str]] = []
    for text in written:
        try:
            slot = parse_slot(text, now, timezone)
        except SlotError as error:
            raise PollInputError(_SLOT_PROBLEMS[error.problem], text) from None
        if any(slot == seen for seen, _ in read):
            raise PollInputError(Problem.DUPLICATE_SLOT, text)
        read.append((slot, text[:MAX_OPTION_CHARS]))
    read.sort(key=lambda pair: pair[0])
    return tuple(text for _, text in read), tuple(slot for slot, _ in read)


def check_question(question: str) -> str:
    question = question.strip()
    if not question:
        raise PollInputError(Problem.EMPTY_QUESTION)
    if len(question) > MAX_QUESTION_CHARS:
        raise PollInputError(Problem.QUESTION_TOO_LONG, question)
    return question


def check_poll(question: str, options: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    """The question and options tidied (whitespace collapsed, blanks dropped), or PollInputError."""
    question = check_question(question)
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
        Problem.CONSENT_OPTIONS: t(
            "A consent poll has its own answers (Agree, Abstain, Disagree, Block): "
            "write only the proposal, and a deadline if you like."
        ),
        Problem.NO_SLOTS: t("A meeting poll needs at least one time slot after the question."),
        Problem.BAD_SLOT: t(
            "I can't read the time slot “{value}”. Write a day and a time, with an end time "
            "if you like, such as fri 18:00, Sat 10:00-12:00 or 2026-12-05 18:00 "
            "({timezone} time).",
            value=value,
            timezone=t.timezone,
        ),
        Problem.PAST_SLOT: t("The time slot “{value}” has already passed.", value=value),
        Problem.FAR_SLOT: t("The time slot “{value}” is more than a year away.", value=value),
        Problem.DUPLICATE_SLOT: t(
            "The time slot “{value}” appears twice; every slot must be different.", value=value
        ),
    }
    if kind is PollKind.MEETING:
        problems[Problem.EMPTY_QUESTION] = t(
            "Write the question first, then the time slots, separated by |."
        )
        problems[Problem.TOO_MANY_OPTIONS] = t(
            "A meeting poll can have at most {limit} time slots.", limit=MAX_OPTIONS
        )
        problems[Problem.BAD_DEADLINE] = t(
            "I can't read the deadline “{value}”. A meeting poll's deadline is a duration "
            "such as 90m, 48h or 3d (a date would be one more time slot).",
            value=value,
        )
    elif kind is PollKind.CONSENT:
        problems[Problem.EMPTY_QUESTION] = t("Write the proposal after /poll consent.")
    return hint(t, problems[error.problem], poll_example(t, kind))


def poll_example(t: Translator, kind: PollKind) -> str:
    """A /poll of ``kind`` that works as typed, in ``t``'s language."""
    command, sample = EXAMPLES[kind]
    return example(command, t(sample))
