"""Vote-counting rules for polls: plurality, approval, instant-runoff, consent, meeting slots.

Kept pure (plain integers in, frozen dataclasses out, no I/O) so the rules can
be property-tested exhaustively and the storage/Telegram layers only have to
turn rows into option indices. Options are always ``0..n_options-1``.

Every function is order-independent: ballots are grouped before counting, so
the same multiset of ballots gives the same result however it was fetched.
That grouping is also what keeps 10,000 ballots well inside the time budget.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CountResult:
    """Outcome of a single-choice or approval poll.

    ``winners`` holds every option with the highest count (several on a tie,
    none when nobody voted), so callers never have to re-derive ties.
    """

    counts: tuple[int, ...]
    ballots: int
    winners: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Round:
    """One count of an instant-runoff tally.

    ``counts`` has an entry per option and 0 for options already eliminated;
    ``eliminated`` lists the options dropped at the end of this round (empty
    in the final round); ``exhausted`` is how many ballots had no continuing
    preference left in this round.
    """

    counts: tuple[int, ...]
    eliminated: tuple[int, ...]
    exhausted: int

    @property
    def active(self) -> int:
        """Ballots still counting for some option; the majority base."""
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class RankedResult:
    """Outcome of an instant-runoff poll.

    Exactly one of ``winner`` / ``tied`` is set when anyone expressed a
    preference; both are empty when nobody did.
    """

    rounds: tuple[Round, ...]
    winner: int | None
    tied: tuple[int, ...]
    ballots: int

    @property
    def final(self) -> Round:
        """The last round: what a results chart shows for a ranked poll."""
        return self.rounds[-1]


def _check_n_options(n_options: int) -> None:
    if n_options < 0:
        raise ValueError(f"n_options must be non-negative, got {n_options}")


def _check_options(options: Iterable[int], n_options: int) -> None:
    for option in options:
        if not 0 <= option < n_options:
            raise ValueError(f"option {option} is out of range 0..{n_options - 1}")


def _winners(counts: Sequence[int]) -> tuple[int, ...]:
    top = max(counts, default=0)
    if top == 0:
        return ()
    return tuple(i for i, c in enumerate(counts) if c == top)


def tally_single(ballots: Iterable[int], n_options: int) -> CountResult:
    """Count a single-choice (plurality) poll; each ballot is one option index.

    Raises ValueError for an option outside ``0..n_options-1``.
    """
    _check_n_options(n_options)
    counter = Counter(ballots)
    _check_options(counter, n_options)
    counts = tuple(counter.get(i, 0) for i in range(n_options))
    return CountResult(counts=counts, ballots=counter.total(), winners=_winners(counts))


def tally_approval(ballots: Iterable[Collection[int]], n_options: int) -> CountResult:
    """Count an approval poll; each ballot is the set of options it approves.

    An empty ballot is a valid "none of these" and still counts as cast.
    Raises ValueError for an out-of-range option, or for an option repeated
    within one ballot: counting it twice would let one voter outweigh another.
    """
    _check_n_options(n_options)
    cast = list(ballots)
    counter: Counter[int] = Counter()
    for ballot in cast:
        counter.update(ballot)
    # The per-ballot duplicate scan only runs when the cheap global check fails.
    if counter.total() != sum(len(set(ballot)) for ballot in cast):
        for ballot in cast:
            if len(set(ballot)) != len(ballot):
                raise ValueError(f"approval ballot {ballot!r} names an option twice")
    _check_options(counter, n_options)
    counts = tuple(counter.get(i, 0) for i in range(n_options))
    return CountResult(counts=counts, ballots=len(cast), winners=_winners(counts))


def tally_ranked(ballots: Iterable[Sequence[int]], n_options: int) -> RankedResult:
    """Count a ranked poll by instant-runoff voting (IRV).

    Each ballot lists options from most to least preferred and may stop early;
    a ballot whose listed options have all been eliminated is *exhausted* and
    no longer counts. A round is won by an option holding more than half of
    the ballots that are not exhausted in that round.

    Elimination, at the end of a round without a majority:

    1. Every option with zero votes is dropped at once. Nothing moves when
       they go, so this only saves rounds and never changes the winner.
    2. Otherwise the single last-placed option is dropped. If all continuing
       options are level, the poll ends as a tie between them: no rule could
       pick a loser among equals without favouring someone.
    3. A tie for last place is broken *backwards*, as in Australian and
       Scottish STV counts: look at the previous round, then the one before,
       down to the first preferences, and drop whoever had fewer votes at the
       most recent round where the tied options differed.
    4. If they were level in every round, all of them are dropped together.
       This stands in for the drawing of lots that statutes use, keeping the
       count deterministic and neutral between option indices.

    Raises ValueError for an out-of-range option or an option ranked twice.
    """
    _check_n_options(n_options)
    grouped = Counter(tuple(ballot) for ballot in ballots)
    for ranking in grouped:
        _check_options(ranking, n_options)
        if len(set(ranking)) != len(ranking):
            raise ValueError(f"ranked ballot {list(ranking)!r} names an option twice")

    # Each option keeps a pile of (ranking, position of its current preference,
    # how many identical ballots); eliminating an option only revisits its own
    # pile, so the whole count is linear in the total length of the rankings.
    piles: list[list[tuple[tuple[int, ...], int, int]]] = [[] for _ in range(n_options)]
    counts = [0] * n_options
    exhausted = 0
    for ranking, weight in grouped.items():
        if ranking:
            piles[ranking[0]].append((ranking, 0, weight))
            counts[ranking[0]] += weight
        else:
            exhausted += weight

    continuing = set(range(n_options))
    rounds: list[Round] = []
    history: list[tuple[int, ...]] = []
    while True:
        snapshot = tuple(counts)
        history.append(snapshot)
        active = sum(snapshot)
        leader = max(continuing, key=snapshot.__getitem__, default=None)
        if leader is not None and 2 * snapshot[leader] > active:
            rounds.append(Round(snapshot, (), exhausted))
            return RankedResult(tuple(rounds), leader, (), grouped.total())
        losers = _losers(continuing, history)
        if losers is None:
            rounds.append(Round(snapshot, (), exhausted))
            tied = tuple(sorted(continuing)) if active else ()
            return RankedResult(tuple(rounds), None, tied, grouped.total())
        rounds.append(Round(snapshot, losers, exhausted))
        continuing.difference_update(losers)
        for loser in losers:
            for ranking, position, weight in piles[loser]:
                nxt = position + 1
                while nxt < len(ranking) and ranking[nxt] not in continuing:
                    nxt += 1
                if nxt < len(ranking):
                    piles[ranking[nxt]].append((ranking, nxt, weight))
                    counts[ranking[nxt]] += weight
                else:
                    exhausted += weight
            piles[loser] = []
            counts[loser] = 0


def _losers(continuing: set[int], history: Sequence[tuple[int, ...]]) -> tuple[int, ...] | None:
    """Options to eliminate after the latest round, or None if it is a tie.

    Implements steps 1-4 of :func:`tally_ranked`'s elimination rule.
    """
    current = history[-1]
    zero = tuple(sorted(o for o in continuing if current[o] == 0))
    if zero and len(zero) < len(continuing):
        return zero
    low = min((current[o] for o in continuing), default=0)
    tied = [o for o in continuing if current[o] == low]
    if len(tied) == len(continuing):
        return None
    for earlier in reversed(history[:-1]):
        if len(tied) == 1:
            break
        fewest = min(earlier[o] for o in tied)
        tied = [o for o in tied if earlier[o] == fewest]
    return tuple(sorted(tied))


def turnout(votes: int, electorate: int) -> float:
    """Share (0..1) of the electorate that voted; 0.0 for an empty electorate.

    Not clamped: members can leave after voting, and hiding that would make
    the figure disagree with the counts shown next to it.
    """
    if votes < 0 or electorate < 0:
        raise ValueError("votes and electorate must be non-negative")
    return votes / electorate if electorate else 0.0


def quorum_met(votes: int, electorate: int, quorum: float | None) -> bool:
    """Whether turnout reached ``quorum`` (a share 0..1; None or 0: no quorum).

    Compares the exact ratio with ``>=`` so "half of 10" is met by 5 votes;
    an empty electorate can only meet a poll that has no quorum.
    """
    if quorum is not None and not 0 <= quorum <= 1:
        raise ValueError(f"quorum must be a share between 0 and 1, got {quorum}")
    if not quorum:
        return True
    if electorate == 0:
        return False
    return turnout(votes, electorate) >= quorum


def shares(counts: Sequence[int], total: int) -> tuple[float, ...]:
    """Percentages (0..100) of ``total`` for each count; all 0.0 if total is 0.

    The base is explicit because it differs by poll kind: approval shares are
    of ballots cast (they need not sum to 100), IRV shares of active ballots.
    """
    if total < 0:
        raise ValueError(f"total must be non-negative, got {total}")
    if total == 0:
        return tuple(0.0 for _ in counts)
    return tuple(100.0 * c / total for c in counts)


class ConsentRule(enum.StrEnum):
    """Which rule decided a consent poll, in the order they are applied."""

    NO_QUORUM = "no_quorum"
    NO_VOTES = "no_votes"
    BLOCKED = "blocked"
    PASSED = "passed"
    OUTVOTED = "outvoted"


@dataclass(frozen=True, slots=True)
class ConsentResult:
    """The count of a consent poll and the rule that decided it."""

    agree: int
    abstain: int
    disagree: int
    blocks: int
    rule: ConsentRule

    @property
    def passed(self) -> bool:
        return self.rule is ConsentRule.PASSED


def decide_consent(
    agree: int, abstain: int, disagree: int, blocks: int, *, valid: bool
) -> ConsentResult:
    """A proposal passes by consent when nobody blocks it and more agree than disagree.

    Applied in order, the first that holds decides: without quorum (``valid``
    false) there is no decision; with no ballots at all nothing passed; one
    block stops it whatever the others say; then agree must beat disagree
    strictly (a tie does not pass). Abstentions count for turnout only. Only
    blocks given with a reason reach this count.
    """
    if min(agree, abstain, disagree, blocks) < 0:
        raise ValueError("counts must be non-negative")
    if not valid:
        rule = ConsentRule.NO_QUORUM
    elif agree + abstain + disagree + blocks == 0:
        rule = ConsentRule.NO_VOTES
    elif blocks:
        rule = ConsentRule.BLOCKED
    elif agree > disagree:
        rule = ConsentRule.PASSED
    else:
        rule = ConsentRule.OUTVOTED
    return ConsentResult(agree, abstain, disagree, blocks, rule)


@dataclass(frozen=True, slots=True)
class SlotCount:
    """How many said yes, maybe and no to one time slot of a meeting poll."""

    yes: int
    maybe: int
    no: int


def rank_slots(counts: Sequence[SlotCount]) -> tuple[tuple[int, ...], ...]:
    """Slot indices best first, in groups of slots that are level.

    More yes is better; between equal yes, more maybe; slots equal in both
    are one group (a tie), listed in their own order (the polls list slots by
    time, so the earlier first). No answers are not weighed: someone who
    cannot come is already not a yes.
    """
    order = sorted(range(len(counts)), key=lambda i: (-counts[i].yes, -counts[i].maybe, i))
    groups: list[list[int]] = []
    for i in order:
        if groups and _level(counts[groups[-1][0]], counts[i]):
            groups[-1].append(i)
        else:
            groups.append([i])
    return tuple(tuple(group) for group in groups)


def best_slots(counts: Sequence[SlotCount]) -> tuple[int, ...]:
    """The slots tied for best, or none when no slot has a single yes."""
    ranking = rank_slots(counts)
    if not ranking or counts[ranking[0][0]].yes == 0:
        return ()
    return ranking[0]


def _level(a: SlotCount, b: SlotCount) -> bool:
    return (a.yes, a.maybe) == (b.yes, b.maybe)
