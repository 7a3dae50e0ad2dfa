"""Walking every number: client.paginate() beside bare aiohttp + msgspec and the official SDK.

For 10,000 numbers at page sizes 100 and 1000, with the fake answering at once and after
20 ms, it times the median walk of:

- floor: bare aiohttp and `decode_page` (one msgspec call a page), sending the very
  requests the client's sequential walk sends (page 1, then each `nextCursor`);
- this client, sequential (`prefetch=1`) and with `prefetch=8`;
- the official SDK's hand-written page loop (`vapi.AsyncVapi(...).phone_numbers.
  phone_number_controller_find_all_paginated(page=..., limit=...)`), over the first
  `--sdk-numbers` numbers only (it decodes with pydantic, ~2 ms a number), scaled to the
  full walk per number.

Then the peak RSS of a process walking 1,000 and 100,000 numbers. FakeVapiServer runs in
its own process (`python -m vapi_phone_async.testing`), so the client has a core to
itself; each RSS walk runs in a fresh child process that reports its own peak RSS.

    python benchmarks/paginate.py [--numbers 10000] [--rounds 5] [--sdk-numbers 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fake_process import API_KEY, fake_server_process

from vapi_phone_async import VapiPhoneClient, decode_page

PAGE_SIZES = (100, 1000)
LATENCIES = (0.0, 0.020)
PREFETCH = 8
SDK_ROUNDS = 2
RSS_WALKS = (1_000, 100_000)
RSS_PAGE_SIZE = 1000


# The walks. Each returns how many numbers it saw.


async def walk_client(client: VapiPhoneClient, page_size: int, prefetch: int) -> int:
    count = 0
    async for _ in client.paginate(page_size=page_size, prefetch=prefetch):
        count += 1
    return count


async def walk_floor(session: aiohttp.ClientSession, url: str, page_size: int) -> int:
    """The client's sequential requests (page numbers, as the spec has no cursor), with
    nothing around them but one decode a page; the end is where `totalItems` says."""
    headers = {"Authorization": f"Bearer {API_KEY}"}
    page_number = 1
    count = 0
    while True:
        params = {"limit": str(page_size), "page": str(page_number)}
        async with session.get(f"{url}/v2/phone-number", params=params, headers=headers) as r:
            r.raise_for_status()
            page = decode_page(await r.read())
        count += len(page.results)
        total = page.metadata.total_items
        if not page.results or (total is not None and count >= total):
            return count
        page_number += 1


async def walk_sdk(sdk: Any, page_size: int, numbers: int) -> int:
    """The SDK's own loop: page numbers until `hasNextPage` is false or `numbers` are in."""
    count, page_number = 0, 1
    while count < numbers:
        page = await sdk.phone_numbers.phone_number_controller_find_all_paginated(
            page=page_number, limit=page_size
        )
        count += len(page.results)
        if not page.results or count >= page.metadata.total_items:
            break
        page_number += 1
    return count


async def timed(walk: Callable[[], Awaitable[int]]) -> tuple[float, float, int]:
    """Wall and CPU seconds of one walk, and how many numbers it saw."""
    # Every walk starts from the same garbage collector state: a full collection that
    # falls into one walk (it scans every decoded number still alive) would otherwise
    # land on whichever contender happens to cross the threshold.
    gc.collect()
    started, cpu_started = time.perf_counter(), time.process_time()
    count = await walk()
    return time.perf_counter() - started, time.process_time() - cpu_started, count


# Speed.


