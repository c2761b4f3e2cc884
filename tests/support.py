"""A driver that talks to the core directly (no Telegram, no HTTP), for rule tests.

End-to-end stories go through the emulator instead (tests/e2e).
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.core.app import App
from handlers.core.buttons import ButtonCodec
from handlers.core.clock import FixedClock
from handlers.core.context import Services
from handlers.core.jobs import run_due_jobs
from handlers.core.messages import (
    CallbackAnswer,
    Chat,
    ChatKind,
    Event,
    Incoming,
    Outgoing,
    Person,
    Reply,
)
from handlers.core.registry import Feature
from handlers.features import all_features

_COMMAND = re.compile(r"^/(?P<name>[A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(?P<args>.*))?$", re.S)


@dataclass
class FakeAdmins:
    admins: set[tuple[int, int]] = field(default_factory=set)

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        return (chat_id, user_id) in self.admins


class Driver:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: FixedClock,
        *,
        features: Sequence[Feature] | None = None,
    ) -> None:
        self.clock = clock
        self.sessions = sessions
        self.admins = FakeAdmins()
        self.services = Services(clock=clock, codec=ButtonCodec(b"test"))
        self.app = App(
            sessions, self.services, self.admins, all_features() if features is None else features
        )
        self._ids = itertools.count(1001)
        self._messages = itertools.count(1)

    def person(self, name: str, language: str = "en") -> Person:
        return Person(id=next(self._ids), first_name=name, language_code=language)

    def group(self, title: str = "Maple Court", *, admins: tuple[Person, ...] = ()) -> Chat:
        chat = Chat(id=-1_000_000_000_000 - next(self._ids), kind=ChatKind.SUPERGROUP, title=title)
        self.admins.admins.update((chat.id, admin.id) for admin in admins)
        return chat

    @staticmethod
    def private(person: Person) -> Chat:
        return Chat(id=person.id, kind=ChatKind.PRIVATE)

    async def send(self, person: Person, chat: Chat, text: str) -> list[Reply]:
        match = _COMMAND.match(text)
        incoming = Incoming(
            user=person,
            chat=chat,
            at=self.clock.now(),
            command=match["name"] if match else None,
            args=(match["args"] or "") if match else "",
            text=text,
            message_id=next(self._messages),
        )
        return await self.app.handle(incoming)

    async def press(
        self, person: Person, chat: Chat, data: str, message_id: int = 1
    ) -> list[Reply]:
        incoming = Incoming(
            user=person,
            chat=chat,
            at=self.clock.now(),
            message_id=message_id,
            callback_id=f"cb{next(self._messages)}",
            callback_data=data,
        )
        return await self.app.handle(incoming)

    async def event(
        self, person: Person, chat: Chat, event: Event, subject: Person | None = None
    ) -> list[Reply]:
        incoming = Incoming(
            user=person, chat=chat, at=self.clock.now(), event=event, subject=subject or person
        )
        return await self.app.handle(incoming)

    async def run_jobs(self) -> int:
        return await run_due_jobs(self.sessions, self.services, self.app.registry)

    async def community(self, admin: Person, *members: Person, setup: str = "") -> Chat:
        """A set-up group with ``admin`` and ``members`` on the roster."""
        chat = self.group(admins=(admin,))
        await self.send(admin, chat, f"/setup {setup}".strip())
        for member in members:
            await self.send(member, chat, "/join")
        return chat


async def write_at_once(database_url: str) -> None:
    """Write from a connection of our own, refusing to wait for a lock.

    Raises when another transaction would hold the write up: on SQLite any
    open write transaction (there is one writer at a time), on PostgreSQL a
    lock on the rows touched (every user, poll and job).
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database or "", timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("UPDATE polls SET question = question")
            connection.execute("COMMIT")
        finally:
            connection.close()
        return
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(plain)
    try:
        async with connection.transaction():
            await connection.execute("SET LOCAL lock_timeout = '200ms'")
            await connection.execute("UPDATE users SET display_name = display_name")
            await connection.execute("UPDATE polls SET question = question")
            await connection.execute("UPDATE jobs SET attempts = attempts")
    finally:
        await connection.close()


def connections_in_use(engine: AsyncEngine) -> int:
    """Connections checked out of ``engine``'s pool: each one may hold a transaction."""
    return int(engine.pool.checkedout())  # type: ignore[attr-defined]


def texts(replies: list[Reply]) -> list[str]:
    return [r.text for r in replies if isinstance(r, Outgoing)]


def text(replies: list[Reply]) -> str:
    return "\n".join(texts(replies))


def answers(replies: list[Reply]) -> list[CallbackAnswer]:
    return [r for r in replies if isinstance(r, CallbackAnswer)]


def buttons(replies: list[Reply]) -> list[tuple[str, str]]:
    return [
        (b.label, b.data)
        for r in replies
        if isinstance(r, Outgoing)
        for row in r.buttons
        for b in row
    ]
