"""Rules of handlers.core.tally: worked examples plus properties over random polls."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.core.tally import (
    CountResult,
    RankedResult,
    Round,
    quorum_met,
    shares,
    tally_approval,
    tally_ranked,
    tally_single,
    turnout,
)

# Applied per test, not as a profile, so other modules keep their own settings.
# No deadline: a slow CI machine should not turn into a flaky failure.
thorough = settings(max_examples=150, deadline=None)


# --- strategies -------------------------------------------------------------


@st.composite
def single_polls(draw: st.DrawFn) -> tuple[int, list[int]]:
    n = draw(st.integers(1, 6))
    return n, draw(st.lists(st.integers(0, n - 1), max_size=40))


@st.composite
def approval_polls(draw: st.DrawFn) -> tuple[int, list[frozenset[int]]]:
    n = draw(st.integers(1, 6))
    ballot = st.frozensets(st.integers(0, n - 1))
    return n, draw(st.lists(ballot, max_size=40))


def rankings(n: int) -> st.SearchStrategy[tuple[int, ...]]:
    """Partial rankings: a prefix (possibly empty) of a permutation."""
    return st.tuples(st.permutations(range(n)), st.integers(0, n)).map(
        lambda pair: tuple(pair[0][: pair[1]])
    )


@st.composite
def ranked_polls(
    draw: st.DrawFn, min_n: int = 1, max_n: int = 5
) -> tuple[int, list[tuple[int, ...]]]:
    n = draw(st.integers(min_n, max_n))
    return n, draw(st.lists(rankings(n), max_size=30))


# --- a naive reference IRV ---------------------------------------------------


def reference_irv(ballots: Sequence[Sequence[int]], n: int) -> RankedResult:
    """Recounts every ballot from scratch each round; slow but obviously right."""
    continuing = set(range(n))
    history: list[tuple[int, ...]] = []
    rounds: list[Round] = []
    while True:
        counts = [0] * n
        exhausted = 0
        for ballot in ballots:
            top = next((o for o in ballot if o in continuing), None)
            if top is None:
                exhausted += 1
            else:
                counts[top] += 1
        snapshot = tuple(counts)
        history.append(snapshot)
        active = len(ballots) - exhausted
        for o in continuing:
            if 2 * snapshot[o] > active:
                rounds.append(Round(snapshot, (), exhausted))
                return RankedResult(tuple(rounds), o, (), len(ballots))
        zero = sorted(o for o in continuing if snapshot[o] == 0)
        if zero and len(zero) < len(continuing):
            losers = zero
        else:
            low = min((snapshot[o] for o in continuing), default=0)
            losers = sorted(o for o in continuing if snapshot[o] == low)
            if len(losers) == len(continuing):
                rounds.append(Round(snapshot, (), exhausted))
                tied = tuple(sorted(continuing)) if active else ()
                return RankedResult(tuple(rounds), None, tied, len(ballots))
            for earlier in reversed(history[:-1]):
                fewest = min(earlier[o] for o in losers)
                losers = [o for o in losers if earlier[o] == fewest]
        rounds.append(Round(snapshot, tuple(losers), exhausted))
        continuing -= set(losers)


# --- single choice ------------------------------------------------------------


def test_single_known_example() -> None:
    result = tally_single([0, 1, 1, 2, 1, 0], 4)
    assert result == CountResult(counts=(2, 3, 1, 0), ballots=6, winners=(1,))


def test_single_tie_and_empty() -> None:
    assert tally_single([0, 1], 3).winners == (0, 1)
    assert tally_single([], 3) == CountResult((0, 0, 0), 0, ())


def test_single_accepts_a_generator() -> None:
    assert tally_single((i % 2 for i in range(5)), 2).counts == (3, 2)


@pytest.mark.parametrize("bad", [-1, 3])
def test_single_rejects_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        tally_single([0, bad], 3)


@thorough
@given(single_polls())
def test_single_counts_sum_to_ballots(poll: tuple[int, list[int]]) -> None:
    n, ballots = poll
    result = tally_single(ballots, n)
    assert len(result.counts) == n
    assert sum(result.counts) == result.ballots == len(ballots)
    if ballots:
        assert {result.counts[w] for w in result.winners} == {max(result.counts)}
        assert len(result.winners) == result.counts.count(max(result.counts))
    else:
        assert result.winners == ()


@thorough
@given(single_polls(), st.randoms(use_true_random=False))
def test_single_ignores_ballot_order(poll: tuple[int, list[int]], rnd: random.Random) -> None:
    n, ballots = poll
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert tally_single(shuffled, n) == tally_single(ballots, n)


@thorough
@given(single_polls(), st.data())
def test_changing_one_ballot_keeps_the_ballot_count(
    poll: tuple[int, list[int]], data: st.DataObject
) -> None:
    n, ballots = poll
    if not ballots:
        return
    i = data.draw(st.integers(0, len(ballots) - 1))
    changed = [*ballots[:i], data.draw(st.integers(0, n - 1)), *ballots[i + 1 :]]
    assert tally_single(changed, n).ballots == tally_single(ballots, n).ballots
    ranked = [(b,) for b in ballots]
    ranked_changed = [(b,) for b in changed]
    assert tally_ranked(ranked_changed, n).ballots == tally_ranked(ranked, n).ballots


# --- approval -------------------------------------------------------------------


def test_approval_known_example() -> None:
    result = tally_approval([{0, 1}, {1}, set(), [2, 1]], 3)
    assert result == CountResult(counts=(1, 3, 1), ballots=4, winners=(1,))


def test_approval_rejects_duplicates_and_out_of_range() -> None:
    with pytest.raises(ValueError, match="twice"):
        tally_approval([[0], [1, 1]], 3)
    with pytest.raises(ValueError, match="out of range"):
        tally_approval([[0, 3]], 3)


@thorough
@given(approval_polls(), st.randoms(use_true_random=False))
def test_approval_properties(poll: tuple[int, list[frozenset[int]]], rnd: random.Random) -> None:
    n, ballots = poll
    result = tally_approval(ballots, n)
    assert result.ballots == len(ballots)
    assert all(0 <= c <= result.ballots for c in result.counts)
    assert sum(result.counts) == sum(map(len, ballots))
    shuffled = [list(b) for b in ballots]
    rnd.shuffle(shuffled)
    assert tally_approval(shuffled, n) == result


# --- instant runoff: worked examples ----------------------------------------------


def test_irv_textbook_example_plurality_winner_loses() -> None:
    """Wikipedia's Tennessee capital example: Memphis leads but Knoxville wins."""
    memphis, nashville, chattanooga, knoxville = range(4)
    ballots = (
        [(memphis, nashville, chattanooga, knoxville)] * 42
        + [(nashville, chattanooga, knoxville, memphis)] * 26
        + [(chattanooga, knoxville, nashville, memphis)] * 15
        + [(knoxville, chattanooga, nashville, memphis)] * 17
    )
    result = tally_ranked(ballots, 4)
    assert tally_single([b[0] for b in ballots], 4).winners == (memphis,)
    assert result.winner == knoxville
    assert result.tied == ()
    assert result.ballots == 100
    assert result.rounds == (
        Round((42, 26, 15, 17), (chattanooga,), 0),
        Round((42, 26, 0, 32), (nashville,), 0),
        Round((42, 0, 0, 58), (), 0),
    )
    assert result.final.active == 100


