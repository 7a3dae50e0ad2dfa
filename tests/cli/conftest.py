"""Fixtures of the command-line tests: one fake on a thread of its own (as a real API
would be), reseeded for each test, and `cli`, which runs `vapi-phone` in-process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from .helpers import Run, fake_on_a_thread


@pytest.fixture(scope="package")
def fake() -> Iterator[FakeVapiServer]:
    """A FakeVapiServer serving from a thread of its own, as a real API would."""
    with fake_on_a_thread(FakeVapiServer(api_key=TEST_API_KEY)) as server:
        yield server


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