async def measure_speed(
    url: str, numbers: int, page_size: int, rounds: int, sdk_numbers: int
) -> dict[str, float]:
    """Median seconds per walk of every contender (the SDK's scaled to `numbers`), and
    the median CPU seconds of this process for the floor and the sequential walk."""
    walks: dict[str, list[float]] = {"floor": [], "sequential": [], "prefetch": []}
    cpu: dict[str, list[float]] = {"floor": [], "sequential": []}
    async with (
        aiohttp.ClientSession() as session,
        VapiPhoneClient(api_key=API_KEY, base_url=url) as sequential,
        VapiPhoneClient(api_key=API_KEY, base_url=url) as prefetching,
    ):
        contenders: dict[str, Callable[[], Awaitable[int]]] = {
            "floor": lambda: walk_floor(session, url, page_size),
            "sequential": lambda: walk_client(sequential, page_size, 1),
            "prefetch": lambda: walk_client(prefetching, page_size, PREFETCH),
        }
        for walk in contenders.values():  # a first, untimed walk warms every side
            await walk()
        # Contenders take turns round by round, so a slow spell of the machine is shared.
        for _ in range(rounds):
            for name, walk in contenders.items():
                seconds, cpu_seconds, count = await timed(walk)
                if count != numbers:
                    raise SystemExit(f"{name} walked {count} numbers, not {numbers}")
                walks[name].append(seconds)
                if name in cpu:
                    cpu[name].append(cpu_seconds)
    result = {name: statistics.median(times) for name, times in walks.items()}
    result.update({f"{name} cpu": statistics.median(times) for name, times in cpu.items()})
    sdk = await measure_sdk(url, page_size, min(sdk_numbers, numbers))
    if sdk is not None:
        result["sdk"] = sdk * numbers
    return result


async def measure_sdk(url: str, page_size: int, numbers: int) -> float | None:
    """Median seconds per number of the SDK's loop over `numbers` numbers (None: no SDK)."""
    try:
        import httpx
        import vapi
    except ImportError:  # the SDK is optional
        return None
    async with httpx.AsyncClient() as http:
        sdk = vapi.AsyncVapi(token=API_KEY, base_url=url, httpx_client=http)
        await walk_sdk(sdk, page_size, 1)  # warm: one page
        per_number = []
        for _ in range(SDK_ROUNDS):
            seconds, _, count = await timed(lambda: walk_sdk(sdk, page_size, numbers))
            per_number.append(seconds / count)
    return statistics.median(per_number)


# Memory: each walk in a child process of its own.


def rss_child(url: str, numbers: int, prefetch: int) -> None:
    """Walk `numbers` numbers (1000 a page) and print this process's peak RSS in bytes."""

    async def walk() -> int:
        async with VapiPhoneClient(api_key=API_KEY, base_url=url) as client:
            count = 0
            pager = client.paginate(page_size=RSS_PAGE_SIZE, max_items=numbers, prefetch=prefetch)
            async for _ in pager:
                count += 1
            return count

    count = asyncio.run(walk())
    print(json.dumps({"numbers": count, "peak_rss": own_peak_rss()}))


