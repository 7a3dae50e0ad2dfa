"""One worker of a fleet, run as a process by tests/pacing/test_fleet.py: a client pacing
through Redis (or on its own), given its work as JSON on the command line. It prints
`ready`, waits for a line on stdin (so that the fleet starts together), does the work,
and prints one JSON line of what it saw.

    python tests/pacing/fleet_worker.py '{"base_url": ..., "redis_url": ..., ...}'

Work: `update` renames the numbers `ids` with bulk_update at `concurrency`; `get` fetches
`ids` one after another (for a server that fails them all, to spend the retry budget).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from vapi_phone_async import BackoffPlan, RedisPacing, RetryBudget, VapiPhoneClient
from vapi_phone_async.errors import VapiError
from vapi_phone_async.models import UpdateTwilioPhoneNumber


async def work(config: dict[str, Any]) -> dict[str, Any]:
    redis_url = config.get("redis_url")
    budget = RetryBudget(capacity=config.get("budget", 300))

    async def instantly(seconds: float) -> None:
        await asyncio.sleep(0)

    async with VapiPhoneClient(
        api_key=config["api_key"],
        base_url=config["base_url"],
        pacing=RedisPacing(redis_url) if redis_url else None,
        retry_budget=budget,
        backoff=BackoffPlan(type="fixed", max_retries=3, base_delay_seconds=0),
        sleep=None if config.get("real_sleep", True) else instantly,
    ) as client:
        print("ready", flush=True)
        sys.stdin.readline()
        started = time.perf_counter()
        if config["work"] == "update":
            name = config.get("name", "Fleet")
            pairs = [(id_, UpdateTwilioPhoneNumber(name=name)) for id_ in config["ids"]]
            result = await client.bulk_update(pairs, concurrency=config.get("concurrency", 8))
            done = {"updated": result.summary.updated, "failed": result.summary.failed}
        else:
            failed = 0
            for id_ in config["ids"]:
                try:
                    await client.get(id_)
                except VapiError:
                    failed += 1
            done = {"failed": failed}
        return {**done, "seconds": time.perf_counter() - started, "tokens": budget.tokens}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(work(json.loads(sys.argv[1])))), flush=True)