def test_irv_partial_ballots_exhaust_and_majority_is_of_active() -> None:
    # 0: 4 votes, 1: 3 votes, 2: 2 votes that rank nothing else.
    ballots = [(0,)] * 4 + [(1, 0)] * 3 + [(2,)] * 2
    result = tally_ranked(ballots, 3)
    assert result.rounds[0] == Round((4, 3, 2), (2,), 0)
    # After 2 goes, its ballots are exhausted: 4 of 7 active is a majority.
    assert result.rounds[1] == Round((4, 3, 0), (), 2)
    assert result.winner == 0


def test_irv_empty_rankings_count_as_cast_but_exhausted() -> None:
    result = tally_ranked([(), (), (1,)], 2)
    assert result.ballots == 3
    assert result.rounds == (Round((0, 1), (), 2),)
    assert result.winner == 1


def test_irv_no_ballots() -> None:
    result = tally_ranked([], 3)
    assert result == RankedResult((Round((0, 0, 0), (), 0),), None, (), 0)


def test_irv_zero_vote_options_are_batch_eliminated() -> None:
    ballots = [(0, 1)] * 2 + [(1,)] * 2 + [(4, 0)]
    result = tally_ranked(ballots, 5)
    assert result.rounds[0] == Round((2, 2, 0, 0, 1), (2, 3), 0)
    assert result.rounds[1] == Round((2, 2, 0, 0, 1), (4,), 0)
    assert result.winner == 0