def own_peak_rss() -> int:
    """This process's peak RSS in bytes.

    On Linux, VmHWM: `ru_maxrss` keeps the high-water mark of the process that forked
    this one through its exec, so a child of a large benchmark would report the parent.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, else KiB


def peak_rss(url: str, numbers: int, prefetch: int) -> int:
    command = [sys.executable, __file__, "--rss-child", url, str(numbers), str(prefetch)]
    result = json.loads(subprocess.run(command, check=True, capture_output=True).stdout)
    if result["numbers"] != numbers:
        raise SystemExit(f"the RSS walk saw {result['numbers']} numbers, not {numbers}")
    return int(result["peak_rss"])


# The report.


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:,.1f} ms"


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7, help="timed walks per contender")
    parser.add_argument("--sdk-numbers", type=int, default=2_000, help="numbers the SDK walks")
    parser.add_argument("--rss-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        url, numbers, prefetch = args.rss_child
        rss_child(url, int(numbers), int(prefetch))
        return

    started = time.perf_counter()
    numbers = args.numbers
    print(
        f"Walking {numbers:,} numbers; FakeVapiServer in its own process; median of "
        f"{args.rounds} walks each. The SDK walks its first {args.sdk_numbers:,} numbers, "
        f"scaled to {numbers:,} per number.\n"
    )
    header = (
        f"{'latency':>7} {'page':>5} {'floor':>9} {'client':>9} {'prefetch 8':>10} "
        f"{'SDK':>9} | {'client/floor':>12} {'cpu':>5} | {'SDK/client':>10} "
        f"{'SDK/pf 8':>8} | {'client/pf 8':>11}"
    )
    print(header)
    print("-" * len(header))
    results: dict[tuple[float, int], dict[str, float]] = {}
    for latency in LATENCIES:
        with fake_server_process(numbers, latency=latency) as url:
            for page_size in PAGE_SIZES:
                # At 20 ms a walk of 100 pages takes 2 s: fewer rounds there.
                rounds = args.rounds if latency == 0 or page_size == 1000 else 3
                row = asyncio.run(measure_speed(url, numbers, page_size, rounds, args.sdk_numbers))
                results[latency, page_size] = row
                sdk = row.get("sdk", math.nan)
                print(
                    f"{latency * 1000:>4.0f} ms {page_size:>5} {ms(row['floor']):>9} "
                    f"{ms(row['sequential']):>9} {ms(row['prefetch']):>10} {ms(sdk):>9} | "
                    f"{row['sequential'] / row['floor']:>11.2f}x "
                    f"{row['sequential cpu'] / row['floor cpu']:>4.2f}x | "
                    f"{sdk / row['sequential']:>9.0f}x {sdk / row['prefetch']:>7.0f}x | "
                    f"{row['sequential'] / row['prefetch']:>10.1f}x"
                )
    print(
        "\nfloor: bare aiohttp + decode_page, the same requests as the sequential client; "
        "cpu: the same ratio in\nthis process's CPU time (steadier on a busy machine); "
        "SDK: time per number over its first\nnumbers, times the walk's numbers.\n"
    )

    with fake_server_process(max(RSS_WALKS)) as url:
        rss = {
            (walk, prefetch): peak_rss(url, walk, prefetch)
            for prefetch in (1, PREFETCH)
            for walk in RSS_WALKS
        }
    small, large = RSS_WALKS
    for prefetch in (1, PREFETCH):
        print(
            f"Peak RSS of a process walking {RSS_PAGE_SIZE} a page, prefetch {prefetch}: "
            f"{small:,} numbers {rss[small, prefetch] / 2**20:.1f} MiB, {large:,} numbers "
            f"{rss[large, prefetch] / 2**20:.1f} MiB "
            f"({rss[large, prefetch] / rss[small, prefetch]:.2f}x)"
        )

    rows = results.values()
    worst_floor = max(row["sequential"] / row["floor"] for row in rows)
    worst_floor_cpu = max(row["sequential cpu"] / row["floor cpu"] for row in rows)
    worst_rss = max(rss[large, prefetch] / rss[small, prefetch] for prefetch in (1, PREFETCH))
    print("\nTargets:")
    print(
        f"  sequential walk within 1.2x of the floor: worst {worst_floor:.2f}x wall time "
        f"({worst_floor_cpu:.2f}x CPU), {verdict(worst_floor <= 1.2)}"
    )
    if all("sdk" in row for row in rows):
        at_once = min(
            results[0.0, size]["sdk"] / results[0.0, size]["sequential"] for size in PAGE_SIZES
        )
        late = {
            size: results[0.020, size]["sdk"] / results[0.020, size]["prefetch"]
            for size in PAGE_SIZES
        }
        print(
            f"  at least 50x faster than the official SDK: at 0 ms, sequential, least "
            f"{at_once:.0f}x, {verdict(at_once >= 50)}; at 20 ms, prefetch 8, "
            + ", ".join(f"{ratio:.0f}x at {size} a page" for size, ratio in late.items())
            + " (sequential walks there wait on the same 20 ms a page as the SDK)"
        )
    else:
        print("  at least 50x faster than the official SDK: not measured (vapi not installed)")
    gains = {
        size: results[0.020, size]["sequential"] / results[0.020, size]["prefetch"]
        for size in PAGE_SIZES
    }
    print(
        "  with 20 ms latency, prefetch 8 at least 3x faster than sequential: "
        + ", ".join(
            f"{gain:.1f}x at {size} a page ({verdict(gain >= 3)})" for size, gain in gains.items()
        )
    )
    print(
        "    (1000 a page is 10 pages: pages 1-8 go out at once, then 9-10, and the client "
        "decodes\n    the 10 MB a page at a time on one core, which bounds the gain there)"
    )
    print(
        f"  peak RSS of the {large:,}-number walk under 2x that of the {small:,}-number "
        f"walk: worst {worst_rss:.2f}x, {verdict(worst_rss < 2)}"
    )
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
