"""A call's deadline, with no timer of its own while the call waits for nothing.

A timer armed for every call (`asyncio.timeout`) cost about a tenth of a loopback get
(benchmarks/crud.py), and most calls wait for nothing but their one attempt. So the
attempt is bounded by the transport, which is handed the deadline in the `Request`
(`Request.deadline`: it waits no longer for a connection, and shortens the attempt to what
remains); and the call path bounds each of its own waits with `bounded`: its turn (the
pacer), the user's hooks, a 429's report, the wait before a retry, a create's lookup.
Whichever runs out raises the built-in `TimeoutError`, which `Deadline.timeout_error`
turns into the call's `APITimeoutError`, naming what the call was doing (a `Deadline` is
the call's `Progress` too).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable
from typing import TypeVar

import anyio

from ._progress import Progress
from .errors import APITimeoutError

__all__ = ["DEADLINE_ERRORS", "Deadline", "bounded", "deadline_at", "ran_out"]

_T = TypeVar("_T")

# What a wait cut short at the deadline raises: the built-in TimeoutError (on Python 3.10,
# asyncio's own is another class).
DEADLINE_ERRORS = (TimeoutError, asyncio.TimeoutError)
# Timers fire at their time or just after it; a little slack for a clock read just before.
_SLACK = 0.001


def deadline_at(seconds: float) -> float:
    """The loop time `seconds` from now: a `Request.deadline`."""
    return asyncio.get_running_loop().time() + seconds


def ran_out(at: float | None) -> bool:
    """Whether the deadline at loop time `at` has run out (None: there is none)."""
    return at is not None and asyncio.get_running_loop().time() >= at - _SLACK


class Deadline(Progress):
    """One call's deadline, `limit` seconds from now: when it runs out (`at`, loop time),
    and what the call is doing (the `Progress` it is, which the transport and the call
    path mark: one object a call, handed to the transport as `Request.progress`)."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.at = deadline_at(limit)

    def passed(self) -> bool:
        """Whether the deadline has run out."""
        return ran_out(self.at)

    def timeout_error(self, method: str, path: str) -> APITimeoutError:
        """The call's error once the deadline ran out: what it cut short, and whether
        anything of the call may have reached the server."""
        # Nothing that may have acted: a create can say it was not made.
        untouched = not self.in_flight and not self.acted
        return APITimeoutError(
            f"the call's deadline of {self.limit} s ran out {self.describe()}",
            method=method,
            path=path,
            connect_failed=untouched,
        )


if sys.version_info >= (3, 11):

    async def bounded(awaitable: Awaitable[_T], at: float | None) -> _T:
        """`awaitable`, raising `TimeoutError` if it is not done by loop time `at` (None:
        no bound)."""
        if at is None:
            return await awaitable
        async with asyncio.timeout_at(at):
            return await awaitable

else:  # pragma: no cover - Python 3.10

    async def bounded(awaitable: Awaitable[_T], at: float | None) -> _T:
        """`awaitable`, raising `TimeoutError` if it is not done by loop time `at` (None:
        no bound)."""
        if at is None:
            return await awaitable
        with anyio.fail_after(max(0.0, at - anyio.current_time())):
            return await awaitable
