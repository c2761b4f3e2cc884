"""Shift reminders, "I'm on it", the escalation, /cover and the record, on a fixed clock.

Duties and shifts are built as rows here (``on_shift``) until /duty new is on main.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from handlers.core.clock import FixedClock
from handlers.core.context import JobContext
from handlers.core.messages import Chat, Outgoing, Person
from handlers.core.numbering import add_numbered
from handlers.duties import reminders
from handlers.duties.reminders import schedule_for
from handlers.duties.rules import parse_quiet, quiet_until
from models import (
    AuditEntry,
    Community,
    Duty,
    Job,
    JobState,
    OutboxMessage,
    Shift,
    ShiftOutcome,
    ShiftPerson,
)
from tests.support import Driver, answers, text

START = datetime(2026, 3, 5, 18, 0, tzinfo=UTC)  # 19:00 in Berlin, a Thursday


async def outbox(driver: Driver) -> list[OutboxMessage]:
    async with driver.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return list(rows)


async def sent_since(driver: Driver, seen: int) -> list[OutboxMessage]:
    return [m for m in await outbox(driver) if m.id > seen and "text" in m.payload]


async def queued_edit(driver: Driver, key: str) -> OutboxMessage:
    """The newest edit of the group's message named ``key`` waiting in the outbox."""
    return [m for m in await outbox(driver) if m.payload.get("edit_key") == key][-1]


async def last_id(driver: Driver) -> int:
    rows = await outbox(driver)
    return rows[-1].id if rows else 0


async def on_shift(
    driver: Driver,
    chat: Chat,
    people: list[Person],
    *,
    starts_at: datetime = START,
    hours: int = 8,
    acknowledged: tuple[Person, ...] = (),
) -> int:
    """A duty in ``chat``'s community and one shift of it with ``people``; its jobs scheduled."""
    async with driver.sessions() as session, session.begin():
        community = await session.scalar(select(Community).where(Community.chat_id == chat.id))
        assert community is not None
        duty = Duty(
            community_id=community.id,
            name="Night watch",
            recurrence="daily 19:00",
            length_minutes=hours * 60,
            people=len(people),
            created_by=people[0].id,
            created_at=driver.clock.now(),
            anchor=driver.clock.now(),
        )
        session.add(duty)
        await session.flush()
        shift = Shift(
            community_id=community.id,
            duty_id=duty.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
        )
        await add_numbered(session, shift)
        for person in people:
            session.add(
                ShiftPerson(
                    shift_id=shift.id,
                    user_id=person.id,
                    acknowledged_at=driver.clock.now() if person in acknowledged else None,
                )
            )
        await session.flush()
        schedule_for(JobContext(session, driver.services, driver.app.registry), shift)
        return shift.id


async def at(driver: Driver, moment: datetime) -> int:
    assert isinstance(driver.clock, FixedClock)
    driver.clock.advance(moment - driver.clock.now())
    return await driver.run_jobs()


@pytest.fixture
async def maple(driver: Driver) -> tuple[Chat, Person, Person, Person]:
    """Alice (admin), Bob (started the bot, writes Russian) and Carol (never started it)."""
    alice, bob, carol = (
        driver.person("Alice"),
        driver.person("Bob", "ru"),
        driver.person("Carol"),
    )
    chat = await driver.community(alice, bob, carol, setup="Europe/Berlin en")
    await driver.send(bob, driver.private(bob), "/start")
    return chat, alice, bob, carol


def on_it_data(message: OutboxMessage) -> str:
    return next(data for row in message.payload["buttons"] for _, data in row)


