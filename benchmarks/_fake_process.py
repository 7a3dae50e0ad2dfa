"""Run FakeVapiServer in its own process, so a benchmark's client has a core to itself."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator

API_KEY = "bench-key"


@contextlib.contextmanager
def fake_server_process(
    numbers: int, *, latency: float = 0.0, cursors: bool = True, tie_rate: float = 0.0
) -> Iterator[str]:
    """Start `python -m vapi_phone_async.testing` seeded with `numbers`; yield its URL."""
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
    command += ["--cursors", "on" if cursors else "off"]
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
