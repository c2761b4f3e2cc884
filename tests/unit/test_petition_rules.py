"""Petition rules as pure functions: the threshold, the progress notices and expiry.

The threshold is ``max(minimum, ceil(percent × electorate / 100))``: the share is rounded
up, so a petition never needs less than its share; it is computed in whole numbers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from math import ceil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.core.settings import parse_share
from handlers.governance import petition_rules as rules

thorough = settings(max_examples=200, deadline=None)
electorates = st.integers(0, 100_000)
minimums = st.integers(1, 1000)
percents = st.integers(0, 100)


@pytest.mark.parametrize(
    ("electorate", "minimum", "percent", "needed"),
    [
        (15, 3, 20, 3),  # 20 % of 15 is exactly 3; 0.2 * 15 in floats would round up to 4
        (16, 3, 20, 4),  # 3.2 rounds up
        (5, 3, 20, 3),  # the minimum wins in a small community
        (100, 3, 20, 20),
        (101, 3, 20, 21),
        (0, 3, 20, 3),
        (10, 1, 0, 1),
        (7, 1, 100, 7),
    ],
)
def test_threshold_examples(electorate: int, minimum: int, percent: int, needed: int) -> None:
    assert rules.threshold(electorate, minimum, percent) == needed


@thorough
@given(electorates, minimums, percents)
def test_threshold_is_the_larger_of_the_minimum_and_the_share_rounded_up(
    electorate: int, minimum: int, percent: int
) -> None:
    needed = rules.threshold(electorate, minimum, percent)
    share = Fraction(percent, 100) * electorate
    assert needed == max(minimum, ceil(share))
    assert needed >= minimum and needed >= share
    # The smallest such number: one signature less would be below the minimum or the share.
    assert needed - 1 < minimum or needed - 1 < share


@thorough
@given(electorates, minimums, percents)
def test_a_larger_electorate_never_needs_fewer_signatures(
    electorate: int, minimum: int, percent: int
) -> None:
    assert rules.threshold(electorate + 1, minimum, percent) >= rules.threshold(
        electorate, minimum, percent
    )


@given(percents)
def test_a_share_from_setup_comes_back_as_the_same_whole_percent(percent: int) -> None:
    assert rules.percent_of(parse_share(f"{percent}%")) == percent


@thorough
@given(st.integers(1, 500), st.data())
def test_a_level_is_reached_at_its_exact_fraction_of_the_threshold(
    needed: int, data: st.DataObject
) -> None:
    signatures = data.draw(st.integers(0, 2 * needed))
    expected = max(
        level for level in range(4) if Fraction(signatures) >= Fraction(level * needed, 3)
    )
    assert rules.level(signatures, needed) == expected


def _notices(needed: int, presses: list[bool]) -> tuple[list[int], int]:
    """What the use case does: each press signs (True) or withdraws (False); signing stops
    at the threshold. Returns the notices posted, in order, and the highest count reached."""
    count = posted = highest = 0
    sent: list[int] = []
    for press in presses:
        if posted == rules.NOTICE_LEVELS:
            break
        if not press and count == 0:
            continue
        count += 1 if press else -1
        highest = max(highest, count)
        due = rules.notice_due(count, needed, posted)
        if due is not None:
            sent.append(due)
            posted = due
    return sent, highest


@thorough
@given(st.integers(1, 40), st.lists(st.booleans(), max_size=200))
def test_each_notice_is_posted_at_most_once_whatever_the_signs_and_withdrawals(
    needed: int, presses: list[bool]
) -> None:
    sent, highest = _notices(needed, presses)
    assert sent == sorted(set(sent)), "notices only go up, each at most once"
    assert (sent[-1] if sent else 0) == rules.level(highest, needed)
    if needed >= 3 and highest >= needed:
        assert sent == [1, 2, 3], "with a threshold of 3 or more, every milestone is its own"


def test_notices_for_a_sequence_of_signs_and_withdrawals() -> None:
    # Threshold 6: a third at 2, two thirds at 4, the threshold at 6.
    assert _notices(6, [True, True]) == ([1], 2)
    assert _notices(6, [True, True, False, True, False, False, True, True]) == ([1], 2)
    assert _notices(6, [True] * 4 + [False] * 3 + [True] * 5) == ([1, 2, 3], 6)
    # Milestones that fall on the same signature: only the higher one is posted.
    assert _notices(2, [True, True]) == ([1, 3], 2)
    assert _notices(1, [True]) == ([3], 1)


moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)


@thorough
@given(moments, st.integers(1, 90), st.timedeltas(timedelta(days=-1), timedelta(days=100)))
def test_a_petition_takes_signatures_for_exactly_its_days(
    opened: datetime, days: int, later: timedelta
) -> None:
    expires = rules.closes_at(opened, days)
    assert expires - opened == timedelta(days=days)
    now = opened + later
    assert rules.may_sign(now, expires) == (now < opened + timedelta(days=days))


def test_names_are_matched_folded() -> None:
    assert rules.fold("  Night   Watch ") == rules.fold("night watch") == "night watch"
    assert rules.fold("ＴＲＥＡＳＵＲＥＲ") == "treasurer"
