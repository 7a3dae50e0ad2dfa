"""How long a command has taken: from the start of `main` to now, less the time its
prompts waited for an answer. Reading the file, planning (the walk of the account) and
applying all count: the times printed are the wait a user has, Python's start-up aside."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["elapsed", "start", "waiting"]

_started = time.perf_counter()
_waited = 0.0


def start() -> None:
    """The command starts now."""
    global _started, _waited  # one command a process (or a test's run)
    _started = time.perf_counter()
    _waited = 0.0


@contextmanager
def waiting() -> Iterator[None]:
    """A wait for the user (a prompt), which the command's time leaves out."""
    global _waited
    began = time.perf_counter()
    try:
        yield
    finally:
        _waited += time.perf_counter() - began


def elapsed() -> float:
    """Seconds since `start`, less the prompts' waits."""
    return time.perf_counter() - _started - _waited
