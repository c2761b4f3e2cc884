"""Benchmark Courtyard against a bare echo bot of the same runtime: memory, latency, start-up.

Run: /work/venv/bin/python bench/runtimes.py [--runtime aiogram|ptb|both] [--messages N]
     [--members N] [--seed N] [--no-imports] [--no-poll]

For each runtime, in one run and against one in-process Bot API emulator
(:class:`bot.sandbox.Emulator`): ``courtyard run`` as a subprocess plays a story in a group (an
admin and N members: /help, /setup, everyone /join, then M rounds of /members, /need …, /needs
and /help from random members, one message at a time, each waiting for the bot's reply); then
``bench/echo_bot.py`` (the bare bot, same runtime) gets exactly the same messages from the same
people in a group of its own. The emulator makes the bot an admin of both groups, so both bots
see every message. The memory target is a ratio measured in the same run: peak RSS (VmHWM) of
Courtyard ≤ 1.3 × that of the echo bot. Latencies are only comparable within one run: the
machine is shared, so read the ratios, not the milliseconds. CPU time per message (from
/proc/<pid>/stat) is the least noisy latency-related figure.

After the story is measured, Courtyard also puts a need to a vote and closes the poll (unless
--no-poll): the result chart loads matplotlib into the bot for good, so its peak is reported
on a line of its own.

Courtyard's sender keeps Telegram's limits by default (20 messages/min in a group), which would
make the latency the limiter's; this benchmark turns them off (SEND_*=0) — the echo bot has no
limiter either.

Then, in fresh interpreters: RSS after importing each runtime's modules, and a check that the
PTB path (bot.cli → bot.runtimes → bot.service → bot.runtimes.ptb) never imports aiogram; any
heavy module found there is traced to the import chain that pulls it (``python -X importtime``).
The running bots also report which modules they had loaded when they stopped.

Exit code 0 whatever the numbers (it is a measurement, not a test); 1 if the benchmark itself
fails (a bot does not start, crashes, …). PASS/FAIL is printed for the memory target.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Lets the script run from a plain checkout as well as after `pip install -e .`.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402 - after the path set-up above

from bot.sandbox import EmuChat, Emulator, EmuUser  # noqa: E402
from bot.settings import Settings  # noqa: E402

PYTHON = sys.executable
ECHO_BOT = ROOT / "bench" / "echo_bot.py"
TOKEN = "123456:bench-token-abcdefghij"
BOT_USERNAME = "CourtyardBot"
MEMORY_TARGET = 1.3
RUNTIMES = ("aiogram", "ptb")
#: Telegram's limits off in our sender, for the latency part (the echo bot has none).
NO_SEND_LIMITS = {
    "SEND_GROUP_PER_MINUTE": "0",
    "SEND_PER_SECOND": "0",
    "SEND_PRIVATE_PER_SECOND": "0",
}
REPLY_TIMEOUT = 10.0
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
SAMPLE_EVERY = 0.05
#: Modules worth knowing about when they are loaded (memory hogs or the wrong framework).
HEAVY = (
    "aiogram",
    "telegram",
    "matplotlib",
    "numpy",
    "PIL",
    "pandas",
    "pydantic",
    "sqlalchemy",
    "alembic",
    "mako",
    "babel",
    "apscheduler",
    "aiohttp",
    "httpx",
    "asyncpg",
    "aiosqlite",
)
#: Never expected on the PTB path; found there, they are traced with -X importtime.
FORBIDDEN_ON_PTB = ("aiogram", "matplotlib", "numpy", "PIL", "pandas")
NEED_TEXTS = (
    "A bike rack by the entrance",
    "Fix the courtyard lights",
    "A bench under the lime tree",
    "Repaint the stairwell",
    "A shared tool library",
    "Recycling bins for glass",
    "A notice board in the lobby",
    "Plant flowers along the fence",
)
#: Put into the bots' PYTHONPATH: on exit, write the names of the loaded modules to a file.
SITECUSTOMIZE = """\
import atexit, os, sys
_out = os.environ.get("BENCH_MODULES_OUT")
if _out:
    def _dump():
        with open(_out, "w") as f:
            f.write("\\n".join(sorted(sys.modules)))
    atexit.register(_dump)
