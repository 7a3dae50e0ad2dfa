"""Bulk update throughput: `client.bulk_update` beside bare aiohttp doing the same PATCHes.

The fake server runs in its own process (`python -m vapi_phone_async.testing`), seeded
with 5,000 numbers and answering after 20 ms, so neither side pays for the server's CPU.
Bare aiohttp gets the client's connector limits (100 connections, no per-host limit) and a
semaphore of `concurrency`; it sends the same JSON bodies and reads each answer, nothing
more. At concurrency 1 the 20 ms latency caps either side near 50 updates/s, so that row
uses 500 updates to keep the whole run near a minute; the table says so.

    python benchmarks/bulk.py [--latency 0.02] [--numbers 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import time
from collections.abc import Sequence

import aiohttp
import msgspec

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async.models import UPDATE_BODIES, UpdatePhoneNumber

API_KEY = "bench-key"
CONCURRENCIES = (1, 8, 32)
ITEMS_AT_CONCURRENCY_1 = 500


def start_server(numbers: int, latency: float) -> tuple[subprocess.Popen[str], str]:
    """The fake in a child process; returns it and its URL (its first line of output)."""
    command = [sys.executable, "-m", "vapi_phone_async.testing", "--api-key", API_KEY]
    command += ["--numbers", str(numbers), "--latency", str(latency)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    url = process.stdout.readline().split()[0]
    return process, url


async def updates(url: str) -> list[tuple[str, UpdatePhoneNumber]]:
    """One rename per stored number, with the update body of its provider."""
    pairs: list[tuple[str, UpdatePhoneNumber]] = []
    async with VapiPhoneClient(api_key=API_KEY, base_url=url) as client:
        async for number in client.paginate(page_size=1000):
            provider = msgspec.to_builtins(number)["provider"]
            pairs.append((number.id, UPDATE_BODIES[provider](name=f"bench {len(pairs)}")))
    return pairs


class Measured:
    """Updates per second, and this process's CPU milliseconds per update."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __enter__(self) -> Measured:
        self._wall, self._cpu = time.perf_counter(), _cpu()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.rate = self.count / (time.perf_counter() - self._wall)
        self.cpu_ms = (_cpu() - self._cpu) * 1000 / self.count


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def bare(
    url: str, pairs: Sequence[tuple[str, UpdatePhoneNumber]], concurrency: int
) -> Measured:
    """Plain aiohttp: a semaphore, the same connector limits, the same bodies."""
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=100, limit_per_host=0)
    semaphore = asyncio.Semaphore(concurrency)
    encode = msgspec.json.encode
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def patch(number_id: str, body: UpdatePhoneNumber) -> None:
            path = f"{url}/phone-number/{number_id}"
            async with semaphore, session.patch(path, data=encode(body)) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"PATCH answered {response.status}")

        with Measured(len(pairs)) as measured:
            await asyncio.gather(*(patch(number_id, body) for number_id, body in pairs))
    return measured


async def client_bulk(
    url: str, pairs: Sequence[tuple[str, UpdatePhoneNumber]], concurrency: int
) -> Measured:
    """`client.bulk_update`: validation, retries, typed results, one outcome per item."""
    async with VapiPhoneClient(api_key=API_KEY, base_url=url) as client:
        with Measured(len(pairs)) as measured:
            result = await client.bulk_update(pairs, concurrency=concurrency)
    if result.summary.updated != len(pairs):
        raise RuntimeError(f"only {result.summary.updated} of {len(pairs)} updates succeeded")
    return measured


async def main(numbers: int, latency: float) -> None:
    process, url = start_server(numbers, latency)
    try:
        pairs = await updates(url)
        print(f"bulk update: {numbers} numbers, {latency * 1000:.0f} ms server latency")
        print()
        print(
            "concurrency  updates  bare aiohttp/s  bulk_update/s  ratio"
            "  client CPU ms/update (bare, bulk)"
        )
        for concurrency in CONCURRENCIES:
            batch = pairs[:ITEMS_AT_CONCURRENCY_1] if concurrency == 1 else pairs
            baseline = await bare(url, batch, concurrency)
            ours = await client_bulk(url, batch, concurrency)
            print(
                f"{concurrency:>11}  {len(batch):>7}  {baseline.rate:>14,.0f}"
                f"  {ours.rate:>13,.0f}  {ours.rate / baseline.rate:>4.2f}x"
                f"  {baseline.cpu_ms:>20.2f}, {ours.cpu_ms:.2f}"
            )
        print()
        print(f"concurrency 1 uses {ITEMS_AT_CONCURRENCY_1} updates (20 ms each, one at a time).")
        print("The fake server has a process of its own; where both sides reach the same rate,")
        print("its CPU is the limit, and the CPU column shows what each client costs.")
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=5_000)
    parser.add_argument("--latency", type=float, default=0.02)
    args = parser.parse_args()
    asyncio.run(main(args.numbers, args.latency))
