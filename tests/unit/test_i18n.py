"""Locale formatting: moments a European building and a Chinese one both read one way only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.core.i18n import SUPPORTED, Translator

AT = datetime(2026, 12, 4, 18, 18, tzinfo=UTC)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [
        ("en", "Europe/Berlin", "Fri 4 Dec, 19:18 CET"),
        ("ru", "Europe/Berlin", "пт, 4 дек., 19:18 CET"),
        ("zh_Hans", "Europe/Berlin", "12月4日周五 19:18 CET"),
        ("en", "Europe/Moscow", "Fri 4 Dec, 21:18 MSK"),
        ("en", "UTC", "Fri 4 Dec, 18:18 UTC"),
        ("en", "America/Sao_Paulo", "Fri 4 Dec, 15:18 UTC-3"),
        ("en", "Asia/Kolkata", "Fri 4 Dec, 23:48 IST"),
        ("en", "Asia/Kathmandu", "Sat 5 Dec, 00:03 UTC+5:45"),
    ],
)
def test_a_moment_names_day_month_24h_time_and_zone(
    language: str, zone: str, expected: str
) -> None:
    assert Translator(language, zone).moment(AT, now=NOW) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Fri 4 Dec 2026, 19:18 CET"),
        ("ru", "пт, 4 дек. 2026 г., 19:18 CET"),
        ("zh_Hans", "2026年12月4日周五 19:18 CET"),
    ],
)
def test_the_year_is_shown_when_it_is_not_this_year(language: str, expected: str) -> None:
    next_year = datetime(2027, 1, 2, tzinfo=UTC)
    assert Translator(language, "Europe/Berlin").moment(AT, now=next_year) == expected


def test_the_year_is_that_of_the_community_zone() -> None:
    new_year_in_shanghai = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert "2027" not in Translator("en", "Asia/Shanghai").moment(
        datetime(2027, 1, 1, 12, 0, tzinfo=UTC), now=new_year_in_shanghai
    )


@given(
    at=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    language=st.sampled_from(SUPPORTED),
    zone=st.sampled_from(["Europe/Berlin", "Asia/Shanghai", "America/New_York", "UTC"]),
)
def test_no_moment_uses_a_twelve_hour_clock_or_a_numeric_date(
    at: datetime, language: str, zone: str
) -> None:
    shown = Translator(language, zone).moment(at, now=NOW)
    assert "AM" not in shown and "PM" not in shown and "/" not in shown
    assert f"{at.astimezone(Translator(language, zone).zone):%H:%M}" in shown
