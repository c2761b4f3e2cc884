"""Rules of handlers.governance.rules: reading /role new, term limits, who may stand, ballot
labels, the winners of a count and the lot that breaks ties — worked examples and properties."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.core import tally
from handlers.governance.rules import (
    LABEL_CHARS,
    MAX_CANDIDATES,
    ROLE_NAME_LIMIT,
    BadRole,
    Ineligible,
    PastTerm,
    RoleProblem,
    approval_winners,
    ballot_labels,
    consecutive_terms,
    lot_key,
    lot_order,
    lot_seed,
    may_stand,
    parse_role,
    parse_term,
    ranked_winners,
    role_key,
    split_role,
)
from handlers.polls.parsing import MAX_OPTION_CHARS, MAX_OPTIONS, check_poll
from models.governance import ROLE_NAME_LIMIT as COLUMN_LIMIT

thorough = settings(max_examples=150, deadline=None)
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
DAYS = 90


def test_the_rules_agree_with_the_columns_and_the_polls_feature() -> None:
    assert ROLE_NAME_LIMIT == COLUMN_LIMIT
    assert LABEL_CHARS == MAX_OPTION_CHARS
    assert MAX_CANDIDATES + 1 == MAX_OPTIONS


# --- /role new ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("90", 90),
        ("90d", 90),
        ("90 days", 90),
        ("12 weeks", 84),
        ("3 months", 90),
        ("1 year", 365),
        ("2 Years", 730),
        ("90 дней", 90),
        ("6 месяцев", 180),
        ("3个月", 90),
        ("１年", 365),
    ],
)
def test_a_term_reads_in_days_weeks_months_or_years(text: str, days: int) -> None:
    assert parse_term(text) == days


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("forever", RoleProblem.BAD_TERM),
        ("90 minutes", RoleProblem.BAD_TERM),
        ("6 days", RoleProblem.TERM_RANGE),
        ("3 years", RoleProblem.TERM_RANGE),
        ("", RoleProblem.BAD_TERM),
    ],
)
def test_a_term_out_of_bounds_or_unreadable_is_refused(text: str, problem: RoleProblem) -> None:
    with pytest.raises(BadRole) as refused:
        parse_term(text)
    assert refused.value.problem is problem


def test_a_role_is_name_term_and_seats() -> None:
    draft = parse_role("  Night  watch lead | 6 months | 3 ")
    assert (draft.name, draft.key, draft.term_days, draft.seats) == (
        "Night watch lead",
        "night watch lead",
        180,
        3,
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Treasurer | 90 days", RoleProblem.SHAPE),
        (" | 90 days | 1", RoleProblem.EMPTY_NAME),
        ("@bob | 90 days | 1", RoleProblem.MENTION_NAME),
        ("x" * (ROLE_NAME_LIMIT + 1) + " | 90 days | 1", RoleProblem.LONG_NAME),
        ("Treasurer | 90 days | one", RoleProblem.BAD_SEATS),
        ("Treasurer | 90 days | 0", RoleProblem.SEATS_RANGE),
        ("Treasurer | 90 days | 8", RoleProblem.SEATS_RANGE),
    ],
)
def test_a_bad_role_says_what_is_wrong(text: str, problem: RoleProblem) -> None:
    with pytest.raises(BadRole) as refused:
        parse_role(text)
    assert refused.value.problem is problem


def test_role_keys_fold_case_width_and_spaces() -> None:
    assert role_key("Treasurer") == role_key(" TREASURER ") == role_key("ＴＲＥＡＳＵＲＥＲ")
    assert role_key("Night   watch") == "night watch"


def test_the_longest_role_name_that_leads_the_text_is_the_role() -> None:
    keys = {"night watch", "night watch lead", "treasurer"}
    assert split_role("Night watch lead @bob", keys) == ("night watch lead", "@bob")
    assert split_role("night watch Carol Smith", keys) == ("night watch", "Carol Smith")
    assert split_role("Treasurer", keys) == ("treasurer", "")
    assert split_role("Treasurer | Carol  Smith", keys) == ("treasurer", "Carol  Smith")
    assert split_role("Gardener @bob", keys) is None


# --- consecutive terms and who may stand -------------------------------------------


def chain(count: int, *, end: datetime, gap_days: float = 0) -> list[PastTerm]:
    """``count`` terms of DAYS days, ``gap_days`` apart, the last ending at ``end``."""
    terms = []
    for i in range(count):
        stop = end - i * timedelta(days=DAYS + gap_days)
        terms.append(PastTerm(stop - timedelta(days=DAYS), stop))
    return terms


def test_back_to_back_terms_are_consecutive_and_a_full_term_off_resets() -> None:
    assert consecutive_terms(chain(2, end=NOW), now=NOW, term_days=DAYS) == 2
    assert consecutive_terms(chain(3, end=NOW, gap_days=DAYS - 1), now=NOW, term_days=DAYS) == 3
    assert consecutive_terms(chain(3, end=NOW, gap_days=DAYS), now=NOW, term_days=DAYS) == 1
    later = NOW + timedelta(days=DAYS)
    assert consecutive_terms(chain(2, end=NOW), now=later, term_days=DAYS) == 0
    assert consecutive_terms([], now=NOW, term_days=DAYS) == 0


def test_resigning_and_standing_again_does_not_reset_the_streak() -> None:
    first = PastTerm(NOW - timedelta(days=40), NOW - timedelta(days=10))  # resigned early
    second = PastTerm(NOW - timedelta(days=8), NOW + timedelta(days=82))
    assert consecutive_terms([first, second], now=NOW, term_days=DAYS) == 2


moments = st.integers(min_value=-2000, max_value=0).map(lambda d: NOW + timedelta(days=d))
past_terms = st.lists(
    st.tuples(moments, st.integers(min_value=1, max_value=800), st.booleans()).map(
        lambda t: PastTerm(t[0], t[0] + timedelta(days=t[1]), t[2])
    ),
    max_size=8,
)
term_days = st.integers(min_value=7, max_value=730)


@thorough
@given(past_terms, term_days, st.randoms())
def test_the_streak_ignores_the_order_terms_come_in(
    terms: list[PastTerm], days: int, random: object
) -> None:
    shuffled = list(terms)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    streak = consecutive_terms(terms, now=NOW, term_days=days)
    assert streak == consecutive_terms(shuffled, now=NOW, term_days=days)
    assert 0 <= streak <= len(terms)


@thorough
@given(past_terms, term_days)
def test_a_term_that_ended_a_full_term_before_the_streak_began_changes_nothing(
    terms: list[PastTerm], days: int
) -> None:
    start = min((t.start for t in terms), default=NOW)
    old = PastTerm(start - timedelta(days=3 * days), start - timedelta(days=days, seconds=1))
    streak = consecutive_terms(terms, now=NOW, term_days=days)
    assert consecutive_terms([*terms, old], now=NOW, term_days=days) == streak


@thorough
@given(past_terms, term_days)
def test_a_term_following_at_once_adds_one_to_the_streak(terms: list[PastTerm], days: int) -> None:
    latest_end = max((t.end for t in terms), default=NOW - timedelta(days=3000))
    nxt = PastTerm(latest_end, latest_end + timedelta(days=days))
    later = latest_end + timedelta(days=1)
    before = consecutive_terms(terms, now=later, term_days=days)
    after = consecutive_terms([*terms, nxt], now=later, term_days=days)
    assert after == before + 1


@thorough
@given(past_terms, term_days, st.integers(min_value=0, max_value=5), st.booleans(), st.booleans())
def test_who_may_stand_follows_the_reasons_in_order(
    terms: list[PastTerm], days: int, limit: int, on_roster: bool, in_time: bool
) -> None:
    why = may_stand(
        terms, now=NOW, term_days=days, limit=limit, on_roster=on_roster, joined_in_time=in_time
    )
    holding = any(t.end > NOW for t in terms)
    recalled = any(t.recalled and t.end + timedelta(days=days) > NOW for t in terms)
    streak = consecutive_terms(terms, now=NOW, term_days=days)
    if not on_roster:
        assert why is Ineligible.NOT_MEMBER
    elif not in_time:
        assert why is Ineligible.TOO_NEW
    elif holding:
        assert why is Ineligible.HOLDS_SEAT
    elif recalled:
        assert why is Ineligible.RECALLED
    elif limit and streak >= limit:
        assert why is Ineligible.TERM_LIMIT
    else:
        assert why is None


def test_two_terms_in_a_row_reach_the_default_limit_and_no_limit_means_none() -> None:
    served = chain(2, end=NOW - timedelta(days=1))
    kwargs = {"now": NOW, "term_days": DAYS, "on_roster": True, "joined_in_time": True}
    assert may_stand(served, limit=2, **kwargs) is Ineligible.TERM_LIMIT
    assert may_stand(served, limit=3, **kwargs) is None
    assert may_stand(served, limit=0, **kwargs) is None
    recalled = [PastTerm(NOW - timedelta(days=30), NOW - timedelta(days=2), recalled=True)]
    assert may_stand(recalled, limit=0, **kwargs) is Ineligible.RECALLED


# --- ballot labels -----------------------------------------------------------------

names = st.lists(
    st.one_of(
        st.sampled_from(["Bob", "bob", "BOB", "None of these", "Carol", "Carol (1)", "  "]),
        st.text(min_size=0, max_size=60),
    ),
    min_size=1,
    max_size=MAX_CANDIDATES,
)


@thorough
@given(names)
def test_ballot_labels_are_distinct_short_and_a_poll_takes_them_as_they_are(
    given_names: list[str],
) -> None:
    labels = ballot_labels(given_names, "None of these")
    assert len(labels) == len(given_names) + 1
    assert labels[-1] == "None of these"
    assert len({label.casefold() for label in labels}) == len(labels)
    assert all(0 < len(label) <= LABEL_CHARS for label in labels)
    _, tidy = check_poll("Who?", labels)
    assert list(tidy) == labels


def test_namesakes_are_all_numbered() -> None:
    assert ballot_labels(["Bob", "bob", "Carol"], "None of these") == [
        "Bob (1)",
        "bob (2)",
        "Carol",
        "None of these",
    ]
    assert ballot_labels(["None of these"], "None of these") == [
        "None of these (1)",
        "None of these",
    ]


# --- the lot -----------------------------------------------------------------------

label_sets = st.sets(st.text(min_size=1, max_size=12), min_size=1, max_size=8)
seeds = st.builds(lot_seed, st.integers(1, 999), st.integers(1, 999), st.integers(0, 999))


@thorough
@given(seeds, label_sets, st.randoms())
def test_the_lot_is_deterministic_and_ignores_the_order_names_come_in(
    seed: str, tied: set[str], random: object
) -> None:
    listed = sorted(tied)
    random.shuffle(listed)  # type: ignore[attr-defined]
    order = lot_order(seed, listed)
    assert order == lot_order(seed, sorted(tied)) == lot_order(seed, [*listed, *listed])
    assert sorted(order) == sorted(tied)


@thorough
@given(seeds, label_sets, label_sets)
def test_who_comes_first_of_two_does_not_depend_on_who_else_is_tied(
    seed: str, tied: set[str], others: set[str]
) -> None:
    small = lot_order(seed, tied)
    large = [name for name in lot_order(seed, tied | others) if name in tied]
    assert list(small) == large


def test_anyone_can_redo_the_lot_with_sha256() -> None:
    seed = lot_seed(3, 7, 12)
    assert seed == "election-3:poll-7:ballots-12"
    assert lot_key(seed, "Bob") == hashlib.sha256(b"election-3:poll-7:ballots-12:Bob").hexdigest()
    order = lot_order(seed, ["Carol", "Bob"])
    assert order == tuple(sorted(["Carol", "Bob"], key=lambda n: lot_key(seed, n)))


# --- winners -----------------------------------------------------------------------

approvals = st.dictionaries(
    st.sampled_from(["Ann", "Bob", "Cy", "Dee", "Eve", "Fay"]), st.integers(0, 6), max_size=6
)


@thorough
@given(approvals, st.integers(0, 6), st.integers(1, 7), seeds)
def test_approval_seats_go_to_the_most_approved_who_beat_none_of_these(
    counts: dict[str, int], none: int, seats: int, seed: str
) -> None:
    chosen = approval_winners(counts, none, seats, seed)
    winners = chosen.winners
    assert len(winners) == len(set(winners)) <= seats
    assert all(counts[w] > none and counts[w] >= 1 for w in winners)
    losers = [n for n, c in counts.items() if n not in winners and c > none and c >= 1]
    assert all(counts[loser] <= min(counts[w] for w in winners) for loser in losers)
    if losers:
        assert len(winners) == seats
    reordered = dict(reversed(list(counts.items())))
    assert approval_winners(reordered, none, seats, seed) == chosen
    for tie in chosen.ties:
        assert list(tie.order[: tie.places]) == [w for w in winners if w in tie.tied]


def test_a_tie_at_the_last_seat_is_drawn_and_said() -> None:
    seed = lot_seed(1, 2, 4)
    chosen = approval_winners({"Bob": 3, "Carol": 3, "Dee": 1}, 0, 1, seed)
    [tie] = chosen.ties
    assert tie.tied == ("Bob", "Carol") and tie.places == 1
    assert chosen.winners == (tie.order[0],)
    assert approval_winners({"Bob": 3, "Carol": 3}, 0, 2, seed).ties == ()


def test_a_sole_candidate_needs_more_approvals_than_none_of_these() -> None:
    seed = lot_seed(1, 1, 5)
    assert approval_winners({"Bob": 3}, 2, 1, seed).winners == ("Bob",)
    assert approval_winners({"Bob": 2}, 2, 1, seed).winners == ()
    assert approval_winners({"Bob": 0}, 0, 1, seed).winners == ()


candidates = ["Ann", "Bob", "Cy", "Dee"]
NONE = "None of these"
rankings = st.lists(
    st.tuples(
        st.permutations([*candidates, NONE]).flatmap(
            lambda order: st.integers(0, len(order)).map(lambda n: tuple(order[:n]))
        ),
        st.integers(1, 5),
    ),
    max_size=8,
)


@thorough
@given(rankings, st.integers(1, 4), seeds, st.randoms())
def test_ranked_seats_are_distinct_never_none_and_ignore_order(
    ballots: list[tuple[tuple[str, ...], int]], seats: int, seed: str, random: object
) -> None:
    chosen = ranked_winners(ballots, candidates, NONE, seats, seed)
    assert len(chosen.winners) == len(set(chosen.winners)) <= seats
    assert NONE not in chosen.winners
    shuffled = list(ballots)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert ranked_winners(shuffled, list(reversed(candidates)), NONE, seats, seed) == chosen


@thorough
@given(rankings, seeds)
def test_one_ranked_seat_goes_to_the_instant_runoff_winner(
    ballots: list[tuple[tuple[str, ...], int]], seed: str
) -> None:
    options = [*sorted(candidates), NONE]
    expanded = [tuple(options.index(x) for x in r) for r, n in ballots for _ in range(n)]
    result = tally.tally_ranked(expanded, len(options))
    chosen = ranked_winners(ballots, candidates, NONE, 1, seed)
    if result.winner is not None:
        expected = options[result.winner]
        assert chosen.winners == (() if expected == NONE else (expected,))
        assert chosen.ties == ()
    elif result.tied:
        [tie] = chosen.ties
        assert tie.order == lot_order(seed, [options[i] for i in result.tied])


def test_several_ranked_seats_are_filled_one_after_another() -> None:
    ballots = [(("Ann", "Bob"), 4), (("Bob", "Ann"), 3), (("Cy",), 2), ((NONE,), 1)]
    chosen = ranked_winners(ballots, ["Ann", "Bob", "Cy"], NONE, 2, lot_seed(1, 1, 10))
    assert chosen.winners == ("Ann", "Bob")


def test_a_candidate_who_left_is_skipped_on_every_ballot() -> None:
    ballots = [(("Ann", "Bob"), 4), (("Bob",), 3)]
    assert ranked_winners(ballots, ["Bob"], NONE, 1, lot_seed(1, 1, 7)).winners == ("Bob",)
