"""Migrations go up and down cleanly and match the models, on both databases."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text
from sqlalchemy.orm import load_only

import models
from handlers.core.ballots import BallotBox, SealedBox
from models import Participation, Poll
from models.db import (
    _downgrade_sync,
    _upgrade_sync,
    alembic_config,
    create_engine,
    session_factory,
)
from tests.databases import backends, create_pg_database, drop_pg_database


@pytest.fixture(params=backends())
def blank_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('stairway') / 'db.sqlite'}"
    url = asyncio.run(create_pg_database())
    request.addfinalizer(lambda: asyncio.run(drop_pg_database(url)))
    return url


def _revisions(url: str) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(url))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_stairway_every_revision_up_down_up(blank_url: str) -> None:
    for revision in _revisions(blank_url):
        _upgrade_sync(blank_url, revision)
        _downgrade_sync(blank_url, "-1")
        _upgrade_sync(blank_url, revision)
    _upgrade_sync(blank_url, "heads")


def test_models_and_migrations_agree(blank_url: str) -> None:
    _upgrade_sync(blank_url, "heads")

    async def diff() -> list[object]:
        engine = create_engine(blank_url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: compare_metadata(
                        MigrationContext.configure(sync, opts={"compare_type": False}),
                        models.Base.metadata,
                    )
                )
        finally:
            await engine.dispose()

    assert asyncio.run(diff()) == []


def _sql(url: str, *statements: str) -> list[list[tuple[object, ...]]]:
    """Run raw SQL in one transaction, as an operator's database would hold it."""

    async def run() -> list[list[tuple[object, ...]]]:
        engine = create_engine(url)
        try:
            async with engine.begin() as conn:
                results = [await conn.execute(text(s)) for s in statements]
                return [
                    [tuple(r) for r in res.fetchall()] if res.returns_rows else []
                    for res in results
                ]
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_a_job_left_running_is_due_again_after_0007(blank_url: str) -> None:
    _upgrade_sync(blank_url, "0006")
    _sql(
        blank_url,
        "INSERT INTO jobs (kind, ref_id, due_at, state, attempts)"
        " VALUES ('close_poll', 1, '2026-03-02 09:00:00', 'running', 0)",
    )
    _upgrade_sync(blank_url, "0007")
    assert _sql(blank_url, "SELECT state FROM jobs") == [[("due",)]]


OLD_SHAPE_POLLS = (
    "INSERT INTO users (id, display_name, started_bot) VALUES"
    " (1, 'Alice', false), (2, 'Bob', false), (3, 'Carol', false)",
    "INSERT INTO communities (id, chat_id, title, timezone, language, settings, created_at)"
    " VALUES (1, -100, 'Maple Court', 'UTC', 'en', '{}', '2026-03-01 09:00:00')",
    "INSERT INTO polls (id, community_id, number, kind, question, options, creator_id,"
    " opened_at, closes_at, closed_at, electorate) VALUES"
    " (1, 1, 1, 'approval', 'Open?', '[\"a\", \"b\", \"c\"]', 1,"
    "  '2026-03-01 09:00:00', '2026-03-09 09:00:00', NULL, 3),"
    " (2, 1, 2, 'ranked', 'Closed?', '[\"a\", \"b\", \"c\"]', 1,"
    "  '2026-02-01 09:00:00', '2026-02-09 09:00:00', '2026-02-09 09:00:00', 3)",
    "INSERT INTO poll_ballots (poll_id, user_id, choice, cast_at) VALUES"
    " (1, 1, '0', '2026-03-01 10:00:00'), (1, 2, '02', '2026-03-01 11:00:00'),"
    " (2, 1, '210', '2026-02-01 10:00:00'), (2, 2, '1', '2026-02-01 11:00:00'),"
    " (2, 3, '210', '2026-02-01 12:00:00')",
)


def test_ballots_move_into_the_secret_box_and_back(blank_url: str) -> None:
    """Old ballots keep their totals; open polls' voters still find and replace theirs."""
    _upgrade_sync(blank_url, "0007")
    _sql(blank_url, *OLD_SHAPE_POLLS)
    _upgrade_sync(blank_url, "0008")

    async def after_upgrade() -> None:
        engine = create_engine(blank_url)
        try:
            async with session_factory(engine)() as session, session.begin():
                # The model has columns added after 0008: load only what the box reads.
                columns = [load_only(Poll.id, Poll.ballot_key)]
                open_poll = await session.get(Poll, 1, options=columns)
                closed_poll = await session.get(Poll, 2, options=columns)
                assert open_poll is not None and closed_poll is not None
                assert open_poll.ballot_key is not None and closed_poll.ballot_key is None
                opened, closed = BallotBox(session, open_poll), BallotBox(session, closed_poll)
                assert sorted(await opened.totals()) == [((0,), 1), ((0, 2), 1)]
                assert sorted(await closed.totals()) == [((1,), 1), ((2, 1, 0), 2)]
                assert await opened.mine(1) == (0,) and await opened.mine(3) is None
                assert await opened.mark(1, lambda _before: (1, 2)) == ((0,), (1, 2))
                with pytest.raises(SealedBox):
                    await closed.mine(1)
                voters = await session.execute(select(Participation.poll_id, Participation.user_id))
                assert sorted(tuple(row) for row in voters) == [
                    (1, 1),
                    (1, 2),
                    (2, 1),
                    (2, 2),
                    (2, 3),
                ]
        finally:
            await engine.dispose()

    asyncio.run(after_upgrade())

    _downgrade_sync(blank_url, "0007")
    # Open polls come back one row per voter; closed ones cannot be given back to anyone.
    assert _sql(blank_url, "SELECT poll_id, user_id, choice FROM poll_ballots ORDER BY 1, 2") == [
        [(1, 1, "12"), (1, 2, "02")]
    ]
