"""Reading /poll: properties of the command and deadline parser, for any input."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from handlers.core.choices import Choice
from handlers.core.i18n import SUPPORTED, Translator
from handlers.polls.parsing import (
    KIND_WORDS,
    MAX_DURATION,
    MAX_OPTION_CHARS,
    MAX_OPTIONS,
    PollDraft,
    PollInputError,
    Problem,
    parse_deadline,
    parse_poll,
    poll_example,
)
from handlers.polls.voting import next_choice
from models import PollKind

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
UNITS |= {"w": timedelta(weeks=1), "ч": timedelta(hours=1), "天": timedelta(days=1)}

# Field text as people type it: letters, digits, punctuation, spaces; never the separator.
field_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="|"), max_size=60
)
option = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Z"), blacklist_characters="|"),
    min_size=1,
    max_size=MAX_OPTION_CHARS,
)


def _is_deadline(text: str) -> bool:
    try:
        return parse_deadline(text, NOW, "UTC") is not None
    except PollInputError:
        return True


@given(st.text(max_size=300))
def test_any_input_parses_or_says_what_is_wrong(args: str) -> None:
    try:
        draft = parse_poll(args, NOW, "Europe/Berlin")
    except PollInputError as error:
        assert isinstance(error.problem, Problem)
        return
    assert isinstance(draft, PollDraft)
    assert (1 if draft.kind is PollKind.MEETING else 2) <= len(draft.options) <= MAX_OPTIONS
    assert all(0 < len(o) <= MAX_OPTION_CHARS and "|" not in o for o in draft.options)
    assert len({o.casefold() for o in draft.options}) == len(draft.options)
    assert draft.deadline is None or NOW < draft.deadline <= NOW + MAX_DURATION


@given(
    kind=st.sampled_from(["", "multi ", "ranked ", "single "]),
    question=field_text.map(str.strip).filter(bool),
    options=st.lists(option, min_size=2, max_size=MAX_OPTIONS, unique_by=str.casefold),
    hours=st.none() | st.integers(1, 24 * 90),
)
def test_well_formed_polls_round_trip(
    kind: str, question: str, options: list[str], hours: int | None
) -> None:
    assume(question.split(maxsplit=1)[0].lower() not in {*KIND_WORDS, "hidden"})
    assume(not _is_deadline(options[-1]))
    fields = [question, *options] + ([f"{hours}h"] if hours else [])
    draft = parse_poll(kind + " | ".join(fields), NOW, "UTC")
    assert draft.kind is KIND_WORDS.get(kind.strip(), PollKind.SINGLE)
    assert draft.question == question
    assert draft.options == tuple(options)
    assert draft.deadline == (NOW + timedelta(hours=hours) if hours else None)


@given(
    n=st.integers(1, 999_999), unit=st.sampled_from(sorted(UNITS)), space=st.sampled_from(["", " "])
)
def test_durations_add_to_now_or_are_refused_as_too_far(n: int, unit: str, space: str) -> None:
    text = f"{n}{space}{unit}"
    if n * UNITS[unit] > MAX_DURATION:
        with pytest.raises(PollInputError) as caught:
            parse_deadline(text, NOW, "UTC")
        assert caught.value.problem is Problem.FAR_DEADLINE
    else:
        assert parse_deadline(text, NOW, "UTC") == NOW + n * UNITS[unit]


def test_compound_and_spelled_out_durations() -> None:
    assert parse_deadline("1d 12h", NOW, "UTC") == NOW + timedelta(hours=36)
    assert parse_deadline("2 hours", NOW, "UTC") == NOW + timedelta(hours=2)
    assert parse_deadline("3 дня", NOW, "UTC") == NOW + timedelta(days=3)
    assert parse_deadline("3 eggs", NOW, "UTC") is None
    assert parse_deadline("18:00", NOW, "UTC") is None
    assert parse_deadline("4K", NOW, "UTC") is None


# Words for spans of time a poll deadline does not accept (too long or too short to mean).
OTHER_TIME_UNITS = [
    "y",
    "yr",
    "years",
    "mo",
    "months",
    "s",
    "sec",
    "год",
    "лет",
    "мес",
    "年",
    "个月",
]


@given(
    n=st.integers(1, 999),
    unit=st.sampled_from(OTHER_TIME_UNITS),
    space=st.sampled_from(["", " "]),
    options=st.lists(option, min_size=2, max_size=3, unique_by=str.casefold),
)
def test_a_duration_in_units_we_do_not_read_is_refused_not_an_option(
    n: int, unit: str, space: str, options: list[str]
) -> None:
    assume(not _is_deadline(options[-1]))
    deadline = f"{n}{space}{unit}"
    with pytest.raises(PollInputError) as caught:
        parse_poll(" | ".join(["Colour?", *options, deadline]), NOW, "UTC")
    assert caught.value.problem is Problem.BAD_DEADLINE
    assert caught.value.value == deadline


def test_colour_poll_with_five_years_is_refused() -> None:
    with pytest.raises(PollInputError) as caught:
        parse_poll("Colour? | Red | Blue | 5y", NOW, "UTC")
    assert (caught.value.problem, caught.value.value) == (Problem.BAD_DEADLINE, "5y")


@given(
    day=st.dates(min_value=date(2026, 3, 2), max_value=date(2026, 5, 30)),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "Asia/Shanghai", "America/Sao_Paulo"]),
    dotted=st.booleans(),
)
def test_a_date_alone_means_the_end_of_that_day_in_the_community_zone(
    day: date, zone: str, dotted: bool
) -> None:
    end = datetime.combine(day, time(23, 59), tzinfo=ZoneInfo(zone))
    assume(NOW < end <= NOW + MAX_DURATION)
    written = day.strftime("%d.%m.%Y" if dotted else "%Y-%m-%d")
    draft = parse_poll(f"Colour? | Red | Blue | {written}", NOW, zone)
    assert draft.options == ("Red", "Blue")
    assert draft.deadline == end.astimezone(UTC)


def test_a_date_too_far_away_is_refused_not_an_option() -> None:
    with pytest.raises(PollInputError) as caught:
        parse_poll("Colour? | Red | Blue | 2026-12-31", NOW, "UTC")
    assert caught.value.problem is Problem.FAR_DEADLINE


@given(
    st.from_regex(
        r"\d{4}[-./]\d{1,2}[-./]\d{1,2}[^|]{0,12}|\d{1,2}[-./]\d{1,2}[-./]\d{4}[^|]{0,12}",
        fullmatch=True,
    )
)
def test_anything_that_starts_with_a_full_date_is_a_deadline_or_an_error(text: str) -> None:
    assume(text.strip() == text and "\n" not in text)
    assert _is_deadline(text)


@pytest.mark.parametrize(
    "text",
    ["2026-03-31 25:00", "2026-03-31 18", "31/03/2026", "2026/03/31", "2026-03-31T18:00Z", "1d 5x"],
)
def test_deadlines_that_cannot_be_read_are_refused(text: str) -> None:
    with pytest.raises(PollInputError) as caught:
        parse_deadline(text, NOW, "UTC")
    assert caught.value.problem is Problem.BAD_DEADLINE


@given(
    moment=st.datetimes(
        min_value=datetime(2026, 3, 2, 9, 1), max_value=datetime(2026, 5, 30, 23, 59)
    ),
    zone=st.sampled_from(["UTC", "Asia/Shanghai", "America/Sao_Paulo"]),
    dotted=st.booleans(),
)
def test_dates_are_read_in_the_community_zone(moment: datetime, zone: str, dotted: bool) -> None:
    local = moment.replace(second=0, microsecond=0, tzinfo=ZoneInfo(zone))
    assume(NOW < local <= NOW + MAX_DURATION)
    text = local.strftime("%d.%m.%Y %H:%M" if dotted else "%Y-%m-%d %H:%M")
    assert parse_deadline(text, NOW, zone) == local.astimezone(UTC)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2026, 3, 2, 9, 0)))
def test_moments_not_in_the_future_are_refused(moment: datetime) -> None:
    with pytest.raises(PollInputError) as caught:
        parse_deadline(moment.strftime("%Y-%m-%d %H:%M"), NOW, "UTC")
    assert caught.value.problem is Problem.PAST_DEADLINE


@pytest.mark.parametrize("text", ["2026-02-30 18:00", "2026-13-01 10:00", "31.04.2026 10:00"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(PollInputError) as caught:
        parse_deadline(text, NOW, "UTC")
    assert caught.value.problem is Problem.BAD_DEADLINE


@given(options=st.lists(option, min_size=1, max_size=5, unique_by=str.casefold))
def test_case_insensitive_duplicates_are_refused(options: list[str]) -> None:
    twin = options[0].swapcase()
    assume(twin != options[0] and twin.casefold() == options[0].casefold())
    assume(len(twin) <= MAX_OPTION_CHARS)
    assume(not _is_deadline(twin))  # the twin is the last field, where a deadline goes
    with pytest.raises(PollInputError) as caught:
        parse_poll(" | ".join(["Q?", *options, twin]), NOW, "UTC")
    assert caught.value.problem is Problem.DUPLICATE_OPTION


@given(
    kind=st.sampled_from([kind for kind in PollKind if kind is not PollKind.MEETING]),
    presses=st.lists(st.integers(0, MAX_OPTIONS - 1) | st.none(), max_size=30),
)
def test_every_sequence_of_presses_leaves_a_well_formed_ballot(
    kind: PollKind, presses: list[int | None]
) -> None:
    ballot: Choice | None = None
    for press in presses:
        ballot = next_choice(kind, ballot, press)
        if ballot is None:
            continue
        assert ballot and len(set(ballot)) == len(ballot)
        assert all(0 <= i < MAX_OPTIONS for i in ballot)
        if kind is PollKind.SINGLE:
            assert len(ballot) == 1
        if kind is PollKind.APPROVAL:
            assert ballot == tuple(sorted(ballot))
    if kind is PollKind.RANKED and None not in presses:
        expected = tuple(dict.fromkeys(presses))
        assert ballot == (expected or None)


@pytest.mark.parametrize("language", SUPPORTED)
@pytest.mark.parametrize("kind", list(PollKind))
def test_the_example_in_every_language_is_a_poll_that_works(language: str, kind: PollKind) -> None:
    example = poll_example(Translator(language), kind)
    command = (
        "/poll"
        if kind is PollKind.SINGLE
        else f"/poll {next(w for w, k in KIND_WORDS.items() if k is kind)}"
    )
    assert example.startswith(command + " ")
    draft = parse_poll(example.removeprefix("/poll "), NOW, "UTC")
    assert draft.kind is kind and draft.deadline is not None and len(draft.options) >= 2


def test_a_date_at_the_end_of_time_west_of_greenwich_is_refused_not_a_crash() -> None:
    with pytest.raises(PollInputError) as caught:
        parse_deadline("9999-12-31", NOW, "America/Sao_Paulo")
    assert caught.value.problem is Problem.BAD_DEADLINE
