"""Fixtures shared by every test: databases on both backends and a driver."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.sandbox import Emulator
from handlers.clock import FixedClock
from models.db import _upgrade_sync, create_engine, session_factory
from tests.botapi import Conformance
from tests.databases import backends, create_pg_database, drop_pg_database, wipe
from tests.support import Driver


@pytest.fixture(scope="session", params=backends())
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database per backend for the whole session; tests wipe it, not rebuild it."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "courtyard.db"
        url = f"sqlite+aiosqlite:///{path}"
    else:
        url = asyncio.run(create_pg_database())
        request.addfinalizer(lambda: asyncio.run(drop_pg_database(url)))
    _upgrade_sync(url, "heads")
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await wipe(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def driver(sessions: async_sessionmaker[AsyncSession], clock: FixedClock) -> Driver:
    return Driver(sessions, clock)


@pytest.fixture(autouse=True)
def bot_api_conformance(monkeypatch: pytest.MonkeyPatch) -> Iterator[Conformance]:
    """Every emulator a test builds answers like Telegram: each answer (updates included) is
    checked against the pinned Bot API description, and the test fails on any drift."""
    checker = Conformance()
    original = Emulator.__init__

    def observed(self: Emulator, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.observe(checker)

    monkeypatch.setattr(Emulator, "__init__", observed)
    yield checker
    assert checker.problems == [], "the emulator answered unlike Telegram:\n" + "\n".join(
        checker.problems
    )
