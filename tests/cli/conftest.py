"""Fixtures of the command-line tests: one fake on a thread of its own (as a real API
would be), reseeded for each test, and `cli`, which runs `vapi-phone` in-process."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from .helpers import Run


@pytest.fixture(scope="package")
def fake() -> Iterator[FakeVapiServer]:
    """A FakeVapiServer serving from a thread of its own, as a real API would."""
    loop = asyncio.new_event_loop()
    server = FakeVapiServer(api_key=TEST_API_KEY)
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        started.set()
        loop.run_forever()
        loop.run_until_complete(server.close())
        loop.close()

    thread = threading.Thread(target=serve, name="fake-vapi", daemon=True)
    thread.start()
    started.wait()
    yield server
    loop.call_soon_threadsafe(loop.stop)
    thread.join()


@pytest.fixture
def server(fake: FakeVapiServer) -> FakeVapiServer:
    """The shared fake, emptied and seeded with 40 numbers for each test."""
    fake.clear()
    fake.seed(40)
    return fake


@pytest.fixture
def cli(
    server: FakeVapiServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Run:
    """Runs `vapi-phone ARGS` against `server`, with the key and URL in the environment."""
    monkeypatch.setenv("VAPI_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("VAPI_BASE_URL", server.url)
    return Run(capsys, monkeypatch)
