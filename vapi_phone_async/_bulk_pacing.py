"""How the requests of one bulk run are paced and retried: rate limit, 429 pause, retries.

A bulk run sends every request as a single attempt (the client's own retries turned off)
and retries it here, so that each request, first or retried, passes one shared gate:

- `rate_limit` is a token bucket holding one token, refilled `rate_limit` times a second:
  the run's requests start at least `1 / rate_limit` seconds apart, so no one-second
  window holds more than `rate_limit + 1` of them.
- A 429 closes the gate for every worker of the run for as long as the server asked
  (`Retry-After`) or the BackoffPlan's next delay, whichever is longer. Without the shared
  pause each of N workers would learn of the limit on its own and keep the server
  saturated; with it the whole batch slows down together.
- A 429 does not spend the item's retries under the BackoffPlan, which are for failures;
  it spends a separate, generous budget (`MAX_RATE_LIMITED_RETRIES`), so a storm of 429s
  makes a batch slow, not failed. A `Retry-After` longer than the client's
  `max_retry_after` still fails the item, as it fails a single call.
- Every other failure is retried as the client itself would: `should_retry` and
  `retry_delay` (the plan's wait, or a longer `Retry-After`) with the client's
  BackoffPlan, waiting with the client's `sleep`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio

from ._retry import RetrySettings, Sleep, retry_delay, should_retry
from .errors import APIStatusError, RateLimitError, VapiError

__all__ = ["MAX_RATE_LIMITED_RETRIES", "Pacer"]

logger = logging.getLogger("vapi_phone_async")

R = TypeVar("R")

# Per item: enough to ride out minutes of throttling at the servers' usual Retry-After of
# one to a few seconds, yet finite, so a server that only ever answers 429 ends the run.
MAX_RATE_LIMITED_RETRIES = 50


class Pacer:
    """The gate and retry loop shared by every worker of one bulk run.

    `sleep` waits between retries and during a 429 pause (the client's, so tests that
    make retries instant make these instant too); `clock` and `rate_sleep` drive the
    token bucket, which is about real time.
    """

    def __init__(
        self,
        settings: RetrySettings,
        sleep: Sleep,
        *,
        rate_limit: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        rate_sleep: Sleep = anyio.sleep,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
        self._interval = 1.0 / rate_limit if rate_limit else 0.0
        self._clock = clock
        self._rate_sleep = rate_sleep
        self._next_slot = float("-inf")
        self._pausers = 0
        # Made by the first pause (anyio's Event needs a running loop; a Pacer may not).
        self._resumed: anyio.Event | None = None

    async def gate(self) -> None:
        """Wait until the run may send one more request (pause over, a token available)."""
        while self._pausers and self._resumed is not None:
            await self._resumed.wait()
        if self._interval:
            # Reserve the next slot now and sleep until it: no lock is needed, since
            # reservations are made one at a time on the event loop.
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self._interval
            if slot > now:
                await self._rate_sleep(slot - now)

    async def call(self, method: str, send: Callable[[], Awaitable[R]]) -> R:
        """`send()` (one attempt of `method`) through the gate, retried as described above."""
        settings = self._settings
        retries = 0
        rate_limited = 0
        while True:
            await self.gate()
            try:
                return await send()
            except RateLimitError as error:
                if rate_limited >= MAX_RATE_LIMITED_RETRIES or not should_retry(
                    method, error, settings
                ):
                    raise
                rate_limited += 1
                delay = retry_delay(settings, rate_limited, error)
                _log_retry(method, error, delay)
                await self._pause(delay)
            except VapiError as error:
                if retries >= settings.plan.max_retries or not should_retry(
                    method, error, settings
                ):
                    raise
                retries += 1
                delay = retry_delay(settings, retries, error)
                _log_retry(method, error, delay)
                await self._sleep(delay)

    async def _pause(self, seconds: float) -> None:
        """Hold the gate closed for every worker while this one waits `seconds`."""
        if not self._pausers:
            self._resumed = anyio.Event()
        self._pausers += 1
        try:
            await self._sleep(seconds)
        finally:
            self._pausers -= 1
            if not self._pausers and self._resumed is not None:
                self._resumed.set()


def _log_retry(method: str, error: VapiError, delay: float) -> None:
    reason = error.status_code if isinstance(error, APIStatusError) else type(error).__name__
    logger.info("bulk: retrying a %s (%s); waiting %.2f s", method, reason, delay)