async def test_reminders_go_to_the_group_and_privately_at_24_h_and_1_h(
    driver: Driver, maple: tuple[Chat, Person, Person, Person]
) -> None:
    chat, _, bob, carol = maple
    await on_shift(driver, chat, [bob, carol])
    seen = await last_id(driver)
    await at(driver, START - timedelta(hours=25))
    assert await sent_since(driver, seen) == [], "nothing before its moment"

    await at(driver, START - timedelta(hours=24))
    messages = await sent_since(driver, seen)
    assert sorted(m.chat_id for m in messages) == sorted([chat.id, bob.id])
    group = next(m for m in messages if m.chat_id == chat.id)
    assert (
        "Night watch</b>, shift #1, starts Thu 5 Mar, 19:00 CET (in 1 day)"
        in (group.payload["text"])
    )
    assert "⏳ Bob — not confirmed yet" in group.payload["text"]
    assert f'<a href="tg://user?id={carol.id}">Carol</a>' in group.payload["text"], (
        "Carol never started the bot: she is mentioned"
    )
    assert group.payload["key"] == "shift:1"
    assert [label for row in group.payload["buttons"] for label, _ in row] == ["✋ I'm on it"]
    private = next(m for m in messages if m.chat_id == bob.id)
    assert "Вы дежурите" in private.payload["text"], "Bob reads Russian privately"

    seen = await last_id(driver)
    await at(driver, START - timedelta(hours=1))
    messages = await sent_since(driver, seen)
    # the 1 h reminder in the group and to Bob, and the request for cover
    assert sorted(m.chat_id for m in messages) == sorted([chat.id, chat.id, bob.id])
    cover = next(m for m in messages if m.payload.get("key") == "shift:1:cover")
    assert "nobody has confirmed for: Bob, Carol" in cover.payload["text"]


async def test_pressing_im_on_it_confirms_only_for_the_person_on_it(
    driver: Driver, maple: tuple[Chat, Person, Person, Person]
) -> None:
    chat, alice, bob, carol = maple
    await on_shift(driver, chat, [bob, carol])
    await at(driver, START - timedelta(hours=24))
    group = next(m for m in await outbox(driver) if m.payload.get("key") == "shift:1")
    data = on_it_data(group)

    replies = await driver.press(alice, chat, data)
    assert "is not yours" in answers(replies)[0].text

    replies = await driver.press(carol, chat, data)
    assert "marked as confirmed" in answers(replies)[0].text
    edit = await queued_edit(driver, "shift:1")
    assert "✅ <a href" in edit.payload["text"] and "Carol</a> — on it" in edit.payload["text"]
    assert edit.chat_id == chat.id and edit.payload["buttons"], "Bob has not confirmed yet"

    replies = await driver.press(carol, chat, data)
    assert "already said" in answers(replies)[0].text

    # Bob presses in private: his copy loses its button, the group's message shows everyone.
    replies = await driver.press(bob, driver.private(bob), data)
    assert answers(replies)[0].text.startswith("Спасибо")
    assert (await queued_edit(driver, "shift:1")).payload["buttons"] == [], "all confirmed"
    mine = next(r for r in replies if isinstance(r, Outgoing) and r.chat_id == bob.id)
    assert mine.buttons == []

    async with driver.sessions() as session:
        people = list(await session.scalars(select(ShiftPerson)))
        assert all(p.acknowledged_at is not None for p in people)


async def test_an_unconfirmed_place_is_escalated_once_and_the_first_volunteer_covers_it(
    driver: Driver, maple: tuple[Chat, Person, Person, Person]
) -> None:
    chat, alice, bob, carol = maple
    dora = driver.person("Dora")
    await driver.send(dora, chat, "/join")
    await on_shift(driver, chat, [bob, carol], acknowledged=(bob,))
    await at(driver, START - timedelta(hours=1))
    cover = [m for m in await outbox(driver) if m.payload.get("key") == "shift:1:cover"]
    assert len(cover) == 1 and "nobody has confirmed for: Carol" in cover[0].payload["text"]
    data = on_it_data(cover[0])

    replies = await driver.press(bob, chat, data)
    assert "Вы уже на смене №1" in answers(replies)[0].text, "answered in Bob's language"

    replies = await driver.press(alice, chat, data)
    assert "You cover shift #1" in answers(replies)[0].text
    settled = (await queued_edit(driver, "shift:1:cover")).payload
    assert "Alice covers for Carol" in settled["text"] and settled["buttons"] == []

    replies = await driver.press(dora, chat, data)
    assert "already covered" in answers(replies)[0].text
    replies = await driver.send(dora, chat, "/cover 1")
    assert "already covered" in text(replies)

    async with driver.sessions() as session:
        people = {p.user_id: p for p in await session.scalars(select(ShiftPerson))}
        assert set(people) == {bob.id, alice.id}, "Carol's place is Alice's now"
        assert people[alice.id].covering == carol.id and people[alice.id].acknowledged_at
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "duty.covered"))
        assert entry is not None and entry.details["person"] == "Carol"
        shift = await session.get(Shift, 1)
        assert shift is not None and shift.escalated_at is not None

    # A late job run (say a second bot) does not escalate again.
    async with driver.sessions() as session, session.begin():
        session.add(Job(kind="shift.remind1", ref_id=1, due_at=driver.clock.now()))
    seen = await last_id(driver)
    await driver.run_jobs()
    assert not [m for m in await sent_since(driver, seen) if "cover" in (m.payload["key"] or "")]


