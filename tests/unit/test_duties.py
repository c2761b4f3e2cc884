"""Duty stories: creating, planning ahead fairly, changing, pausing and ending, reading the schedule."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from handlers.duties.rules import HORIZON
from models import AuditEntry, Job, JobState, Shift, ShiftPerson
from tests.support import Driver, buttons, text


async def shifts(driver: Driver) -> list[Shift]:
    async with driver.sessions() as session:
        return list(await session.scalars(select(Shift).order_by(Shift.starts_at)))


async def people(driver: Driver) -> dict[int, list[int]]:
    async with driver.sessions() as session:
        rows = await session.execute(
            select(Shift.number, ShiftPerson.user_id)
            .join(ShiftPerson, ShiftPerson.shift_id == Shift.id)
            .order_by(Shift.starts_at, ShiftPerson.id)
        )
        found: dict[int, list[int]] = {}
        for number, user_id in rows:
            found.setdefault(number, []).append(user_id)
        return found


async def audit_actions(driver: Driver) -> list[str]:
    async with driver.sessions() as session:
        return list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


async def test_a_new_duty_is_planned_two_weeks_ahead_through_everyone(driver: Driver) -> None:
    alice, bob, chen, dara = (driver.person(n) for n in ("Alice", "Bob", "Chen", "Dara"))
    chat = await driver.community(alice, bob, chen, dara, setup="Europe/Berlin")
    reply = text(await driver.send(alice, chat, "/duty new Night watch | daily 22:00 | 8h | 2"))
    assert "Night watch" in reply and "every day at 22:00" in reply and "2 people" in reply
    made = await shifts(driver)
    assert len(made) >= 14
    assert all(s.ends_at - s.starts_at == timedelta(hours=8) for s in made)
    assert made[-1].starts_at - driver.clock.now() <= HORIZON + timedelta(days=1)
    assert [s.number for s in made] == list(range(1, len(made) + 1))
    on = await people(driver)
    assert all(len(p) == 2 for p in on.values())
    load = Counter(u for p in on.values() for u in p)
    assert set(load) == {alice.id, bob.id, chen.id, dara.id}, "everyone is in the pool"
    assert max(load.values()) - min(load.values()) <= 1
    ordered = [set(on[n]) for n in sorted(on)]
    assert all(not a & b for a, b in pairwise(ordered)), (
        "nobody twice in a row while others are free"
    )
    assert "duty.created" in await audit_actions(driver)


async def test_local_time_stays_put_across_the_clock_change(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice, setup="Europe/Berlin")
    driver.clock.advance(timedelta(days=20))  # 22 March: the clocks go forward on the 29th
    await driver.send(alice, chat, "/duty new Bins | daily 07:30 | 30m | 1")
    hours = {s.starts_at.hour for s in await shifts(driver)}
    assert hours == {6, 5}, "07:30 CET is 06:30 UTC, 07:30 CEST is 05:30 UTC"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/duty", "new, edit, pause, resume or end"),
        ("/duty new Night watch", "separated by |"),
        ("/duty new Night watch | nightly | 8h | 2", "WHEN is one of"),
        ("/duty new Night watch | daily 25:00 | 8h | 2", "WHEN is one of"),
        ("/duty new Night watch | daily 22:00 | forever | 2", "5 minutes to 7 days"),
        ("/duty new Night watch | daily 22:00 | 8h | many", "from 1 to 20"),
        ("/duty new Party | once 2020-01-01 18:00 | 4h | 3", "in the past"),
        ("/duty pause Nothing", "There are no duties yet"),
    ],
)
async def test_bad_input_gets_a_hint_with_an_example(
    driver: Driver, command: str, expected: str
) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    reply = text(await driver.send(alice, chat, command))
    assert expected in reply and "Example:" in reply
    assert await shifts(driver) == []


async def test_a_second_duty_of_the_same_name_is_refused(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/duty new Stairs | weekly mon 10:00 | 1h | 1")
    reply = text(await driver.send(alice, chat, "/duty new stairs | daily 10:00 | 1h | 1"))
    assert "already a duty called" in reply and "/duty edit" in reply


async def test_pause_cancels_what_has_not_begun_and_resume_plans_again(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/duty new Stairs | every 2 days 10:00 | 1h | 1")
    planned = len(await shifts(driver))
    assert "paused" in text(await driver.send(bob, chat, "/duty pause Stairs"))
    assert await shifts(driver) == []
    assert "already paused" in text(await driver.send(bob, chat, "/duty pause Stairs"))
    assert "Stairs" in text(await driver.send(alice, chat, "/duty resume stairs"))
    assert len(await shifts(driver)) == planned
    assert "not paused" in text(await driver.send(alice, chat, "/duty resume Stairs"))
    assert "has ended" in text(await driver.send(alice, chat, "/duty end Stairs"))
    assert await shifts(driver) == []
    assert "There are no duties yet" in text(await driver.send(alice, chat, "/duties"))
    actions = await audit_actions(driver)
    assert {"duty.paused", "duty.resumed", "duty.ended"} <= set(actions)


async def test_an_edit_replans_the_shifts_not_begun(driver: Driver) -> None:
    alice, bob, chen = driver.person("Alice"), driver.person("Bob"), driver.person("Chen")
    chat = await driver.community(alice, bob, chen)
    await driver.send(alice, chat, "/duty new Watch | daily 22:00 | 8h | 1")
    reply = text(await driver.send(bob, chat, "/duty edit watch | weekly mon,thu 21:00 | 9h | 2"))
    assert "Mon, Thu at 21:00" in reply and "2 people" in reply
    live = await shifts(driver)
    assert live and all(s.starts_at.weekday() in (0, 3) for s in live)
    assert all(len(p) == 2 for p in (await people(driver)).values())
    assert "duty.changed" in await audit_actions(driver)


async def test_joining_takes_effect_from_the_next_shift_not_yet_made(driver: Driver) -> None:
    alice, bob, late = driver.person("Alice"), driver.person("Bob"), driver.person("Late")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/duty new Watch | daily 22:00 | 8h | 1")
    before = await people(driver)
    await driver.send(late, chat, "/join")
    assert late.id not in {u for p in before.values() for u in p}
    driver.clock.advance(timedelta(days=3))
    assert await driver.run_jobs() >= 1
    after = await people(driver)
    assert {n: p for n, p in after.items() if n in before} == before, (
        "made shifts stay as they were"
    )
    new = [u for n, p in after.items() if n not in before for u in p]
    assert late.id in new, "the newcomer has served least, so gets the next new shift"


async def test_planning_runs_daily_once_per_duty(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/duty new Watch | daily 22:00 | 8h | 1")
    for _ in range(3):
        driver.clock.advance(timedelta(days=1))
        await driver.run_jobs()
    async with driver.sessions() as session:
        due = await session.scalar(
            select(func.count()).where(Job.kind == "duty.plan", Job.state == JobState.DUE)
        )
        starts = list(await session.scalars(select(Shift.starts_at)))
    assert due == 1
    assert len(starts) == len(set(starts)), "no shift made twice"


async def test_duties_and_schedule_show_who_is_on_the_next_shifts(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/duty new Watch | daily 22:00 | 8h | 1")
    await driver.send(alice, chat, "/duty new Bins | weekly fri 07:00 | 30m | 1")
    listed = text(await driver.send(bob, chat, "/duties"))
    assert "Watch" in listed and "Bins" in listed and "#1 Watch" in listed
    replies = await driver.send(bob, chat, "/schedule Watch")
    assert "Schedule of Watch" in text(replies) and "Bins" not in text(replies)
    [(_, nav)] = [b for b in buttons(replies) if b[0] == "▶"]
    page_two = text(await driver.press(bob, chat, nav))
    assert "Watch" in page_two and "#1 " not in page_two
    assert "There is no duty called" in text(await driver.send(bob, chat, "/schedule Pool"))


async def test_nobody_is_planned_for_a_shift_that_reaches_into_their_absence(
    driver: Driver,
) -> None:
    """A night watch from 22:00 to 06:00 touches two days; someone away on the second is not
    put on it (the same rule /away uses to hand shifts on)."""
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob, setup="Europe/Berlin")
    assert "away" in text(await driver.send(bob, chat, "/away 2026-03-05 2026-03-06")).lower()
    await driver.send(alice, chat, "/duty new Watch | daily 22:00 | 8h | 1")
    async with driver.sessions() as session:
        rows = await session.execute(
            select(Shift.starts_at, ShiftPerson.user_id).join(
                ShiftPerson, ShiftPerson.shift_id == Shift.id
            )
        )
        on = {start.date().isoformat(): user for start, user in rows}
    # 4 March 22:00 CET ends on the 5th; 5 and 6 March are inside the absence.
    for day in ("2026-03-04", "2026-03-05", "2026-03-06"):
        assert on[day] == alice.id, day
    assert bob.id in on.values()
