"""No slow work inside a transaction: a write transaction on SQLite holds up every chat.

A poll's result chart (a child process, half a second or more) is drawn while the
outbox is drained, after the close has committed; the admin check of /setup
(getChatMember) is asked before the update's transaction opens.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.service import Service
from bot.settings import Settings
from handlers.core.charts import ChartError, ChartRequest
from handlers.core.jobs import Claimed
from handlers.core.messages import Outgoing
from handlers.features import all_features
from tests.support import Driver, FakeAdmins, connections_in_use, text, write_at_once
from tests.unit.test_service import SlowTelegram

PNG = b"\x89PNG drawn by the test"


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


@pytest.fixture
async def service(database_url: str, engine: AsyncEngine, driver: Driver) -> AsyncIterator[Service]:
    """The bot's service on the driver's database and clock, with a Telegram that just records."""
    settings = Settings(
        database_url=database_url,
        tick_seconds=3600,
        send_per_second=0,
        send_group_per_minute=0,
        send_private_per_second=0,
    )
    service = Service(
        settings,
        driver.sessions,
        SlowTelegram(delay=0),
        bot_username="CourtyardBot",
        features=all_features(),
        clock=driver.clock,
    )
    await service.start()
    yield service
    await service.stop()


def delivered(service: Service, chat_id: int) -> list[Outgoing]:
    telegram = service.telegram
    assert isinstance(telegram, SlowTelegram)
    return [m for m in telegram.delivered if m.chat_id == chat_id and m.edit_message_id is None]


@pytest.mark.parametrize("closed_by", ["deadline", "/close"])
async def test_a_result_chart_is_drawn_with_no_transaction_open(
    driver: Driver, service: Service, database_url: str, engine: AsyncEngine, closed_by: str
) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    replies = await driver.send(alice, chat, "/poll Paint the door? | Green | Blue | 48h")
    [green] = [r.buttons[0][0].data for r in replies if isinstance(r, Outgoing) and r.buttons]
    await driver.press(bob, chat, green)
    probe = Probe(database_url, engine)

    async def renderer(chart: ChartRequest) -> bytes:
        await probe.look()
        assert chart.labels == ("1. Green", "2. Blue") and chart.values == (1, 0)
        return PNG

    service.chart_renderer = renderer
    if closed_by == "deadline":
        driver.clock.advance(timedelta(hours=48))
    else:
        assert text(await driver.send(alice, chat, "/close 1")) == ""
    await service.tick()

    assert probe.saw_no_transaction(), probe
    [result] = delivered(service, chat.id)[-1:]
    assert result.photo == PNG and "Green — 1 (100%)" in result.text


async def test_a_chart_that_cannot_be_drawn_leaves_the_result_as_text(
    driver: Driver, service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/poll Paint the door? | Green | Blue | 48h")

    async def broken(chart: ChartRequest) -> bytes:
        raise ChartError("no fonts today")

    service.chart_renderer = broken
    await driver.send(alice, chat, "/close 1")
    with caplog.at_level(logging.ERROR):
        await service.tick()

    [result] = delivered(service, chat.id)[-1:]
    assert result.photo is None and "Poll #1 is closed" in result.text
    assert "chart of outbox message" in caplog.text and "no fonts today" in caplog.text


async def test_a_caption_without_its_chart_is_not_sent() -> None:
    """A long result goes as the chart with a short caption, then the text: without the
    chart the caption would only repeat the text's first line."""

    async def broken(chart: ChartRequest) -> bytes:
        raise ChartError("no fonts today")

    chart = ChartRequest("#1 Which?", ("1. A",), (1,))
    caption = Claimed(1, Outgoing(-1, "Result of poll #1"), chart, caption_only=True)
    assert await caption.ready(broken) is None
    result = Claimed(2, Outgoing(-1, "Poll #1 is closed"), chart)
    assert await result.ready(broken) is result.message


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
    spec = dataclasses.replace(driver.app.registry.commands["setup"], asks_admin=False)
    monkeypatch.setitem(driver.app.registry.commands, "setup", spec)
    assert "Something went wrong" in text(await driver.send(alice, chat, "/setup"))