async def test_cover_by_command_refuses_politely(
    driver: Driver, maple: tuple[Chat, Person, Person, Person]
) -> None:
    chat, alice, bob, carol = maple
    await on_shift(driver, chat, [bob, carol])
    assert "not a number" in text(await driver.send(alice, chat, "/cover soon"))
    assert "no shift #7" in text(await driver.send(alice, chat, "/cover #7"))
    assert "does not need cover" in text(await driver.send(alice, chat, "/cover 1"))
    await at(driver, START - timedelta(hours=1))
    assert "already on shift #1" in text(await driver.send(bob, chat, "/cover 1"))
    replies = await driver.send(alice, chat, "/cover #1")
    assert "Thank you, Alice! You cover shift #1 (Night watch)" in text(replies)
    await at(driver, START + timedelta(hours=9))
    assert "is over" in text(await driver.send(alice, chat, "/cover 1"))


async def test_the_record_says_served_covered_and_missed(
    driver: Driver, maple: tuple[Chat, Person, Person, Person]
) -> None:
    chat, alice, bob, carol = maple
    dora = driver.person("Dora")
    await driver.send(dora, chat, "/join")
    await on_shift(driver, chat, [alice, bob, carol], acknowledged=(alice,))
    await at(driver, START - timedelta(hours=1))
    await driver.send(dora, chat, "/cover 1")  # takes Bob's place, the oldest unconfirmed
    await at(driver, START + timedelta(hours=8))
    async with driver.sessions() as session:
        outcomes = {p.user_id: p.outcome for p in await session.scalars(select(ShiftPerson))}
        assert outcomes == {
            alice.id: ShiftOutcome.SERVED,
            dora.id: ShiftOutcome.COVERED,
            carol.id: ShiftOutcome.MISSED,
        }
        shift = await session.get(Shift, 1)
        assert shift is not None and shift.recorded_at == START + timedelta(hours=8)
        missed = await session.scalar(select(AuditEntry).where(AuditEntry.action == "duty.missed"))
        assert missed is not None and missed.details["names"] == "Carol"
    final = [m for m in await outbox(driver) if m.payload.get("edit_key") == "shift:1"][-1]
    assert "is over" in final.payload["text"] and final.payload["buttons"] == []


async def test_a_cancelled_shift_gets_nothing_and_a_begun_one_no_reminder(
    driver: Driver, maple: tuple[Chat, Person, Person, Person]
) -> None:
    chat, _, bob, carol = maple
    await on_shift(driver, chat, [bob])
    await on_shift(driver, chat, [carol], starts_at=START + timedelta(days=1))
    async with driver.sessions() as session, session.begin():
        shift = await session.get(Shift, 1)
        assert shift is not None
        await session.delete(shift)  # /duty pause deletes the shifts not begun
    seen = await last_id(driver)
    # The bot was down from before the first reminder until the second shift had begun.
    await at(driver, START + timedelta(days=1, hours=1))
    assert await sent_since(driver, seen) == []
    async with driver.sessions() as session:
        left = await session.scalar(
            select(Job).where(Job.state == JobState.DUE, Job.due_at <= driver.clock.now())
        )
        assert left is None
        people = list(await session.scalars(select(ShiftPerson)))
        assert [p.user_id for p in people] == [carol.id]


