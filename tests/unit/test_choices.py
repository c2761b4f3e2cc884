"""A ballot's choice survives the trip to text and back, for any number of options."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.core.choices import Choice, decode_choice, encode_choice

# Forty options: more than the ten a single digit per option allowed.
choices = st.lists(st.integers(0, 39), min_size=1, max_size=40, unique=True).map(tuple)


@given(choices)
def test_every_choice_round_trips(choice: Choice) -> None:
    assert decode_choice(encode_choice(choice)) == choice


@given(choices, choices)
def test_different_choices_never_share_a_text(a: Choice, b: Choice) -> None:
    assert (encode_choice(a) == encode_choice(b)) == (a == b)


def test_the_stored_text_reads_like_the_choice() -> None:
    assert encode_choice((2,)) == "2"
    assert encode_choice((0, 3, 11)) == "0,3,11"
    assert encode_choice((2, 0, 1)) == "2,0,1"
    assert decode_choice("39,10,0") == (39, 10, 0)


@pytest.mark.parametrize("bad", [(), (1, 1), (-1,), (True,)])
def test_no_text_for_what_is_not_a_ballot(bad: Choice) -> None:
    with pytest.raises(ValueError):
        encode_choice(bad)


@pytest.mark.parametrize("bad", ["", "1,", ",1", "01", "1,1", "a", "1;2", " 1", "²", "-1"])
def test_text_that_was_never_written_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        decode_choice(bad)
