"""A bulk run against a limit counted per window of the clock, as Vapi counts per UTC minute.

How much of each window's quota it uses, and the share of its requests answered 429.

The fake (in a process of its own, `_limited.py`) lets through `quota` requests per
window of `window` seconds, aligned to the wall clock, and answers the rest 429 without
`Retry-After` or any reset header, as Vapi does; the window is scaled from a minute down
to a few seconds. The client runs `bulk_update` at concurrency 32, once with its defaults
(it learns the window from when requests succeed again), once told `rate_window=`. The
windows that count are those the run spans whole: not the first, which it entered part
way through, nor the last, in which the items ran out.

    python benchmarks/window.py [--window 5] [--quota 1000] [--windows 6]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _limited import LATENCY, Answers, limited_server

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async.models import UpdateTwilioPhoneNumber
from vapi_phone_async.testing import TEST_API_KEY

CONCURRENCY = 32


async def run(window: float, quota: int, items: int, **options: Any) -> dict[str, float]:
    """One bulk_update of `items` against a fresh server with this window limit."""
    with limited_server(window=window, quota=quota) as (url, ids):
        pairs = [(ids[i % len(ids)], UpdateTwilioPhoneNumber(name=f"n{i}")) for i in range(items)]
        answers = Answers()
        async with VapiPhoneClient(
            api_key=TEST_API_KEY, base_url=url, event_hooks={"response": [answers]}, **options
        ) as client:
            started = time.perf_counter()
            result = await client.bulk_update(pairs, concurrency=CONCURRENCY)
            elapsed = time.perf_counter() - started
    per_window: dict[int, int] = {}
    for at in answers.succeeded:
        index = math.floor(at / window)
        per_window[index] = per_window.get(index, 0) + 1
    first, last = min(per_window), max(per_window)
    used = [per_window.get(index, 0) / quota for index in range(first + 1, last)]
    return {
        "failed": result.summary.failed,
        "seconds": elapsed,
        "windows": len(used),
        "min": min(used) if used else 0.0,
        "mean": statistics.fmean(used) if used else 0.0,
        "429s": answers.share_throttled,
    }


async def main(window: float, quota: int, windows: int) -> int:
    items = quota * windows
    print(
        f"bulk_update of {items:,} at concurrency {CONCURRENCY} against a FakeVapiServer that "
        f"lets through {quota:,} requests per {window:g} s window of the clock (429 without "
        f"Retry-After), answering in {LATENCY * 1000:.0f} ms"
    )
    print()
    header = (
        f"{'client':<24}{'failed':>8}{'seconds':>9}{'windows':>9}{'least used':>12}"
        f"{'mean used':>11}{'429s':>8}"
    )
    print(header)
    print("-" * len(header))
    verdicts = []
    for name, options in (
        ("defaults (learns it)", {}),
        (f"rate_window={window:g}", {"rate_window": window}),
    ):
        r = await run(window, quota, items, **options)
        print(
            f"{name:<24}{r['failed']:>8,.0f}{r['seconds']:>9.1f}{r['windows']:>9.0f}"
            f"{r['min']:>11.0%}{r['mean']:>11.0%}{r['429s']:>9.1%}",
            flush=True,
        )
        met = r["min"] >= 0.9 and r["429s"] <= 0.02
        verdicts.append(
            f"{name}: each window {r['min']:.2f} of its quota or more, {r['429s']:.1%} 429s "
            f"(target >= 0.9 with <= 2%: {'met' if met else 'NOT met'})"
        )
    print()
    for verdict in verdicts:
        print(verdict)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=5.0, help="seconds")
    parser.add_argument("--quota", type=int, default=1000, help="requests per window")
    parser.add_argument("--windows", type=int, default=7, help="windows' worth of items")
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.window, arguments.quota, arguments.windows)))
