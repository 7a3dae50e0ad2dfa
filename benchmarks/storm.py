"""A bulk run against a dead server: requests sent and time taken, with the retry budget
and without it.

FakeVapiServer answers every PATCH 503. `bulk_update` runs at concurrency 16 with the
client's defaults (BackoffPlan exponential, 3 retries from 0.5 s, waited for real), once
with its retry budget and once without, for a smaller run (it takes a few seconds an
item). The figure that matters is requests per item: without a budget every item is
tried four times; with it, the whole run gets at most 150 retries.

    python benchmarks/storm.py [--items 1000] [--unbudgeted-items 200]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async.models import UpdateTwilioPhoneNumber
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

CONCURRENCY = 16


async def storm(items: int, budget: bool) -> dict[str, float]:
    async with FakeVapiServer(api_key=TEST_API_KEY) as server:
        server.inject_fault("PATCH", status=503, times=10_000_000)
        pairs = [(f"number-{i}", UpdateTwilioPhoneNumber(name="Storm")) for i in range(items)]
        async with VapiPhoneClient(
            api_key=TEST_API_KEY, base_url=server.url, retry_budget=budget
        ) as client:
            started = time.perf_counter()
            result = await client.bulk_update(pairs, concurrency=CONCURRENCY)
            elapsed = time.perf_counter() - started
        sent = len(server.requests("PATCH"))
    naming_budget = sum(
        "retry budget is spent" in (outcome.reason or "") for outcome in result.outcomes
    )
    return {
        "items": items,
        "sent": sent,
        "failed": result.summary.failed,
        "naming": naming_budget,
        "seconds": elapsed,
    }


async def main(items: int, unbudgeted_items: int) -> None:
    print(
        f"bulk_update, concurrency {CONCURRENCY}, every PATCH answered 503; the default "
        "BackoffPlan (exponential, 3 retries, 0.5 s base), real waits"
    )
    print()
    header = (
        f"{'retry budget':<14}{'items':>7}{'requests':>10}{'per item':>10}{'failed':>8}"
        f"{'say budget':>12}{'seconds':>9}"
    )
    print(header)
    print("-" * len(header))
    rows = [("on (default)", await storm(items, True))]
    rows.append(("off", await storm(unbudgeted_items, False)))
    for label, r in rows:
        print(
            f"{label:<14}{r['items']:>7,.0f}{r['sent']:>10,.0f}{r['sent'] / r['items']:>10.2f}"
            f"{r['failed']:>8,.0f}{r['naming']:>12,.0f}{r['seconds']:>9.1f}"
        )
    print()
    budgeted = rows[0][1]
    verdict = "met" if budgeted["sent"] <= items * 1.15 else "NOT met"
    print(
        f"{items:,} items against a dead server: {budgeted['sent']:,.0f} requests in "
        f"{budgeted['seconds']:.1f} s (target <= {items * 1.15:,.0f}: {verdict})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--unbudgeted-items", type=int, default=200)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.items, arguments.unbudgeted_items))