def test_irv_full_tie_between_all_continuing() -> None:
    result = tally_ranked([(0, 1), (1, 0)], 3)
    assert result.rounds == (Round((1, 1, 0), (2,), 0), Round((1, 1, 0), (), 0))
    assert result.winner is None
    assert result.tied == (0, 1)


def test_irv_options_level_in_every_round_are_eliminated_together() -> None:
    ballots = [(0,)] * 5 + [(1,)] * 4 + [(2, 1)] + [(3, 0)]
    result = tally_ranked(ballots, 4)
    assert result.rounds == (
        Round((5, 4, 1, 1), (2, 3), 0),
        Round((6, 5, 0, 0), (), 0),
    )
    assert result.winner == 0


def test_irv_last_place_tie_broken_by_most_recent_differing_round() -> None:
    # Options 1 and 2 end level in round 3. Option 2 led in round 1 but trailed
    # in round 2, the most recent round where they differed, so 2 goes (a
    # "fewest first preferences" rule would have dropped 1 instead).
    ballots = [(0,)] * 14 + [(1,)] * 5 + [(2,)] * 6 + [(3, 2)] + [(3,)] * 2 + [(4, 1)] * 2
    result = tally_ranked(ballots, 5)
    assert result.rounds == (
        Round((14, 5, 6, 3, 2), (4,), 0),
        Round((14, 7, 6, 3, 0), (3,), 0),
        Round((14, 7, 7, 0, 0), (2,), 2),
        Round((14, 7, 0, 0, 0), (), 9),
    )
    assert result.winner == 0


