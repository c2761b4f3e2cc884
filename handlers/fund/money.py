"""Amounts of money: read from what members type, kept as whole minor units, shown with Babel.

Pure (no database, no I/O) and never a float: text becomes a ``Decimal``,
a ``Decimal`` becomes an ``int`` of minor units (cents) with the currency's
number of digits as Babel knows them (EUR 2, JPY 0, KWD 3), and back.

What ``parse_amount`` accepts (after Unicode NFKC, so full-width digits and
commas typed on a Chinese keyboard count):

- digits, with at most one decimal separator, ``.`` or ``,``, followed by no
  more digits than the currency has: ``12``, ``12.5``, ``12.50``, ``12,50``;
- digits grouped by threes with spaces (also no-break and thin spaces),
  apostrophes, or the other of ``.``/``,``: ``1 200``, ``1'200``,
  ``1,200.50``, ``1.200,50``, ``1,200,000``; one kind of group separator per
  amount, and groups of exactly three digits after the first;
- the community's currency code or symbol before or after it: ``€12``,
  ``12 EUR``, ``12 ₽`` for a fund kept in roubles.

Refused, each with its own reason: anything else (``12abc``, ``$12`` in a
fund kept in euros), a sign (an "out" is said with ``/fund out``, never with
``-``), zero (except where it means "none", such as a limit), more decimal
digits than the currency has (``12.5050`` in euros), amounts of
``MAX_AMOUNT`` or more, and ``1,200`` or ``1.200`` (one separator, three
digits after it, at most three before) in a currency with one or two
decimals: that is 1200 to some and 1.2 to others, so the member is asked to
write ``1200`` or ``1.20``. In a currency without decimals, such as the yen,
it can only be 1200; in one with three, such as the Kuwaiti dinar, which is
always written with its three decimals (``12.500``), it is 1.2.

Where a note follows the amount (``/fund in 1200 Bake sale``) an ordinary
space ends the amount (``split_amount``), and a note that begins with three
digits (``/fund in 1 200 Bake sale``) is refused rather than guessed at.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.core import get_global
from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_name,
    get_currency_precision,
    get_currency_symbol,
    get_territory_currencies,
    is_currency,
)

#: The smallest amount refused as absurd, in major units (ten billion: a Japanese
#: condominium's repair reserve in yen fits, a typo of four extra zeros in euros does not).
MAX_AMOUNT = Decimal(10) ** 10
#: Where the decimal digits of a limit cannot depend on the currency (a setting is read
#: before anyone knows which currency it will be compared in), it may have cents.
LIMIT_DIGITS = 2
_SIGNS = "-−+"
_SPACES = " "  # NFKC makes no-break, narrow no-break, thin and figure spaces plain spaces
_APOSTROPHES = "'’"
_NUMBER_CHARS = re.compile(r"[0-9 '’.,]+")
_LOCALES = ("en", "ru", "zh_Hans")


class Problem(enum.Enum):
    NOT_A_NUMBER = "not_a_number"
    SIGNED = "signed"
    ZERO = "zero"
    TOO_MANY_DIGITS = "too_many_digits"
    AMBIGUOUS = "ambiguous"
    TOO_LARGE = "too_large"
    BAD_GROUPS = "bad_groups"
    SPACED = "spaced"


class AmountError(ValueError):
    """Why ``value`` is not an amount; ``digits`` is how many decimals the currency has."""

    def __init__(self, problem: Problem, value: str, digits: int) -> None:
        super().__init__(f"{problem.value}: {value!r}")
        self.problem = problem
        self.value = value
        self.digits = digits


def digits_of(currency: str) -> int:
    """How many decimal digits ``currency`` has (EUR 2, JPY 0, KWD 3)."""
    return int(get_currency_precision(currency))


@cache
def currencies_in_use() -> frozenset[str]:
    """ISO 4217 codes that are legal tender somewhere today, as Babel's CLDR data says.

    Narrower than ``is_currency``, which also knows gold (XAU), test codes
    (XTS) and currencies long gone (DEM).
    """
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, tender=True))
    return frozenset(code for code in codes if is_currency(code))


def parse_currency(text: str) -> str:
    """``eur`` → ``EUR``; ValueError for a code that is not a currency in use."""
    code = text.strip().upper()
    if code not in currencies_in_use():
        raise ValueError(text)
    return code


def currency_name(code: str, locale: Locale) -> str:
    return str(get_currency_name(code, locale=locale))


@cache
def _marks(currency: str) -> tuple[str, ...]:
    """What may stand before or after an amount in ``currency``: its code and symbols."""
    found = {currency.casefold()}
    for language in _LOCALES:
        mark = get_currency_symbol(currency, locale=language)
        found.add(unicodedata.normalize("NFKC", mark).strip().casefold())
    return tuple(sorted((mark for mark in found if mark), key=len, reverse=True))


def _without_marks(text: str, currency: str | None) -> str:
    if currency is None:
        return text
    folded = text.casefold()
    for mark in _marks(currency):
        if folded.startswith(mark):
            return text[len(mark) :].strip()
        if folded.endswith(mark):
            return text[: -len(mark)].strip()
    return text


def parse_amount(
    text: str, digits: int, *, currency: str | None = None, zero: bool = False
) -> Decimal:
    """The amount ``text`` says, with at most ``digits`` decimals; ``AmountError`` otherwise.

    ``currency`` lets its code or symbol stand before or after the number;
    ``zero`` accepts 0 (a limit of nothing).
    """
    tidy = unicodedata.normalize("NFKC", text).strip()
    tidy = _without_marks(tidy, currency)
    if tidy[:1] in tuple(_SIGNS) and tidy[1:2].isdigit():
        raise AmountError(Problem.SIGNED, text, digits)
    if not tidy or not _NUMBER_CHARS.fullmatch(tidy) or not tidy[0].isdigit():
        raise AmountError(Problem.NOT_A_NUMBER, text, digits)
    whole, fraction = _split(tidy, text, digits)
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        raise AmountError(Problem.NOT_A_NUMBER, text, digits)
    if len(fraction) > digits:
        raise AmountError(Problem.TOO_MANY_DIGITS, text, digits)
    value = Decimal(f"{whole}.{fraction or '0'}")
    if value == 0 and not zero:
        raise AmountError(Problem.ZERO, text, digits)
    if value >= MAX_AMOUNT:
        raise AmountError(Problem.TOO_LARGE, text, digits)
    return value


def _split(tidy: str, text: str, digits: int) -> tuple[str, str]:
    """The whole digits (group separators checked and gone) and the decimal digits."""
    commas, dots = tidy.count(","), tidy.count(".")
    decimal_mark: str | None = None
    if commas and dots:
        decimal_mark = "," if tidy.rfind(",") > tidy.rfind(".") else "."
    elif commas + dots == 1:
        decimal_mark = "," if commas else "."
        before, after = tidy.rsplit(decimal_mark, 1)
        if _could_be_a_group(before, after):
            if digits == 0:
                decimal_mark = None  # ¥1,200: a currency without decimals only groups
            elif digits != 3:
                raise AmountError(Problem.AMBIGUOUS, text, digits)
    if decimal_mark is not None:
        if tidy.count(decimal_mark) > 1:
            raise AmountError(Problem.BAD_GROUPS, text, digits)
        whole, fraction = tidy.split(decimal_mark)
        if not fraction:
            raise AmountError(Problem.NOT_A_NUMBER, text, digits)
    else:
        whole, fraction = tidy, ""
    return _ungrouped(whole, text, digits), fraction


def _could_be_a_group(before: str, after: str) -> bool:
    """Whether ``1,200`` could group thousands: three digits after, a first group before."""
    return (
        len(after) == 3
        and after.isdigit()
        and before.isdigit()
        and len(before) <= 3
        and not before.startswith("0")
    )


def _ungrouped(whole: str, text: str, digits: int) -> str:
    separators = {char for char in whole if not char.isdigit()}
    if not separators:
        return whole
    if len(separators) > 1:
        raise AmountError(Problem.BAD_GROUPS, text, digits)
    groups = whole.split(separators.pop())
    if not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:]):
        raise AmountError(Problem.BAD_GROUPS, text, digits)
    return "".join(groups)


def to_minor(amount: Decimal, currency: str) -> int:
    """``Decimal('12.50')`` in EUR → 1250; the amount must not have more digits than the currency."""
    scaled = amount.scaleb(digits_of(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more digits than {currency}")
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-digits_of(currency))


def major(amount: Decimal, currency: str, locale: Locale) -> str:
    """An amount in major units as ``locale`` writes money: €1,250.50, 1 250,50 €."""
    return str(format_currency(amount, currency, locale=locale))


def money(minor: int, currency: str, locale: Locale) -> str:
    """``minor`` units of ``currency`` as ``locale`` writes money."""
    return major(from_minor(minor, currency), currency, locale)


def signed_money(minor: int, currency: str, locale: Locale) -> str:
    """Like ``money`` with a + or − in front (− is the minus sign, not a hyphen)."""
    sign = "+" if minor > 0 else "−" if minor < 0 else ""
    return sign + money(abs(minor), currency, locale)


def plain_number(amount: Decimal, locale: Locale) -> str:
    """A number without a currency (a limit shown before the currency is known)."""
    return str(format_decimal(amount, locale=locale))


def limit_in_minor(limit: Decimal, currency: str) -> Decimal:
    """A limit in major units, as a (possibly fractional) number of ``currency``'s minor units."""
    return limit.scaleb(digits_of(currency))


_GROUP_AFTER = re.compile(r"[0-9]{3}(?:[.,][0-9]+)?(?:\s|$)")


def split_amount(text: str, digits: int) -> tuple[str, str]:
    """The amount at the start of ``text`` (up to the first ordinary space) and the note after it.

    Where a note follows the amount (``/fund in 1200 Bake sale``) a plain
    space ends the amount: its own group spaces must be no-break or thin
    ones (which phones insert when a number is copied). A note that starts
    with three digits (``1 200 Bake sale``, ``20 100 bricks``) could be the
    rest of the amount: that is refused as ``SPACED`` rather than guessed.
    """
    parts = re.split(r"[ \t\r\n]+", text.strip(), maxsplit=1)
    rest = parts[1].strip() if len(parts) > 1 else ""
    if parts[0][-1:].isdigit() and _GROUP_AFTER.match(rest):
        spaced = rest.split(maxsplit=1)[0]
        raise AmountError(Problem.SPACED, f"{parts[0]} {spaced}", digits)
    return parts[0], rest
