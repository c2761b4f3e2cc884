"""The fund's rules, pure: the balance from the entries, what an "out" needs, reversals,
a budget ballot that fits and the order in which a round funds items.

No database, no I/O: the entries come in as ``Movement`` values (the kinds
and states are the strings of ``models.money.EntryKind``/``EntryState``),
amounts are whole minor units (cents), signed as the ledger stores them (in
> 0, out < 0; a commitment < 0).

- **Cash** is the sum of recorded ins, outs and reversals. Pending and
  rejected entries never count; a commitment is not cash leaving the fund
  but money promised to a plan item, so it is kept apart.
- **Committed** is what budget rounds promised to plan items and is not
  paid yet: per item, its commitments less the recorded outs charged to it
  (``/fund out AMOUNT NOTE | PLAN_ID``) that were not reversed; nothing for
  an item that is done (what was not spent on it is free again).
- **Free** is cash less what is committed, less the outs waiting for their
  poll (so a passed poll always finds the money) and less the amount a
  running budget round holds (so its winners can always be paid).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

IN, OUT, REVERSAL, COMMITMENT = "in", "out", "reversal", "commitment"
RECORDED, PENDING, REJECTED = "recorded", "pending", "rejected"
CASH_KINDS = frozenset((IN, OUT, REVERSAL))

#: How long a budget round runs when /budget names no duration, and its bounds.
DEFAULT_ROUND = timedelta(days=7)
SHORTEST_ROUND = timedelta(hours=1)
LONGEST_ROUND = timedelta(days=90)
#: At most this many plan items on one ballot: a button each, and a message a phone can read.
BALLOT_ITEMS = 30


@dataclass(frozen=True, slots=True)
class Movement:
    """One fund entry as the rules see it."""

    id: int
    kind: str
    state: str
    amount: int
    reverses: int | None = None
    plan_item: int | None = None


@dataclass(frozen=True, slots=True)
class Standing:
    """Where the fund stands, in minor units: see the module's docstring."""

    cash: int
    committed: int
    pending: int
    held: int

    @property
    def free(self) -> int:
        return self.cash - self.committed - self.pending - self.held


def cash(movements: Iterable[Movement]) -> int:
    return sum(m.amount for m in movements if m.state == RECORDED and m.kind in CASH_KINDS)


def reversed_ids(movements: Iterable[Movement]) -> frozenset[int]:
    return frozenset(
        m.reverses
        for m in movements
        if m.kind == REVERSAL and m.state == RECORDED and m.reverses is not None
    )


def commitments_left(
    movements: Collection[Movement], done_items: Collection[int] = ()
) -> dict[int, int]:
    """Per plan item, what budgets promised it and has not been paid (items with nothing left
    are left out)."""
    undone = reversed_ids(movements)
    promised: dict[int, int] = {}
    paid: dict[int, int] = {}
    for m in movements:
        if m.state != RECORDED or m.plan_item is None:
            continue
        if m.kind == COMMITMENT:
            promised[m.plan_item] = promised.get(m.plan_item, 0) - m.amount
        elif m.kind == OUT and m.id not in undone:
            paid[m.plan_item] = paid.get(m.plan_item, 0) - m.amount
    left = {
        item: max(0, amount - paid.get(item, 0))
        for item, amount in promised.items()
        if item not in done_items
    }
    return {item: amount for item, amount in left.items() if amount > 0}


def standing(
    movements: Collection[Movement], *, done_items: Collection[int] = (), held: int = 0
) -> Standing:
    return Standing(
        cash=cash(movements),
        committed=sum(commitments_left(movements, done_items).values()),
        pending=-sum(m.amount for m in movements if m.state == PENDING),
        held=held,
    )


class OutDecision(enum.Enum):
    RECORD = "record"
    ASK_MEMBERS = "ask_members"
    NOT_ENOUGH = "not_enough"


def decide_out(amount: int, *, limit: Decimal, free: int, promised: int = 0) -> OutDecision:
    """What an "out" of ``amount`` (> 0) needs.

    ``limit`` is the community's limit in minor units (it may be fractional
    in a currency with fewer digits); ``promised`` is what is left of a
    budget's commitment to the plan item the out is charged to. The fund
    never pays what it does not have free (its own commitment counts as free
    for the item's out). An out that a commitment covers was decided by the
    budget round and is recorded at once; any other above the limit waits
    for a members' poll.
    """
    if amount > free + promised:
        return OutDecision.NOT_ENOUGH
    if amount <= promised or amount <= limit:
        return OutDecision.RECORD
    return OutDecision.ASK_MEMBERS


class NoReversal(enum.Enum):
    NOT_RECORDED = "not_recorded"
    A_REVERSAL = "a_reversal"
    A_COMMITMENT = "a_commitment"
    ALREADY_REVERSED = "already_reversed"


