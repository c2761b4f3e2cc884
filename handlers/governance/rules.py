"""Roles and elections: the pure rules — names, term lengths, term limits, who may stand,
ballot labels, the winners of a count and the lot that breaks ties.

No database and no I/O (an import contract checks it), so every rule here is
tested for any input with hypothesis (tests/unit/test_election_rules.py).

- **Names.** A role's *key* is its name in Unicode NFKC, case-folded, with
  spaces collapsed: "Treasurer", " treasurer " and "ＴＲＥＡＳＵＲＥＲ" are one
  role for /elect, /nominate and /resign, and for refusing a duplicate.
- **Terms** are written ``90``, ``90d``, ``90 days``, ``12 weeks``, ``3 months``
  (30 days each) or ``1 year`` (365 days), also with Russian and Chinese units;
  from ``MIN_TERM_DAYS`` to ``MAX_TERM_DAYS``.
- **Consecutive terms.** A person's term of a role follows on from their
  earlier ones when it began less than one full term length (the role's
  ``term_days``) after the latest of them ended. The *streak* is the run of
  terms following on from each other that ends with their latest one, and it
  counts only while that run's last end is less than one term length ago. So a person
  who sits out one full term length starts again from zero; resigning and
  standing again at once does not. Someone whose streak has reached the
  community's ``term_limit`` may not stand (0: no limit).
- **Who may stand**: a member on the roster, who joined before the election's
  ``member_days`` cut-off (the same one its voters pass), who holds no seat of
  the role now, was not recalled from it within one term length, and is
  within the term limit.
- **The ballot** lists the candidates (names made unique and short enough for a
  button) and "None of these". Approval: a candidate can win only with more
  approvals than "None of these" (so at least one); the seats go to the most
  approved of those. Ranked: instant runoff with "None of these" as an
  option; several seats are filled one after another, each count without
  those already elected, and stop when "None of these" wins. Seats nobody won
  stay vacant.
- **Ties** are broken by a lot anyone can redo: the tied names sorted by the
  SHA-256 of ``SEED:NAME`` (hex, lowest first), where the seed names the
  election, its poll and the number of ballots, so it is unknown until the
  vote ends. Each name's place depends only on the seed and the name, never on
  the order the names came in or on who else is tied.
"""

from __future__ import annotations

import enum
import hashlib
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.core import tally

#: The longest role name; models.governance.ROLE_NAME_LIMIT says the same for the columns
#: (rules may not import models; a test checks they agree).
ROLE_NAME_LIMIT = 64
MIN_TERM_DAYS, MAX_TERM_DAYS = 7, 730
MIN_SEATS, MAX_SEATS = 1, 7
#: A poll holds ten options (the polls feature's limit): nine candidates and "None of these".
MAX_CANDIDATES = 9
#: How long an option may be (the polls feature's MAX_OPTION_CHARS; a test checks they agree).
LABEL_CHARS = 40

_SPACE = re.compile(r"\s+")
_TERM = re.compile(r"([0-9]{1,4})\s*([^\W\d_]*)\.?")
_UNIT_DAYS = {
    **dict.fromkeys(("", "d", "day", "days", "д", "дн", "день", "дня", "дней", "天", "日"), 1),
    **dict.fromkeys(
        ("w", "wk", "week", "weeks", "н", "нед", "неделя", "недели", "недель", "周", "星期"), 7
    ),
    **dict.fromkeys(
        ("mo", "mon", "month", "months", "мес", "месяц", "месяца", "месяцев", "个月", "月"), 30
    ),
    **dict.fromkeys(("y", "yr", "year", "years", "г", "год", "года", "лет", "年"), 365),
}


