"""/away FROM TO: the sender's shifts within those days go to others by the rotation."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from handlers.core.messages import Chat, Person
from models import Away, ShiftOutcome
from tests.support import Driver, text
from tests.unit.duty_rows import add_duty, add_shift, audit_actions, named, on_shift

# 10:00 in Berlin; shifts start at 22:00 Berlin time (21:00 UTC).
NOW = datetime.fromisoformat("2026-03-02T09:00:00+00:00")
TODAY = date(2026, 3, 2)


def night(days: int) -> datetime:
    return datetime.fromisoformat("2026-03-02T21:00:00+00:00") + timedelta(days=days)


async def _world(driver: Driver) -> tuple[Chat, list[Person], int]:
    people = [named(driver, name) for name in ("Alice", "Bob", "Carol", "Dave")]
    chat = await driver.community(*people, setup="Europe/Berlin en")
    return chat, people, await add_duty(driver, chat, people[0])


async def test_away_hands_my_shifts_in_those_days_to_the_least_loaded(driver: Driver) -> None:
    chat, (alice, bob, carol, dave), duty = await _world(driver)
    for days in (-3, -2):  # Bob served twice, Dave once: Carol has the least load
        await add_shift(driver, chat, duty, night(days), [bob], outcome=ShiftOutcome.SERVED)
    await add_shift(driver, chat, duty, night(-1), [dave], outcome=ShiftOutcome.SERVED)
    await add_shift(driver, chat, duty, night(1), [alice])  # #4
    await add_shift(driver, chat, duty, night(2), [alice])  # #5
    await add_shift(driver, chat, duty, night(9), [alice])  # #6, after the absence

    reply = text(await driver.send(alice, chat, "/away 2026-03-03 2026-03-05"))
    assert "Alice is away from 2026-03-03 to 2026-03-05; the rotation skips them." in reply
    assert await on_shift(driver, 4) == [carol.id]
    # Carol was on the shift just before and Dave has less load than Bob.
    assert await on_shift(driver, 5) == [dave.id]
    assert await on_shift(driver, 6) == [alice.id]
    assert "#4 Night watch" in reply and f"tg://user?id={carol.id}" in reply
    assert "#5 Night watch" in reply and f"tg://user?id={dave.id}" in reply
    assert "#6" not in reply
    actions = await audit_actions(driver)
    assert actions[-3:] == ["duty.reassigned", "duty.reassigned", "duty.away"]
    log = text(await driver.send(alice, chat, "/log"))
    assert "Alice is away from 2026-03-03 to 2026-03-05" in log
    assert "Shift #4 went from Alice to Carol: Alice is away" in log
    async with driver.sessions() as session:
        [away] = list(await session.scalars(select(Away)))
    assert (away.user_id, away.first_day, away.last_day) == (
        alice.id,
        date(2026, 3, 3),
        date(2026, 3, 5),
    )


async def test_the_rotation_skips_members_away_and_people_on_the_shift(driver: Driver) -> None:
    chat, (alice, bob, carol, dave), duty = await _world(driver)
    await driver.send(bob, chat, "/away 2026-03-02 2026-03-10")
    await add_shift(driver, chat, duty, night(1), [alice, carol])
    await driver.send(alice, chat, "/away 2026-03-03 2026-03-03")
    assert await on_shift(driver, 1) == [dave.id, carol.id]


async def test_a_shift_that_runs_into_the_absence_counts(driver: Driver) -> None:
    chat, (alice, bob, _, _), duty = await _world(driver)
    await add_shift(driver, chat, duty, night(0), [alice])  # 22:00 on the 2nd until 6:00
    await driver.send(alice, chat, "/away 2026-03-03 2026-03-04")
    assert await on_shift(driver, 1) == [bob.id]


async def test_a_shift_that_has_begun_stays(driver: Driver) -> None:
    chat, (alice, _, _, _), duty = await _world(driver)
    await add_shift(driver, chat, duty, NOW - timedelta(hours=1), [alice])
    reply = text(await driver.send(alice, chat, "/away 2026-03-02 2026-03-02"))
    assert await on_shift(driver, 1) == [alice.id] and "#1" not in reply


async def test_when_nobody_is_free_the_shift_stays_and_says_so(driver: Driver) -> None:
    alice = named(driver, "Alice")
    chat = await driver.community(alice, setup="Europe/Berlin en")
    duty = await add_duty(driver, chat, alice)
    await add_shift(driver, chat, duty, night(1), [alice])
    reply = text(await driver.send(alice, chat, "/away 2026-03-03 2026-03-04"))
    assert "nobody else is free, so it stays with" in reply and "/swap 1 @username" in reply
    assert await on_shift(driver, 1) == [alice.id]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ("", "Give the first and the last day you are away"),
        ("2026-03-05", "Give the first and the last day you are away"),
        ("tomorrow 2026-03-05", "“tomorrow” is not a date written YYYY-MM-DD."),
        ("2026-02-30 2026-03-05", "“2026-02-30” is not a date"),
        ("2026-3-5 2026-03-06", "“2026-3-5” is not a date"),
        ("2026-03-06 2026-03-05", "The first day comes after the last one."),
        ("2026-03-01 2026-03-05", "2026-03-01 has passed"),
        ("2026-03-03 2027-03-04", "longer than a year"),
    ],
)
async def test_bad_dates_get_a_hint_with_a_working_example(
    driver: Driver, args: str, says: str
) -> None:
    chat, (alice, *_), _ = await _world(driver)
    reply = text(await driver.send(alice, chat, f"/away {args}"))
    assert says in reply
    assert "Example: <code>/away 2026-03-09 2026-03-16</code>" in reply
    async with driver.sessions() as session:
        assert list(await session.scalars(select(Away))) == []
    assert "Alice is away" not in text(await driver.send(alice, chat, "/log"))


async def test_a_whole_year_is_fine(driver: Driver) -> None:
    chat, (alice, *_), _ = await _world(driver)
    reply = text(await driver.send(alice, chat, "/away 2026-03-02 2027-03-02"))
    assert "Alice is away from 2026-03-02 to 2027-03-02" in reply
