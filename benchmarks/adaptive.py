"""A bulk run against a token bucket limit it is not told, answered 429 without Retry-After.

The share of the limit it reaches, and the share of its requests answered 429.

The fake (in a process of its own, `_limited.py`) lets through `limit` requests a second
with a burst of `burst` and answers the rest 429 without `Retry-After`, as Vapi does. The
client runs `bulk_update` at concurrency 32 with its defaults (the adaptive rate on),
and, for comparison, told the limit (`rate_limit=`): what this machine can do at all.
(With the adaptive rate off, each 429 without `Retry-After` pauses the client for the
backoff plan's growing delay, and a run takes minutes: it is not worth the wait.)
Answers take 20 ms, so a few requests are always in flight when a 429 comes. The share
is of the limit over the run's whole time, its first second of learning included.

    python benchmarks/adaptive.py [--seconds 10,30] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
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
LIMITS = ((300.0, 20), (100.0, 10))  # requests a second, burst


async def run(limit: float, burst: int, items: int, **options: Any) -> dict[str, float]:
    """One bulk_update of `items` against a fresh server limited to `limit`/s."""
    with limited_server(rate=limit, burst=burst) as (url, ids):
        pairs = [(ids[i % len(ids)], UpdateTwilioPhoneNumber(name=f"n{i}")) for i in range(items)]
        answers = Answers()
        async with VapiPhoneClient(
            api_key=TEST_API_KEY,
            base_url=url,
            event_hooks={"response": [answers]},
            **options,
        ) as client:
            started = time.perf_counter()
            result = await client.bulk_update(pairs, concurrency=CONCURRENCY)
            elapsed = time.perf_counter() - started
    updated = result.summary.updated
    return {
        "failed": result.summary.failed,
        "seconds": elapsed,
        "rate": updated / elapsed,
        "share": updated / elapsed / limit,
        "429s": answers.share_throttled,
    }


async def main(durations: list[float], compare: bool) -> int:
    print(
        f"bulk_update at concurrency {CONCURRENCY} against a FakeVapiServer limited to N "
        f"requests/s (a token bucket with a burst, 429 without Retry-After), answering in "
        f"{LATENCY * 1000:.0f} ms"
    )
    print()
    header = (
        f"{'limit/s':>8}{'burst':>6}  {'client':<20}{'items':>7}{'failed':>8}{'seconds':>9}"
        f"{'updates/s':>11}{'of limit':>10}{'429s':>8}"
    )
    print(header)
    print("-" * len(header))
    verdicts = []
    for limit, burst in LIMITS:
        cases: list[tuple[str, float, dict[str, Any]]] = [
            ("adaptive (default)", seconds, {}) for seconds in durations
        ]
        if compare:
            shortest = min(durations)
            cases.append((f"told: rate_limit={limit:g}", shortest, {"rate_limit": limit}))
        for name, seconds, options in cases:
            items = int(limit * seconds)
            r = await run(limit, burst, items, **options)
            print(
                f"{limit:>8,.0f}{burst:>6}  {name:<20}{items:>7,}{r['failed']:>8,.0f}"
                f"{r['seconds']:>9.1f}{r['rate']:>11,.1f}{r['share']:>9.0%}{r['429s']:>9.1%}",
                flush=True,
            )
            if not options:
                target = 0.85 if seconds <= min(durations) else 0.9
                met = r["share"] >= target and r["429s"] <= 0.05
                verdicts.append(
                    f"limit {limit:,.0f}/s, burst {burst}, {items:,} items: {r['share']:.2f} of "
                    f"the limit with {r['429s']:.1%} 429s (target >= {target} with <= 5%: "
                    f"{'met' if met else 'NOT met'})"
                )
    print()
    for verdict in verdicts:
        print(verdict)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", default="10,30", help="run lengths at the limit, seconds")
    parser.add_argument("--quick", action="store_true", help="no comparison rows")
    arguments = parser.parse_args()
    durations = [float(x) for x in arguments.seconds.split(",")]
    sys.exit(asyncio.run(main(durations, compare=not arguments.quick)))
