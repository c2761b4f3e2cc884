"""The fund's pure rules: reading and writing amounts, the balance, reversals, the limit, and
how a budget round fits and funds its items."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from babel import Locale
from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.fund import money, rules
from handlers.fund.money import AmountError, Problem, parse_amount, split_amount
from handlers.fund.rules import (
    COMMITMENT,
    IN,
    OUT,
    PENDING,
    RECORDED,
    REJECTED,
    REVERSAL,
    Candidate,
    Costed,
    Movement,
    NoReversal,
    OutDecision,
)

CURRENCIES = {"EUR": 2, "JPY": 0, "KWD": 3, "RUB": 2, "CNY": 2}
LOCALES = ("en", "ru", "zh_Hans")


def amounts(digits: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=Decimal(1).scaleb(-digits),
        max_value=money.MAX_AMOUNT - 1,
        places=digits,
        allow_nan=False,
        allow_infinity=False,
    )


# Reading amounts


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", "12"),
        ("12.5", "12.5"),
        ("12.50", "12.50"),
        ("12,50", "12.50"),
        ("1 200", "1200"),
        ("1\u00a0200,50", "1200.50"),
        ("1\u202f200,50", "1200.50"),
        ("1'200", "1200"),
        ("1,200.50", "1200.50"),
        ("1.200,50", "1200.50"),
        ("1,200,000", "1200000"),
        ("1.200.000", "1200000"),
        ("€12", "12"),
        ("12 €", "12"),
        ("12 eur", "12"),
        ("１２，５０", "12.50"),
        ("9999999999.99", "9999999999.99"),
    ],
)
def test_amounts_as_members_write_them_are_read_exactly(text: str, value: str) -> None:
    assert parse_amount(text, 2, currency="EUR") == Decimal(value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("abc", Problem.NOT_A_NUMBER),
        ("12abc", Problem.NOT_A_NUMBER),
        ("$12", Problem.NOT_A_NUMBER),
        (".5", Problem.NOT_A_NUMBER),
        ("12.", Problem.NOT_A_NUMBER),
        ("", Problem.NOT_A_NUMBER),
        ("-12", Problem.SIGNED),
        ("−12", Problem.SIGNED),
        ("+12", Problem.SIGNED),
        ("0", Problem.ZERO),
        ("0.00", Problem.ZERO),
        ("12.5050", Problem.TOO_MANY_DIGITS),
        ("1,200", Problem.AMBIGUOUS),
        ("1.200", Problem.AMBIGUOUS),
        ("10000000000", Problem.TOO_LARGE),
        ("1,20,0", Problem.BAD_GROUPS),
        ("1 2000", Problem.BAD_GROUPS),
        ("1 200,000.5", Problem.BAD_GROUPS),
        ("1.2.3,5,6", Problem.BAD_GROUPS),
    ],
)
def test_what_is_not_an_amount_is_refused_with_its_reason(text: str, problem: Problem) -> None:
    with pytest.raises(AmountError) as refused:
        parse_amount(text, 2, currency="EUR")
    assert refused.value.problem is problem


def test_one_comma_and_three_digits_read_as_the_currency_is_written() -> None:
    assert parse_amount("¥1,200", 0, currency="JPY") == Decimal(1200)
    with pytest.raises(AmountError) as refused:
        parse_amount("12.5", 0, currency="JPY")
    assert refused.value.problem is Problem.TOO_MANY_DIGITS
    assert parse_amount("12.500", 3, currency="KWD") == Decimal("12.5")
    for over in ("0.500", "1200.500"):
        with pytest.raises(AmountError) as refused:
            parse_amount(over, 2)
        assert refused.value.problem is Problem.TOO_MANY_DIGITS


def test_a_limit_may_be_zero() -> None:
    assert parse_amount("0", 2, zero=True) == 0


def test_a_note_after_the_amount_is_split_off_unless_it_could_be_more_of_it() -> None:
    assert split_amount("20 Bake sale", 2) == ("20", "Bake sale")
    assert split_amount("1\u00a0200,50   Bake sale", 2) == ("1\u00a0200,50", "Bake sale")
    assert split_amount("35.50", 2) == ("35.50", "")
    assert split_amount("20 10 bags of sand", 2) == ("20", "10 bags of sand")
    for spaced in ("1 200 Bake sale", "20 100 bricks", "1 200,50 x", "3 000"):
        with pytest.raises(AmountError) as refused:
            split_amount(spaced, 2)
        assert refused.value.problem is Problem.SPACED


@settings(max_examples=200, deadline=None)
@given(data=st.data(), code=st.sampled_from(sorted(CURRENCIES)), language=st.sampled_from(LOCALES))
def test_any_amount_babel_writes_in_our_languages_reads_back_the_same(
    data: st.DataObject, code: str, language: str
) -> None:
    digits = money.digits_of(code)
    amount = data.draw(amounts(digits))
    written = format_currency(amount, code, locale=language)
    assert parse_amount(written, digits, currency=code) == amount
    minor = money.to_minor(amount, code)
    assert isinstance(minor, int)
    assert money.from_minor(minor, code) == amount
    assert money.money(minor, code, Locale.parse(language)) == written


def test_currencies_have_the_digits_babel_says() -> None:
    for code, digits in CURRENCIES.items():
        assert money.digits_of(code) == digits


def test_only_currencies_in_use_are_accepted() -> None:
    assert money.parse_currency(" rub ") == "RUB"
    for code in ("EUR", "CNY", "USD", "JPY"):
        assert money.parse_currency(code) == code
    for code in ("XAU", "XTS", "DEM", "EURO", "", "ABC"):
        with pytest.raises(ValueError):
            money.parse_currency(code)


def test_money_is_written_in_each_language() -> None:
    assert money.money(125050, "EUR", Locale.parse("en")) == "€1,250.50"
    assert money.money(125050, "EUR", Locale.parse("ru")) == "1\u00a0250,50\u00a0€"
    assert money.money(125050, "CNY", Locale.parse("zh_Hans")) == "¥1,250.50"
    assert money.signed_money(-500, "EUR", Locale.parse("en")) == "−€5.00"
    assert money.signed_money(500, "EUR", Locale.parse("en")) == "+€5.00"


# The ledger

ids = st.integers(min_value=1, max_value=10**6)
cents = st.integers(min_value=1, max_value=10**9)


@st.composite
def ledgers(draw: st.DrawFn) -> list[Movement]:
    """A ledger grown the way the bot grows one: ins, outs (some pending or rejected) and
    reversals that the rules allow."""
    movements: list[Movement] = []
    for number in range(1, draw(st.integers(min_value=0, max_value=25)) + 1):
        step = draw(st.sampled_from(("in", "out", "pending", "rejected", "reverse")))
        amount = draw(cents)
        if step == "in":
            movements.append(Movement(number, IN, RECORDED, amount))
        elif step == "out":
            movements.append(Movement(number, OUT, RECORDED, -amount))
        elif step in ("pending", "rejected"):
            state = PENDING if step == "pending" else REJECTED
            movements.append(Movement(number, OUT, state, -amount))
        else:
            open_ = [m for m in movements if rules.why_not_reverse(m, movements) is None]
            if open_:
                target = draw(st.sampled_from(open_))
                movements.append(
                    Movement(number, REVERSAL, RECORDED, -target.amount, reverses=target.id)
                )
    return movements


@settings(max_examples=200, deadline=None)
@given(ledgers())
def test_the_balance_is_what_was_recorded_and_not_reversed(movements: list[Movement]) -> None:
    undone = {m.reverses for m in movements if m.kind == REVERSAL}
    kept = [
        m for m in movements if m.kind != REVERSAL and m.state == RECORDED and m.id not in undone
    ]
    standing = rules.standing(movements)
    assert standing.cash == sum(m.amount for m in kept)
    assert standing.pending == -sum(m.amount for m in movements if m.state == PENDING)
    assert standing.free == standing.cash - standing.pending
    assert standing.committed == 0


@settings(max_examples=200, deadline=None)
@given(ledgers(), st.data())
def test_a_reversal_restores_the_balance_before_its_entry(
    movements: list[Movement], data: st.DataObject
) -> None:
    open_ = [m for m in movements if rules.why_not_reverse(m, movements) is None]
    if not open_:
        return
    target = data.draw(st.sampled_from(open_))
    reversal = Movement(10**7, REVERSAL, RECORDED, -target.amount, reverses=target.id)
    after = [*movements, reversal]
    without = [m for m in movements if m.id != target.id]
    assert rules.cash(after) == rules.cash(without)
    assert rules.why_not_reverse(target, after) is NoReversal.ALREADY_REVERSED
    assert rules.why_not_reverse(reversal, after) is NoReversal.A_REVERSAL


@given(ledgers(), cents)
def test_pending_and_rejected_entries_are_not_counted(
    movements: list[Movement], amount: int
) -> None:
    before = rules.standing(movements)
    rejected = rules.standing([*movements, Movement(10**7, OUT, REJECTED, -amount)])
    pending = rules.standing([*movements, Movement(10**7, OUT, PENDING, -amount)])
    assert rejected == before
    assert pending.cash == before.cash
    assert pending.free == before.free - amount


def test_only_recorded_ins_and_outs_may_be_reversed() -> None:
    entries = [
        Movement(1, IN, RECORDED, 500),
        Movement(2, OUT, PENDING, -300),
        Movement(3, OUT, REJECTED, -300),
        Movement(4, COMMITMENT, RECORDED, -100, plan_item=9),
        Movement(5, REVERSAL, RECORDED, -500, reverses=1),
    ]
    assert rules.why_not_reverse(entries[0], entries) is NoReversal.ALREADY_REVERSED
    assert rules.why_not_reverse(entries[1], entries) is NoReversal.NOT_RECORDED
    assert rules.why_not_reverse(entries[2], entries) is NoReversal.NOT_RECORDED
    assert rules.why_not_reverse(entries[3], entries) is NoReversal.A_COMMITMENT
    assert rules.why_not_reverse(entries[4], entries) is NoReversal.A_REVERSAL
    assert rules.why_not_reverse(Movement(6, OUT, RECORDED, -1), entries) is None


@given(
    amount=cents,
    limit=st.decimals(min_value=0, max_value=10**9, places=1),
    free=st.integers(min_value=-(10**9), max_value=10**9),
    promised=st.integers(min_value=0, max_value=10**9),
)
def test_the_limit_decides_which_outs_wait_for_a_poll(
    amount: int, limit: Decimal, free: int, promised: int
) -> None:
    decision = rules.decide_out(amount, limit=limit, free=free, promised=promised)
    if amount > free + promised:
        assert decision is OutDecision.NOT_ENOUGH
    elif amount <= promised or amount <= limit:
        assert decision is OutDecision.RECORD
    else:
        assert decision is OutDecision.ASK_MEMBERS


def test_the_limit_examples() -> None:
    limit = Decimal(10000)  # €100.00 in cents
    assert rules.decide_out(10000, limit=limit, free=50000) is OutDecision.RECORD
    assert rules.decide_out(10001, limit=limit, free=50000) is OutDecision.ASK_MEMBERS
    assert rules.decide_out(50001, limit=limit, free=50000) is OutDecision.NOT_ENOUGH
    # A commitment of €300 to the item pays its €250 bill at once, even above the limit.
    assert rules.decide_out(25000, limit=limit, free=0, promised=30000) is OutDecision.RECORD
    assert rules.decide_out(35000, limit=limit, free=10000, promised=30000) is (
        OutDecision.ASK_MEMBERS
    )


@given(ledgers(), cents, st.data())
def test_paying_a_funded_item_from_its_commitment_leaves_free_money_alone(
    movements: list[Movement], committed: int, data: st.DataObject
) -> None:
    item = 7
    movements = [
        Movement(10**6, IN, RECORDED, committed),
        *movements,
        Movement(10**6 + 1, COMMITMENT, RECORDED, -committed, plan_item=item),
    ]
    before = rules.standing(movements)
    assert rules.commitments_left(movements) == {item: committed}
    paid = data.draw(st.integers(min_value=1, max_value=committed))
    after = [*movements, Movement(10**6 + 2, OUT, RECORDED, -paid, plan_item=item)]
    standing = rules.standing(after)
    assert standing.cash == before.cash - paid
    assert standing.committed == before.committed - paid
    assert standing.free == before.free
    # A reversed payment is owed again; a done item owes nothing more.
    reversed_ = [*after, Movement(10**6 + 3, REVERSAL, RECORDED, paid, reverses=10**6 + 2)]
    assert rules.standing(reversed_).committed == before.committed
    assert rules.standing(after, done_items={item}).committed == 0


def test_a_running_round_holds_its_amount() -> None:
    entries = [Movement(1, IN, RECORDED, 1000)]
    assert rules.standing(entries, held=400).free == 600


# Budget rounds


candidates = st.lists(
    st.builds(
        Candidate,
        item=st.integers(min_value=1, max_value=10**6),
        cost=st.integers(min_value=1, max_value=10**5),
        support=st.integers(min_value=0, max_value=50),
        number=st.integers(min_value=1, max_value=10**6),
    ),
    max_size=30,
    unique_by=(lambda c: c.item, lambda c: c.number),
)


@settings(max_examples=300, deadline=None)
@given(candidates, st.integers(min_value=0, max_value=10**6))
def test_a_round_never_funds_more_than_its_amount(found: list[Candidate], amount: int) -> None:
    funding = rules.fund(found, amount)
    by_item = {c.item: c for c in found}
    assert funding.spent == sum(by_item[i].cost for i in funding.funded) <= amount
    assert funding.left == amount - funding.spent
    assert all(by_item[i].support > 0 for i in funding.funded)
    assert len(set(funding.funded)) == len(funding.funded)
    # In order of support, and nothing supported that would still fit was left out.
    order = [c.item for c in rules.funding_order(found)]
    assert [i for i in order if i in funding.funded] == list(funding.funded)
    for candidate in found:
        if candidate.support and candidate.item not in funding.funded:
            assert candidate.cost > funding.left


def test_the_most_supported_item_that_fits_is_funded_first_and_ties_go_to_the_cheaper() -> None:
    fence = Candidate(item=1, cost=120, support=3, number=1)
    rack = Candidate(item=2, cost=300, support=5, number=2)
    bench = Candidate(item=3, cost=250, support=3, number=3)
    lamp = Candidate(item=4, cost=80, support=3, number=4)
    nobody = Candidate(item=5, cost=10, support=0, number=5)
    # 500: the rack (5 picks) first; of the three with 3 picks the lamp (cheapest) then the
    # fence; the bench no longer fits (€0 left after 300 + 80 + 120); nobody's stays unfunded.
    funding = rules.fund([fence, rack, bench, lamp, nobody], 500)
    assert funding.funded == (2, 4, 1)
    assert (funding.spent, funding.left) == (500, 0)
    # An item that does not fit is skipped and the next one tried.
    assert rules.fund([rack, bench, lamp], 350).funded == (2,)
    assert rules.fund([rack, bench, lamp], 330).funded == (2,)
    assert rules.fund([rack, bench, lamp], 290).funded == (4,)
    # Same support and cost: the older plan item.
    twin = Candidate(item=6, cost=120, support=3, number=6)
    assert rules.fund([twin, fence], 120).funded == (1,)


@settings(max_examples=200, deadline=None)
@given(
    costs=st.dictionaries(st.integers(1, 40), st.integers(1, 500), min_size=1, max_size=10),
    amount=st.integers(0, 1500),
    presses=st.lists(st.integers(1, 40), max_size=40),
)
def test_a_ballot_never_goes_over_the_amount(
    costs: dict[int, int], amount: int, presses: list[int]
) -> None:
    picks: frozenset[int] = frozenset()
    for item in presses:
        if item not in costs:
            with pytest.raises(KeyError):
                rules.toggle(picks, item, costs, amount)
            continue
        try:
            after = rules.toggle(picks, item, costs, amount)
        except rules.TooMuch as refused:
            assert item not in picks
            assert refused.would_be == rules.total(picks, costs) + costs[item] > amount
            continue
        assert after ^ picks == {item}
        assert rules.toggle(after, item, costs, amount) == picks
        picks = after
        assert rules.total(picks, costs) <= amount


def test_the_ballot_holds_the_open_costed_items_that_fit() -> None:
    costed = [Costed(item=i, number=i, cost=100 * i) for i in range(40, 0, -1)]
    ballot = rules.ballot(costed, 3500)
    assert [c.number for c in ballot.items] == list(range(1, 31))
    assert [c.number for c in ballot.crowded_out] == list(range(31, 36))
    assert [c.number for c in ballot.too_dear] == list(range(36, 41))


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("7d", timedelta(days=7)),
        (" 48h ", timedelta(hours=48)),
        ("2w", timedelta(weeks=2)),
        ("1w 3d", timedelta(days=10)),
        ("3д", timedelta(days=3)),
        ("5天", timedelta(days=5)),
        ("12 小时", timedelta(hours=12)),
        ("1h", timedelta(hours=1)),
        ("90d", timedelta(days=90)),
    ],
)
def test_a_round_runs_as_long_as_it_says(text: str, length: timedelta) -> None:
    assert rules.parse_round(text) == length


@pytest.mark.parametrize("text", ["", "7", "seven days", "91d", "30m", "0h", "7d and more", "5y"])
def test_a_round_length_that_cannot_be_read_is_none(text: str) -> None:
    assert rules.parse_round(text) is None