def why_not_reverse(target: Movement, movements: Iterable[Movement]) -> NoReversal | None:
    """None when ``target`` may be reversed, else why not.

    Only a recorded in or out can be: once (the ledger's unique
    ``reverses_id`` says so too). A reversal is never reversed — the entry
    is simply recorded again — and a commitment is the decision of a budget
    round, not a member's mistake.
    """
    if target.kind == REVERSAL:
        return NoReversal.A_REVERSAL
    if target.kind == COMMITMENT:
        return NoReversal.A_COMMITMENT
    if target.state != RECORDED:
        return NoReversal.NOT_RECORDED
    if target.id in reversed_ids(movements):
        return NoReversal.ALREADY_REVERSED
    return None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A plan item on a budget ballot: its cost, how many picked it, its plan number."""

    item: int
    cost: int
    support: int
    number: int


@dataclass(frozen=True, slots=True)
class Funding:
    funded: tuple[int, ...]
    spent: int
    left: int


def funding_order(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Most support first; on equal support the cheaper item (so more get funded), then the
    older plan item (smaller number)."""
    return sorted(candidates, key=lambda c: (-c.support, c.cost, c.number))


def fund(candidates: Iterable[Candidate], amount: int) -> Funding:
    """The items a round of ``amount`` funds, in order: greedy by support.

    Going down ``funding_order``, an item is funded when its cost fits in
    what is left; one that no longer fits is skipped and the next is tried.
    An item nobody picked is never funded.
    """
    funded: list[int] = []
    left = amount
    for candidate in funding_order(candidates):
        if candidate.support > 0 and candidate.cost <= left:
            funded.append(candidate.item)
            left -= candidate.cost
    return Funding(tuple(funded), amount - left, left)


def total(picks: Iterable[int], costs: Mapping[int, int]) -> int:
    return sum(costs[item] for item in picks)


class TooMuch(Exception):
    """Picking ``item`` would make the ballot's total ``would_be``, over the round's amount."""

    def __init__(self, item: int, would_be: int) -> None:
        super().__init__(f"item {item}: {would_be}")
        self.item = item
        self.would_be = would_be


def toggle(
    picks: frozenset[int], item: int, costs: Mapping[int, int], amount: int
) -> frozenset[int]:
    """The ballot after pressing ``item``: dropped if picked, else picked if it still fits.

    Raises TooMuch instead of letting a ballot exceed ``amount``; KeyError for
    an item that is not on the ballot.
    """
    cost = costs[item]
    if item in picks:
        return picks - {item}
    would_be = total(picks, costs) + cost
    if would_be > amount:
        raise TooMuch(item, would_be)
    return picks | {item}


@dataclass(frozen=True, slots=True)
class Costed:
    """An open plan item with a cost, as a round opening sees it."""

    item: int
    number: int
    cost: int


@dataclass(frozen=True, slots=True)
class Ballot:
    items: tuple[Costed, ...]
    too_dear: tuple[Costed, ...]
    crowded_out: tuple[Costed, ...]


def ballot(costed: Iterable[Costed], amount: int) -> Ballot:
    """What a round of ``amount`` puts on its ballot: the open costed items it could fund,
    oldest first, at most BALLOT_ITEMS; those costing more than the round stay off."""
    ordered = sorted(costed, key=lambda c: c.number)
    fits = [c for c in ordered if c.cost <= amount]
    return Ballot(
        items=tuple(fits[:BALLOT_ITEMS]),
        too_dear=tuple(c for c in ordered if c.cost > amount),
        crowded_out=tuple(fits[BALLOT_ITEMS:]),
    )


_UNITS = {
    **dict.fromkeys(("h", "ч", "小时"), timedelta(hours=1)),
    **dict.fromkeys(("d", "д", "天"), timedelta(days=1)),
    **dict.fromkeys(("w", "н", "周"), timedelta(weeks=1)),
}
_DURATION = re.compile(r"(\d{1,4})\s*(h|ч|小时|d|д|天|w|н|周)", re.I)


def parse_round(text: str) -> timedelta | None:
    """How long a round runs: ``48h``, ``7d``, ``2w``, ``1w 3d`` (also ч/д/н, 小时/天/周).

    None when ``text`` is not such a duration or is outside SHORTEST_ROUND to
    LONGEST_ROUND.
    """
    tidy = text.strip().lower()
    parts = _DURATION.findall(tidy)
    if not parts or _DURATION.sub("", tidy).strip():
        return None
    length = sum((int(n) * _UNITS[unit] for n, unit in parts), timedelta())
    return length if SHORTEST_ROUND <= length <= LONGEST_ROUND else None
