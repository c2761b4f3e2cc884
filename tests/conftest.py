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
from handlers.core.clock import FixedClock
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


class _Conformances:
    """Routes the answers of every emulator built in the test session to the running test.

    Emulators live in function fixtures, module fixtures (tests/e2e/test_any_update.py) and
    inside the code under test (the sandbox runner), so each one built is observed from its
    constructor; what an emulator answers while no test is running (a module fixture's
    set-up) is charged to the next test.
    """

    def __init__(self) -> None:
        self.checker = Conformance()
        self.built: list[Emulator] = []

    def __call__(self, method: str, result: object) -> None:
        self.checker(method, result)

    def begin(self) -> Conformance:
        self.built = []
        return self.checker

    def end(self) -> Conformance:
        """The finished test's checker, with the updates its emulators made but never gave out."""
        checker, self.checker = self.checker, Conformance()
        for emulator in self.built:
            checker.check_pending(emulator.pending_updates)
        self.built = []
        return checker


_CONFORMANCES = _Conformances()


@pytest.fixture(scope="session", autouse=True)
def _every_emulator_observed() -> Iterator[None]:
    original = Emulator.__init__

    def observed(self: Emulator, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.observe(_CONFORMANCES)
        _CONFORMANCES.built.append(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Emulator, "__init__", observed)
        yield


@pytest.fixture(autouse=True)
def bot_api_conformance(_every_emulator_observed: None) -> Iterator[Conformance]:
    """Every emulator answers like Telegram: each answer, each update handed out and each
    update left pending is held against the pinned Bot API description, and the test fails
    listing every drift. A test that provokes drift on purpose clears ``problems``."""
    checker = _CONFORMANCES.begin()
    yield checker
    problems = _CONFORMANCES.end().problems
    if problems:
        pytest.fail("the emulator answered unlike Telegram:\n" + "\n".join(problems))
