"""Worker processes sharing one limit they are not told, pacing through Redis or each alone.

Together, the share of the limit they reach and of their requests answered 429.

The fake (in a process of its own, `_limited.py`) lets through 300 requests a second
with a burst of 20, and answers the rest 429 without `Retry-After`. 1, 2 and 4 worker
processes split the items and a concurrency of 32 between them, each a client with
`pacing=RedisPacing(url)` on one `redis-server` (started here, on loopback); then 4 with
the default in-process pacing, for comparison. Each worker starts when all are ready;
the share is of the limit over the time from the first worker's start to the last one's
end. Needs `redis-server` and the `redis` extra.

    python benchmarks/fleet.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _limited import LATENCY, Answers, limited_server

from vapi_phone_async import RedisPacing, VapiPhoneClient
from vapi_phone_async.models import UpdateTwilioPhoneNumber
from vapi_phone_async.testing import TEST_API_KEY
from vapi_phone_async.testing._redis_server import RedisServer, redis_server_path

LIMIT, BURST = 300.0, 20
CONCURRENCY = 32  # in all, split between the workers


async def worker(config: dict[str, Any]) -> dict[str, Any]:
    """One worker: ready, wait for the start, update its numbers, say what it saw."""
    answers = Answers()
    redis_url = config["redis_url"]
    async with VapiPhoneClient(
        api_key=TEST_API_KEY,
        base_url=config["base_url"],
        pacing=RedisPacing(redis_url) if redis_url else None,
        event_hooks={"response": [answers]},
    ) as client:
        pairs = [(id_, UpdateTwilioPhoneNumber(name="Fleet")) for id_ in config["ids"]]
        print("ready", flush=True)
        sys.stdin.readline()
        started = time.time()
        result = await client.bulk_update(pairs, concurrency=config["concurrency"])
        ended = time.time()
    return {
        "updated": result.summary.updated,
        "failed": result.summary.failed,
        "started": started,
        "ended": ended,
        "throttled": answers.throttled,
        "answers": answers.total,
    }


def run_fleet(processes: int, items: int, redis_url: str | None) -> dict[str, float]:
    """`processes` workers updating `items` numbers between them against a fresh fake."""
    with limited_server(rate=LIMIT, burst=BURST) as (url, ids):
        workers = []
        for n in range(processes):
            share = [ids[i % len(ids)] for i in range(n, items, processes)]
            config = {
                "base_url": url,
                "redis_url": redis_url,
                "ids": share,
                "concurrency": CONCURRENCY // processes,
            }
            workers.append(
                subprocess.Popen(
                    [sys.executable, __file__, "--worker", json.dumps(config)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        for process in workers:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "ready"
        for process in workers:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        reports = []
        for process in workers:
            out, _ = process.communicate(timeout=300)
            reports.append(json.loads(out.splitlines()[-1]))
    updated = sum(report["updated"] for report in reports)
    elapsed = max(r["ended"] for r in reports) - min(r["started"] for r in reports)
    answers = sum(report["answers"] for report in reports)
    return {
        "failed": sum(report["failed"] for report in reports),
        "seconds": elapsed,
        "rate": updated / elapsed,
        "share": updated / elapsed / LIMIT,
        "429s": sum(report["throttled"] for report in reports) / answers if answers else 0.0,
    }


def main(seconds: float) -> int:
    if redis_server_path() is None:
        print("Not measured: redis-server is not installed (apt-get install redis-server).")
        return 1
    items = int(LIMIT * seconds)
    print(
        f"{items:,} updates split between worker processes (concurrency {CONCURRENCY} in all) "
        f"against a FakeVapiServer limited to {LIMIT:.0f} requests/s with a burst of {BURST} "
        f"(429 without Retry-After), answering in {LATENCY * 1000:.0f} ms"
    )
    print()
    header = (
        f"{'processes':>9}  {'pacing':<16}{'failed':>8}{'seconds':>9}{'updates/s':>11}"
        f"{'of limit':>10}{'429s':>8}"
    )
    print(header)
    print("-" * len(header))
    verdicts = []
    with RedisServer() as redis:
        for processes, shared in ((1, True), (2, True), (4, True), (4, False)):
            r = run_fleet(processes, items, redis.url if shared else None)
            pacing = "through Redis" if shared else "each on its own"
            print(
                f"{processes:>9}  {pacing:<16}{r['failed']:>8,.0f}{r['seconds']:>9.1f}"
                f"{r['rate']:>11,.1f}{r['share']:>9.0%}{r['429s']:>9.1%}",
                flush=True,
            )
            if shared:
                met = r["share"] >= 0.85 and r["429s"] <= 0.05
                verdicts.append(
                    f"{processes} through Redis: {r['share']:.2f} of the limit with "
                    f"{r['429s']:.1%} 429s (target >= 0.85 with <= 5%: "
                    f"{'met' if met else 'NOT met'})"
                )
    print()
    for verdict in verdicts:
        print(verdict)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="the run's length at the limit")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        print(json.dumps(asyncio.run(worker(json.loads(arguments.worker)))), flush=True)
        sys.exit(0)
    sys.exit(main(arguments.seconds))
