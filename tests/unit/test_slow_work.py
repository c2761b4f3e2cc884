"""No slow work inside a transaction: a write transaction on SQLite holds up every chat.

The admin check of /setup (getChatMember) is asked before the update's
transaction opens.
"""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers import registry
from tests.support import Driver, FakeAdmins, connections_in_use, text, write_at_once


@dataclasses.dataclass
class Probe:
    """What the database looked like while the slow step ran."""

    database_url: str
    engine: AsyncEngine
    in_use: list[int] = dataclasses.field(default_factory=list)
    blocked: list[Exception] = dataclasses.field(default_factory=list)

    async def look(self) -> None:
        self.in_use.append(connections_in_use(self.engine))
        try:
            await write_at_once(self.database_url)
        except Exception as error:
            self.blocked.append(error)

    def saw_no_transaction(self) -> bool:
        return bool(self.in_use) and set(self.in_use) == {0} and not self.blocked


@dataclasses.dataclass
class ProbingAdmins(FakeAdmins):
    probe: Probe | None = None
    asked: list[tuple[int, int]] = dataclasses.field(default_factory=list)

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        assert self.probe is not None
        self.asked.append((chat_id, user_id))
        await self.probe.look()
        return await super().is_admin(chat_id, user_id)


async def test_setup_asks_telegram_about_the_admin_before_the_transaction_opens(
    driver: Driver, engine: AsyncEngine, database_url: str
) -> None:
    admins = ProbingAdmins(probe=Probe(database_url, engine))
    driver.admins = driver.app.admins = admins  # type: ignore[assignment]
    alice, mallory = driver.person("Alice"), driver.person("Mallory")
    chat = driver.group(admins=(alice,))
    assert "Courtyard community" in text(await driver.send(alice, chat, "/setup"))
    assert "Only an admin" in text(await driver.send(mallory, chat, "/setup Europe/Paris"))
    assert admins.asked == [(chat.id, alice.id), (chat.id, mallory.id)]
    assert admins.probe is not None and admins.probe.saw_no_transaction(), admins.probe

    await driver.send(mallory, chat, "/join")
    await driver.send(mallory, driver.private(mallory), "/setup")
    assert len(admins.asked) == 2, "only a command that asks, where it may run, costs a call"


async def test_reading_the_admin_status_without_asking_for_it_is_a_bug_not_a_refusal(
    driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = driver.person("Alice")
    chat = driver.group(admins=(alice,))
    spec = dataclasses.replace(registry.COMMANDS["setup"], asks_admin=False)
    monkeypatch.setitem(registry.COMMANDS, "setup", spec)
    assert "Something went wrong" in text(await driver.send(alice, chat, "/setup"))
