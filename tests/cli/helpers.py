"""Helpers of the command-line tests: running `vapi-phone` in-process, a fake on a thread of
its own (and the suite's `ids_of`)."""

from __future__ import annotations

import asyncio
import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from vapi_phone_async.cli import main
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from ..helpers import ids_of

# ids_of is the suite's own (tests/helpers.py), offered here beside the CLI's helpers.
__all__ = ["UUID", "Result", "Run", "Terminal", "fake_on_a_thread", "ids_of", "screen_text"]


@dataclass
class Result:
    """What one run of `vapi-phone` did: exit code, stdout, stderr."""

    code: int
    out: str
    err: str


class Run:
    """Runs `vapi-phone ARGS` in-process; every run checks that the key was not printed."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
        self._capsys = capsys
        self._monkeypatch = monkeypatch

    def __call__(self, *args: str, stdin: str = "", terminal: bool = False) -> Result:
        """`terminal=True`: standard input is a terminal, where `stdin` is typed."""
        self._capsys.readouterr()
        self._monkeypatch.setattr("sys.stdin", (Terminal if terminal else io.StringIO)(stdin))
        code = main(list(args))
        captured = self._capsys.readouterr()
        assert TEST_API_KEY not in captured.out and TEST_API_KEY not in captured.err
        return Result(code, captured.out, captured.err)


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def screen_text(raw: str) -> str:
    """What a terminal shows of `raw`, less the progress bar: no escape codes, and of a
    line rewritten after a carriage return, the last version."""
    lines = [line.rsplit("\r", 1)[-1] for line in ESCAPE.sub("", raw).split("\n")]
    return "\n".join(line for line in lines if "━" not in line)


class Terminal(io.StringIO):
    """A stdout that says it is a terminal, as rich and the command line ask."""

    def isatty(self) -> bool:
        return True


@contextmanager
def fake_on_a_thread(server: FakeVapiServer) -> Iterator[FakeVapiServer]:
    """`server` started and serving from a thread of its own, as a real API would, so
    that a command run in-process (with its own event loop) can reach it."""
    loop = asyncio.new_event_loop()
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
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
