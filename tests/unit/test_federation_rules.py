"""Pure rules of federation and of the things ledger: link codes (format, reading, expiry),
the link's confirmation state machine, and the stock arithmetic of hand-overs."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import models
from handlers.federation import rules
from handlers.federation.rules import CodeProblem, CodeState, Phase, Press, Side
from handlers.things import rules as things
from handlers.things.rules import Refusal, Refused, Stock
from models.things import THING_NAME_LIMIT

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
seeds = st.integers(min_value=0, max_value=2**32)


def _code(seed: int) -> str:
    return rules.new_code(random.Random(seed).choice)


# Codes -----------------------------------------------------------------------------------------


def test_the_rules_enums_agree_with_the_models() -> None:
    assert [s.value for s in CodeState] == [s.value for s in models.CodeState]
    assert [p.value for p in Phase] == [s.value for s in models.LinkState]
    assert things.NAME_LIMIT == THING_NAME_LIMIT


@given(seeds)
def test_a_code_is_ten_unambiguous_characters_and_reads_back_as_shown(seed: int) -> None:
    code = _code(seed)
    assert len(code) == rules.CODE_LENGTH == 10
    assert set(code) <= set(rules.ALPHABET)
    assert not set(code) & set("ILOU")
    shown = rules.shown(code)
    assert shown[5] == "-" and shown.replace("-", "") == code
    assert rules.read_code(shown) == code
    assert rules.read_code(code) == code


@given(seeds, st.data())
def test_reading_forgives_case_spaces_hyphens_and_look_alike_letters(
    seed: int, data: st.DataObject
) -> None:
    code = _code(seed)
    typed = []
    for char in code:
        if char == "0":
            char = data.draw(st.sampled_from("0Oo"))
        elif char == "1":
            char = data.draw(st.sampled_from("1IiLl"))
        elif data.draw(st.booleans()):
            char = char.lower()
        typed.append(char + data.draw(st.sampled_from(["", "", " ", "-"])))
    assert rules.read_code(" " + "".join(typed) + " ") == code


@pytest.mark.parametrize("text", ["", "ABCDE", "ABCDE-FGHJK-M", "ABCDE-FGHJ!", "ABCDE-FGHJU"])
def test_what_cannot_be_a_code_is_not_read_as_one(text: str) -> None:
    assert rules.read_code(text) is None


@given(st.lists(seeds, min_size=2, max_size=20, unique=True))
def test_codes_are_stored_as_distinct_hashes_that_do_not_contain_them(seeds: list[int]) -> None:
    codes = {_code(seed) for seed in seeds}
    hashes = {rules.code_hash(code) for code in codes}
    assert len(hashes) == len(codes)
    for code in codes:
        assert code not in rules.code_hash(code) and len(rules.code_hash(code)) == 64


def test_real_codes_come_from_the_system_random_source() -> None:
    assert len({rules.new_code() for _ in range(200)}) == 200


@given(st.integers(min_value=-2 * 86400, max_value=2 * 86400))
def test_a_code_is_valid_for_24_hours_and_not_a_second_more(offset: int) -> None:
    made = NOW
    expires = made + rules.CODE_VALID
    now = made + timedelta(seconds=86400 + offset)
    problem = rules.code_problem(CodeState.ACTIVE, expires, now, own=False)
    assert (problem is None) == (now < made + timedelta(hours=24))
    if problem is not None:
        assert problem is CodeProblem.EXPIRED


def test_a_code_problem_names_the_first_thing_wrong() -> None:
    later = NOW + timedelta(hours=1)
    assert rules.code_problem(None, None, NOW, own=False) is CodeProblem.UNKNOWN
    assert rules.code_problem(CodeState.USED, later, NOW, own=True) is CodeProblem.USED
    assert rules.code_problem(CodeState.REPLACED, later, NOW, own=False) is CodeProblem.REPLACED
    assert rules.code_problem(CodeState.ACTIVE, NOW, NOW, own=True) is CodeProblem.EXPIRED
    assert rules.code_problem(CodeState.ACTIVE, later, NOW, own=True) is CodeProblem.OWN
    assert rules.code_problem(CodeState.ACTIVE, later, NOW, own=False) is None


# The confirmation state machine ----------------------------------------------------------------

presses = st.lists(
    st.tuples(st.sampled_from(Side), st.integers(min_value=0, max_value=48 * 60)), max_size=8
)


@given(presses)
def test_a_link_is_active_exactly_when_each_side_confirmed_in_time(
    steps: list[tuple[Side, int]],
) -> None:
    """The invitee confirmed by typing the code; the inviter's press must come within 24 h.
    Once active, a link stays active; a press never turns it back."""
    link = rules.requested(NOW)
    assert link.phase is Phase.PENDING and link.confirmed == {Side.INVITEE}
    confirmed = {Side.INVITEE}
    became_active = False
    for side, minutes in sorted(steps, key=lambda step: step[1]):
        now = NOW + timedelta(minutes=minutes)
        before = link
        link, press = rules.confirm(link, side, now)
        if before.phase is Phase.ACTIVE or side in before.confirmed:
            assert press is Press.ALREADY and link == before
        elif now >= NOW + rules.LINK_PENDING:
            assert press is Press.LAPSED and link == before
            assert before.lapsed(now) and not before.blocks_another(now)
        else:
            confirmed.add(side)
            assert press is (Press.ACTIVATED if confirmed == set(Side) else Press.WAITING)
            became_active = became_active or press is Press.ACTIVATED
    assert (link.phase is Phase.ACTIVE) == became_active
    assert link.confirmed <= frozenset(Side)


def test_an_ended_link_takes_no_confirmation_and_blocks_nothing() -> None:
    ended = rules.Link(Phase.ENDED, frozenset({Side.INVITEE}), NOW + timedelta(hours=1))
    assert rules.confirm(ended, Side.INVITER, NOW) == (ended, Press.ENDED)
    assert not ended.blocks_another(NOW)
    active, press = rules.confirm(rules.requested(NOW), Side.INVITER, NOW)
    assert press is Press.ACTIVATED and active.blocks_another(NOW + timedelta(days=365))
    assert rules.requested(NOW).blocks_another(NOW + timedelta(hours=23))


# Things: names and quantities ------------------------------------------------------------------


def test_names_fold_case_width_and_spaces() -> None:
    assert things.name_key("  Cement   BAGS ") == "cement bags"
    assert things.name_key("ＤＲＩＬＬ") == "drill"
    assert things.tidy("  Cement   bags ") == "Cement bags"
    assert things.name_key("Лестница") == things.name_key("лестница")
    assert things.name_key("x" * 64) == "x" * 64


@pytest.mark.parametrize(
    ("name", "reason"),
    [("", Refusal.EMPTY_NAME), ("  \u3000", Refusal.EMPTY_NAME), ("x" * 65, Refusal.LONG_NAME)],
)
def test_bad_names_are_refused(name: str, reason: Refusal) -> None:
    with pytest.raises(Refused) as refused:
        things.name_key(name)
    assert refused.value.reason is reason


@pytest.mark.parametrize("text", ["0", "-1", "1.5", "ten", "", "10001", "٣", "9" * 5000])
def test_a_quantity_is_a_whole_number_from_1_to_the_limit(text: str) -> None:
    with pytest.raises(Refused):
        things.quantity(text)


def test_quantities_that_read() -> None:
    assert things.quantity(" 10 ") == 10
    assert things.quantity("１２") == 12
    assert things.quantity("10000") == things.QUANTITY_LIMIT


# Things: the stock arithmetic ------------------------------------------------------------------

people = st.integers(min_value=1, max_value=4)
moves = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(min_value=-2, max_value=40)),
        st.tuples(st.just("lend"), people),
        st.tuples(st.just("return"), people),
        st.tuples(st.just("use"), st.integers(min_value=-1, max_value=15)),
    ),
    max_size=40,
)


@given(moves)
def test_store_held_and_used_always_add_up_to_everything_added(
    steps: list[tuple[str, int]],
) -> None:
    """For any sequence of moves, refused ones change nothing and the rest lose no unit."""
    stock, added = Stock(), 0
    for move, value in steps:
        before = stock
        try:
            if move == "add":
                stock = things.add(stock, value)
                added += value
            elif move == "lend":
                stock = things.lend(stock, value)
                assert stock.holding(value) == before.holding(value) + 1
            elif move == "return":
                stock, units = things.give_back(stock, value)
                assert units == before.holding(value) and stock.holding(value) == 0
            else:
                stock = things.use(stock, value)
                assert stock.used == before.used + value
        except Refused as refused:
            assert stock == before
            if move == "lend":
                assert refused.reason is Refusal.ALL_OUT and before.store == 0
            if move == "return":
                assert refused.reason is Refusal.NOT_HELD and before.holding(value) == 0
            if move == "use" and value >= 1:
                assert value > before.store
        assert stock.total == added
        assert stock.store >= 0 and stock.used >= 0
        assert all(n > 0 for n in stock.held.values())


def test_a_thing_cannot_grow_past_its_limit() -> None:
    full = things.add(Stock(), things.TOTAL_LIMIT)
    with pytest.raises(Refused) as refused:
        things.add(full, 1)
    assert refused.value.reason is Refusal.TOO_MANY


def test_using_more_than_the_store_says_whether_any_is_left() -> None:
    with pytest.raises(Refused) as refused:
        things.use(things.add(Stock(), 3), 4)
    assert refused.value.reason is Refusal.NOT_ENOUGH
    with pytest.raises(Refused) as refused:
        things.use(things.lend(things.add(Stock(), 1), 7), 1)
    assert refused.value.reason is Refusal.ALL_OUT
