"""Run FakeVapiServer in its own process, so a benchmark's client has a core to itself."""

from __future__ import annotations

import contextlib
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
) -> Iterator[str]:
    """Start `python -m vapi_phone_async.testing` seeded with `numbers`; yield its URL.

    `page_cap` caps every listing answer as the live API does (100); by default the fake
    answers pages of any size, so that a walk's figures compare with pages of 1,000."""
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
    try:
        assert process.stdout is not None
        url, _key = process.stdout.readline().split()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
