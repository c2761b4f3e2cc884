"""Rules of handlers.duties.rules: worked examples plus properties.

When shifts start (across daylight-saving changes in four kinds of zone), who
takes them (fair over many shifts, nobody twice in a row), when a private
reminder may go out (quiet hours), and how members' input is read.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.duties.rules import (
    HORIZON,
    WEEKDAYS,
    Candidate,
    Reason,
    Recurrence,
    WhenError,
    assign_until,
    in_quiet,
    parse_length,
    parse_people,
    parse_quiet,
    parse_when,
    plan_rotation,
    reminder_moments,
    rotate,
    starts,
)
from handlers.duties.rules import quiet_until as quiet_until_

# No deadline: a slow CI machine should not turn into a flaky failure.
thorough = settings(max_examples=150, deadline=None)

BERLIN = "Europe/Berlin"
# Two changes a year; two a year in the other hemisphere, by half an hour; none.
ZONES = (BERLIN, "America/New_York", "Australia/Lord_Howe", "Asia/Shanghai")
# Days on which one of ZONES changes its clocks in 2026: moments near them are
# where quiet hours and shifts go wrong, so the strategies aim there often.
CHANGE_DAYS = tuple(
    datetime(2026, month, day, 12, tzinfo=UTC)
    for month, day in ((3, 8), (3, 29), (4, 5), (10, 4), (10, 25), (11, 1))
)


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def wall_exists(naive: datetime, zone: str) -> bool:
    """Whether local clocks ever read ``naive`` (not on a spring-forward gap)."""
    tz = ZoneInfo(zone)
    return naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive


# --- strategies -----------------------------------------------------------------

minutes = st.builds(time, st.integers(0, 23), st.integers(0, 59))
# Whole seconds: reminders are computed from whole-minute starts, and an
# oracle stepping minute by minute must not miss a boundary between steps.
year_2026 = st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31, 23, 59)).map(
    lambda naive: naive.replace(microsecond=0, tzinfo=UTC)
)
near_a_change = st.builds(
    lambda day, offset: day + timedelta(minutes=offset),
    st.sampled_from(CHANGE_DAYS),
    st.integers(-3 * 24 * 60, 3 * 24 * 60),
)
moments = st.one_of(year_2026, near_a_change)
zones = st.sampled_from(ZONES)


@st.composite
def recurrences(draw: st.DrawFn, *, once: bool = True) -> Recurrence:
    kinds = ["daily", "weekly", "every", *(["once"] if once else [])]
    kind = draw(st.sampled_from(kinds))
    at = draw(minutes)
    if kind == "weekly":
        days = draw(st.sets(st.integers(0, 6), min_size=1))
        return Recurrence(kind, at, weekdays=tuple(sorted(days)))
    if kind == "every":
        return Recurrence(kind, at, interval=draw(st.integers(1, 365)))
    if kind == "once":
        return Recurrence(kind, at, on=draw(st.dates(date(2000, 1, 1), date(2100, 12, 31))))
    return Recurrence(kind, at)


# --- WHEN -------------------------------------------------------------------------


@thorough
@given(recurrences())
def test_a_recurrence_reads_back_from_its_text(rec: Recurrence) -> None:
    assert parse_when(rec.text()) == rec
    assert parse_when(f"  {rec.text().upper()}  ") == rec


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("daily 22:00", Recurrence("daily", time(22))),
        ("Daily  7:05", Recurrence("daily", time(7, 5))),
        ("weekly mon,thu 22:00", Recurrence("weekly", time(22), weekdays=(0, 3))),
        ("weekly Thursday, mon, thu 22:00", Recurrence("weekly", time(22), weekdays=(0, 3))),
        ("weekly sun 09:30", Recurrence("weekly", time(9, 30), weekdays=(6,))),
        ("every 3 days 07:30", Recurrence("every", time(7, 30), interval=3)),
        ("every 1 day 07:30", Recurrence("every", time(7, 30), interval=1)),
        ("once 2026-05-01 09:00", Recurrence("once", time(9), on=date(2026, 5, 1))),
        ("weekly mon，thu 22：00", Recurrence("weekly", time(22), weekdays=(0, 3))),
    ],
)
def test_the_forms_of_when(text: str, expected: Recurrence) -> None:
    assert parse_when(text) == expected


def test_weekly_text_is_canonical() -> None:
    assert parse_when("weekly THURSDAY,Monday 22:00").text() == "weekly mon,thu 22:00"
    assert parse_when("every 1 days 08:00").text() == "every 1 day 08:00"
    assert WEEKDAYS == {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", Reason.EMPTY),
        ("   ", Reason.EMPTY),
        ("hourly 22:00", Reason.UNKNOWN_FORM),
        ("22:00", Reason.UNKNOWN_FORM),
        ("daily at 22:00", Reason.UNKNOWN_FORM),
        ("every 3 weeks 22:00", Reason.UNKNOWN_FORM),
        ("every 3 days 22:00 sharp", Reason.BAD_TIME),
        ("once 2026-05-01 09:00 10:00", Reason.UNKNOWN_FORM),
        ("daily", Reason.BAD_TIME),
        ("daily 24:00", Reason.BAD_TIME),
        ("daily 22:60", Reason.BAD_TIME),
        ("daily 10pm", Reason.BAD_TIME),
        ("daily 22.00", Reason.BAD_TIME),
        ("weekly mon,thu", Reason.BAD_TIME),
        ("every 3 days", Reason.BAD_TIME),
        ("once 2026-05-01", Reason.BAD_TIME),
        ("weekly", Reason.BAD_DAY),
        ("weekly 22:00", Reason.BAD_DAY),
        ("weekly mon,fun 22:00", Reason.BAD_DAY),
        ("weekly , 22:00", Reason.BAD_DAY),
        ("every", Reason.BAD_INTERVAL),
        ("every 0 days 22:00", Reason.BAD_INTERVAL),
        ("every 366 days 22:00", Reason.BAD_INTERVAL),
        ("every three days 22:00", Reason.BAD_INTERVAL),
        ("every -2 days 22:00", Reason.BAD_INTERVAL),
        ("once", Reason.BAD_DATE),
        ("once 2026-02-30 09:00", Reason.BAD_DATE),
        ("once 01.05.2026 09:00", Reason.BAD_DATE),
        ("once 2026-5-1 09:00", Reason.BAD_DATE),
    ],
)
def test_an_unreadable_when_says_why(text: str, reason: Reason) -> None:
    with pytest.raises(WhenError) as caught:
        parse_when(text)
    assert caught.value.reason is reason
    assert isinstance(caught.value, ValueError)


def test_once_in_the_past_is_refused_when_now_is_given() -> None:
    # 09:00 in Berlin on 1 May is 07:00 UTC.
    text = "once 2026-05-01 09:00"
    assert parse_when(text, now=datetime(2026, 5, 1, 6, 59, tzinfo=UTC), zone=BERLIN)
    with pytest.raises(WhenError) as caught:
        parse_when(text, now=datetime(2026, 5, 1, 7, 0, tzinfo=UTC), zone=BERLIN)
    assert caught.value.reason is Reason.IN_THE_PAST
    # Without now only the text is checked: a stored duty reads back whatever its date.
    assert parse_when(text).on == date(2026, 5, 1)
    # A daily duty has no past.
    assert parse_when("daily 09:00", now=datetime(2030, 1, 1, tzinfo=UTC), zone=BERLIN)


@pytest.mark.parametrize(
    "broken",
    [
        lambda: Recurrence("hourly", time(1)),
        lambda: Recurrence("daily", time(1, 0, 30)),
        lambda: Recurrence("daily", time(1, tzinfo=UTC)),
        lambda: Recurrence("weekly", time(1)),
        lambda: Recurrence("weekly", time(1), weekdays=(3, 0)),
        lambda: Recurrence("weekly", time(1), weekdays=(7,)),
        lambda: Recurrence("daily", time(1), weekdays=(1,)),
        lambda: Recurrence("every", time(1), interval=0),
        lambda: Recurrence("daily", time(1), interval=2),
        lambda: Recurrence("once", time(1)),
        lambda: Recurrence("daily", time(1), on=date(2026, 1, 1)),
    ],
)
def test_a_recurrence_that_could_not_be_written_is_not_made(broken: object) -> None:
    assert callable(broken)
    with pytest.raises(ValueError):
        broken()


# --- LENGTH, PEOPLE, QUIET -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("8h", timedelta(hours=8)),
        ("30m", timedelta(minutes=30)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("90m", timedelta(minutes=90)),
        ("90min", timedelta(minutes=90)),
        ("1d", timedelta(days=1)),
        (" 1D12H ", timedelta(days=1, hours=12)),
        ("5m", timedelta(minutes=5)),
        ("7d", timedelta(days=7)),
    ],
)
def test_lengths(text: str, length: timedelta) -> None:
    assert parse_length(text) == length


@pytest.mark.parametrize(
    "text", ["", "8", "4m", "0h", "7d1m", "8d", "h", "30m1h", "1.5h", "8 hours", "-1h", "1w"]
)
def test_unreadable_or_unreasonable_lengths(text: str) -> None:
    with pytest.raises(ValueError):
        parse_length(text)


def test_people() -> None:
    assert parse_people("2") == 2
    assert parse_people(" 20 ") == 20
    for text in ("0", "21", "", "two", "+2", "2.0", "²", "1e1"):
        with pytest.raises(ValueError):
            parse_people(text)


def test_quiet_hours_settings() -> None:
    assert parse_quiet("22:00-08:00") == (time(22), time(8))
    assert parse_quiet(" 13:00 – 15:30 ") == (time(13), time(15, 30))
    assert parse_quiet("OFF") == (time(0), time(0))
    for text in ("", "22:00", "22-08", "25:00-08:00", "22:00-08:00-09:00", "never"):
        with pytest.raises(ValueError):
            parse_quiet(text)
    assert in_quiet(time(23), (time(22), time(8)))
    assert in_quiet(time(7, 59), (time(22), time(8)))
    assert not in_quiet(time(8), (time(22), time(8)))
    assert in_quiet(time(13), (time(13), time(15)))
    assert not in_quiet(time(15), (time(13), time(15)))
    assert not in_quiet(time(3), (time(0), time(0)))


# --- start moments --------------------------------------------------------------------


def reference_starts(
    rec: Recurrence, anchor: datetime, after: datetime, until: datetime, zone: str
) -> list[datetime]:
    """The same moments the slow way, one local day at a time: the oracle."""
    tz = ZoneInfo(zone)
    first = anchor.astimezone(tz).date()
    day, last = first, until.astimezone(tz).date() + timedelta(days=1)
    found = []
    while day <= last:
        if (
            rec.kind == "daily"
            or (rec.kind == "weekly" and day.weekday() in rec.weekdays)
            or (rec.kind == "every" and (day - first).days % rec.interval == 0)
        ):
            moment = datetime.combine(day, rec.at, tzinfo=tz).astimezone(UTC)
            if after < moment <= until:
                found.append(moment)
        day += timedelta(days=1)
    return found


@thorough
@given(
    recurrences(once=False),
    zones,
    st.datetimes(datetime(2025, 1, 1), datetime(2026, 12, 31)),
    st.integers(0, 800),
)
def test_starts_keep_the_local_time_across_a_year_of_clock_changes(
    rec: Recurrence, zone: str, anchor_naive: datetime, skip_days: int
) -> None:
    anchor = anchor_naive.replace(tzinfo=UTC)
    after = anchor + timedelta(days=skip_days)
    until = after + timedelta(days=366)
    found = starts(rec, anchor=anchor, after=after, until=until, zone=zone)

    assert found == reference_starts(rec, anchor, after, until, zone)
    assert all(a < b for a, b in pairwise(found))
    assert all(after < moment <= until and moment.tzinfo is UTC for moment in found)
    days = []
    for moment in found:
        there = local(moment, zone)
        day = there.date()
        if wall_exists(datetime.combine(day, rec.at), zone):
            assert there.time() == rec.at
        else:  # moved forward by the gap, the same day
            assert there.time() > rec.at
            assert there.replace(tzinfo=None) - datetime.combine(day, rec.at) <= timedelta(hours=1)
        days.append(day)
    assert len(set(days)) == len(days)
    first_day = local(anchor, zone).date()
    steps = {(b - a).days for a, b in pairwise(days)}
    if rec.kind == "daily":
        assert steps <= {1}
    if rec.kind == "weekly":
        assert {day.weekday() for day in days} <= set(rec.weekdays)
        assert max(steps, default=0) <= 7
        assert len(days) >= 52 * len(rec.weekdays)
    if rec.kind == "every":
        assert steps <= {rec.interval}
        assert all((day - first_day).days % rec.interval == 0 for day in days)
    if rec.kind != "every" or rec.interval == 1:
        assert len(days) >= 365 * (len(rec.weekdays) if rec.weekdays else 7) // 7


@thorough
@given(recurrences(once=False), zones, moments, st.integers(1, 60), st.integers(1, 60))
def test_windows_add_up(
    rec: Recurrence, zone: str, anchor: datetime, first: int, second: int
) -> None:
    """Asking for two adjacent windows gives what asking for both at once gives."""
    middle = anchor + timedelta(days=first)
    end = middle + timedelta(days=second)
    whole = starts(rec, anchor=anchor, after=anchor, until=end, zone=zone)
    halves = starts(rec, anchor=anchor, after=anchor, until=middle, zone=zone) + starts(
        rec, anchor=anchor, after=middle, until=end, zone=zone
    )
    assert whole == halves


@thorough
@given(
    st.builds(
        lambda at, on: Recurrence("once", at, on=on),
        minutes,
        st.dates(date(2000, 1, 1), date(2100, 12, 31)),
    ),
    zones,
    moments,
    st.integers(0, 2000),
)
def test_once_starts_at_most_once(rec: Recurrence, zone: str, after: datetime, days: int) -> None:
    # Built as "once" directly: filtering recurrences() kept a quarter of the draws and
    # tripped Hypothesis's filter_too_much health check now and then.
    assert rec.on is not None
    until = after + timedelta(days=days)
    found = starts(rec, anchor=after, after=after, until=until, zone=zone)
    assert len(found) <= 1
    expected = datetime.combine(rec.on, rec.at, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    assert found == ([expected] if after < expected <= until else [])


def test_a_daily_0230_in_berlin_across_both_changes() -> None:
    rec = parse_when("daily 02:30")
    anchor = datetime(2026, 3, 1, tzinfo=UTC)

    def local_times(after: datetime, until: datetime) -> list[str]:
        found = starts(rec, anchor=anchor, after=after, until=until, zone=BERLIN)
        return [local(moment, BERLIN).isoformat() for moment in found]

    # Spring forward: on the 29th 02:30 never happens, the shift starts at 03:30 CEST.
    assert local_times(datetime(2026, 3, 27, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC)) == [
        "2026-03-27T02:30:00+01:00",
        "2026-03-28T02:30:00+01:00",
        "2026-03-29T03:30:00+02:00",
        "2026-03-30T02:30:00+02:00",
    ]
    # Fall back: 02:30 happens twice on the 25th; the shift starts at the first (CEST).
    assert local_times(
        datetime(2026, 10, 24, 12, tzinfo=UTC), datetime(2026, 10, 27, tzinfo=UTC)
    ) == [
        "2026-10-25T02:30:00+02:00",
        "2026-10-26T02:30:00+01:00",
    ]
    fold = starts(
        rec,
        anchor=anchor,
        after=datetime(2026, 10, 24, 12, tzinfo=UTC),
        until=datetime(2026, 10, 25, 12, tzinfo=UTC),
        zone=BERLIN,
    )
    assert fold == [datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]


def test_a_night_watch_stays_at_2200_through_the_change() -> None:
    rec = parse_when("weekly sat,sun 22:00")
    found = starts(
        rec,
        anchor=datetime(2026, 3, 1, tzinfo=UTC),
        after=datetime(2026, 3, 27, tzinfo=UTC),
        until=datetime(2026, 4, 2, tzinfo=UTC),
        zone=BERLIN,
    )
    assert found == [
        datetime(2026, 3, 28, 21, tzinfo=UTC),  # Saturday, CET
        datetime(2026, 3, 29, 20, tzinfo=UTC),  # Sunday, CEST
    ]


def test_every_n_days_counts_from_the_anchor_local_date() -> None:
    # Created at 23:30 UTC on 1 March, which is already 2 March in Shanghai.
    anchor = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    found = starts(
        parse_when("every 10 days 08:00"),
        anchor=anchor,
        after=anchor - timedelta(days=1),
        until=anchor + timedelta(days=25),
        zone="Asia/Shanghai",
    )
    assert [local(moment, "Asia/Shanghai").date() for moment in found] == [
        date(2026, 3, 2),
        date(2026, 3, 12),
        date(2026, 3, 22),
    ]


def test_starts_want_aware_moments_and_an_open_window() -> None:
    rec = parse_when("daily 08:00")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError):
        starts(rec, anchor=now.replace(tzinfo=None), after=now, until=now, zone=BERLIN)
    assert starts(rec, anchor=now, after=now, until=now, zone=BERLIN) == []


# --- rotation ----------------------------------------------------------------------------

BASE = datetime(2026, 1, 1, tzinfo=UTC)


def shift_times(count: int) -> list[datetime]:
    return [BASE + timedelta(days=n) for n in range(count)]


@st.composite
def candidate_lists(draw: st.DrawFn) -> list[Candidate]:
    ids = draw(st.lists(st.integers(1, 10**12), min_size=0, max_size=12, unique=True))
    last = st.none() | st.integers(0, 30).map(lambda d: BASE + timedelta(days=d))
    return [
        Candidate(user_id, draw(st.integers(0, 5)), draw(last), draw(st.booleans()))
        for user_id in ids
    ]


@thorough
@given(st.integers(1, 2), st.integers(0, 9), st.integers(1, 80), st.randoms())
def test_always_available_members_take_turns_fairly(
    people: int, extra: int, shifts: int, rng: random.Random
) -> None:
    count = people + extra
    ids = rng.sample(range(1, 10**6), count)
    members = [Candidate(user_id, 0, None, True) for user_id in ids]
    plan = plan_rotation(members, people, shift_times(shifts), (), lambda _u, _s: False)

    loads = Counter(user_id for shift in plan for user_id in shift)
    assert all(len(shift) == len(set(shift)) == people for shift in plan)
    assert max(loads[i] for i in ids) - min(loads[i] for i in ids) <= 1
    if count >= 2 * people:
        assert all(not set(a) & set(b) for a, b in pairwise(plan))


@thorough
@given(candidate_lists(), st.integers(1, 4), st.data())
def test_rotate_takes_the_least_loaded_available_and_rests_the_last_ones(
    candidates: list[Candidate], people: int, data: st.DataObject
) -> None:
    ids = [c.user_id for c in candidates]
    previous = set(data.draw(st.lists(st.sampled_from(ids), unique=True))) if ids else set()
    chosen = rotate(candidates, people, previous)

    available = {c.user_id for c in candidates if c.available}
    rested = available - previous
    assert set(chosen) <= available
    assert len(chosen) == len(set(chosen)) == min(people, len(available))
    # Someone from the last shift only when the rested could not fill it.
    again = [user_id for user_id in chosen if user_id in previous]
    assert not again or len(rested) < people
    assert chosen[: len(chosen) - len(again)] == [u for u in chosen if u not in previous]

    def turn(c: Candidate) -> tuple[int, float, int]:
        since = c.last_shift.timestamp() if c.last_shift else float("-inf")
        return (c.load, since, c.user_id)

    by_id = {c.user_id: c for c in candidates}
    for group in (rested, available & previous):
        picked = [by_id[u] for u in chosen if u in group]
        left = [by_id[u] for u in group if u not in chosen]
        assert all(turn(p) < turn(o) for p in picked for o in left)
    # Deterministic: the order the roster came in does not matter.
    assert rotate(list(reversed(candidates)), people, previous) == chosen
    assert rotate(data.draw(st.permutations(candidates)), people, previous) == chosen


def test_the_last_shift_serves_again_only_when_nobody_else_can() -> None:
    alice, bob, carol, dave = (
        Candidate(1, 0, None, True),
        Candidate(2, 0, None, True),
        Candidate(3, 0, None, False),
        Candidate(4, 0, None, False),
    )
    assert rotate([alice, bob, carol, dave], 2, previous={1, 2}) == [1, 2]
    assert rotate([alice, bob, carol, dave], 1, previous={1}) == [2]
    assert rotate([alice, carol, dave], 1, previous={1}) == [1]
    assert rotate([carol, dave], 1, previous=()) == []


def test_turn_order_least_load_then_longest_since_then_lowest_id() -> None:
    early, late = BASE, BASE + timedelta(days=3)
    candidates = [
        Candidate(5, 2, early, True),
        Candidate(4, 1, late, True),
        Candidate(3, 1, early, True),
        Candidate(9, 1, None, True),
        Candidate(8, 1, None, True),
        Candidate(1, 0, late, False),
    ]
    assert rotate(candidates, 5, ()) == [8, 9, 3, 4, 5]


def test_rotation_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        rotate([Candidate(1, 0, None, True)], 0, ())
    with pytest.raises(ValueError):
        rotate([Candidate(1, 0, None, True), Candidate(1, 2, None, True)], 1, ())
    with pytest.raises(ValueError):
        plan_rotation([], 1, [BASE, BASE], (), lambda _u, _s: False)


@thorough
@given(candidate_lists(), st.integers(1, 3), st.integers(0, 30), st.randoms())
def test_a_planned_run_never_gives_a_shift_to_someone_away(
    candidates: list[Candidate], people: int, shifts: int, rng: random.Random
) -> None:
    times = shift_times(shifts)
    away_at = {(c.user_id, t) for c in candidates for t in times if rng.random() < 0.3}
    previous = {c.user_id for c in candidates if rng.random() < 0.3}
    plan = plan_rotation(candidates, people, times, previous, lambda u, t: (u, t) in away_at)

    assert len(plan) == len(times)
    usable = {c.user_id for c in candidates if c.available}
    before: set[int] = previous
    for start, chosen in zip(times, plan, strict=True):
        free = {u for u in usable if (u, start) not in away_at}
        assert set(chosen) <= free
        assert len(chosen) == min(people, len(free))
        if set(chosen) & before:
            assert len(free - before) < people
        before = set(chosen)


def test_a_planned_run_counts_its_own_assignments() -> None:
    members = [Candidate(1, 3, BASE, True), Candidate(2, 0, None, True)]
    # Bob has done three fewer: he takes the next ones, but never two in a row
    # while Alice is free.
    plan = plan_rotation(members, 1, shift_times(6), previous=(), away=lambda _u, _s: False)
    assert plan == [[2], [1], [2], [1], [2], [1]]
    # Alone, Bob does them all.
    solo = plan_rotation(members, 1, shift_times(3), previous=(), away=lambda user, _s: user == 1)
    assert solo == [[2], [2], [2]]


# --- reminders and horizon ------------------------------------------------------------------


def test_reminders_and_how_far_ahead_shifts_are_assigned() -> None:
    start = datetime(2026, 6, 1, 22, tzinfo=UTC)
    assert reminder_moments(start) == (start - timedelta(hours=24), start - timedelta(hours=1))
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert assign_until(now) == now + HORIZON
    assert assign_until(now) - now >= timedelta(hours=24) + timedelta(hours=1)


# --- quiet hours ----------------------------------------------------------------------------

# Quiet hours that begin inside the hour a fall-back day repeats are left out of
# the oracle below: when the clocks go back past their beginning, the wall clock
# reads "not quiet" for a while, and we keep holding the reminder to the
# period's end instead (see the test after it).
quiet_periods = st.tuples(minutes, minutes).filter(lambda q: not time(1, 0) < q[0] <= time(3, 0))


def first_loud_moment(moment: datetime, zone: str, quiet: tuple[time, time]) -> datetime:
    """The slow way: step a minute at a time until local clocks leave quiet hours."""
    tz = ZoneInfo(zone)
    here = moment
    if not in_quiet(here.astimezone(tz).time(), quiet):
        return here
    here = here.replace(second=0) + timedelta(minutes=1 if here.second else 0)
    while in_quiet(here.astimezone(tz).time(), quiet):
        here += timedelta(minutes=1)
    return here


@settings(max_examples=300, deadline=None)
@given(moments, zones, quiet_periods, st.integers(0, 48 * 60))
def test_quiet_hours_hold_a_reminder_no_longer_than_needed(
    moment: datetime, zone: str, quiet: tuple[time, time], lead: int
) -> None:
    shift_start = moment + timedelta(minutes=lead)
    sent = quiet_until_(moment, zone=zone, quiet=quiet, shift_start=shift_start)

    loud = first_loud_moment(moment, zone, quiet)
    assert sent == (moment if shift_start <= loud else loud)
    if sent != moment:
        assert not in_quiet(local(sent, zone).time(), quiet)
        assert sent < shift_start
    assert sent - moment < timedelta(hours=24)


def test_quiet_hours_examples() -> None:
    def sent(
        moment: datetime, shift: datetime, quiet: tuple[time, time] = (time(22), time(8))
    ) -> datetime:
        return quiet_until_(moment, zone=BERLIN, quiet=quiet, shift_start=shift)

    evening = datetime(2026, 6, 1, 21, tzinfo=UTC)  # 23:00 CEST
    morning = datetime(2026, 6, 2, 6, tzinfo=UTC)  # 08:00 CEST
    assert sent(evening, evening + timedelta(hours=24)) == morning
    # The shift starts at 02:00 local: better a reminder at night than none.
    assert sent(evening, evening + timedelta(hours=3)) == evening
    assert sent(evening, morning) == evening
    assert sent(morning, morning + timedelta(hours=1)) == morning
    # Off.
    assert sent(evening, morning + timedelta(hours=2), (time(0), time(0))) == evening
    # Quiet hours that do not wrap midnight.
    lunch = datetime(2026, 6, 1, 11, 30, tzinfo=UTC)  # 13:30 CEST
    assert sent(lunch, lunch + timedelta(days=1), (time(13), time(15))) == datetime(
        2026, 6, 1, 13, tzinfo=UTC
    )
    # An end inside the spring-forward gap: quiet until the clocks jump (03:00 CEST).
    night = datetime(2026, 3, 28, 23, tzinfo=UTC)  # 00:00 CET on the 29th
    assert sent(night, night + timedelta(days=1), (time(22), time(2, 30))) == datetime(
        2026, 3, 29, 1, tzinfo=UTC
    )
    # An end that comes twice on the fall-back day: the first time it comes
    # after the moment.
    first = datetime(2026, 10, 25, 0, 10, tzinfo=UTC)  # 02:10 CEST
    second = datetime(2026, 10, 25, 1, 10, tzinfo=UTC)  # 02:10 CET
    quiet = (time(22), time(2, 30))
    assert sent(first, first + timedelta(days=1), quiet) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    assert sent(second, second + timedelta(days=1), quiet) == datetime(
        2026, 10, 25, 1, 30, tzinfo=UTC
    )


def test_clocks_going_back_before_quiet_hours_began_do_not_end_them() -> None:
    # Quiet from 02:30; at 03:00 CEST the clocks go back to 02:00, which reads
    # as before the quiet hours. The reminder still waits for 08:00.
    moment = datetime(2026, 10, 25, 0, 40, tzinfo=UTC)  # 02:40 CEST
    assert quiet_until_(
        moment, zone=BERLIN, quiet=(time(2, 30), time(8)), shift_start=moment + timedelta(days=1)
    ) == datetime(2026, 10, 25, 7, tzinfo=UTC)
