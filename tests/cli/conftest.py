"""Fixtures of the command-line tests: one fake on a thread of its own (as a real API
would be), reseeded for each test, and `cli`, which runs `vapi-phone` in-process."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

from vapi_phone_async.cli import main
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from .helpers import Result, Run, Terminal, fake_on_a_thread, screen_text


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


@pytest.fixture
def terminal(
    server: FakeVapiServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    """Runs `vapi-phone ARGS` with stdout a terminal `columns` wide and `lines` high."""
    monkeypatch.setenv("VAPI_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("VAPI_BASE_URL", server.url)

    def run(*args: str, columns: int = 120, lines: int = 50) -> Result:
        monkeypatch.setenv("COLUMNS", str(columns))
        monkeypatch.setenv("LINES", str(lines))
        screen = Terminal()
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdout", screen)
        code = main(list(args))
        result = Result(code, screen_text(screen.getvalue()), capsys.readouterr().err)
        assert TEST_API_KEY not in result.out + result.err
        return result

    return run
