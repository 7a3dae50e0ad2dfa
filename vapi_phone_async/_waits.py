"""The sleep a client waits with between retries and during 429 pauses when it is given
none, and the switch that makes that sleep instant for tests (as stamina's `set_testing`).

The switch is one module-level value, read once per wait and never on a call that is not
retried: a client's hot path does not see it. Token-bucket pacing (`rate_limit`, the
adaptive rate, a fleet's shared pause in Redis) keeps real time: it shapes traffic by the
clock, and a bucket or a pause kept by the clock is not shortened by waiting less.
"""

from __future__ import annotations

import asyncio
from types import TracebackType

from ._rules import flag, raise_for

__all__ = ["InstantWaits", "default_sleep", "is_testing", "set_testing"]

# Where skipped waits are recorded while testing is on; None: waits are slept.
_record: list[float] | None = None


async def default_sleep(seconds: float) -> None:
    """`asyncio.sleep(seconds)`; while testing is on, one turn of the event loop instead
    (other tasks run as they would have while it waited), with `seconds` recorded."""
    record = _record
    if record is None:
        await asyncio.sleep(seconds)
        return
    record.append(seconds)
    await asyncio.sleep(0)


class InstantWaits:
    """What `set_testing` returns: the waits skipped since, and the previous setting,
    which leaving it as a context manager restores."""

    __slots__ = ("_previous", "waits")

    def __init__(self, waits: list[float], previous: list[float] | None) -> None:
        #: The seconds each skipped wait would have lasted, in order (empty when testing
        #: was turned off).
        self.waits = waits
        self._previous = previous

    def __repr__(self) -> str:
        return f"InstantWaits(waits={self.waits!r})"

    def __enter__(self) -> InstantWaits:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        global _record
        _record = self._previous


def set_testing(testing: bool) -> InstantWaits:
    """Make the retry waits and 429 pauses of every client instant (`True`) or real again
    (`False`), in this process, until changed.

    While it is on, a wait returns after one turn of the event loop and its length is
    recorded in the returned `InstantWaits.waits`. A client made with `sleep=` keeps its
    own sleep; rate limits (`rate_limit`, the adaptive rate, a fleet's pause in Redis)
    keep real time. Used as a context manager, it restores the previous setting on exit.
    The pytest fixtures `fake_vapi` and `vapi_client` turn it on for their test.

        with set_testing(True) as instant:
            number = await client.get(number_id)  # a 503 first: retried at once
        assert len(instant.waits) == 1  # about 0.5 s, not slept
    """
    raise_for(flag("testing", testing))
    global _record
    previous = _record
    waits: list[float] = []
    _record = waits if testing else None
    return InstantWaits(waits, previous)


def is_testing() -> bool:
    """Whether `set_testing(True)` is in effect: retry waits and 429 pauses are instant."""
    return _record is not None
