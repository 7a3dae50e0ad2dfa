"""A real Redis for the tests of pacing through it.

These tests run `redis-server` (on a free port of 127.0.0.1, saving nothing). Where it is
not installed they skip, saying why; CI sets `VAPI_REQUIRE_REDIS=1` (`.ci/run` and the
nox test sessions), which makes them fail instead, so that they can never be skipped
there unnoticed.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator

import pytest

from vapi_phone_async.testing._redis_server import RedisServer, redis_server_path


def _missing() -> str | None:
    if redis_server_path() is None:
        return "redis-server is not installed (apt-get install redis-server)"
    if importlib.util.find_spec("redis") is None:
        return "redis-py is not installed (pip install -e '.[redis]')"
    return None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A redis-server of this test's own, stopped after it."""
    missing = _missing()
    if missing is not None:
        if os.environ.get("VAPI_REQUIRE_REDIS") == "1":
            pytest.fail(f"{missing}, and VAPI_REQUIRE_REDIS=1 says the Redis tests must run")
        pytest.skip(f"{missing}: the tests of pacing through Redis run a real server")
    with RedisServer() as server:
        yield server
