"""Fixtures for every test. `fake_vapi` and `vapi_client` come from the package's pytest
plugin (`vapi_phone_async.testing.pytest_plugin`); this file adds the instant sleep that
makes retries and 429 pauses immediate and visible, apply locks of the suite's own, and a
real Redis for the tests of pacing and locking through it.

The Redis tests run `redis-server` (on a free port of 127.0.0.1, saving nothing). Where it
is not installed they skip, saying why; CI sets `VAPI_REQUIRE_REDIS=1` (`.ci/run` and the
nox test sessions), which makes them fail instead, so that they can never be skipped there
unnoticed.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from vapi_phone_async.testing._redis_server import RedisServer, redis_server_path

from .helpers import RecordedSleep

# Property-based tests: a bounded run in the normal suite; `--hypothesis-profile=deep`
# (or HYPOTHESIS_PROFILE=deep) for a long one before a release.
_FIXTURES_OUTLIVE_EXAMPLES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=_FIXTURES_OUTLIVE_EXAMPLES
)
settings.register_profile(
    "deep", max_examples=5_000, deadline=None, suppress_health_check=_FIXTURES_OUTLIVE_EXAMPLES
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def sleeps() -> RecordedSleep:
    """A sleep for `VapiPhoneClient(sleep=...)`: instant, and each wait recorded."""
    return RecordedSleep()


@pytest.fixture(scope="session")
def lock_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Where the suite's apply locks go: never the user's own lock directory."""
    return str(tmp_path_factory.mktemp("locks"))


@pytest.fixture(autouse=True)
def _apply_locks_in_a_temporary_directory(lock_dir: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAPI_LOCK_DIR", lock_dir)
    monkeypatch.delenv("VAPI_REDIS_URL", raising=False)  # a developer's own fleet
    monkeypatch.delenv("VAPI_BASE_URL", raising=False)  # a developer's own API or fake


def _redis_missing() -> str | None:
    if redis_server_path() is None:
        return "redis-server is not installed (apt-get install redis-server)"
    if importlib.util.find_spec("redis") is None:
        return "redis-py is not installed (pip install -e '.[redis]')"
    return None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A redis-server of this test's own, stopped after it."""
    missing = _redis_missing()
    if missing is not None:
        if os.environ.get("VAPI_REQUIRE_REDIS") == "1":
            pytest.fail(f"{missing}, and VAPI_REQUIRE_REDIS=1 says the Redis tests must run")
        pytest.skip(f"{missing}: the tests of pacing and locking through Redis run a server")
    with RedisServer() as server:
        yield server
