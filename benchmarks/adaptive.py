"""A bulk run against a server whose rate limit it is not told: the share of the limit it
reaches, and the share of its requests answered 429.

FakeVapiServer answers 429 (with `Retry-After` in whole seconds, as a token bucket of one
second's burst would) beyond a limit the client does not know. The client runs
`bulk_update` at concurrency 32 with its defaults (adaptive rate on), then with the
adaptive rate off, where only the shared 429 pause slows it down. Answers take 20 ms, so
a few requests are always in flight when a 429 comes. The fake runs in this process: at
a few hundred requests a second it needs little of a core. Above 100 % of the limit is
the bucket's first second of burst.

    python benchmarks/adaptive.py [--limits 100,300] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async.models import UpdateTwilioPhoneNumber
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

CONCURRENCY = 32
LATENCY = 0.02


async def run(limit: float, seconds: float, adaptive: bool) -> dict[str, float]:
    """One run of about `seconds` at a hidden limit of `limit` requests a second."""
    items = int(limit * seconds)
    async with FakeVapiServer(api_key=TEST_API_KEY, latency=LATENCY) as server:
        server.seed(500)
        ids = [id_ for id_, data in server.numbers.items() if data["provider"] == "twilio"]
        pairs = [(ids[i % len(ids)], UpdateTwilioPhoneNumber(name=f"n{i}")) for i in range(items)]
        server.rate_limit(limit)
        server.clear_log()
        async with VapiPhoneClient(
            api_key=TEST_API_KEY, base_url=server.url, adaptive_rate=adaptive
        ) as client:
            started = time.perf_counter()
            result = await client.bulk_update(pairs, concurrency=CONCURRENCY)
            elapsed = time.perf_counter() - started
        statuses = [record.status for record in server.request_log]
    answered = [status for status in statuses if status is not None]
    updated = result.summary.updated
    return {
        "items": items,
        "updated": updated,
        "failed": result.summary.failed,
        "seconds": elapsed,
        "rate": updated / elapsed,
        "share": updated / elapsed / limit,
        "429s": sum(status == 429 for status in answered) / len(answered),
    }


async def main(limits: list[float], seconds: float) -> None:
    print(
        f"bulk_update at concurrency {CONCURRENCY} against a FakeVapiServer limited to N "
        f"requests/s (burst N, Retry-After whole seconds), answering in {LATENCY * 1000:.0f} ms; "
        f"about {seconds:g} s of items each"
    )
    print()
    header = (
        f"{'limit/s':>8}  {'adaptive':<9}{'items':>7}{'failed':>8}{'seconds':>9}"
        f"{'updates/s':>11}{'of limit':>10}{'429s':>8}"
    )
    print(header)
    print("-" * len(header))
    verdicts = []
    for limit in limits:
        for adaptive in (True, False):
            r = await run(limit, seconds, adaptive)
            print(
                f"{limit:>8,.0f}  {'on' if adaptive else 'off':<9}{r['items']:>7,.0f}"
                f"{r['failed']:>8,.0f}{r['seconds']:>9.1f}{r['rate']:>11,.1f}"
                f"{r['share']:>9.0%}{r['429s']:>9.1%}"
            )
            if adaptive:
                met = r["share"] >= 0.85 and r["429s"] <= 0.05
                verdicts.append(
                    f"limit {limit:,.0f}/s: {r['share']:.2f} of the limit with {r['429s']:.1%} "
                    f"429s (target >= 0.85 with <= 5%: {'met' if met else 'NOT met'})"
                )
    print()
    for verdict in verdicts:
        print(verdict)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limits", default="100,300", help="hidden limits, requests/s")
    parser.add_argument("--seconds", type=float, default=20.0)
    arguments = parser.parse_args()
    asyncio.run(main([float(x) for x in arguments.limits.split(",")], arguments.seconds))