"""


# -- /proc -------------------------------------------------------------------------------------


def proc_status_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a live process, in kB (empty once it is gone)."""
    found: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    found[key] = int(value.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a live process has used."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the story -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    who: int  # index into the people list; 0 is the admin
    text: str
    kind: str  # what the per-command statistics group it under


def story(members: int, rounds: int, seed: int) -> list[Step]:
    """/help (the start-up ping), /setup, every member /join, then ``rounds`` random commands."""
    rng = random.Random(seed)
    steps = [Step(0, "/help", "first"), Step(0, "/setup UTC en", "/setup")]
    steps += [Step(i, "/join", "/join") for i in range(1, members + 1)]
    for n in range(rounds):
        who = rng.randint(0, members)
        kind = rng.choice(("/members", "/need", "/needs", "/help"))
        text = f"/need {rng.choice(NEED_TEXTS)} ({n})" if kind == "/need" else kind
        steps.append(Step(who, text, kind))
    return steps


# -- one bot run -----------------------------------------------------------------------------


@dataclass
class BotRun:
    label: str
    up_s: float = 0.0  # spawn → its first Bot API call answered (getMe), ±SAMPLE_EVERY
    first_reply_s: float = 0.0  # spawn → the reply to the first message
    latencies: dict[str, list[float]] = field(default_factory=dict)  # kind → seconds
    timeouts: int = 0
    cpu_s: float = 0.0  # CPU time while the story ran (after the first reply)
    messages: int = 0
    peak_kb: int = 0  # VmHWM just before it was stopped
    start_kb: int = 0  # VmRSS right after the first reply
    end_kb: int = 0  # VmRSS at the end of the story
    max_sampled_kb: int = 0
    chart_peak_kb: int = 0  # VmHWM after a poll was closed and its chart drawn (courtyard only)
    chart_s: float = 0.0  # /close → the result photo
    samples: int = 0
    stderr: list[str] = field(default_factory=list)
    modules: list[str] | None = None  # loaded when it exited

    def all_latencies(self) -> list[float]:
        return [x for kind, xs in self.latencies.items() if kind != "first" for x in xs]


class BenchError(Exception):
    pass


def _new_calls(emulator: Emulator, marker: object | None, method: str | None = None) -> bool:
    """Whether ``method`` (any) was answered after the call ``marker`` (the log is capped)."""
    calls = emulator.api_calls()
    start = 0
    if marker is not None:
        for index in range(len(calls) - 1, -1, -1):
            if calls[index] is marker:
                start = index + 1
                break
    new = calls[start:]
    return bool(new) if method is None else any(c.method.lower() == method.lower() for c in new)


async def wait_first_reply(
    emulator: Emulator,
    group: EmuChat,
    since: int,
    process: asyncio.subprocess.Process,
    started: float,
    failed: Callable[[str], BenchError],
) -> None:
    """Wait for the reply to the message sent as the bot was spawned; notice a crash."""
    while True:
        try:
            await emulator.wait_for_bot_message(group, since=since, timeout=0.5)
            return
        except TimeoutError:
            if process.returncode is not None:
                raise failed(f"exited with code {process.returncode} before replying") from None
            if time.perf_counter() - started > START_TIMEOUT:
                raise failed(f"no reply within {START_TIMEOUT:.0f} s of starting") from None


async def vote_and_close(emulator: Emulator, group: EmuChat, admin: EmuUser) -> float:
    """The admin proposes a need, puts it to a vote and closes the poll: seconds to the chart."""

    async def ask(text: str, want: str, *, photo: bool = False) -> str:
        sent = await emulator.send_text(admin, group, text)
        try:
            reply = await emulator.wait_for_bot_message(
                group,
                lambda m: (m.photo is not None) if photo else want in (m.text or ""),
                since=sent.message_id,
                timeout=START_TIMEOUT,
            )
        except TimeoutError as error:
            raise BenchError(f"poll phase: no answer to {text!r}: {error}") from None
        return reply.text or ""

    card = await ask("/need A vote for the benchmark", "Need #")
    need = re.search(r"Need #(\d+)", card)
    assert need is not None
    poll = re.search(r"Poll #(\d+)", await ask(f"/adopt {need[1]}", "Poll #"))
    assert poll is not None
    started = time.perf_counter()
    await ask(f"/close {poll[1]}", "", photo=True)
    return time.perf_counter() - started


async def drain_updates(emulator: Emulator) -> int:
    """Confirm updates the previous bot left unconfirmed, as its next getUpdates would have."""
    pending = emulator.pending_updates
    if not pending:
        return 0
    offset = max(update["update_id"] for update in pending) + 1
    url = f"{emulator.base_url}/bot{TOKEN}/getUpdates"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json={"offset": offset, "timeout": 0}) as response,
    ):
        response.raise_for_status()
    return len(pending)