def tidy(name: str) -> str:
    """A name as it is shown: NFKC (full-width letters made plain), spaces collapsed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", name)).strip()


def role_key(name: str) -> str:
    """What role names are compared by: the tidy name, case-folded."""
    return tidy(tidy(name).casefold())


class RoleProblem(enum.Enum):
    SHAPE = "shape"
    EMPTY_NAME = "empty_name"
    LONG_NAME = "long_name"
    MENTION_NAME = "mention_name"
    BAD_TERM = "bad_term"
    TERM_RANGE = "term_range"
    BAD_SEATS = "bad_seats"
    SEATS_RANGE = "seats_range"


class BadRole(ValueError):
    """What is wrong with ``/role new`` as written; ``value`` is the offending part."""

    def __init__(self, problem: RoleProblem, value: str = "") -> None:
        super().__init__(f"{problem.value}: {value!r}")
        self.problem = problem
        self.value = value


@dataclass(frozen=True, slots=True)
class RoleDraft:
    name: str
    key: str
    term_days: int
    seats: int


def parse_term(text: str) -> int:
    """``90 days`` → 90; BadRole when it cannot be read or is out of bounds."""
    match = _TERM.fullmatch(tidy(text).casefold())
    if match is None or match[2] not in _UNIT_DAYS:
        raise BadRole(RoleProblem.BAD_TERM, text)
    days = int(match[1]) * _UNIT_DAYS[match[2]]
    if not MIN_TERM_DAYS <= days <= MAX_TERM_DAYS:
        raise BadRole(RoleProblem.TERM_RANGE, text)
    return days


def parse_seats(text: str) -> int:
    word = tidy(text)
    if not word.isascii() or not word.isdigit():
        raise BadRole(RoleProblem.BAD_SEATS, text)
    if not MIN_SEATS <= int(word) <= MAX_SEATS:
        raise BadRole(RoleProblem.SEATS_RANGE, text)
    return int(word)


def check_role_name(text: str) -> str:
    """The tidy name, or BadRole: empty, too long, or starting like a mention or a number."""
    name = tidy(text)
    if not name:
        raise BadRole(RoleProblem.EMPTY_NAME, text)
    if len(name) > ROLE_NAME_LIMIT or len(role_key(name)) > ROLE_NAME_LIMIT:
        raise BadRole(RoleProblem.LONG_NAME, name)
    if name[0] in "@#":
        raise BadRole(RoleProblem.MENTION_NAME, name)
    return name


def parse_role(text: str) -> RoleDraft:
    """``NAME | TERM | SEATS`` as /role new takes it."""
    parts = [part.strip() for part in text.split("|")]
    if len(parts) != 3:
        raise BadRole(RoleProblem.SHAPE, text)
    name = check_role_name(parts[0])
    return RoleDraft(name, role_key(name), parse_term(parts[1]), parse_seats(parts[2]))


def split_role(text: str, keys: Collection[str]) -> tuple[str, str] | None:
    """The key of the role the leading words of ``text`` name (the most words that do), and
    the rest of the text; None when no leading words name one of ``keys``.

    ``/nominate Night watch lead @bob``: the role "night watch lead", the rest "@bob".
    A ``|`` ends the role's name explicitly: ``/nominate Treasurer | Carol Smith``.
    """
    if "|" in text:
        head, rest = text.split("|", 1)
        key = role_key(head)
        return (key, rest.strip()) if key in keys else None
    words = tidy(text).split(" ")
    for cut in range(len(words), 0, -1):
        key = role_key(" ".join(words[:cut]))
        if key in keys:
            return key, " ".join(words[cut:])
    return None


# --- who may stand -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PastTerm:
    """One of a person's terms of a role: ``end`` is when it ended, or will end if held."""

    start: datetime
    end: datetime
    recalled: bool = False


def consecutive_terms(terms: Iterable[PastTerm], *, now: datetime, term_days: int) -> int:
    """How many consecutive terms (see the module docstring) lead up to ``now``.

    Taken in the order they began, a term continues the run before it when it
    began less than ``term_days`` after the latest end in that run; the streak
    is the length of the last run, while its latest end is less than
    ``term_days`` ago.
    """
    gap = timedelta(days=term_days)
    streak, reach = 0, None
    for term in sorted(terms, key=lambda term: (term.start, term.end)):
        if reach is not None and term.start < reach:
            streak, reach = streak + 1, max(reach, term.end + gap)
        else:
            streak, reach = 1, term.end + gap
    return streak if reach is not None and now < reach else 0


class Ineligible(enum.Enum):
    NOT_MEMBER = "not_member"
    TOO_NEW = "too_new"
    HOLDS_SEAT = "holds_seat"
    RECALLED = "recalled"
    TERM_LIMIT = "term_limit"


def may_stand(
    terms: Collection[PastTerm],
    *,
    now: datetime,
    term_days: int,
    limit: int,
    on_roster: bool,
    joined_in_time: bool,
) -> Ineligible | None:
    """Why someone with these terms of the role may not stand now; None: they may.

    ``limit`` 0 means no term limit. Reasons are checked in the order of the
    enum, so the first that applies is the one given.
    """
    gap = timedelta(days=term_days)
    if not on_roster:
        return Ineligible.NOT_MEMBER
    if not joined_in_time:
        return Ineligible.TOO_NEW
    if any(term.end > now for term in terms):
        return Ineligible.HOLDS_SEAT
    if any(term.recalled and now < term.end + gap for term in terms):
        return Ineligible.RECALLED
    if limit and consecutive_terms(terms, now=now, term_days=term_days) >= limit:
        return Ineligible.TERM_LIMIT
    return None


def stand_again_from(terms: Iterable[PastTerm], *, term_days: int) -> datetime | None:
    """When someone stopped by the term limit or a recall may stand again: a term length after
    their latest term ended (None without terms)."""
    ends = [term.end for term in terms]
    return max(ends) + timedelta(days=term_days) if ends else None


