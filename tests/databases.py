"""Throw-away databases for tests: a SQLite file, or a PostgreSQL database of its own.

Each test session creates its own PostgreSQL database (dropped at the end), so
parallel runs on one server never see each other. The server is started when
it is down, as CI needs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import models

PG_ADMIN_URL = os.environ.get("COURTYARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def backends() -> list[str]:
    """Which databases the suite runs on: both unless COURTYARD_TEST_DB names one."""
    chosen = os.environ.get("COURTYARD_TEST_DB", "sqlite,postgresql")
    return [b.strip() for b in chosen.split(",") if b.strip()]


async def _pg_connect() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError):
        _start_postgres()
        return await asyncpg.connect(PG_ADMIN_URL, timeout=20)


def _start_postgres() -> None:
    versions = Path("/etc/postgresql")
    if not versions.is_dir() or shutil.which("pg_ctlcluster") is None:
        raise RuntimeError(
            "PostgreSQL is not reachable at 127.0.0.1:5432 and cannot be started here"
        )
    for version in sorted(os.listdir(versions)):
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            check=False,
            capture_output=True,
        )


async def create_pg_database() -> str:
    name = f"courtyard_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    conn = await _pg_connect()
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    conn = await _pg_connect()
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def wipe(engine: AsyncEngine) -> None:
    """Empty every table, fast, keeping the migrated schema."""
    tables = [t.name for t in reversed(models.Base.metadata.sorted_tables)]
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            joined = ", ".join(f'"{t}"' for t in tables)
            await conn.execute(text(f"TRUNCATE {joined} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await conn.execute(text(f'DELETE FROM "{table}"'))
            await conn.execute(text("DELETE FROM sqlite_sequence")) if await _has_sequence(
                conn
            ) else None


async def _has_sequence(conn: object) -> bool:
    result = await conn.execute(  # type: ignore[attr-defined]
        text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")
    )
    return result.first() is not None
