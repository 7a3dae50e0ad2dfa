"""Run FakeVapiServer in its own process, so a benchmark's client has a core to itself."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator

API_KEY = "bench-key"


@contextlib.contextmanager
def fake_server_process(
    numbers: int,
    *,
    latency: float = 0.0,
    cursors: bool = True,
    tie_rate: float = 0.0,
    page_cap: int | None = None,
    own_core: bool = False,
) -> Iterator[str]:
    """Start `python -m vapi_phone_async.testing` seeded with `numbers`; yield its URL.

    `page_cap` caps every listing answer as the live API does (100); by default the fake
    answers pages of any size, so that a walk's figures compare with pages of 1,000.
    `own_core`: the server runs on one core and this process on the others, for as long
    as the server runs (where the system lets a process choose; with two cores or more),
    so that neither moves onto the other's and both sides of a comparison meet the same
    machine."""
    command = [
        sys.executable,
        "-m",
        "vapi_phone_async.testing",
        "--numbers",
        str(numbers),
        "--api-key",
        API_KEY,
        "--latency",
        str(latency),
        "--tie-rate",
        str(tie_rate),
    ]
    command += ["--cursors", "on" if cursors else "off", "--page-cap", str(page_cap or 0)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    ours = _apart(process.pid) if own_core else None
    try:
        assert process.stdout is not None
        url, _key = process.stdout.readline().split()
        yield url
    finally:
        if ours is not None:
            os.sched_setaffinity(0, ours)
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def _apart(server: int) -> set[int] | None:
    """Put process `server` on the last of our cores and this process on the others;
    this process's cores as they were (None: nothing was changed)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    ours = os.sched_getaffinity(0)
    if len(ours) < 2:
        return None
    last = max(ours)
    os.sched_setaffinity(server, {last})
    os.sched_setaffinity(0, ours - {last})
    return ours
