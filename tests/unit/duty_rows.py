"""Duty rows written straight into the database, for tests of swaps, standing and /ical.

Until /duty new plans shifts by itself these tests build what it would: a
duty, its numbered shifts and the people on them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from handlers.core.messages import Chat, Outgoing, Person, Reply
from handlers.core.numbering import add_numbered
from models import (
    AuditEntry,
    Community,
    Duty,
    OutboxMessage,
    Shift,
    ShiftOutcome,
    ShiftPerson,
    SwapRequest,
)
from tests.support import Driver

SHIFT_LENGTH = timedelta(hours=8)


def named(driver: Driver, name: str, language: str = "en") -> Person:
    """A person with a Telegram username: their name in lower case."""
    return dataclasses.replace(driver.person(name, language), username=name.lower())


async def community_of(driver: Driver, chat: Chat) -> Community:
    async with driver.sessions() as session:
        found = await session.scalar(select(Community).where(Community.chat_id == chat.id))
        assert found is not None
        return found


async def add_duty(
    driver: Driver, chat: Chat, creator: Person, name: str = "Night watch", people: int = 1
) -> int:
    community = await community_of(driver, chat)
    async with driver.sessions() as session, session.begin():
        duty = Duty(
            community_id=community.id,
            name=name,
            recurrence="daily 22:00",
            length_minutes=int(SHIFT_LENGTH.total_seconds() // 60),
            people=people,
            created_by=creator.id,
            created_at=driver.clock.now(),
            anchor=driver.clock.now(),
        )
        session.add(duty)
        await session.flush()
        return duty.id


async def add_shift(
    driver: Driver,
    chat: Chat,
    duty_id: int,
    starts_at: datetime,
    people: Sequence[Person],
    *,
    outcome: ShiftOutcome | None = None,
    length: timedelta = SHIFT_LENGTH,
) -> int:
    """A shift of the duty with ``people`` on it; returns its number."""
    community = await community_of(driver, chat)
    async with driver.sessions() as session, session.begin():
        shift = Shift(
            community_id=community.id,
            duty_id=duty_id,
            starts_at=starts_at,
            ends_at=starts_at + length,
        )
        await add_numbered(session, shift)
        for person in people:
            session.add(ShiftPerson(shift_id=shift.id, user_id=person.id, outcome=outcome))
        return shift.number


async def on_shift(driver: Driver, number: int) -> list[int]:
    """Who is on shift ``number``, by user id, in the order of their places."""
    async with driver.sessions() as session:
        rows = await session.scalars(
            select(ShiftPerson.user_id)
            .join(Shift, Shift.id == ShiftPerson.shift_id)
            .where(Shift.number == number)
            .order_by(ShiftPerson.id)
        )
        return list(rows)


async def places(driver: Driver, number: int) -> list[ShiftPerson]:
    async with driver.sessions() as session:
        rows = await session.scalars(
            select(ShiftPerson)
            .join(Shift, Shift.id == ShiftPerson.shift_id)
            .where(Shift.number == number)
            .order_by(ShiftPerson.id)
        )
        return list(rows)


async def swaps(driver: Driver) -> list[SwapRequest]:
    async with driver.sessions() as session:
        return list(await session.scalars(select(SwapRequest).order_by(SwapRequest.id)))


async def audit_actions(driver: Driver) -> list[str]:
    async with driver.sessions() as session:
        return list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


async def outbox(driver: Driver) -> list[dict[str, Any]]:
    """Every queued message's payload, oldest first, with its chat."""
    async with driver.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [{**row.payload, "chat_id": row.chat_id} for row in rows]


def button_data(replies: list[Reply] | list[dict[str, Any]], label: str) -> str:
    """The callback data of the button labelled ``label`` in replies or outbox payloads."""
    for reply in replies:
        if isinstance(reply, Outgoing):
            for row in reply.buttons:
                for button in row:
                    if button.label == label:
                        return button.data
        elif isinstance(reply, dict):
            for row in reply.get("buttons", []):
                for shown, data in row:
                    if shown == label:
                        return str(data)
    raise AssertionError(f"no button {label!r}")
