"""Requests per second of VapiPhoneClient beside bare aiohttp: 2,000 gets and 2,000 updates.

Both sides run at concurrency 32 over one connector limited to 32 connections, against a
FakeVapiServer in its own process, and decode every answer with the same msgspec decoder,
so the difference is what the client adds: validation, the retry engine and its pacing,
error mapping, logging. A second table times the retry engine alone around an attempt
that does nothing: a call that succeeds at once (the engine's loop, no tenacity state)
beside one whose first attempt fails (tenacity decides on the failure, once).

    python benchmarks/crud.py [--calls 2000] [--rounds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fake_process import API_KEY, fake_server_process

from vapi_phone_async import RetryBudget, VapiPhoneClient, decode_phone_number
from vapi_phone_async._options import RetrySettings
from vapi_phone_async._responses import status_error
from vapi_phone_async._retry import send_with_retries
from vapi_phone_async.models import BackoffPlan, UpdateTwilioPhoneNumber
from vapi_phone_async.pacing._local import LocalPacing
from vapi_phone_async.pacing._pacer import Pacer

CONCURRENCY = 32
CPU_SECONDS: list[float] = []
TARGETS = {"get": 0.87, "update": 0.95}


async def run_concurrently(calls: int, call: Callable[[int], Awaitable[object]]) -> float:
    """Seconds to make `calls` calls, at most CONCURRENCY at a time; adds the CPU seconds
    this process spent to CPU_SECONDS (steadier than wall time on a busy machine)."""
    next_index = 0

    async def worker() -> None:
        nonlocal next_index
        while next_index < calls:
            index = next_index
            next_index += 1
            await call(index)

    started, cpu_started = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    CPU_SECONDS.append(time.process_time() - cpu_started)
    return time.perf_counter() - started


async def twilio_ids(url: str) -> list[str]:
    async with VapiPhoneClient(api_key=API_KEY, base_url=url) as client:
        return [n.id async for n in client.paginate(page_size=1000) if n.provider == "twilio"]


async def measure_client(url: str, ids: list[str], calls: int) -> dict[str, float]:
    body = UpdateTwilioPhoneNumber(name="bench")
    async with VapiPhoneClient(
        api_key=API_KEY, base_url=url, max_connections=CONCURRENCY
    ) as client:
        await client.get(ids[0])  # open the session outside the timing
        get = await run_concurrently(calls, lambda i: client.get(ids[i % len(ids)]))
        get_cpu = CPU_SECONDS[-1]
        update = await run_concurrently(calls, lambda i: client.update(ids[i % len(ids)], body))
    return _rates(calls, get, get_cpu, update, CPU_SECONDS[-1])


def _rates(
    calls: int, get: float, get_cpu: float, update: float, update_cpu: float
) -> dict[str, float]:
    """Requests per second, and this process's CPU microseconds per call."""
    return {
        "get": calls / get,
        "update": calls / update,
        "get cpu": get_cpu / calls * 1e6,
        "update cpu": update_cpu / calls * 1e6,
    }


async def measure_bare(url: str, ids: list[str], calls: int) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    patch_headers = {**headers, "Content-Type": "application/json"}
    body = msgspec.json.encode(UpdateTwilioPhoneNumber(name="bench"))
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def get(index: int) -> object:
            target = f"{url}/phone-number/{ids[index % len(ids)]}"
            async with session.get(target, headers=headers) as response:
                return decode_phone_number(await response.read())

        async def update(index: int) -> object:
            target = f"{url}/phone-number/{ids[index % len(ids)]}"
            async with session.patch(target, data=body, headers=patch_headers) as response:
                return decode_phone_number(await response.read())

        await get(0)
        get_s = await run_concurrently(calls, get)
        get_cpu = CPU_SECONDS[-1]
        update_s = await run_concurrently(calls, update)
    return _rates(calls, get_s, get_cpu, update_s, CPU_SECONDS[-1])


