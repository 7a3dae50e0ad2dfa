"""A FakeVapiServer with a hidden request limit, in a process of its own, for the pacing
benchmarks; and the counting of what a client was answered.

The limit answers 429 without `Retry-After`, as Vapi's organisation limit does: a token
bucket (`--rate`, `--burst`), or a window of the clock (`--window` seconds, `--quota`
requests each, aligned to the wall clock as Vapi's UTC minute is), or both.

    python benchmarks/_limited.py --rate 300 --burst 20   # prints its URL, then the ids
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vapi_phone_async import ResponseEvent
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

LATENCY = 0.02


@contextlib.contextmanager
def limited_server(
    *,
    rate: float | None = None,
    burst: int | None = None,
    window: float | None = None,
    quota: int | None = None,
    latency: float = LATENCY,
) -> Iterator[tuple[str, list[str]]]:
    """Serve the fake with this hidden limit in a subprocess: its URL and the ids of
    Twilio numbers to update."""
    command = [sys.executable, str(Path(__file__).resolve()), "--latency", str(latency)]
    for flag, value in (("--rate", rate), ("--burst", burst), ("--window", window)):
        if value is not None:
            command += [flag, str(value)]
    if quota is not None:
        command += ["--quota", str(quota)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        ids = json.loads(process.stdout.readline())
        yield url, ids
    finally:
        if process.stdin is not None:
            process.stdin.close()  # the server stops when its stdin closes
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


@dataclass
class Answers:
    """What a client was answered, counted by a response hook: `client(event_hooks=
    {"response": [answers]})`. Successes keep their wall-clock time, for windows."""

    succeeded: list[float] = field(default_factory=list)
    throttled: int = 0
    other: int = 0

    def __call__(self, event: ResponseEvent) -> None:
        if event.status == 429:
            self.throttled += 1
        elif event.status is not None and event.status < 300:
            self.succeeded.append(time.time())
        else:
            self.other += 1

    @property
    def total(self) -> int:
        return len(self.succeeded) + self.throttled + self.other

    @property
    def share_throttled(self) -> float:
        return self.throttled / self.total if self.total else 0.0


async def _serve(options: argparse.Namespace) -> None:
    async with FakeVapiServer(api_key=TEST_API_KEY, latency=options.latency, max_log=1000) as fake:
        fake.seed(2_000)
        ids = [id_ for id_, data in fake.numbers.items() if data["provider"] == "twilio"]
        if options.rate is not None:
            fake.rate_limit(options.rate, options.burst, retry_after=False)
        if options.window is not None:
            fake.window_limit(options.quota, options.window)
        print(fake.url, flush=True)
        print(json.dumps(ids), flush=True)
        # Until the benchmark closes our stdin.
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float)
    parser.add_argument("--burst", type=int)
    parser.add_argument("--window", type=float)
    parser.add_argument("--quota", type=int)
    parser.add_argument("--latency", type=float, default=LATENCY)
    asyncio.run(_serve(parser.parse_args()))
