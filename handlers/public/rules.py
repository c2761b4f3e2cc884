"""What the public page and the exports decide without a database: pure, no I/O.

Money is whole minor units in the models (``models.money``); here it becomes a ``Decimal``
with the currency's number of digits, exactly, and is formatted by Babel. A public address
is a random slug, never derived from the chat id. Spreadsheet cells of user text are guarded
against being read as formulas.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, get_currency_precision

#: Bytes of randomness in a community's public address: 128 bits, 22 characters.
SLUG_BYTES = 16
_SLUG = re.compile(r"[A-Za-z0-9_-]{22,64}")
#: A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: ``minor`` units (cents) of ``currency`` (ISO 4217)."""

    minor: int
    currency: str

    @property
    def digits(self) -> int:
        return int(get_currency_precision(self.currency))

    @property
    def amount(self) -> Decimal:
        """``1250`` EUR cents → ``Decimal("12.50")``: the scale is the currency's digits."""
        return Decimal(self.minor).scaleb(-self.digits)

    def plain(self) -> str:
        """The amount as data: ``-12.50``, ``500``, ``1.250`` (BHD), never a float."""
        return f"{self.amount:f}"


def format_money(money: Money, locale: Locale | str) -> str:
    """``€12.50``, ``12,50 €``, ``€12.50`` in each language, with the currency's digits."""
    return str(format_currency(money.amount, money.currency, locale=locale, currency_digits=True))


def totals(amounts: list[Money]) -> list[Money]:
    """The sum per currency, in the order currencies first appear (one line each)."""
    sums: dict[str, int] = {}
    for money in amounts:
        sums[money.currency] = sums.get(money.currency, 0) + money.minor
    return [Money(minor, currency) for currency, minor in sums.items()]


def new_slug() -> str:
    """A community's public address: random, so nobody can find a page from a chat id."""
    return secrets.token_urlsafe(SLUG_BYTES)


def is_slug(text: str) -> bool:
    """Whether ``text`` could be a slug at all (anything else is answered 404 unread)."""
    return _SLUG.fullmatch(text) is not None


def page_address(base_url: str, slug: str) -> str:
    """The page's address under the bot's public URL."""
    return f"{base_url.rstrip('/')}/public/{slug}"


def sheet_cell(text: str) -> str:
    """User text as a spreadsheet shows it, never run: ``=1+1`` becomes ``'=1+1``.

    The OWASP advice for CSV injection: a leading quote makes the cell text in every
    spreadsheet. Only free text is guarded; numbers and amounts are written as they are.
    """
    return "'" + text if text.startswith(_FORMULA_START) else text


def page_count(total: int, size: int) -> int:
    """Pages of ``size`` rows needed for ``total`` rows (at least one, even when empty)."""
    return max(1, -(-total // size))


def clamp_page(page: int, total: int, size: int) -> int:
    """``page`` (1-based, as the address has it) within the pages there are."""
    return min(max(page, 1), page_count(total, size))
