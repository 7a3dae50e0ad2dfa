"""Sync: the time to plan 10,000 desired rows against 10,000 live numbers, beside a bare walk
of the same numbers; and the rate of an apply, beside bare aiohttp sending the same PATCHes.

The fake runs in its own process (`benchmarks/_fake_process.py`). The desired rows are an
export of the account (every field, as `vapi-phone export` writes them), a tenth of them
renamed. The bare walk is aiohttp fetching the same pages the plan walks, with as many
requests in flight as the plan's walk keeps, and decoding each with `decode_page`: the
floor of any plan, which must read every number. Both run against a fake that answers
pages of 1,000 at once (loopback: a page costs a few ms, so the plan's per-row work shows)
and after 20 ms (a realistic round trip), and against one capped at 100 numbers an answer
as the live API is, after 20 ms: there the plan asks for 1,000, learns the cap from the
first page and walks a hundred pages of 100, and the bare walk asks for pages of 100
from the start. The apply runs with the fake answering after 20 ms, at concurrency 32,
beside bare aiohttp sending the same PATCH bodies under a semaphore of 32; an apply first
walks the account again under its lock (the stale-plan check), which the bare PATCHes do
not. The apply's time includes what every apply does first,
under the account's apply lock: one more walk of the account, to check that it is still
as planned.

    python benchmarks/sync.py [--numbers 10000] [--rounds 5]
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

import aiohttp
import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fake_process import API_KEY, fake_server_process

from vapi_phone_async import VapiPhoneClient, decode_page
from vapi_phone_async.cli._records import to_wire
from vapi_phone_async.pagination import WHOLE_LISTING_PREFETCH

CONCURRENCY = 32
RENAMED_SHARE = 10  # one row in ten asks for a new name
# (label, the fake's latency, its page cap, the target ratio of plan to bare walk)
SCENARIOS = (
    ("pages of 1,000", 0.0, None, None),
    ("pages of 1,000", 0.02, None, 1.5),
    ("capped at 100", 0.02, 100, 1.2),
)


async def export(url: str) -> list[dict[str, Any]]:
    async with VapiPhoneClient(api_key=API_KEY, base_url=url) as client:
        return [to_wire(n, show_secrets=True) async for n in client.paginate(page_size=1000)]


def desired(rows: list[dict[str, Any]], tag: str) -> list[dict[str, Any]]:
    return [
        {**row, "name": f"{tag} {index}"} if index % RENAMED_SHARE == 0 else row
        for index, row in enumerate(rows)
    ]


async def time_plan(url: str, rows: list[dict[str, Any]]) -> tuple[float, Any]:
    async with VapiPhoneClient(api_key=API_KEY, base_url=url) as client:
        await client.get(rows[0]["id"])  # the session opens outside the timing
        started = time.perf_counter()
        plan = await client.plan_sync(rows)
        return time.perf_counter() - started, plan


async def time_bare_walk(url: str, total: int, page_size: int) -> float:
    """aiohttp walking `total` numbers in pages of `page_size`, with the plan walk's
    requests in flight, each page decoded in order."""
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.get(f"{url}/phone-number/x") as response:
            await response.read()  # the connection opens outside the timing

        async def fetch(page: int) -> bytes:
            params = {"limit": str(page_size), "page": str(page), "sortOrder": "DESC"}
            async with session.get(f"{url}/v2/phone-number", params=params) as response:
                return await response.read()

        pages = math.ceil(total / page_size)
        started = time.perf_counter()
        in_flight: list[asyncio.Task[bytes]] = []
        requested = 0
        for _ in range(pages):
            while len(in_flight) < WHOLE_LISTING_PREFETCH and requested < pages:
                requested += 1
                in_flight.append(asyncio.ensure_future(fetch(requested)))
            decode_page(await in_flight.pop(0))
        return time.perf_counter() - started


async def time_apply(url: str, rows: list[dict[str, Any]]) -> tuple[float, int]:
    async with VapiPhoneClient(api_key=API_KEY, base_url=url) as client:
        plan = await client.plan_sync(rows)
        started = time.perf_counter()
        result = await plan.apply(concurrency=CONCURRENCY)
        elapsed = time.perf_counter() - started
    if result.summary.updated != len(plan.updates):
        raise RuntimeError(f"only {result.summary.updated} of {len(plan.updates)} updated")
    return elapsed, len(plan.updates)


async def time_bare_patches(url: str, bodies: list[tuple[str, bytes]]) -> float:
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
    semaphore = asyncio.Semaphore(CONCURRENCY)
    async with aiohttp.ClientSession(headers=headers) as session:

        async def patch(number_id: str, body: bytes) -> None:
            async with (
                semaphore,
                session.patch(f"{url}/phone-number/{number_id}", data=body) as response,
            ):
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"PATCH answered {response.status}")

        started = time.perf_counter()
        await asyncio.gather(*(patch(number_id, body) for number_id, body in bodies))
        return time.perf_counter() - started


async def measure_plan(
    numbers: int, rounds: int, latency: float, page_cap: int | None
) -> tuple[list[float], list[float], Any]:
    with fake_server_process(numbers=numbers, latency=latency, page_cap=page_cap) as url:
        rows = desired(await export(url), "planned")
        plans, walks = [], []
        plan = None
        for _ in range(rounds):  # alternate, so drift in the machine hits both alike
            seconds, plan = await time_plan(url, rows)
            plans.append(seconds)
            walks.append(await time_bare_walk(url, numbers, page_cap or 1000))
    return plans, walks, plan


async def main(numbers: int, rounds: int) -> None:
    print(
        f"plan: {numbers:,} desired rows (an export, one in {RENAMED_SHARE} renamed) against "
        f"{numbers:,} live numbers; FakeVapiServer in its own process; {rounds} rounds; "
        f"{WHOLE_LISTING_PREFETCH} page requests in flight in both walks"
    )
    print()
    print(f"{'the fake':<24}{'':<30}{'median ms':>10}{'min - max':>16}{'ratio':>8}")
    print("-" * 88)
    verdicts = []
    plan = None
    for label, latency, cap, target in SCENARIOS:
        plans, walks, plan = await measure_plan(numbers, rounds, latency, cap)
        ratio = statistics.median(plans) / statistics.median(walks)
        where = f"{label}, {latency * 1000:.0f} ms"
        for name, values in (
            ("client.sync (walk + plan)", plans),
            ("bare walk (aiohttp + decode)", walks),
        ):
            spread = f"{min(values) * 1000:,.0f} - {max(values) * 1000:,.0f}"
            shown = f"{ratio:>7.2f}x" if values is plans else ""
            print(
                f"{where:<24}{name:<30}"
                f"{statistics.median(values) * 1000:>10,.0f}{spread:>16}{shown}"
            )
        verdicts.append((where, ratio, target))
    print()
    counts = ", ".join(f"{count} {name}" for name, count in plan.counts().items())
    print(f"the plan: {counts}")
    for where, ratio, target in verdicts:
        if target is None:
            print(f"plan / bare walk, {where}: {ratio:.2f}x (no target)")
            continue
        verdict = "met" if ratio <= target else "NOT met"
        print(f"plan / bare walk, {where}: {ratio:.2f}x (target <= {target}x: {verdict})")

    with fake_server_process(numbers=numbers, latency=0.02) as url:
        rows = await export(url)
        applied, count = await time_apply(url, desired(rows, "applied"))
        renamed = desired(rows, "bare")
        bodies = [
            (row["id"], msgspec.json.encode({"provider": row["provider"], "name": row["name"]}))
            for index, row in enumerate(renamed)
            if index % RENAMED_SHARE == 0
        ]
        bare = await time_bare_patches(url, bodies)
    print()
    print(f"apply: {count:,} updates at concurrency {CONCURRENCY}, the fake answering in 20 ms")
    print()
    print(f"{'':<34}{'updates/s':>10}")
    print("-" * 44)
    print(f"{'plan.apply()':<34}{count / applied:>10,.0f}")
    print(f"{'bare aiohttp, same PATCHes':<34}{len(bodies) / bare:>10,.0f}")
    print()
    print(f"apply / bare aiohttp = {bare / applied:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.numbers, arguments.rounds))