async def test_a_reminder_missed_while_down_goes_at_once_and_only_once(
    driver: Driver, maple: tuple[Chat, Person, Person, Person]
) -> None:
    chat, _, bob, carol = maple
    await on_shift(driver, chat, [bob, carol], acknowledged=(bob, carol))
    seen = await last_id(driver)
    # Down across the 24 h and the 1 h moments; back 30 minutes before the start.
    await at(driver, START - timedelta(minutes=30))
    messages = await sent_since(driver, seen)
    assert sorted(m.chat_id for m in messages) == sorted([chat.id, bob.id]), (
        "one reminder, not two, and no escalation: everyone confirmed"
    )
    assert "(in 30 minutes)" in next(m for m in messages if m.chat_id == chat.id).payload["text"]


async def test_a_private_reminder_in_quiet_hours_waits_for_their_end(
    driver: Driver, maple: tuple[Chat, Person, Person, Person]
) -> None:
    chat, alice, bob, _ = maple
    # Starts 06:30 Berlin: the 24 h reminder is due at 06:30 the day before (quiet until 08:00).
    starts = datetime(2026, 3, 6, 5, 30, tzinfo=UTC)
    await on_shift(driver, chat, [bob], starts_at=starts)
    seen = await last_id(driver)
    await at(driver, starts - timedelta(hours=24))
    assert [m.chat_id for m in await sent_since(driver, seen)] == [chat.id], "the group now"
    async with driver.sessions() as session:
        waiting = await session.scalar(select(Job).where(Job.kind == "shift.dm24"))
        assert waiting is not None and waiting.due_at == datetime(2026, 3, 5, 7, 0, tzinfo=UTC)
    seen = await last_id(driver)
    await at(driver, datetime(2026, 3, 5, 7, 0, tzinfo=UTC))
    assert [m.chat_id for m in await sent_since(driver, seen)] == [bob.id]
    # The 1 h reminder (05:30 Berlin) is inside the quiet hours too, but the shift starts
    # before they end: it goes at once.
    seen = await last_id(driver)
    await at(driver, starts - timedelta(hours=1))
    assert sorted(m.chat_id for m in await sent_since(driver, seen)) == sorted(
        [chat.id, chat.id, bob.id]
    )

    # quiet=off: private reminders at any hour.
    assert "Quiet hours for private reminders: none" in text(
        await driver.send(alice, chat, "/setup quiet=off")
    )


async def test_setup_reads_quiet_hours_and_refuses_bad_ones(
    driver: Driver, maple: tuple[Chat, Person, Person, Person]
) -> None:
    chat, alice, *_ = maple
    assert "Quiet hours for private reminders: 22:00–08:00" in text(
        await driver.send(alice, chat, "/setup")
    )
    replies = await driver.send(alice, chat, "/setup quiet=23:30-7:00 30%")
    assert "Quiet hours for private reminders: 23:30–07:00" in text(replies)
    assert "Quorum: 30%" in text(replies)
    assert "quiet=22:00-08:00 or quiet=off" in text(
        await driver.send(alice, chat, "/setup quiet=late")
    )
    async with driver.sessions() as session:
        community = await session.scalar(select(Community))
        assert community is not None and community.settings["quiet"] == "23:30-07:00"
        assert reminders.quiet_hours(community) == (time(23, 30), time(7))


def test_quiet_until() -> None:
    quiet = parse_quiet("22:00-08:00")
    zone = "Europe/Berlin"
    late = datetime(2026, 3, 5, 22, 30, tzinfo=UTC)  # 23:30 Berlin
    morning = datetime(2026, 3, 6, 7, 0, tzinfo=UTC)  # 08:00 Berlin
    assert quiet_until(late, zone=zone, quiet=quiet, shift_start=late + timedelta(days=1)) == (
        morning
    )
    assert quiet_until(late, zone=zone, quiet=quiet, shift_start=morning) == late
    noon = datetime(2026, 3, 5, 11, 0, tzinfo=UTC)
    assert quiet_until(noon, zone=zone, quiet=quiet, shift_start=noon + timedelta(days=1)) == noon
    off = parse_quiet("off")
    assert quiet_until(late, zone=zone, quiet=off, shift_start=late + timedelta(days=1)) == late
    with pytest.raises(ValueError):
        parse_quiet("soon")
