"""A busy group: many votes in a few seconds, then /close. Is the reply still quick?

Run: .venv/bin/python bench/busy_group.py [--runtime aiogram|ptb|both] [--members 30]
     [--seconds 10] [--before]

For each runtime, against one in-process Bot-API emulator in strict mode (Telegram's 429s for
more than 20 messages a minute in a group, edits included):

1. set-up, not measured: a group with an admin and N members who all /join, with our sender's
   limits off; the emulator's world (people, chat, messages) is then carried over to a fresh
   strict emulator, so the welcomes do not count against the measured minute;
2. measured: the real bot (Courtyard, the runtime's real HTTP path, its sender keeping
   Telegram's limits) opens a poll; N members vote at random moments within ``--seconds``;
   the creator sends /close at once after the last vote;
3. the bare bot (bench/echo_bot.py, same runtime, no limiter) in an idle group of the same
   emulator answers one message: the ratio compares our reply under load with a bare bot's.

Printed per runtime: the /close reply's latency, the delay from the last vote until the poll
message shows the final count, the most messages (sends and edits) the group got in any 60 s,
and the 429s the emulator answered. ``--before`` runs the sender as it was before edits were
coalesced (every edit sent, in order with the replies) for comparison.

Targets: reply within 3 s, final count within 10 s, zero 429s. Exit code 0 whatever the
numbers; 1 if the benchmark itself fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import service as service_module  # noqa: E402
from bot.lifecycle import Courtyard  # noqa: E402
from bot.sandbox import EmuChat, Emulator, EmuMessage, EmuUser  # noqa: E402
from bot.settings import Settings  # noqa: E402
from models.db import migrate  # noqa: E402

TOKEN = "123456:bench-busy-group-token"
ECHO_BOT = ROOT / "bench" / "echo_bot.py"
BALLOTS = re.compile(r"Ballots cast: (\d+)")
TARGET_REPLY_S = 3.0
TARGET_FINAL_S = 10.0


@dataclass
class Figures:
    runtime: str
    reply_s: float = float("nan")
    final_s: float = float("nan")
    per_minute: int = 0
    refusals: int = 0
    echo_s: float = float("nan")
    events: list[tuple[float, str]] = field(default_factory=list)


def settings(url: str, database: str, runtime: str, *, limits: bool) -> Settings:
    off = {} if limits else {"send_per_second": 0, "send_group_per_minute": 0}
    return Settings(
        bot_token=TOKEN,
        telegram_api_url=url,
        database_url=database,
        runtime=runtime,
        tick_seconds=3600,
        **off,  # type: ignore[arg-type]
    )


async def wait_for(
    emulator: Emulator, chat: EmuChat, test: Callable[[EmuMessage], bool], since: int
) -> EmuMessage:
    return await emulator.wait_for_bot_message(chat, test, since=since, timeout=60)


async def set_up(runtime: str, database: str, members: int) -> dict[str, Any]:
    emulator = Emulator(TOKEN)
    url = await emulator.start()
    bot = Courtyard(settings(url, database, runtime, limits=False))
    await bot.start()
    try:
        alice = emulator.add_user("Alice")
        people = [emulator.add_user(f"Neighbour {i}") for i in range(members)]
        group = emulator.add_group("Busy Court", admins=[alice], members=people)
        sent = await emulator.send_text(alice, group, "/setup Europe/Berlin en")
        await wait_for(emulator, group, lambda m: "community" in (m.text or ""), sent.message_id)
        for person in people:
            sent = await emulator.send_text(person, group, "/join")
            await wait_for(emulator, group, lambda m: "Welcome" in (m.text or ""), sent.message_id)
        return emulator.export_world()
    finally:
        await bot.stop()
        await emulator.stop()


def most_in_a_minute(times: list[float]) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 60:
            start += 1
        best = max(best, end - start + 1)
    return best


async def measure(
    runtime: str, database: str, world: dict[str, Any], seconds: float, seed: int
) -> Figures:
    figures = Figures(runtime)
    emulator = Emulator(TOKEN, rate_limits=True)
    url = await emulator.start()
    emulator.import_world(world)
    group = next(chat for chat in emulator.chats if chat.title == "Busy Court")
    alice = next(user for user in emulator.users if user.first_name == "Alice")
    voters = [user for user in emulator.users if user.first_name.startswith("Neighbour")]
    feed = emulator.subscribe()

    async def watch() -> None:
        while True:
            event = await feed.get()
            if event.get("chat_id") == group.id and event.get("type") in ("message", "edit"):
                message = event["message"]
                if message.get("is_bot"):
                    figures.events.append((time.perf_counter(), message.get("text") or ""))

    watcher = asyncio.create_task(watch())
    bot = Courtyard(settings(url, database, runtime, limits=True))
    await bot.start()
    try:
        sent = await emulator.send_text(alice, group, "/poll Paint the stairwell? | Green | Blue")
        poll = await wait_for(emulator, group, lambda m: bool(m.buttons), sent.message_id)
        options = [data for row in poll.buttons for _, data in row][:2]
        rng = random.Random(seed)
        moments = sorted(rng.uniform(0, seconds) for _ in voters)
        started = time.perf_counter()

        async def vote(voter: EmuUser, at: float) -> None:
            await asyncio.sleep(at)
            query = await emulator.press(voter, poll, rng.choice(options))
            await emulator.wait_callback_answer(query, timeout=30)

        await asyncio.gather(*(vote(v, at) for v, at in zip(voters, moments, strict=True)))
        last_vote = time.perf_counter()
        asked_at = time.perf_counter()
        asked = await emulator.send_text(alice, group, "/close 1")
        await wait_for(emulator, group, lambda m: True, asked.message_id)
        figures.reply_s = time.perf_counter() - asked_at

        total = str(len(voters))
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            match = BALLOTS.search(poll.text or "")
            if match and match[1] == total:
                figures.final_s = time.perf_counter() - last_vote
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(1)
        measured = [t for t, _ in figures.events if t >= started - 5]
        figures.per_minute = most_in_a_minute(measured)
        figures.refusals = emulator.flood_refusals
    finally:
        await bot.stop()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    figures.echo_s = await echo_latency(emulator, url, runtime, alice)
    await emulator.stop()
    return figures


async def echo_latency(emulator: Emulator, url: str, runtime: str, alice: EmuUser) -> float:
    """The bare bot of the same runtime answers one message in an idle group."""
    quiet = emulator.add_group("Quiet Court", admins=[alice], bot_is_admin=True)
    env = {**os.environ, "BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ECHO_BOT), runtime, env=env, stdout=subprocess.DEVNULL
    )
    try:
        best = float("inf")
        for attempt in range(4):  # the first answer pays for the bot's start-up
            started = time.perf_counter()
            sent = await emulator.send_text(alice, quiet, "/close 1")
            await emulator.wait_for_bot_message(
                quiet, lambda m: True, since=sent.message_id, timeout=60
            )
            if attempt:
                best = min(best, time.perf_counter() - started)
            await asyncio.sleep(0.2)
        return best
    finally:
        process.terminate()
        await process.wait()


def verdict(value: float, target: float) -> str:
    return "pass" if value <= target else "FAIL"


async def bench(args: argparse.Namespace) -> None:
    runtimes = ("aiogram", "ptb") if args.runtime == "both" else (args.runtime,)
    if args.before:
        # The sender as it was: no edit is merged with another, all go in order.
        service_module._edited_message = lambda message: None  # type: ignore[assignment]
    mode = "before (no coalescing)" if args.before else "after"
    print(f"busy group: {args.members} votes within {args.seconds:.0f} s, then /close; {mode}")
    print(
        "| runtime | /close reply (target ≤ 3 s) | bare bot reply | ratio "
        "| final count shown (≤ 10 s) | most msgs in 60 s (≤ 20) | 429s (0) |"
    )
    print("|---|---|---|---|---|---|---|")
    for runtime in runtimes:
        with tempfile.TemporaryDirectory() as workdir:
            database = f"sqlite+aiosqlite:///{Path(workdir) / 'bench.db'}"
            await migrate(database)
            world = await set_up(runtime, database, args.members)
            figures = await measure(runtime, database, world, args.seconds, args.seed)
        ratio = figures.reply_s / figures.echo_s if figures.echo_s else float("nan")
        print(
            f"| {runtime} | {figures.reply_s:.2f} s {verdict(figures.reply_s, TARGET_REPLY_S)} "
            f"| {figures.echo_s * 1000:.0f} ms | {ratio:.0f}× "
            f"| {figures.final_s:.2f} s {verdict(figures.final_s, TARGET_FINAL_S)} "
            f"| {figures.per_minute} | {figures.refusals} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtime", choices=["aiogram", "ptb", "both"], default="both")
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--before", action="store_true")
    args = parser.parse_args()
    try:
        asyncio.run(bench(args))
    except Exception as error:
        print(f"busy_group: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
