"""Fixtures for every test. `fake_vapi` and `vapi_client` come from the package's pytest
plugin (`vapi_phone_async.testing.pytest_plugin`): the fake every test talks to, and a
client on it with the default options. This file adds the clients with other options
(`make_client`, and `client` with the options of the test's `client` marks), the instant
sleep that makes retries and 429 pauses immediate and visible, apply locks of the suite's
own, and a real Redis for the tests of pacing and locking through it.

A test builds a `VapiPhoneClient` by hand only where the building is what it tests (the
constructor's checks, the environment it reads, a URL where nothing listens), where no
fake is involved (a `MockTransport` or aioresponses unit test), or outside a test's own
event loop (a subprocess, a docs sample).

The Redis tests run `redis-server` (on a free port of 127.0.0.1, saving nothing). Where it
is not installed they skip, saying why; CI sets `VAPI_REQUIRE_REDIS=1` (`.ci/run` and the
nox test sessions), which makes them fail instead, so that they can never be skipped there
unnoticed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, settings

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async.testing import FakeVapiServer
from vapi_phone_async.testing._redis_server import RedisServer, redis_server_path

from .helpers import MakeClient, RecordedSleep, Wiretap

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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "client(**options): the VapiPhoneClient options that the clients `make_client` and "
        "`client` build for the test start from (a mark nearer the test wins)",
    )
    config.addinivalue_line(
        "markers",
        "slow: a test of a second or more of work (subprocesses, thousands of requests, a "
        "real clock); CI runs them on one Python, `-m 'not slow'` leaves them out",
    )


@pytest_asyncio.fixture
async def make_client(
    fake_vapi: FakeVapiServer, request: pytest.FixtureRequest
) -> AsyncIterator[MakeClient]:
    """`make_client(**options)`: a VapiPhoneClient on `fake_vapi` with the test key, built
    with the options of the test's `client` marks and then `options` (which may name
    another `base_url` or `api_key`). Every client it made is closed after the test; one
    used as `async with make_client() as client:` is closed at the end of the block."""
    marked: dict[str, Any] = {}
    for mark in reversed(list(request.node.iter_markers("client"))):  # the nearest last
        marked.update(mark.kwargs)
    async with contextlib.AsyncExitStack() as made:

        def make(**options: Any) -> VapiPhoneClient:
            defaults = {"api_key": fake_vapi.api_key, "base_url": fake_vapi.url}
            client = VapiPhoneClient(**{**defaults, **marked, **options})
            made.push_async_callback(client.aclose)
            return client

        yield make


@pytest_asyncio.fixture
async def client(make_client: MakeClient) -> VapiPhoneClient:
    """The test's client on `fake_vapi`, with the options of its `client` marks (a module's
    `pytestmark = pytest.mark.client(backoff=...)`); `vapi_client` where the defaults do."""
    return make_client()


@pytest.fixture
def wiretap(fake_vapi: FakeVapiServer) -> Wiretap:
    """A transport to `fake_vapi` that counts the sends in flight, for a client made with
    `make_client(transport=wiretap)`."""
    return Wiretap(fake_vapi.url)


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


@pytest_asyncio.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Any]:
    """A redis-py client of the test's `redis_server`, to look at (and meddle with) what
    pacing and locking keep there."""
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(redis_server.url)
    yield client
    await client.aclose()