async def main(calls: int, rounds: int) -> None:
    with fake_server_process(numbers=max(calls, 1000)) as url:
        ids = await twilio_ids(url)
        results: dict[str, dict[str, list[float]]] = {
            side: {"get": [], "update": [], "get cpu": [], "update cpu": []}
            for side in ("client", "bare aiohttp")
        }
        for _ in range(rounds):  # alternate, so drift in the machine hits both alike
            for name, measure in (("client", measure_client), ("bare aiohttp", measure_bare)):
                for operation, rate in (await measure(url, ids, calls)).items():
                    results[name][operation].append(rate)
    print(
        f"{calls:,} calls per operation, concurrency {CONCURRENCY}, one connector of "
        f"{CONCURRENCY}; FakeVapiServer in its own process; {rounds} rounds, requests/s"
    )
    print()
    print(
        f"{'operation':<10}{'side':<16}{'median':>10}{'min - max':>22}{'vs bare':>10}"
        f"{'CPU/call':>12}"
    )
    print("-" * 85)
    for operation in ("get", "update"):
        floor = statistics.median(results["bare aiohttp"][operation])
        for side in ("client", "bare aiohttp"):
            rates = results[side][operation]
            median = statistics.median(rates)
            spread = f"{min(rates):,.0f} - {max(rates):,.0f}"
            cpu = statistics.median(results[side][f"{operation} cpu"])
            print(
                f"{operation:<10}{side:<16}{median:>10,.0f}{spread:>22}{median / floor:>9.2f}x"
                f"{cpu:>14.0f} us"
            )
    print()
    for operation in ("get", "update"):
        ratio = statistics.median(results["client"][operation]) / statistics.median(
            results["bare aiohttp"][operation]
        )
        target = TARGETS[operation]
        verdict = "met" if ratio >= target else "NOT met"
        print(f"{operation}: client / bare aiohttp = {ratio:.2f}x (target >= {target}x: {verdict})")
    print()
    fast, slow = await engine_overhead()
    print("The retry engine alone, around an attempt that returns at once (CPU per call):")
    print()
    print(f"{'call':<34}{'us/call':>10}")
    print("-" * 44)
    print(f"{'succeeds at once':<34}{fast:>10.2f}")
    print(f"{'fails once, then succeeds':<34}{slow:>10.2f}")
    print()
    print(f"tenacity's state and decision: {slow - fast:.1f} us, paid only by a call that fails")


def _as_it_is(data: bytes) -> bytes:
    return data


async def engine_overhead(calls: int = 50_000, rounds: int = 5) -> tuple[float, float]:
    """CPU microseconds per call of the engine: a call that succeeds at once, and one
    whose first attempt fails (a 503, retried at once)."""
    pacer = Pacer(LocalPacing(budget=RetryBudget(capacity=1e12)))
    plan = BackoffPlan(type="fixed", max_retries=3, base_delay_seconds=0)
    settings = RetrySettings(plan=plan)
    failure = status_error("GET", "/", 503, {}, b"{}")

    async def at_once(number: int) -> bytes:
        return b""

    async def second_time(number: int) -> bytes:
        if number == 1:
            raise failure
        return b""

    async def no_wait(seconds: float) -> None:
        pass

    async def run(attempt: Callable[[int], Awaitable[bytes]]) -> None:
        for _ in range(calls):
            await send_with_retries(
                attempt,
                _as_it_is,
                method="GET",
                path="/",
                settings=settings,
                pacer=pacer,
                sleep=no_wait,
            )

    timings: dict[str, list[float]] = {"fast": [], "slow": []}
    for _ in range(rounds):
        for name, attempt in (("fast", at_once), ("slow", second_time)):
            started = time.process_time()
            await run(attempt)
            timings[name].append((time.process_time() - started) / calls * 1e6)
    return statistics.median(timings["fast"]), statistics.median(timings["slow"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    # Many short rounds, the two sides taking turns: a burst of the machine's other work
    # spoils a round or two, not the median.
    parser.add_argument("--rounds", type=int, default=15)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.calls, arguments.rounds))
