"""Migrations go up and down cleanly and match the models, on both databases."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

import models
from models.db import _downgrade_sync, _upgrade_sync, alembic_config, create_engine
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
