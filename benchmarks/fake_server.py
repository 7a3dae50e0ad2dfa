"""What FakeVapiServer itself costs per 1,000-number page, so that it can measure a client.

Prints, per page of `/v2/phone-number?limit=1000` over a seeded store: the time to build
the body in-process (the first time; again after a state change; from the body cache),
next to what a client pays to decode the same body; and, with --loopback, the wall time
of a page over 127.0.0.1 with a plain aiohttp client.

    python benchmarks/fake_server.py [--numbers 10000] [--loopback]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import time
from collections.abc import Callable

import aiohttp

from vapi_phone_async import decode_page
from vapi_phone_async.testing import FakeVapiServer
from vapi_phone_async.testing._listing import Lister
from vapi_phone_async.testing._seed import DEFAULT_START_US, generate
from vapi_phone_async.testing._store import Store

PAGE = 1000


def seeded_store(n: int) -> Store:
    store = Store()
    store.add_many(generate(n, seed=0, start_us=DEFAULT_START_US, org_id="org"))
    return store


def page_queries(n: int) -> list[dict[str, str]]:
    return [{"limit": str(PAGE), "page": str(page)} for page in range(1, n // PAGE + 1)]


def per_call(fn: Callable[[], object], repeat: int) -> float:
    """Median seconds of `fn` over `repeat` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def in_process(n: int) -> tuple[list[tuple[str, float]], int]:
    queries = page_queries(n)
    # A throwaway round first: the process's first megabytes of page bodies also pay for
    # growing the heap, which is not the fake's cost.
    warm_up = Lister(seeded_store(n))
    for query in queries:
        warm_up.page_body(query)
    del warm_up
    store = seeded_store(n)

    # Each page built for the first time (the numbers' JSON was encoded when seeded).
    lister = Lister(store)
    cold = []
    for query in queries:
        started = time.perf_counter()
        lister.page_body(query)
        cold.append(time.perf_counter() - started)

    # After a state change (one number renamed): the selection and page are rebuilt from
    # the numbers' cached JSON.
    def after_change() -> None:
        first = next(iter(store.numbers.values()))
        store.replace({**first, "name": "renamed"})
        lister.page_body(queries[0])

    rebuilt = per_call(after_change, 50)
    cached = per_call(lambda: lister.page_body(queries[0]), 2000)
    body = lister.page_body(queries[0])
    decode = per_call(lambda: decode_page(body), 50)
    loads = per_call(lambda: json.loads(body), 50)
    return [
        (f"build each page the first time (median of {len(queries)})", statistics.median(cold)),
        ("build after a state change (numbers' JSON cached)", rebuilt),
        ("serve from the body cache", cached),
        ("client: vapi_phone_async.decode_page of the body", decode),
        ("client: json.loads of the body", loads),
    ], len(body)


async def loopback(n: int, rounds: int) -> list[tuple[str, float]]:
    async with FakeVapiServer() as server:
        server.seed(n)
        headers = {"Authorization": "Bearer test-key"}
        async with aiohttp.ClientSession(base_url=server.url, headers=headers) as http:

            async def fetch(query: dict[str, str]) -> float:
                started = time.perf_counter()
                async with http.get("/v2/phone-number", params=query) as response:
                    await response.read()
                return time.perf_counter() - started

            queries = page_queries(n)
            first = [await fetch(q) for q in queries]
            again = [await fetch(q) for _ in range(rounds) for q in queries]
            server.clear_log()
    return [
        ("loopback GET, first time each page", statistics.median(first)),
        ("loopback GET, cached page", statistics.median(again)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=10_000)
    parser.add_argument("--loopback", action="store_true", help="also time pages over HTTP")
    parser.add_argument("--rounds", type=int, default=5, help="loopback walks to time")
    args = parser.parse_args()
    if args.numbers < PAGE:
        parser.error(f"--numbers must be at least {PAGE}")

    gc.collect()
    started = time.perf_counter()
    FakeVapiServer().seed(args.numbers)
    seed_seconds = time.perf_counter() - started
    rows, size = in_process(args.numbers)
    if args.loopback:
        rows += asyncio.run(loopback(args.numbers, args.rounds))

    print(f"FakeVapiServer, {args.numbers:,} seeded numbers (seeding took {seed_seconds:.2f} s)")
    print(f"one page = {PAGE:,} numbers, {size / 1e6:.2f} MB of JSON")
    print()
    width = max(len(label) for label, _ in rows)
    print(f"{'per 1,000-number page':<{width}}  {'ms':>9}")
    print(f"{'-' * width}  {'-' * 9}")
    for label, seconds in rows:
        print(f"{label:<{width}}  {seconds * 1000:>9.3f}")


if __name__ == "__main__":
    main()
