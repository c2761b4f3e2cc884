"""Things: pure rules — reading names and quantities, and the stock arithmetic of hand-overs.

A thing's units are always in one of three places: the common store, a
member's hands, or used up for plan items. Each move takes units from one
place to another, never makes or loses any, so for any sequence of valid moves
``store + held + used`` equals every unit ever added (``Stock.total``). A move
that would take more than is there is refused with a ``Refusal`` naming why;
the use cases turn it into a localized message.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

#: The longest name of a thing; models.things.THING_NAME_LIMIT says the same for the column.
NAME_LIMIT = 64
#: The most units one command may add or give.
QUANTITY_LIMIT = 10_000
#: The most units a thing may have in all (the counters are 32-bit integers).
TOTAL_LIMIT = 1_000_000

_SPACE = re.compile(r"\s+")


class Refusal(enum.Enum):
    EMPTY_NAME = "empty_name"
    LONG_NAME = "long_name"
    BAD_QUANTITY = "bad_quantity"
    TOO_MANY = "too_many"
    ALL_OUT = "all_out"
    NOT_ENOUGH = "not_enough"
    NOT_HELD = "not_held"


class Refused(ValueError):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def tidy(name: str) -> str:
    """The name as shown: NFKC (full-width letters made plain), spaces collapsed, case kept."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", name)).strip()


def name_key(name: str) -> str:
    """What finding a thing by name compares: the tidy name, case-folded (and tidied again, as
    folding can undo NFKC). Refused when empty or longer than NAME_LIMIT."""
    shown = tidy(name)
    key = tidy(shown.casefold())
    if not key:
        raise Refused(Refusal.EMPTY_NAME)
    if len(shown) > NAME_LIMIT or len(key) > NAME_LIMIT:
        raise Refused(Refusal.LONG_NAME)
    return key


def quantity(text: str) -> int:
    """A whole number of units from 1 to QUANTITY_LIMIT ("10"; full-width digits too)."""
    word = unicodedata.normalize("NFKC", text).strip()
    if not (word.isascii() and word.isdigit() and len(word) <= 6):  # int() of 5,000 digits raises
        raise Refused(Refusal.BAD_QUANTITY)
    if not 1 <= int(word) <= QUANTITY_LIMIT:
        raise Refused(Refusal.BAD_QUANTITY)
    return int(word)


@dataclass(frozen=True)
class Stock:
    """Where a thing's units are: ``store``, ``held`` (user id → units, none at 0), ``used``."""

    store: int = 0
    held: Mapping[int, int] = field(default_factory=dict)
    used: int = 0

    @property
    def total(self) -> int:
        return self.store + sum(self.held.values()) + self.used

    def holding(self, user_id: int) -> int:
        return self.held.get(user_id, 0)


def add(stock: Stock, units: int) -> Stock:
    """``units`` more in the store (a new thing starts from an empty ``Stock``)."""
    if units < 1:
        raise Refused(Refusal.BAD_QUANTITY)
    if stock.total + units > TOTAL_LIMIT:
        raise Refused(Refusal.TOO_MANY)
    return Stock(stock.store + units, stock.held, stock.used)


def lend(stock: Stock, to: int) -> Stock:
    """One unit from the store into ``to``'s hands; refused when none is in the store."""
    if stock.store < 1:
        raise Refused(Refusal.ALL_OUT)
    held = dict(stock.held)
    held[to] = held.get(to, 0) + 1
    return Stock(stock.store - 1, held, stock.used)


def give_back(stock: Stock, holder: int) -> tuple[Stock, int]:
    """Everything ``holder`` holds back to the store, and how many units that was."""
    units = stock.holding(holder)
    if units < 1:
        raise Refused(Refusal.NOT_HELD)
    held = {user: n for user, n in stock.held.items() if user != holder}
    return Stock(stock.store + units, held, stock.used), units


def use(stock: Stock, units: int) -> Stock:
    """``units`` from the store used up for a plan item, for good."""
    if units < 1:
        raise Refused(Refusal.BAD_QUANTITY)
    if units > stock.store:
        raise Refused(Refusal.ALL_OUT if stock.store == 0 else Refusal.NOT_ENOUGH)
    return Stock(stock.store - units, stock.held, stock.used + units)
