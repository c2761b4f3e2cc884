"""Benchmark the poll tallies against their time budget, and a chart render.

Run: /work/venv/bin/python bench/tally.py [--ballots N] [--options K]

Tallies run inside the bot's event loop, so each kind must count 10,000
ballots over 10 options well within TARGET_MS; the script exits 1 if any
kind misses it. Chart rendering runs in a worker thread and is only reported.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Lets the script run from a plain checkout as well as after `pip install -e .`.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers.core.charts import render_result_chart
from handlers.core.tally import shares, tally_approval, tally_ranked, tally_single

TARGET_MS = 200.0
REPEATS = 5
SEED = 20240601


def best_ms(run: Callable[[], object]) -> float:
    """Best of REPEATS: the least disturbed by other work on the machine."""
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--options", type=int, default=10)
    args = parser.parse_args()
    n, count = args.options, args.ballots

    rng = random.Random(SEED)
    single = [rng.randrange(n) for _ in range(count)]
    approval = [rng.sample(range(n), rng.randint(0, n)) for _ in range(count)]
    ranked = [rng.sample(range(n), rng.randint(1, n)) for _ in range(count)]

    timings = {
        "single": best_ms(lambda: tally_single(single, n)),
        "approval": best_ms(lambda: tally_approval(approval, n)),
        "ranked (IRV)": best_ms(lambda: tally_ranked(ranked, n)),
    }
    rounds = len(tally_ranked(ranked, n).rounds)

    print(f"{count:,} ballots, {n} options, best of {REPEATS}; IRV took {rounds} rounds")
    print(f"{'kind':<14}{'ms':>9}{'target':>9}  result")
    failed = False
    for kind, ms in timings.items():
        ok = ms < TARGET_MS
        failed |= not ok
        print(f"{kind:<14}{ms:>9.2f}{TARGET_MS:>9.0f}  {'PASS' if ok else 'FAIL'}")

    result = tally_single(single, n)
    labels = [f"Вариант {i + 1}" for i in range(n)]
    texts = [
        f"{c} ({p:.0f}%)" for c, p in zip(result.counts, shares(result.counts, count), strict=True)
    ]
    start = time.perf_counter()
    render_result_chart("Benchmark", labels, result.counts, value_labels=texts)
    cold = (time.perf_counter() - start) * 1000
    warm = best_ms(
        lambda: render_result_chart("Benchmark", labels, result.counts, value_labels=texts)
    )
    print(f"chart: first render {cold:.0f} ms (imports matplotlib), then {warm:.0f} ms")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