async def run_bot(
    emulator: Emulator,
    label: str,
    argv: Sequence[str],
    env: dict[str, str],
    people: list[EmuUser],
    steps: list[Step],
    workdir: Path,
    *,
    close_poll: bool = False,
) -> BotRun:
    """Start one bot, play the story in a fresh group, measure, stop it.

    With ``close_poll`` (Courtyard only), after the story has been measured a need is put to a
    vote and the poll closed at once, so the result chart is drawn: its memory is reported
    apart, since the echo bot has nothing to compare it with.
    """
    result = BotRun(label)
    group: EmuChat = emulator.add_group(
        f"{label} court", admins=[people[0]], members=people[1:], bot_is_admin=True
    )
    calls = emulator.api_calls()
    marker = calls[-1] if calls else None
    stderr_path = workdir / f"{label}.stderr"
    modules_path = workdir / f"{label}.modules"
    env = {**env, "BENCH_MODULES_OUT": str(modules_path)}
    started = time.perf_counter()
    stderr = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            env=env,
            cwd=workdir,  # no stray .env from the checkout
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    finally:
        os.close(stderr)
    pid = process.pid
    stop_sampling = asyncio.Event()

    async def sample() -> None:
        while not stop_sampling.is_set():
            if not result.up_s and _new_calls(emulator, marker, "getMe"):
                result.up_s = time.perf_counter() - started
            rss = proc_status_kb(pid).get("VmRSS")
            if rss is not None:
                result.samples += 1
                result.max_sampled_kb = max(result.max_sampled_kb, rss)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_sampling.wait(), SAMPLE_EVERY)

    sampler = asyncio.create_task(sample())
    cpu_start = 0.0

    def failed(why: str) -> BenchError:
        tail = stderr_path.read_text(errors="replace").strip().splitlines()[-15:]
        return BenchError(f"{label}: {why}\n" + "\n".join(f"    {line}" for line in tail))

    try:
        for index, step in enumerate(steps):
            first = index == 0
            sent_at = time.perf_counter()
            sent = await emulator.send_text(people[step.who], group, step.text)
            if first:
                await wait_first_reply(emulator, group, sent.message_id, process, started, failed)
            else:
                try:
                    await emulator.wait_for_bot_message(
                        group, since=sent.message_id, timeout=REPLY_TIMEOUT
                    )
                except TimeoutError:
                    if process.returncode is not None:
                        raise failed(f"exited with code {process.returncode}") from None
                    result.timeouts += 1
                    continue
            now = time.perf_counter()
            if first:
                result.first_reply_s = now - started
                cpu_start = cpu_seconds(pid)
                result.start_kb = proc_status_kb(pid).get("VmRSS", 0)
            else:
                result.latencies.setdefault(step.kind, []).append(now - sent_at)
                result.messages += 1
        result.cpu_s = cpu_seconds(pid) - cpu_start
        result.end_kb = proc_status_kb(pid).get("VmRSS", 0)
        result.peak_kb = proc_status_kb(pid).get("VmHWM", 0)
        if close_poll:
            result.chart_s = await vote_and_close(emulator, group, people[0])
            result.chart_peak_kb = proc_status_kb(pid).get("VmHWM", 0)
    finally:
        stop_sampling.set()
        await sampler
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                process.kill()
                await process.wait()
    result.stderr = stderr_path.read_text(errors="replace").strip().splitlines()
    if modules_path.exists():
        result.modules = modules_path.read_text().split()
    return result