# --- the ballot --------------------------------------------------------------------


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def ballot_labels(names: Sequence[str], none_label: str) -> list[str]:
    """The options for candidates called ``names`` (in that order), followed by ``none_label``.

    Each is tidy and at most LABEL_CHARS long; names that would read the same
    (ignoring case) as another or as ``none_label`` are all numbered, " (1)", " (2)" …
    in their order, so every option is different and no namesake looks like the
    real one.
    """
    shown = [_short(tidy(name) or "?", LABEL_CHARS) for name in names]
    none = _short(tidy(none_label), LABEL_CHARS)
    times = Counter(label.casefold() for label in shown)
    plain = {folded for folded, n in times.items() if n == 1} - {none.casefold()}
    taken = {none.casefold(), *plain}
    labels = []
    for label in shown:
        if label.casefold() in plain:
            labels.append(label)
            continue
        for n in itertools.count(1):
            suffix = f" ({n})"
            numbered = _short(label, LABEL_CHARS - len(suffix)) + suffix
            if numbered.casefold() not in taken:
                break
        taken.add(numbered.casefold())
        labels.append(numbered)
    return [*labels, none]


# --- winners and ties --------------------------------------------------------------


def lot_seed(election: int, poll: int, ballots: int) -> str:
    """The published seed of an election's lot: known only once its vote has closed."""
    return f"election-{election}:poll-{poll}:ballots-{ballots}"


def lot_key(seed: str, name: str) -> str:
    """What a name draws in the lot: the hex SHA-256 of ``SEED:NAME`` (UTF-8)."""
    return hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()


def lot_order(seed: str, names: Iterable[str]) -> tuple[str, ...]:
    """``names`` (each once) in the order the lot gives them: lowest ``lot_key`` first."""
    return tuple(sorted(set(names), key=lambda name: (lot_key(seed, name), name)))


@dataclass(frozen=True, slots=True)
class Tie:
    """``tied`` had the same count where only ``places`` of them could go on; the lot
    put them in ``order``, so the first ``places`` of it went on."""

    tied: tuple[str, ...]
    order: tuple[str, ...]
    places: int


@dataclass(frozen=True, slots=True)
class Selection:
    """Who takes the seats, best first, and the ties the lot decided on the way."""

    winners: tuple[str, ...]
    ties: tuple[Tie, ...] = ()


def approval_winners(approvals: Mapping[str, int], none: int, seats: int, seed: str) -> Selection:
    """Seats by approval: the most approved candidates with more approvals than "None of
    these" (``none``), at most ``seats``; a tie at the last seat goes to the lot."""
    standing = {name: n for name, n in approvals.items() if n > none and n > 0}
    ranked = sorted(standing, key=lambda name: (-standing[name], lot_key(seed, name), name))
    if len(ranked) <= seats:
        return Selection(tuple(ranked))
    last = standing[ranked[seats - 1]]
    above = [name for name in ranked if standing[name] > last]
    level = [name for name in ranked if standing[name] == last]
    places = seats - len(above)
    if len(level) == places:
        return Selection(tuple(ranked[:seats]))
    order = lot_order(seed, level)
    tie = Tie(tuple(sorted(level)), order, places)
    return Selection((*above, *order[:places]), (tie,))


def ranked_winners(
    ballots: Iterable[tuple[Sequence[str], int]],
    candidates: Collection[str],
    none: str,
    seats: int,
    seed: str,
) -> Selection:
    """Seats by instant runoff, one after another.

    ``ballots`` are rankings of option labels with how many ballots say exactly
    that; labels that are neither ``candidates`` nor ``none`` (a candidate who
    left) are skipped as if unranked. Each seat is an IRV count
    (``handlers.core.tally.tally_ranked``) without the candidates already
    elected; it ends when "None of these" wins or nobody is left. When every
    continuing option is level, the lot picks among them.
    """
    grouped = [(tuple(ranking), weight) for ranking, weight in ballots if weight > 0]
    winners: list[str] = []
    ties: list[Tie] = []
    while len(winners) < seats:
        options = [*sorted(set(candidates) - set(winners) - {none}), none]
        if len(options) == 1:
            break
        index = {option: i for i, option in enumerate(options)}
        rankings = [
            (tuple(index[label] for label in ranking if label in index), weight)
            for ranking, weight in grouped
        ]
        result = tally.tally_ranked(
            itertools.chain.from_iterable(
                itertools.repeat(ranking, weight) for ranking, weight in rankings
            ),
            len(options),
        )
        if result.winner is not None:
            chosen = options[result.winner]
        elif result.tied:
            tied = [options[i] for i in result.tied]
            order = lot_order(seed, tied)
            ties.append(Tie(tuple(sorted(tied)), order, 1))
            chosen = order[0]
        else:
            break
        if chosen == none:
            break
        winners.append(chosen)
    return Selection(tuple(winners), tuple(ties))
