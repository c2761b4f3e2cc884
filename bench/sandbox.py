"""How quick the sandbox page feels: first paint, and a command's round trip to the bot's reply.

Run: /work/venv/bin/python bench/sandbox.py [--runtime aiogram|ptb|both] [--sends 20]
     [--loads 5] [--chromium /usr/bin/chromium]

For each runtime, ``courtyard run --fresh`` is started as a newcomer starts it (its own
process, a throw-away SQLite database), and a headless Chromium opens the page:

* first paint: ``performance.getEntriesByType('paint')`` after a fresh load (first-paint and
  first-contentful-paint), the median of ``--loads`` loads; target under 1 s;
* reply time: in the page, from submitting a command in the composer to the bot's reply
  appearing in the message list (a MutationObserver, timed with ``performance.now()``), at
  idle, one command at a time: ``/help`` and ``/members`` alternately, ``--sends`` times after
  an untimed ``/setup``; the median is held against the target of 300 ms.

This measures the whole path a reply takes: page → HTTP → emulator → the bot's long poll →
the core and the database → sendMessage → emulator → WebSocket → DOM. It is not a test: the
machine is shared and the numbers are printed, with PASS/FAIL against the targets.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Browser, async_playwright

FIRST_PAINT_TARGET_MS = 1000.0
REPLY_TARGET_MS = 300.0
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

#: Sends the composer's text and resolves with the milliseconds until a new bot message shows.
ROUND_TRIP_JS = """
async (text) => {
  const list = document.getElementById("messages");
  const count = () => list.querySelectorAll("li.from-bot").length;
  const before = count();
  let started = 0;
  const shown = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (count() > before) {
        observer.disconnect();
        resolve(performance.now() - started);
      }
    });
    observer.observe(list, { childList: true });
  });
  document.getElementById("text").value = text;
  started = performance.now();
  document.getElementById("composer").requestSubmit();
  return await shown;
}
"""


@dataclass
class Figures:
    runtime: str
    first_paint: list[float]
    first_contentful_paint: list[float]
    replies: list[float]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_sandbox(runtime: str, directory: Path) -> tuple[subprocess.Popen[str], str]:
    env = {key: value for key, value in os.environ.items() if key != "BOT_TOKEN"}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{directory / 'courtyard.db'}",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    script = Path(sys.executable).with_name("courtyard")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]
    process = subprocess.Popen(
        [*command, "run", "--fresh", "--runtime", runtime, "--port", str(_free_port())],
        cwd=directory,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if "http://" in line:
            return process, "http://" + line.split("http://", 1)[1].split()[0]
    raise RuntimeError(f"courtyard run ended before serving (exit {process.wait()})")


async def _measure(browser: Browser, url: str, runtime: str, loads: int, sends: int) -> Figures:
    figures = Figures(runtime, [], [], [])
    for _ in range(loads):
        context = await browser.new_context(viewport={"width": 1280, "height": 800})
        page = await context.new_page()
        await page.goto(url, wait_until="load")
        entries: list[list[object]] = []
        for _ in range(100):  # polled: the page's CSP forbids wait_for_function's eval
            entries = await page.evaluate(
                "performance.getEntriesByType('paint').map(e => [e.name, e.startTime])"
            )
            if len(entries) >= 2:
                break
            await page.wait_for_timeout(50)
        for name, start in entries:
            target = (
                figures.first_paint if name == "first-paint" else figures.first_contentful_paint
            )
            target.append(float(start))  # type: ignore[arg-type]
        await context.close()

    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await page.goto(url)
    await page.wait_for_selector("#messages li.from-bot", timeout=15_000)
    await page.evaluate(ROUND_TRIP_JS, "/setup")
    await page.wait_for_timeout(300)
    for number in range(sends):
        command = "/help" if number % 2 == 0 else "/members"
        figures.replies.append(float(await page.evaluate(ROUND_TRIP_JS, command)))
        await page.wait_for_timeout(150)  # at idle: one command at a time
    await context.close()
    return figures


def _report(figures: Figures) -> bool:
    paint = statistics.median(figures.first_paint)
    contentful = statistics.median(figures.first_contentful_paint)
    replies = sorted(figures.replies)
    median = statistics.median(replies)
    p90 = replies[max(0, int(len(replies) * 0.9) - 1)]
    paint_ok = contentful < FIRST_PAINT_TARGET_MS
    reply_ok = median < REPLY_TARGET_MS
    print(f"\n== {figures.runtime} ==")
    print(
        f"first paint            median {paint:7.1f} ms   first contentful paint median "
        f"{contentful:7.1f} ms   ({len(figures.first_paint)} loads)   target < "
        f"{FIRST_PAINT_TARGET_MS:.0f} ms: {'PASS' if paint_ok else 'FAIL'}"
    )
    print(
        f"command → reply shown  median {median:7.1f} ms   p90 {p90:7.1f} ms   min "
        f"{replies[0]:6.1f}   max {replies[-1]:6.1f}   ({len(replies)} sends)   target < "
        f"{REPLY_TARGET_MS:.0f} ms: {'PASS' if reply_ok else 'FAIL'}"
    )
    return paint_ok and reply_ok


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtime", choices=["aiogram", "ptb", "both"], default="both")
    parser.add_argument("--sends", type=int, default=20)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    runtimes = ["aiogram", "ptb"] if args.runtime == "both" else [args.runtime]
    passed = True
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=args.chromium, args=CHROMIUM_ARGS
        )
        try:
            for runtime in runtimes:
                with tempfile.TemporaryDirectory() as directory:
                    process, url = _start_sandbox(runtime, Path(directory))
                    try:
                        figures = await _measure(browser, url, runtime, args.loads, args.sends)
                    finally:
                        process.send_signal(signal.SIGINT)
                        process.wait(timeout=30)
                    passed = _report(figures) and passed
        finally:
            await browser.close()
    print(f"\noverall: {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