async def bench_runtime(
    runtime: str, steps: list[Step], members: int, workdir: Path, *, close_poll: bool
) -> tuple[BotRun, BotRun, int]:
    emulator = Emulator(TOKEN, bot_username=BOT_USERNAME)
    base_url = await emulator.start("127.0.0.1", 0)
    try:
        people = [emulator.add_user("Admin", username="admin")]
        people += [emulator.add_user(f"Member{i}", username=f"member{i}") for i in range(members)]
        site = workdir / "site"
        # Courtyard settings from the caller's shell (WEBHOOK_URL, TICK_SECONDS…) stay out.
        ours_settings = {name.upper() for name in Settings.model_fields}
        inherited = {k: v for k, v in os.environ.items() if k.upper() not in ours_settings}
        env = {
            **inherited,
            "PYTHONPATH": os.pathsep.join(
                [str(site), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": base_url,
        }
        db = workdir / f"bench-{runtime}.db"
        ours_env = {
            **env,
            "DATABASE_URL": f"sqlite+aiosqlite:///{db}",
            "RUNTIME": runtime,
            "LOG_LEVEL": "WARNING",
            **NO_SEND_LIMITS,
        }
        courtyard = Path(PYTHON).with_name("courtyard")
        ours_argv = (
            [str(courtyard), "run"] if courtyard.exists() else [PYTHON, "-m", "bot.cli", "run"]
        )
        ours = await run_bot(
            emulator,
            f"courtyard-{runtime}",
            ours_argv,
            ours_env,
            people,
            steps,
            workdir,
            close_poll=close_poll,
        )
        leftover = await drain_updates(emulator)
        echo = await run_bot(
            emulator,
            f"echo-{runtime}",
            [PYTHON, str(ECHO_BOT), runtime],
            env,
            people,
            steps,
            workdir,
        )
        return ours, echo, leftover
    finally:
        await emulator.stop()


# -- import costs ----------------------------------------------------------------------------


@dataclass
class Probe:
    rss_kb: int
    hwm_kb: int
    modules: int
    heavy: list[str]


PROBE = textwrap.dedent(
    """\
    import json, sys
    {statement}
    status = {{}}
    for line in open("/proc/self/status"):
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, value = line.split(":", 1)
            status[key] = int(value.split()[0])
    heavy = sorted(n for n in {heavy!r} if n in sys.modules)
    print(json.dumps({{"rss": status["VmRSS"], "hwm": status["VmHWM"],
                      "modules": len(sys.modules), "heavy": heavy}}))
    """
)

PTB_RUN_PATH = "import bot.cli, bot.runtimes, bot.service, bot.runtimes.ptb"
IMPORT_PROBES = (
    ("python, nothing imported", "pass"),
    ("import telegram.ext (bare PTB)", "import telegram.ext"),
    ("import bot.runtimes.ptb", "import bot.runtimes.ptb"),
    ("PTB run path (cli, runtimes, service, ptb)", PTB_RUN_PATH),
    ("  + alembic.command (migrate at start-up)", f"{PTB_RUN_PATH}, alembic.command"),
    ("import aiogram.types (bare aiogram)", "import aiogram, aiogram.types"),
    ("import bot.runtimes.aiogram", "import bot.runtimes.aiogram"),
)
#: Cumulative, in one interpreter: where the PTB run path's memory above bare PTB goes.
LADDER = (
    "telegram.ext",
    "pydantic_settings",
    "sqlalchemy.ext.asyncio",
    "aiosqlite",
    "babel.dates",
    "babel.numbers",
    "apscheduler.schedulers.asyncio",
    "aiolimiter",
    "markupsafe",
    "models.db",
    "models",
    "handlers.core.app",
    "bot.settings",
    "bot.cli",
    "bot.service",
    "bot.runtimes.ptb",
    "alembic.command",
)


def probe(statement: str) -> Probe:
    code = PROBE.format(statement=statement, heavy=HEAVY)
    done = subprocess.run(
        [PYTHON, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"import probe {statement!r} failed:\n{done.stderr.strip()}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Probe(data["rss"], data["hwm"], data["modules"], data["heavy"])


def ladder() -> list[tuple[str, int]]:
    code = textwrap.dedent(
        f"""\
        import importlib, json
        def rss():
            for line in open("/proc/self/status"):
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        out = [("python", rss())]
        for name in {list(LADDER)!r}:
            importlib.import_module(name)
            out.append((name, rss()))
        print(json.dumps(out))
        """
    )
    done = subprocess.run(
        [PYTHON, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"import ladder failed:\n{done.stderr.strip()}")
    return [tuple(pair) for pair in json.loads(done.stdout.strip().splitlines()[-1])]


def import_chain(statement: str, module: str) -> list[str]:
    """Who imports ``module`` under ``statement``: the chain from the top, via -X importtime.

    importtime prints a module after everything it imported, indented by depth, so the
    module's ancestors are the next lines with a smaller indentation.
    """
    done = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        name_part = line.rsplit("|", 1)[1]
        stripped = name_part.lstrip(" ")
        rows.append(((len(name_part) - len(stripped)) // 2, stripped.strip()))
    for index, (depth, name) in enumerate(rows):
        if name == module or name.startswith(module + "."):
            chain, level = [name], depth
            for up_depth, up_name in rows[index + 1 :]:
                if up_depth < level:
                    chain.append(up_name)
                    level = up_depth
            chain.reverse()
            first = next(
                i for i, n in enumerate(chain) if n == module or n.startswith(module + ".")
            )
            return chain[: first + 1]
    return []


# -- report ----------------------------------------------------------------------------------


def mb(kb: int) -> float:
    return kb / 1024


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def row(name: str, ours: str, echo: str, rel: str, note: str = "") -> str:
    return f"  {name:<30}{ours:>11}{echo:>11}{rel:>9}  {note}".rstrip()


def loaded(modules: list[str], package: str) -> bool:
    return any(m == package or m.startswith(package + ".") for m in modules)


def summarize_stderr(lines: list[str]) -> list[tuple[str, int]]:
    """Distinct log lines and exception lines (tracebacks' frames left out), with counts."""
    counts: dict[str, int] = {}
    for line in lines:
        if not line or line[0].isspace() or line.startswith("Traceback") or set(line) <= set("^~ "):
            continue
        key = re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ", "", line)
        key = re.sub(r"next run at: [^)]*", "next run at: …", key)
        counts[key] = counts.get(key, 0) + 1
    return list(counts.items())[:12]


def report_runtime(
    runtime: str, ours: BotRun, echo: BotRun, leftover: int, members: int, rounds: int
) -> tuple[bool, bool | None]:
    ok = ours.peak_kb <= MEMORY_TARGET * echo.peak_kb
    chart_ok = ours.chart_peak_kb <= MEMORY_TARGET * echo.peak_kb if ours.chart_peak_kb else None
    lo, le = ours.all_latencies(), echo.all_latencies()
    print(f"\n== {runtime} ==")
    print(
        f"  story: 1 group, admin + {members} members; /help, /setup, {members}× /join, "
        f"{rounds} rounds of /members, /need, /needs, /help; one message at a time"
    )
    print(row("", "courtyard", "echo", "ratio"))
    print(
        row(
            "peak RSS (VmHWM), MB",
            f"{mb(ours.peak_kb):.1f}",
            f"{mb(echo.peak_kb):.1f}",
            ratio(ours.peak_kb, echo.peak_kb),
            f"target ≤ {MEMORY_TARGET:.2f}x  {'PASS' if ok else 'FAIL'}",
        )
    )
    if ours.chart_peak_kb:
        print(
            row(
                "  … after a poll closed, MB",
                f"{mb(ours.chart_peak_kb):.1f}",
                f"{mb(echo.peak_kb):.1f}",
                ratio(ours.chart_peak_kb, echo.peak_kb),
                f"{'PASS' if chart_ok else 'FAIL'}; chart drawn in {ours.chart_s:.1f} s "
                f"(+{mb(ours.chart_peak_kb - ours.peak_kb):.1f} MB)",
            )
        )
    print(
        row(
            "max sampled RSS, MB",
            f"{mb(ours.max_sampled_kb):.1f}",
            f"{mb(echo.max_sampled_kb):.1f}",
            ratio(ours.max_sampled_kb, echo.max_sampled_kb),
            f"every {SAMPLE_EVERY * 1000:.0f} ms; {ours.samples}/{echo.samples} samples"
            + ("; incl. the poll" if ours.chart_peak_kb else ""),
        )
    )
    print(
        row(
            "RSS after 1st reply, MB",
            f"{mb(ours.start_kb):.1f}",
            f"{mb(echo.start_kb):.1f}",
            ratio(ours.start_kb, echo.start_kb),
        )
    )
    print(
        row(
            "RSS at end of story, MB",
            f"{mb(ours.end_kb):.1f}",
            f"{mb(echo.end_kb):.1f}",
            ratio(ours.end_kb, echo.end_kb),
        )
    )
    if lo and le:
        for name, q in (("median reply, ms", 50), ("p95 reply, ms", 95)):
            a, b = pct(lo, q) * 1000, pct(le, q) * 1000
            print(row(name, f"{a:.1f}", f"{b:.1f}", ratio(a, b), f"n={len(lo)}/{len(le)}"))
    if ours.messages and echo.messages:
        a, b = ours.cpu_s / ours.messages * 1000, echo.cpu_s / echo.messages * 1000
        print(row("bot CPU per message, ms", f"{a:.2f}", f"{b:.2f}", ratio(a, b), "user+sys"))
    print(
        row(
            "start-up: spawn → 1st API call, s",
            f"{ours.up_s:.2f}",
            f"{echo.up_s:.2f}",
            ratio(ours.up_s, echo.up_s),
            "getMe answered: imports + set-up done",
        )
    )
    print(
        row(
            "start-up: spawn → 1st reply, s",
            f"{ours.first_reply_s:.2f}",
            f"{echo.first_reply_s:.2f}",
            ratio(ours.first_reply_s, echo.first_reply_s),
            "first message sent at spawn",
        )
    )
    if ours.timeouts or echo.timeouts:
        print(
            f"  timeouts (> {REPLY_TIMEOUT:.0f} s): courtyard {ours.timeouts}, echo {echo.timeouts}"
        )
    medians = "  ".join(
        f"{kind} {pct(xs, 50) * 1000:.1f}"
        for kind, xs in sorted(ours.latencies.items())
        if kind != "first"
    )
    print(f"  courtyard median by command, ms: {medians}")
    if leftover:
        print(
            f"  ({leftover} update(s) courtyard left unconfirmed were drained before the echo run)"
        )
    for run in (ours, echo):
        modules = run.modules
        if modules is None:
            print(f"  {run.label}: loaded modules unknown (it did not exit cleanly)")
        else:
            heavy = [h for h in HEAVY if loaded(modules, h)]
            print(
                f"  {run.label}: {len(modules)} modules loaded at exit; heavy: {', '.join(heavy)}"
            )
        if run.stderr:
            print(f"  {run.label} stderr ({len(run.stderr)} lines); log records and exceptions:")
            for line, count in summarize_stderr(run.stderr):
                print(f"    {count}× {line[:160]}")
    if runtime == "ptb" and ours.modules is not None:
        # Once a chart has been drawn, matplotlib and numpy are loaded by design.
        allowed = ("matplotlib", "numpy", "PIL") if ours.chart_peak_kb else ()
        checked = [h for h in FORBIDDEN_ON_PTB if h not in allowed]
        bad = [h for h in checked if loaded(ours.modules, h)]
        verdict = f"FAIL: {', '.join(bad)} loaded" if bad else f"OK: none of {', '.join(checked)}"
        print(f"  running PTB bot, forbidden modules at exit: {verdict}")
    return ok, chart_ok


def report_imports() -> None:
    print("\n== import cost (fresh interpreter each; RSS after the imports) ==")
    results = {}
    for name, statement in IMPORT_PROBES:
        result = probe(statement)
        results[statement] = result
        print(
            f"  {name:<44}{mb(result.rss_kb):>7.1f} MB  {result.modules:>5} modules  "
            f"{' '.join(result.heavy)}"
        )
    base = results["import telegram.ext"].rss_kb
    ptb = results[PTB_RUN_PATH]
    print(
        f"  PTB run path / bare PTB import: {ratio(ptb.rss_kb, base)} "
        f"(+{mb(ptb.rss_kb - base):.1f} MB)"
    )
    bad = [h for h in FORBIDDEN_ON_PTB if h in ptb.heavy]
    if bad:
        print(f"  FAIL: the PTB run path imports {', '.join(bad)}:")
        for module in bad:
            chain = import_chain(PTB_RUN_PATH, module)
            print(f"    {module}: {' → '.join(chain) or 'chain not found'}")
    else:
        print(f"  OK: the PTB run path imports none of {', '.join(FORBIDDEN_ON_PTB)}")
    print("  where the PTB run path's memory goes (cumulative imports, one interpreter):")
    steps = ladder()
    previous = steps[0][1]
    for name, rss in steps[1:]:
        print(f"    + {name:<34}{mb(rss - previous):>7.1f} MB  (total {mb(rss):.1f})")
        previous = rss


async def bench(args: argparse.Namespace, workdir: Path) -> None:
    steps = story(args.members, args.messages, args.seed)
    runtimes = RUNTIMES if args.runtime == "both" else (args.runtime,)
    print(
        "Courtyard vs a bare echo bot, same runtime, same emulator, same run.\n"
        "Fairness: both bots get identical messages (same texts, senders and order) in a group\n"
        "where they are admin, so both see every message; each message waits for its reply.\n"
        "Courtyard runs with SEND_GROUP_PER_MINUTE=0 SEND_PER_SECOND=0 SEND_PRIVATE_PER_SECOND=0\n"
        "(its Telegram rate limits off; the echo bot has none), SQLite in a temp dir,\n"
        "LOG_LEVEL=WARNING. Courtyard runs first, then the echo bot."
    )
    outcome: dict[str, tuple[bool, bool | None]] = {}
    for runtime in runtimes:
        started = time.perf_counter()
        ours, echo, leftover = await bench_runtime(
            runtime, steps, args.members, workdir, close_poll=not args.no_poll
        )
        outcome[runtime] = report_runtime(
            runtime, ours, echo, leftover, args.members, args.messages
        )
        print(f"  ({runtime} took {time.perf_counter() - started:.0f} s)")
    verdict = {True: "PASS", False: "FAIL", None: "not measured"}
    print(f"\nmemory target (Courtyard peak RSS ≤ {MEMORY_TARGET}× echo, same runtime):")
    print(
        "  after the story:       " + ", ".join(f"{r} {verdict[o[0]]}" for r, o in outcome.items())
    )
    print(
        "  after a poll's chart:  " + ", ".join(f"{r} {verdict[o[1]]}" for r, o in outcome.items())
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtime", choices=[*RUNTIMES, "both"], default="both")
    parser.add_argument("--messages", type=int, default=200, help="rounds after the joins")
    parser.add_argument("--members", type=int, default=30, help="group members besides the admin")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--no-imports", action="store_true", help="skip the import-cost part")
    parser.add_argument(
        "--no-poll", action="store_true", help="skip closing a poll (its chart) after the story"
    )
    args = parser.parse_args()
    if args.messages < 1 or args.members < 1:
        parser.error("--messages and --members must be at least 1")
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="courtyard-bench-") as tmp:
            workdir = Path(tmp)
            (workdir / "site").mkdir()
            (workdir / "site" / "sitecustomize.py").write_text(SITECUSTOMIZE)
            asyncio.run(bench(args, workdir))
        if not args.no_imports:
            report_imports()
    except BenchError as error:
        print(f"\nbenchmark failed: {error}", file=sys.stderr)
        return 1
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
