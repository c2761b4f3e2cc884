"""What /export and the public page cost for a large community, on SQLite.

Run: python bench/export.py [--scale 1]

/export runs inside its update's write transaction (on SQLite that holds up every chat), so
gathering everything (the latest EXPORT_LOG log entries) and writing the file must stay within
TARGET_MS; the script exits 1 if it does not. The page and its downloads read in a session of
their own (they hold up no chat) and are only reported. Scale 1: 200 members, 500 plan items, 300 open needs, 200 open problems,
300 closed polls, 2,000 fund entries, 20 budget rounds, 400 shifts ahead, 10,000 log entries.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers.core.i18n import Translator
from handlers.features import all_features
from handlers.public import export
from handlers.public.snapshot import LOG_PAGE, PAGE_ROWS, gather
from handlers.public.use_cases import EXPORT_LOG
from models import (
    AuditEntry,
    Budget,
    Community,
    Duty,
    EntryKind,
    FundEntry,
    Member,
    Need,
    PlanItem,
    PlanStatus,
    Poll,
    PollKind,
    Problem,
    Shift,
    ShiftPerson,
    User,
)
from models.db import create_engine, migrate, reading, session_factory

TARGET_MS = 250.0
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


async def fill(url: str, scale: int) -> Community:
    engine = create_engine(url)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        community = Community(
            chat_id=-1001, title="Big Court", timezone="Europe/Berlin", language="en",
            settings={"public": True}, created_at=NOW,
        )  # fmt: skip
        session.add(community)
        await session.flush()
        members = 200 * scale
        session.add_all(User(id=10_000 + i, display_name=f"Member {i}") for i in range(members))
        await session.flush()
        session.add_all(
            Member(community_id=community.id, user_id=10_000 + i, joined_at=NOW)
            for i in range(members)
        )
        user = lambda i: 10_000 + i % members  # noqa: E731
        session.add_all(
            PlanItem(community_id=community.id, number=i + 1, title=f"Item {i} " * 5,
                     status=PlanStatus.IN_PROGRESS, taker_id=user(i), created_at=NOW)
            for i in range(500 * scale)
        )  # fmt: skip
        session.add_all(
            Need(community_id=community.id, number=i + 1, text=f"Need {i} " * 8,
                 author_id=user(i), created_at=NOW)
            for i in range(300 * scale)
        )  # fmt: skip
        session.add_all(
            Problem(community_id=community.id, number=i + 1, text=f"Problem {i} " * 8,
                    reporter_id=user(i), created_at=NOW)
            for i in range(200 * scale)
        )  # fmt: skip
        session.add_all(
            Poll(community_id=community.id, number=i + 1, kind=PollKind.SINGLE,
                 question=f"Question {i}?", options=["Yes", "No", "Later"], opened_at=NOW,
                 closes_at=NOW, closed_at=NOW, electorate=members,
                 result={"ballots": 90, "electorate": members, "quorum": None, "valid": True,
                         "passed": True, "counts": [50, 30, 10], "winners": [0], "rounds": []})
            for i in range(300 * scale)
        )  # fmt: skip
        session.add_all(
            FundEntry(community_id=community.id, number=i + 1, kind=EntryKind.IN,
                      amount_minor=1_234 + i, currency="EUR", note=f"Entry {i}",
                      recorded_by=user(i), recorded_at=NOW)
            for i in range(2_000 * scale)
        )  # fmt: skip
        session.add_all(
            Budget(community_id=community.id, number=i + 1, amount_minor=100_000,
                   currency="EUR", opened_by=user(i), opened_at=NOW, closes_at=NOW,
                   closed_at=NOW, electorate=members, items=[[1, 5_000], [2, 7_000]])
            for i in range(20 * scale)
        )  # fmt: skip
        duty = Duty(community_id=community.id, name="Night watch", recurrence="daily 22:00",
                    length_minutes=480, people=2, created_by=user(0), created_at=NOW,
                    anchor=NOW)  # fmt: skip
        session.add(duty)
        await session.flush()
        shifts = [
            Shift(community_id=community.id, number=i + 1, duty_id=duty.id,
                  starts_at=NOW + timedelta(hours=i), ends_at=NOW + timedelta(hours=i + 8))
            for i in range(400 * scale)
        ]  # fmt: skip
        session.add_all(shifts)
        await session.flush()
        session.add_all(
            ShiftPerson(shift_id=s.id, user_id=user(i + k))
            for i, s in enumerate(shifts)
            for k in range(2)
        )
        session.add_all(
            AuditEntry(community_id=community.id, at=NOW, actor_id=user(i),
                       action="problem.reported",
                       details={"actor": f"Member {i}", "number": str(i), "text": "Leak"})
            for i in range(10_000 * scale)
        )  # fmt: skip
    await engine.dispose()
    return community


async def run(scale: int) -> int:
    url = "sqlite+aiosqlite:///" + str(Path(tempfile.mkdtemp()) / "bench.db")
    await migrate(url)
    await fill(url, scale)
    engine = create_engine(url)
    sessions = session_factory(engine)
    templates = {}
    for feature in all_features():
        templates.update(feature.audit_templates)
    t = Translator("en", "Europe/Berlin")

    async def export_once(kind: str) -> tuple[float, int]:
        start = time.perf_counter()
        async with sessions() as session, session.begin():  # as /export: a write transaction
            community = await session.get(Community, 1)
            assert community is not None
            snapshot = await gather(session, community, templates, t, NOW, audit_size=EXPORT_LOG)
            content = export.as_json(snapshot) if kind == "json" else export.as_zip(snapshot)
        return (time.perf_counter() - start) * 1000, len(content)

    async def download_once() -> float:
        start = time.perf_counter()
        async with reading(sessions) as session:
            community = await session.get(Community, 1)
            assert community is not None
            snapshot = await gather(session, community, templates, t, NOW)
        export.as_zip(snapshot)
        return (time.perf_counter() - start) * 1000

    async def page_once() -> float:
        from bot.web import pages

        start = time.perf_counter()
        async with reading(sessions) as session:
            community = await session.get(Community, 1)
            assert community is not None
            snapshot = await gather(
                session, community, templates, t, NOW, rows=PAGE_ROWS, audit_size=LOG_PAGE
            )
        pages.render_page(snapshot, t, "x" * 22, None)
        return (time.perf_counter() - start) * 1000

    failed = False
    for kind in ("json", "csv"):
        runs = [await export_once(kind) for _ in range(3)]
        ms, size = min(r[0] for r in runs), runs[0][1]
        ok = ms < TARGET_MS * scale
        failed |= not ok
        print(f"/export {kind:<4} {ms:8.0f} ms  {size / 1e6:6.2f} MB  "
              f"target {TARGET_MS * scale:.0f} ms  {'PASS' if ok else 'FAIL'}")  # fmt: skip
    page = min([await page_once() for _ in range(3)])
    print(f"page         {page:8.0f} ms  (its own read-only session)")
    download = min([await download_once() for _ in range(3)])
    print(f"page's zip   {download:8.0f} ms  (the whole log; its own read-only session)")
    await engine.dispose()
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    return asyncio.run(run(parser.parse_args().scale))


if __name__ == "__main__":
    sys.exit(main())
