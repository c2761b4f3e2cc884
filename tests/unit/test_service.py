"""The service's sending: named messages, and edits that wait for their posting."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.service import Service
from bot.settings import Settings
from handlers.core.messages import MAX_COPIES, CallbackAnswer, Outgoing
from handlers.features import all_features
from models.db import session_factory

GROUP = -100_123


@dataclass
class Sent:
    message_id: int


@dataclass
class SlowTelegram:
    """Delivers after a delay, the way a busy Bot API answers."""

    delay: float = 0.2
    delivered: list[Outgoing] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(500))

    async def deliver(self, message: Outgoing) -> Any:
        await asyncio.sleep(self.delay)
        self.delivered.append(message)
        return Sent(message.edit_message_id or next(self.ids))

    async def answer_callback(self, answer: CallbackAnswer) -> None:
        return None

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        return False

    async def set_menu(
        self, commands: list[tuple[str, str]], language_code: str, scope_chat_id: int | None = None
    ) -> None:
        return None


@pytest.fixture
async def service(database_url: str, engine: AsyncEngine) -> AsyncIterator[Service]:
    settings = Settings(
        database_url=database_url,
        tick_seconds=3600,
        send_per_second=0,
        send_group_per_minute=0,
        send_private_per_second=0,
    )
    service = Service(
        settings,
        session_factory(engine),
        SlowTelegram(),
        bot_username="CourtyardBot",
        features=all_features(),
    )
    await service.start()
    yield service
    await service.stop()


async def test_an_edit_waits_for_the_posting_of_its_key(service: Service) -> None:
    telegram = service.telegram
    assert isinstance(telegram, SlowTelegram)
    posting = asyncio.create_task(service.send(Outgoing(GROUP, "Poll #1", key="poll:1")))
    await asyncio.sleep(0.05)  # the poll is on its way, its id not known yet
    await service.send(Outgoing(GROUP, "Poll #1 — closed", edit_key="poll:1"))
    await posting
    [poll, edit] = telegram.delivered
    assert poll.key == "poll:1" and poll.edit_message_id is None
    assert edit.edit_message_id == 500 and edit.text == "Poll #1 — closed"


async def test_an_edit_of_a_key_never_posted_is_dropped(service: Service) -> None:
    telegram = service.telegram
    assert isinstance(telegram, SlowTelegram)
    assert await service.send(Outgoing(GROUP, "nothing to edit", edit_key="poll:9")) is None
    assert telegram.delivered == []


async def test_a_newer_posting_under_a_key_takes_over(service: Service) -> None:
    telegram = service.telegram
    assert isinstance(telegram, SlowTelegram)
    await service.send(Outgoing(GROUP, "first card", key="need:1"))
    await service.send(Outgoing(GROUP, "second card", key="need:1"))
    await service.send(Outgoing(GROUP, "edited", edit_key="need:1"))
    assert telegram.delivered[-1].edit_message_id == 501


async def test_an_edit_reaches_every_copy_posted_under_a_key(service: Service) -> None:
    telegram = service.telegram
    assert isinstance(telegram, SlowTelegram)
    bob = 7001
    await service.send(Outgoing(bob, "your ballot", key="ballot:1", copies=True))
    await service.send(Outgoing(bob, "reminder", key="ballot:1", copies=True))
    await service.send(Outgoing(bob, "voted", edit_key="ballot:1", edit_message_id=501))
    edits = [m for m in telegram.delivered if m.text == "voted"]
    assert sorted(m.edit_message_id for m in edits) == [500, 501], "each copy once"


async def test_an_edit_waits_for_every_copy_still_being_recorded(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two copies of a ballot are on their way; the first one's record is slow (SQLite can
    keep a writer waiting). The second finishing must not let an edit of the key go ahead
    without the first: the edit waits for both and reaches both."""
    import bot.service

    telegram = service.telegram
    assert isinstance(telegram, SlowTelegram)
    real_record = bot.service.record_posted
    first_recorded = asyncio.Event()

    async def record(sessions: Any, sent: Outgoing, message_id: int, now: Any) -> None:
        if sent.text == "your ballot":
            await first_recorded.wait()
        await real_record(sessions, sent, message_id, now)

    monkeypatch.setattr(bot.service, "record_posted", record)
    bob = 7001
    first = asyncio.create_task(
        service.send(Outgoing(bob, "your ballot", key="ballot:1", copies=True))
    )
    await asyncio.sleep(0.3)  # delivered; its record is held up
    await service.send(Outgoing(bob, "reminder", key="ballot:1", copies=True))
    vote = asyncio.create_task(
        service.send(Outgoing(bob, "voted", edit_key="ballot:1", edit_message_id=501))
    )
    await asyncio.sleep(0.1)
    assert not vote.done(), "the edit waits for the first copy's record"
    first_recorded.set()
    await asyncio.gather(first, vote)
    edits = [m for m in telegram.delivered if m.text == "voted"]
    assert sorted(m.edit_message_id for m in edits) == [500, 501]


async def test_only_the_newest_copies_stay_named(service: Service) -> None:
    telegram = service.telegram
    assert isinstance(telegram, SlowTelegram)
    telegram.delay = 0
    for _ in range(MAX_COPIES + 2):
        await service.send(Outgoing(7001, "ballot", key="ballot:1", copies=True))
    await service.send(Outgoing(7001, "closed", edit_key="ballot:1"))
    edited = [m.edit_message_id for m in telegram.delivered if m.text == "closed"]
    assert edited == list(range(502, 502 + MAX_COPIES))
