"""Exactly once: many reminders due at once, a bot SIGKILLed mid-burst, two bots on one database.

Every community has one shift starting in 23 h whose 24 h reminder is already due (the bot
catches it up at once). Its one person never started the bot in two communities of three
(the group message mentions them), and did in the third (a private reminder too).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.lifecycle import Courtyard
from bot.sandbox import Emulator
from bot.service import Service
from bot.settings import Settings
from handlers.core.buttons import ButtonCodec
from handlers.core.clock import ShiftableClock, SystemClock
from handlers.core.context import JobContext, Services
from handlers.core.messages import CallbackAnswer, Outgoing
from handlers.core.registry import Registry
from handlers.duties.reminders import schedule_for
from handlers.features import all_features
from models import (
    Community,
    Duty,
    Job,
    JobState,
    Member,
    OutboxMessage,
    OutboxState,
    Shift,
    ShiftPerson,
    User,
)
from models.db import create_engine, session_factory
from tests.e2e.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[2]
COMMUNITIES = 150
#: A little under Telegram's 30/s: the strict emulator's bucket has no slack for the jitter
#: of requests on their way (at exactly 30/s one in ~100 arrives early and gets a 429).
PER_SECOND = 27


@dataclass(frozen=True)
class Load:
    groups: list[int]
    privates: list[int]

    @property
    def expected(self) -> Counter[int]:
        return Counter(dict.fromkeys([*self.groups, *self.privates], 1))


async def seed(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    chats: list[tuple[int, int, str, bool]],
) -> None:
    """One community per (group id, user id, name, started the bot), each with a shift in 23 h."""
    registry = Registry(all_features())
    services = Services(clock=SystemClock(), codec=ButtonCodec(b"seed"))
    async with sessions() as session, session.begin():
        for index, (group_id, user_id, name, started) in enumerate(chats):
            community = Community(
                chat_id=group_id,
                title=f"Court {index}",
                timezone="Europe/Berlin",
                language="en",
                settings={"quiet": "off"},
                created_at=now,
            )
            session.add(community)
            session.add(User(id=user_id, display_name=name, started_bot=started))
            await session.flush()
            session.add(Member(community_id=community.id, user_id=user_id, joined_at=now))
            duty = Duty(
                community_id=community.id,
                name="Bins",
                recurrence="once",
                length_minutes=60,
                people=1,
                created_by=user_id,
                created_at=now,
                anchor=now,
            )
            session.add(duty)
            await session.flush()
            starts = now + timedelta(hours=23)
            shift = Shift(
                community_id=community.id,
                number=1,
                duty_id=duty.id,
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
            )
            session.add(shift)
            await session.flush()
            session.add(ShiftPerson(shift_id=shift.id, user_id=user_id))
            schedule_for(JobContext(session, services, registry), shift)


def populate(emulator: Emulator, count: int) -> tuple[Load, list[tuple[int, int, str, bool]]]:
    groups, privates, chats = [], [], []
    for index in range(count):
        person = emulator.add_user(f"Neighbour {index}")
        group = emulator.add_group(f"Court {index}", admins=[person])
        started = index % 3 == 0
        if started:
            person.started_bot = True
            emulator.private_chat(person)
            privates.append(person.id)
        groups.append(group.id)
        chats.append((group.id, person.id, person.first_name, started))
    return Load(groups, privates), chats


def delivered(emulator: Emulator, load: Load) -> Counter[int]:
    counts: Counter[int] = Counter()
    for chat in [*load.groups, *load.privates]:
        counts[chat] = len(emulator.bot_messages(chat))
    return +counts


async def wait_until_delivered(emulator: Emulator, load: Load, seconds: float = 60) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        if delivered(emulator, load) == load.expected:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # anything sent twice would be on its way by now


async def settled(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    """Jobs still due now, and outbox messages not sent."""
    async with sessions() as session:
        due = await session.scalar(
            select(func.count())
            .select_from(Job)
            .where(Job.state == JobState.DUE, Job.due_at <= datetime.now().astimezone())
        )
        unsent = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.state != OutboxState.SENT)
        )
        return int(due or 0), int(unsent or 0)


@pytest.mark.parametrize("runtime_name", ["aiogram", "ptb"])
async def test_a_bot_killed_between_deciding_and_sending_sends_each_reminder_once(
    runtime_name: str, database_url: str, engine: AsyncEngine
) -> None:
    """The child process runs the due jobs (their messages commit with them), sends the first
    batch, and is SIGKILLed at the next outbox claim: some reminders out, some decided and
    queued, some not yet decided. A new bot on the same database sends the rest, once."""
    emulator = Emulator(TOKEN, bot_username="CourtyardBot", rate_limits=True)
    base_url = await emulator.start()
    load, chats = populate(emulator, COMMUNITIES)
    sessions = session_factory(engine)
    await seed(sessions, datetime.now().astimezone(), chats)

    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": base_url,
        "DATABASE_URL": database_url,
        "RUNTIME": runtime_name,
        "TICK_SECONDS": "3600",
        "SEND_PER_SECOND": str(PER_SECOND),
        "CRASH_AFTER_BATCHES": "1",
        "PYTHONPATH": str(ROOT),
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.e2e.crash_child",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        line = await asyncio.wait_for(child.stdout.readline(), timeout=60)
        assert line.strip() == b"STOPPED", line
    finally:
        if child.returncode is None:
            os.kill(child.pid, signal.SIGKILL)
        await child.wait()
    assert child.returncode == -signal.SIGKILL

    before = delivered(emulator, load)
    assert 0 < sum(before.values()) < sum(load.expected.values()), "killed mid-burst"
    async with sessions() as session:
        decided_unsent = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.PENDING)
        )
        undecided = await session.scalar(
            select(func.count()).select_from(Job).where(Job.state == JobState.DUE)
        )
    assert decided_unsent, "some reminders were decided and queued, not sent"
    assert undecided, "and some not decided yet"

    settings = Settings(
        bot_token=TOKEN,
        telegram_api_url=base_url,
        database_url=database_url,
        runtime=runtime_name,
        tick_seconds=3600,
        send_per_second=PER_SECOND,
    )
    # The sender's limits live in the process: a new one starts with a full second's burst,
    # so give Telegram's bucket the second a real restart takes before it refills.
    await asyncio.sleep(1.1)
    bot = Courtyard(settings, clock=ShiftableClock())
    await bot.start()
    try:
        await wait_until_delivered(emulator, load)
    finally:
        await bot.stop()
        await emulator.stop()
    assert delivered(emulator, load) == load.expected, "each reminder exactly once"
    assert emulator.flood_refusals == 0, emulator.flood_refusals_by_chat
    assert await settled(sessions) == (0, 0)


@dataclass
class Recorder:
    """A Telegram port that records what it is asked to send (no emulator: two services)."""

    sent: Counter[int]
    next_id: int = 1

    async def deliver(self, message: Outgoing) -> Any:
        await asyncio.sleep(0.001)
        self.sent[message.chat_id] += 1
        self.next_id += 1
        return type("Sent", (), {"message_id": self.next_id})()

    async def answer_callback(self, answer: CallbackAnswer) -> None:
        return None

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        return False

    async def set_menu(
        self, commands: list[tuple[str, str]], language_code: str, scope_chat_id: int | None = None
    ) -> None:
        return None


async def test_two_bots_on_one_database_send_each_reminder_once(
    database_url: str, engine: AsyncEngine
) -> None:
    """Two services, each with its own engine (connections), tick side by side over the same
    due jobs and outbox: jobs and messages are claimed with FOR UPDATE SKIP LOCKED on
    PostgreSQL. On SQLite it runs too (BEGIN IMMEDIATE makes the claims take turns), which
    shows the same promise there, though two processes on one SQLite file are not a setup
    we recommend."""
    sessions = session_factory(engine)
    now = datetime.now().astimezone()
    base = 7_100_000_000
    chats = [
        (-1_002_000_000_000 - i, base + i, f"Neighbour {i}", i % 3 == 0) for i in range(COMMUNITIES)
    ]
    await seed(sessions, now, chats)
    load = Load([c[0] for c in chats], [c[1] for c in chats if c[3]])

    sent: Counter[int] = Counter()
    settings = Settings(
        bot_token=TOKEN,
        database_url=database_url,
        tick_seconds=3600,
        send_per_second=0,
        send_group_per_minute=0,
        send_private_per_second=0,
    )
    engines = [create_engine(database_url) for _ in range(2)]
    services = [
        Service(
            settings,
            session_factory(e),
            Recorder(sent),
            bot_username="CourtyardBot",
            features=all_features(),
        )
        for e in engines
    ]
    try:
        for service in services:
            await service.start()
        for _ in range(3):
            await asyncio.gather(*(service.tick() for service in services))
    finally:
        for service in services:
            await service.stop()
        for e in engines:
            await e.dispose()
    assert +sent == load.expected
    assert await settled(sessions) == (0, 0)
