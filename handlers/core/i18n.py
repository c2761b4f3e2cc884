"""Translation and locale formatting.

``Translator.gettext`` translates and then formats with ``markupsafe`` so that
every value substituted into a message is HTML-escaped unless it is already
``Markup``: user text cannot break or inject into our HTML by construction.
Language codes from Telegram (``zh-hans``, ``ru-RU``, ``pt-br``) are resolved
here with Babel rather than by any framework's middleware.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime, format_timedelta, get_day_names
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations
from markupsafe import Markup, escape

from locales import DOMAIN, LOCALES_DIR

SUPPORTED = ("en", "ru", "zh_Hans")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "zh_Hans": "简体中文"}

# How a moment reads (without, with the year): day and month in words, so "4/12" can never
# mean April, a 24-hour clock, then the zone. English follows British usage, because
# "12/4/26, 7:18 PM" is ambiguous in a European building.
MOMENT_PATTERNS = {
    "en": ("EEE d MMM, HH:mm", "EEE d MMM y, HH:mm"),
    "ru": ("EEE, d MMM, HH:mm", "EEE, d MMM y 'г'., HH:mm"),
    "zh_Hans": ("M月d日EEE HH:mm", "y年M月d日EEE HH:mm"),
}


def N_(message: str) -> str:
    """Marks a string for extraction where it is translated later."""
    return message


def resolve_language(code: str | None, fallback: str = DEFAULT_LANGUAGE) -> str:
    """Map any IETF/Telegram language code onto one of ``SUPPORTED``."""
    if not code:
        return fallback
    try:
        locale = Locale.parse(code.replace("_", "-"), sep="-")
    except (ValueError, UnknownLocaleError):
        return fallback
    if locale.language == "zh":
        traditional = locale.script == "Hant" or locale.territory in ("TW", "HK", "MO")
        return fallback if traditional else "zh_Hans"
    return locale.language if locale.language in SUPPORTED else fallback


def parse_language(code: str) -> str | None:
    """Like ``resolve_language`` but says None for codes we do not speak."""
    resolved = resolve_language(code, fallback="")
    return resolved or None


@cache
def _catalog(language: str) -> NullTranslations:
    return Translations.load(str(LOCALES_DIR), [language], DOMAIN)


class Translator:
    def __init__(self, language: str, timezone: str = "UTC") -> None:
        self.language = language if language in SUPPORTED else DEFAULT_LANGUAGE
        self.locale = Locale.parse(self.language)
        self.timezone = timezone
        self._catalog = _catalog(self.language)

    def gettext(self, message: str, /, **values: Any) -> Markup:
        return Markup(self._catalog.ugettext(message)).format(**values)

    def ngettext(self, singular: str, plural: str, n: int, /, **values: Any) -> Markup:
        text = self._catalog.ungettext(singular, plural, n)
        return Markup(text).format(n=self.number(n), **values)

    __call__ = gettext

    def number(self, value: float) -> str:
        return str(format_decimal(value, locale=self.locale))

    def percent(self, share: float) -> str:
        return str(format_percent(share, format="#,##0.#%", locale=self.locale))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def moment(self, at: datetime, *, now: datetime) -> str:
        """``at`` to the minute in this zone, one way only: "Fri 4 Dec, 19:18 CET".

        The one formatter of moments for every message. The year is shown when
        it is not the year of ``now`` (both in this zone).
        """
        local = at.astimezone(self.zone)
        this_year = local.year == now.astimezone(self.zone).year
        pattern = MOMENT_PATTERNS[self.language][0 if this_year else 1]
        shown = format_datetime(local, pattern, tzinfo=self.zone, locale=self.locale)
        return f"{shown} {_zone_name(local)}"

    def duration(self, delta: timedelta) -> str:
        return str(format_timedelta(delta, threshold=1.0, locale=self.locale))

    def weekdays(self, days: Iterable[int]) -> str:
        """Weekday numbers (0 Monday … 6 Sunday) as this language writes them short: "Mon, Thu"."""
        names = get_day_names("abbreviated", context="format", locale=self.locale)
        return ", ".join(str(names[day]) for day in days)


def _zone_name(local: datetime) -> str:
    """The zone's usual abbreviation (CET, MSK, UTC), else its offset (UTC-3, UTC+5:45)."""
    name = local.tzname() or ""
    if name.isalpha():
        return name
    minutes = int((local.utcoffset() or timedelta(0)).total_seconds()) // 60
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGE_NAMES",
    "N_",
    "SUPPORTED",
    "Markup",
    "Translator",
    "escape",
    "parse_language",
    "resolve_language",
]
