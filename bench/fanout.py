"""Fan-out at scale: 1,000 communities with a shift reminder due in the same minute.

Run: .venv/bin/python bench/fanout.py [--communities 1000] [--runtime aiogram|ptb]
     [--per-second 29] [--database URL]

Set-up, not measured: an in-process Bot-API emulator in strict mode (Telegram's limits answer
429: ~30 messages/s per bot, 20 a minute per group, ~1/s per private chat), N groups, and a
migrated SQLite database (or ``--database``) holding N communities, each with one duty and one
shift starting in 23 h whose 24 h reminder is therefore due now (a catch-up, as after a
restart; its one person never started the bot, so the reminder is one group message that
mentions them).

Measured: the real bot (``Courtyard``: the runtime's HTTP path, the scheduler, the outbox and
the shared sender at ``--per-second``) starts, runs the due jobs and sends; the clock stops
when the emulator holds every reminder. Printed: the time, the floor (messages / 30 per
second: what Telegram's limit allows at best), their ratio (target ≤ 1.1), the 429s the
emulator answered (target 0) and whether any group got more or less than one message.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.lifecycle import Courtyard  # noqa: E402
from bot.sandbox import Emulator  # noqa: E402
from bot.settings import Settings  # noqa: E402
from handlers.core import limits  # noqa: E402
from handlers.core.buttons import ButtonCodec  # noqa: E402
from handlers.core.clock import SystemClock  # noqa: E402
from handlers.core.context import JobContext, Services  # noqa: E402
from handlers.core.registry import Registry  # noqa: E402
from handlers.duties.reminders import schedule_for  # noqa: E402
from handlers.features import all_features  # noqa: E402
from models import Community, Duty, Member, Shift, ShiftPerson, User  # noqa: E402
from models.db import create_engine, migrate, session_factory  # noqa: E402

TOKEN = "123456:bench-fanout-token"
TELEGRAM_PER_SECOND = 30.0
TARGET_RATIO = 1.1


async def seed(database: str, chats: list[tuple[int, int, str]]) -> None:
    engine = create_engine(database)
    sessions = session_factory(engine)
    registry = Registry(all_features())
    services = Services(clock=SystemClock(), codec=ButtonCodec(b"seed"))
    now = datetime.now().astimezone()
    try:
        async with sessions() as session, session.begin():
            for index, (group_id, user_id, name) in enumerate(chats):
                community = Community(
                    chat_id=group_id,
                    title=f"Court {index}",
                    timezone="Europe/Berlin",
                    language=("en", "ru", "zh_Hans")[index % 3],
                    settings={},
                    created_at=now,
                )
                session.add(community)
                session.add(User(id=user_id, display_name=name))
                await session.flush()
                session.add(Member(community_id=community.id, user_id=user_id, joined_at=now))
                duty = Duty(
                    community_id=community.id,
                    name="Night watch",
                    recurrence="once",
                    length_minutes=480,
                    people=1,
                    created_by=user_id,
                    created_at=now,
                    anchor=now,
                )
                session.add(duty)
                await session.flush()
                # All due within the same minute: starts 23 h from now, spread over 50 s.
                starts = now + timedelta(hours=23, seconds=-(index % 50))
                shift = Shift(
                    community_id=community.id,
                    number=1,
                    duty_id=duty.id,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=8),
                )
                session.add(shift)
                await session.flush()
                session.add(ShiftPerson(shift_id=shift.id, user_id=user_id))
                schedule_for(JobContext(session, services, registry), shift)
    finally:
        await engine.dispose()


async def bench(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as workdir:
        database = args.database or f"sqlite+aiosqlite:///{Path(workdir) / 'fanout.db'}"
        await migrate(database)
        emulator = Emulator(TOKEN, rate_limits=True)
        url = await emulator.start()
        groups, chats = [], []
        for index in range(args.communities):
            person = emulator.add_user(f"Neighbour {index}")
            group = emulator.add_group(f"Court {index}", admins=[person])
            groups.append(group.id)
            chats.append((group.id, person.id, person.first_name))
        settings = Settings(
            bot_token=TOKEN,
            telegram_api_url=url,
            database_url=database,
            runtime=args.runtime,
            send_per_second=args.per_second,
        )
        # The bot is up (its start-up is not fan-out), then the reminders fall due together.
        bot = Courtyard(settings)
        await bot.start()
        try:
            await seed(database, chats)
            started = time.perf_counter()
            assert bot.service is not None
            ticking = asyncio.create_task(bot.service.tick())  # as a poke would, at once
            deadline = started + 10 * args.communities / TELEGRAM_PER_SECOND + 60
            while time.perf_counter() < deadline:
                if sum(1 for g in groups if emulator.bot_messages(g)) == len(groups):
                    break
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
            await ticking
            await asyncio.sleep(1)
        finally:
            await bot.stop()
        counts = [len(emulator.bot_messages(g)) for g in groups]
        refusals = emulator.flood_refusals
        await emulator.stop()

    messages = len(groups)
    floor = messages / TELEGRAM_PER_SECOND
    ratio = elapsed / floor
    wrong = sum(1 for c in counts if c != 1)
    print(
        f"fan-out: {messages} communities, one reminder each, due in the same minute; "
        f"{args.runtime}, sender at {args.per_second:g}/s"
    )
    print("| delivered in | floor (messages / 30 per s) | ratio (≤ 1.1) | 429s (0) | not once |")
    print("|---|---|---|---|---|")
    print(
        f"| {elapsed:.1f} s | {floor:.1f} s | {ratio:.3f} "
        f"{'pass' if ratio <= TARGET_RATIO else 'FAIL'} | {refusals} | {wrong} |"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=1000)
    parser.add_argument("--runtime", choices=["aiogram", "ptb"], default="aiogram")
    parser.add_argument("--per-second", type=float, default=float(limits.SEND_PER_SECOND))
    parser.add_argument("--database", help="a migrated-or-empty database URL (default: SQLite)")
    args = parser.parse_args()
    try:
        return asyncio.run(bench(args))
    except Exception as error:
        print(f"fanout: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
