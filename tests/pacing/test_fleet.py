"""A fleet of worker processes pacing through one Redis: they learn one rate for a limit
none of them is told, a 429 one of them gets pauses them all, and one retry budget is
spent between them. Each worker is `fleet_worker.py`, in a process of its own."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer
from vapi_phone_async.testing._redis_server import RedisServer

from ..helpers import twilio_ids

# Workers in processes of their own, paced on a real clock: slow.
pytestmark = pytest.mark.slow

WORKER = Path(__file__).with_name("fleet_worker.py")
TIMEOUT = 60.0


async def run_fleet(configs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Start one worker per config, let them all go at once, and return what each saw."""
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            json.dumps(config),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for config in configs
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            ready = await asyncio.wait_for(process.stdout.readline(), TIMEOUT)
            assert ready.strip() == b"ready"
        outputs = await asyncio.wait_for(
            asyncio.gather(*(process.communicate(b"go\n") for process in processes)), TIMEOUT
        )
    finally:
        for process in processes:
            if process.returncode is None:  # pragma: no cover - only when a worker hangs
                process.kill()
                await process.wait()
    assert all(process.returncode == 0 for process in processes)
    return [json.loads(out.splitlines()[-1]) for out, _ in outputs]


async def test_four_workers_share_one_limit_they_are_not_told_and_a_429_pauses_them_all(
    fake_vapi: FakeVapiServer, redis_server: RedisServer
) -> None:
    ids = twilio_ids(fake_vapi, 240)
    shares = [ids[i::4] for i in range(4)]
    worker_of = {id_: n for n, share in enumerate(shares) for id_ in share}
    fake_vapi.latency = 0.01
    # The limit, never said: low enough that four workers meet it on a busy machine too.
    fake_vapi.rate_limit(100, burst=5, retry_after=False)
    fake_vapi.inject_fault("PATCH", status=429, retry_after=1)  # one worker is told to wait
    base = {"api_key": TEST_API_KEY, "base_url": fake_vapi.url, "redis_url": redis_server.url}

    results = await run_fleet([{**base, "work": "update", "ids": share} for share in shares])

    assert [r["updated"] for r in results] == [60] * 4 and [r["failed"] for r in results] == [0] * 4
    patches = fake_vapi.requests("PATCH")
    (told,) = [r for r in patches if r.fault == "status"]
    # The pause: once the 429 was known to the fleet, nothing came from any worker for
    # the second asked (a gap, whenever it began: a loaded machine may be slow to begin
    # it), and every worker had work left for after it.
    later = sorted((r.received_at, worker_of[r.path.rsplit("/", 1)[1]]) for r in patches)
    later = [(at, worker) for at, worker in later if at >= told.received_at]
    gaps = [(b[0] - a[0], b[0]) for a, b in itertools.pairwise(later)]
    gap, resumed = max(gaps)
    # Half the second asked: a worker's request already on its way when the pause began
    # lands inside it, and on a loaded machine the pause begins late.
    assert gap >= 0.5
    assert {worker for at, worker in later if at >= resumed} == {0, 1, 2, 3}
    # One state for the fleet, which saw the told 429 and the limit's own as its events
    # (one event, or two: 429s that answer requests sent before the first was known are
    # the same event, and on a busy machine the limit's may all be such).
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(redis_server.url)
    try:
        keys = await client.keys("*")
        assert len(keys) == 1
        assert int(await client.hget(keys[0], "epoch")) >= 1
    finally:
        await client.aclose()
    assert any(r.fault == "rate-limit" for r in patches)


async def test_two_workers_spend_one_retry_budget(
    fake_vapi: FakeVapiServer, redis_server: RedisServer
) -> None:
    """A dead server; each worker's budget allows 10 retries (20 tokens, 2 a retry): the
    two of them make 10 in all, not 20."""
    fake_vapi.inject_fault("GET", status=503, times=1_000)
    base = {"api_key": TEST_API_KEY, "base_url": fake_vapi.url, "redis_url": redis_server.url}
    config = {**base, "work": "get", "budget": 20, "real_sleep": False}

    results = await run_fleet([{**config, "ids": [f"{w}-{i}" for i in range(10)]} for w in "ab"])

    assert [r["failed"] for r in results] == [10, 10]
    first_attempts = 20
    assert len(fake_vapi.requests("GET")) == first_attempts + 10
    assert min(r["tokens"] for r in results) < 2  # what is left cannot pay for a retry