@pytest.mark.parametrize(
    ("ballots", "message"),
    [([(0, 3)], "out of range"), ([(-1,)], "out of range"), ([(0, 1, 0)], "twice")],
)
def test_irv_rejects_bad_ballots(ballots: list[tuple[int, ...]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        tally_ranked(ballots, 3)


# --- instant runoff: properties ----------------------------------------------------


@thorough
@given(ranked_polls())
def test_irv_matches_naive_reference(poll: tuple[int, list[tuple[int, ...]]]) -> None:
    n, ballots = poll
    assert tally_ranked(ballots, n) == reference_irv(ballots, n)


@thorough
@given(ranked_polls())
def test_irv_majority_first_preference_wins_in_round_one(
    poll: tuple[int, list[tuple[int, ...]]],
) -> None:
    n, ballots = poll
    firsts = tally_single([b[0] for b in ballots if b], n)
    result = tally_ranked(ballots, n)
    for option, count in enumerate(firsts.counts):
        if 2 * count > firsts.ballots:
            assert result.winner == option
            assert len(result.rounds) == 1


@thorough
@given(ranked_polls())
def test_irv_round_structure(poll: tuple[int, list[tuple[int, ...]]]) -> None:
    n, ballots = poll
    result = tally_ranked(ballots, n)
    assert result.ballots == len(ballots)
    gone: set[int] = set()
    previous: Round | None = None
    for round_ in result.rounds:
        assert len(round_.counts) == n
        assert sum(round_.counts) + round_.exhausted == result.ballots
        assert all(round_.counts[o] == 0 for o in gone)
        assert not gone & set(round_.eliminated)
        if previous is not None:
            assert round_.exhausted >= previous.exhausted
            # Continuing options only ever gain votes.
            assert all(round_.counts[o] >= previous.counts[o] for o in range(n) if o not in gone)
        gone |= set(round_.eliminated)
        previous = round_
    assert all(round_.eliminated for round_ in result.rounds[:-1])
    assert result.final.eliminated == ()
    assert len(gone) < n or n == 0


@thorough
@given(ranked_polls())
def test_irv_outcome_is_consistent(poll: tuple[int, list[tuple[int, ...]]]) -> None:
    n, ballots = poll
    result = tally_ranked(ballots, n)
    final = result.final
    if result.winner is not None:
        assert result.tied == ()
        assert final.counts[result.winner] > 0
        assert 2 * final.counts[result.winner] > final.active
    elif final.active:
        assert len(result.tied) >= 2
        assert {final.counts[o] for o in result.tied} == {final.counts[result.tied[0]]}
        assert sum(final.counts[o] for o in result.tied) == final.active
    else:
        assert result.tied == ()


@thorough
@given(ranked_polls(), st.randoms(use_true_random=False))
def test_irv_ignores_ballot_order(
    poll: tuple[int, list[tuple[int, ...]]], rnd: random.Random
) -> None:
    n, ballots = poll
    shuffled = [list(b) for b in ballots]
    rnd.shuffle(shuffled)
    assert tally_ranked(shuffled, n) == tally_ranked(ballots, n)


@thorough
@given(ranked_polls(min_n=1), st.data())
def test_irv_is_neutral_between_option_indices(
    poll: tuple[int, list[tuple[int, ...]]], data: st.DataObject
) -> None:
    """Renaming options renames the result: no index is favoured in a tie."""
    n, ballots = poll
    perm = data.draw(st.permutations(range(n)))
    renamed = tally_ranked([tuple(perm[o] for o in b) for b in ballots], n)
    original = tally_ranked(ballots, n)
    assert len(renamed.rounds) == len(original.rounds)
    for a, b in zip(original.rounds, renamed.rounds, strict=True):
        assert all(b.counts[perm[o]] == a.counts[o] for o in range(n))
        assert sorted(perm[o] for o in a.eliminated) == list(b.eliminated)
        assert a.exhausted == b.exhausted
    assert renamed.winner == (None if original.winner is None else perm[original.winner])
    assert list(renamed.tied) == sorted(perm[o] for o in original.tied)


@thorough
@given(ranked_polls(min_n=2, max_n=2))
def test_irv_with_two_options_is_plurality(poll: tuple[int, list[tuple[int, ...]]]) -> None:
    n, ballots = poll
    plurality = tally_single([b[0] for b in ballots if b], n)
    result = tally_ranked(ballots, n)
    if len(plurality.winners) == 1:
        assert result.winner == plurality.winners[0]
    else:
        assert result.winner is None
        assert result.tied == plurality.winners


# --- turnout, quorum, shares -------------------------------------------------------


def test_turnout() -> None:
    assert turnout(5, 10) == 0.5
    assert turnout(0, 0) == 0.0
    assert turnout(12, 10) == 1.2  # members left after voting: reported as is
    with pytest.raises(ValueError):
        turnout(-1, 10)
    with pytest.raises(ValueError):
        turnout(1, -10)


@pytest.mark.parametrize(
    ("votes", "electorate", "quorum", "met"),
    [
        (0, 0, None, True),
        (0, 0, 0, True),
        (0, 0, 0.0, True),
        (0, 0, 0.5, False),
        (5, 0, 0.5, False),
        (5, 10, 0.5, True),
        (4, 10, 0.5, False),
        (3, 10, 0.3, True),  # exact boundary despite 0.3 being inexact in binary
        (1, 3, 1 / 3, True),
        (10, 10, 1.0, True),
        (9, 10, 1.0, False),
        (0, 10, None, True),
    ],
)
def test_quorum_met(votes: int, electorate: int, quorum: float | None, met: bool) -> None:
    assert quorum_met(votes, electorate, quorum) is met


@pytest.mark.parametrize("quorum", [-0.1, 1.5, math.nan])
def test_quorum_rejects_nonsense(quorum: float) -> None:
    with pytest.raises(ValueError):
        quorum_met(1, 2, quorum)


@thorough
@given(st.integers(0, 1000), st.integers(1, 1000), st.integers(1, 100))
def test_quorum_in_percent_matches_integer_arithmetic(
    votes: int, electorate: int, pct: int
) -> None:
    assert quorum_met(votes, electorate, pct / 100) is (100 * votes >= pct * electorate)


def test_shares() -> None:
    assert shares((1, 3), 4) == (25.0, 75.0)
    assert shares((0, 0), 0) == (0.0, 0.0)
    assert shares((2, 2), 3) == pytest.approx((66.667, 66.667), abs=1e-3)
    with pytest.raises(ValueError):
        shares((1,), -1)
