"""The one retry engine: every request the package sends goes through `send_with_retries`.

The decisions are pure functions of (method, error, settings, retry number), so tests
call them directly; `send_with_retries` composes them into a tenacity `AsyncRetrying`
around one attempt, and asks the client's `Pacer` before each send (pause, rate) and
before each retry (budget).

A `BackoffPlan` means what it means for Vapi's webhooks: `fixed` waits
`base_delay_seconds` before each retry, `exponential` waits
`base_delay_seconds * 2 ** (retry - 1)`; at most `max_retries` retries follow the first
attempt; a status in `excluded_status_codes` is never retried. A 429 does not spend those
retries, and is retried up to `MAX_RATE_LIMITED_RETRIES` times (a plan of `max_retries=0`
retries nothing, 429s included): with `Retry-After`, after pausing every request of the
client that long; without, as the pacer decides (at a lower rate, after the limit's
window, or as a probe; with the adaptive rate off, after the plan's delay). Other retries
spend the client's retry budget; when it is spent the failure is raised at once, saying so.

A 2xx whose body cannot be read (`decode` raises `ResponseDecodeError`: not JSON, not
the shape the API describes) is retried like a truncated body: for every method but POST
(`retries_unreadable`). A GET or a DELETE is safe to send again, and a PATCH is
idempotent: the plan retries it after a 5xx, when it may just as well have applied. A
create whose answer cannot be read is an unknown outcome, never sent again. An answer too
big to read is not retried: it would be as big again.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState

from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    RateLimitError,
    ResponseDecodeError,
    VapiError,
)
from .models import BackoffPlan
from .pacing import Decision, Pacer, Ticket

__all__ = [
    "BUDGET_SPENT",
    "DEFAULT_BACKOFF",
    "DEFAULT_EXCLUDED_STATUS_CODES",
    "MAX_RATE_LIMITED_RETRIES",
    "RetrySettings",
    "Sleep",
    "backoff_delay",
    "may_have_acted",
    "retries_unreadable",
    "retry_delay",
    "retry_under_tenacity",
    "send_with_retries",
    "should_retry",
]

logger = logging.getLogger("vapi_phone_async")

# Statuses a retry cannot fix; used when a plan leaves excluded_status_codes unset.
DEFAULT_EXCLUDED_STATUS_CODES = frozenset({400, 401, 403, 404, 409, 422})
DEFAULT_BACKOFF = BackoffPlan(type="exponential", max_retries=3, base_delay_seconds=0.5)
# Per call: enough to ride out minutes of throttling at the servers' usual Retry-After of
# one to a few seconds, yet finite, so a server that only ever answers 429 ends a call.
MAX_RATE_LIMITED_RETRIES = 50
BUDGET_SPENT = "the client's retry budget is spent"

Sleep = Callable[[float], Awaitable[None]]
_T = TypeVar("_T")
_B = TypeVar("_B")


@dataclass(frozen=True)
class RetrySettings:
    """The client-side knobs around a BackoffPlan."""

    plan: BackoffPlan = DEFAULT_BACKOFF
    max_delay: float = 30.0
    max_retry_after: float = 60.0
    jitter: float = 0.2


def should_retry(method: str, error: BaseException, settings: RetrySettings) -> bool:
    """Whether `error` from one attempt of `method` may be retried under `settings`.

    A POST is retried only where the server certainly did not act: a connection that could
    not be opened, and 429. Anything that is not a VapiError (CancelledError above all) is
    never retried.
    """
    if isinstance(error, APIStatusError):
        if error.status_code < 400:
            return False
        if method == "POST" and error.status_code != 429:
            return False
        if error.retry_after is not None and error.retry_after > settings.max_retry_after:
            return False
        excluded = settings.plan.excluded_status_codes
        if excluded is None:
            return error.status_code not in DEFAULT_EXCLUDED_STATUS_CODES
        return error.status_code not in excluded
    if isinstance(error, APIConnectionError):
        return error.connect_failed or method != "POST"
    return False


def retries_unreadable(method: str) -> bool:
    """Whether a 2xx answer to `method` whose body cannot be read is sent again (every
    method but POST: sending a create again could create a second number)."""
    return method != "POST"


def may_have_acted(error: BaseException) -> bool:
    """Whether the server may have acted on a request that failed with `error`: it was
    sent, and then a 5xx, a timeout, a dropped connection or an answer too big to read
    hid what happened."""
    if isinstance(error, APIConnectionError):
        return not error.connect_failed
    if isinstance(error, ResponseDecodeError):
        return True
    return isinstance(error, APIStatusError) and error.status_code >= 500


def backoff_delay(
    settings: RetrySettings, retry_number: int, *, rng: random.Random | None = None
) -> float:
    """Seconds to wait before retry number `retry_number` (1 for the first retry).

    Exponential delays are capped by `max_delay` and shortened by up to `jitter` (a
    fraction), so that many clients failing together do not retry together.
    """
    plan = settings.plan
    if plan.type == "fixed":
        return min(plan.base_delay_seconds, settings.max_delay)
    delay = min(plan.base_delay_seconds * 2.0 ** (retry_number - 1), settings.max_delay)
    if settings.jitter:
        delay *= 1 - (rng or random).uniform(0, settings.jitter)
    return delay


def retry_delay(settings: RetrySettings, retry_number: int, error: BaseException | None) -> float:
    """The wait before retry `retry_number`: the plan's delay, or longer if the server
    asked for longer (`Retry-After`)."""
    delay = backoff_delay(settings, retry_number)
    if isinstance(error, APIStatusError) and error.retry_after is not None:
        delay = max(delay, error.retry_after)
    return delay


async def send_with_retries(
    attempt: Callable[[int], Awaitable[_B]],
    decode: Callable[[_B], _T],
    *,
    method: str,
    path: str,
    settings: RetrySettings,
    pacer: Pacer,
    sleep: Sleep,
) -> _T:
    """`decode(attempt(1))`, then `decode(attempt(2))`, ... while its failures may be
    retried.

    `attempt(n)` performs one send and raises this package's errors; every send waits
    for `pacer` first, and tells it how the server answered. `decode` makes the call's
    value of an answer; its `ResponseDecodeError` is retried where `retries_unreadable`.
    """

    # The first attempt runs outside tenacity, whose bookkeeping costs about as much as a
    # loopback request; tenacity takes over only once a retry is possible. It is _paced,
    # inlined: a coroutine less on every call.
    ticket = pacer.go_now()
    if ticket is None:
        ticket = await pacer.before_send()
    decision: Decision | None = None
    first_failure: BaseException
    try:
        result = await attempt(1)
    except (APIConnectionError, APIStatusError) as error:
        decision = await _report(pacer, error, ticket)
        if settings.plan.max_retries < 1 or not should_retry(method, error, settings):
            raise
        first_failure = error
    else:
        pacer.answered(ticket)
        try:
            return decode(result)
        except ResponseDecodeError as error:
            if settings.plan.max_retries < 1 or not retries_unreadable(method):
                raise
            first_failure = error
    finally:
        if ticket.probe:
            pacer.done(ticket)
    return await retry_under_tenacity(
        attempt,
        decode,
        first_failure,
        method=method,
        path=path,
        settings=settings,
        pacer=pacer,
        sleep=sleep,
        decision=decision,
    )


async def retry_under_tenacity(
    attempt: Callable[[int], Awaitable[_B]],
    decode: Callable[[_B], _T],
    first_failure: BaseException | None,
    *,
    method: str,
    path: str,
    settings: RetrySettings,
    pacer: Pacer,
    sleep: Sleep,
    decision: Decision | None = None,
) -> _T:
    """The attempts of one call under tenacity: after `first_failure` (replayed as the
    first attempt, with the pacer's `decision` if it was a 429; a `ResponseDecodeError`
    there is `decode`'s), or every attempt when it is None. `send_with_retries` makes the
    first attempt itself and comes here only once a retry is possible; benchmarks/crud.py
    times both ways."""
    decide = _Decisions(method, path, settings, pacer, sleep)
    decide.throttle = decision
    if isinstance(first_failure, ResponseDecodeError):
        decide.unreadable = first_failure
    async for retry in AsyncRetrying(
        retry=decide.retry,
        wait=decide.wait,
        # Async: the budget may be in Redis. AsyncRetrying awaits an async stop (tenacity
        # 8.4 and later), though its annotation names only a plain one.
        stop=decide.stop,  # type: ignore[arg-type]
        sleep=decide.sleep,
        before_sleep=decide.log,
        reraise=True,
    ):
        with retry:
            number = retry.retry_state.attempt_number
            if number == 1 and first_failure is not None:
                # Replayed, not re-sent, so that tenacity counts, waits and logs every
                # attempt alike.
                raise first_failure
            return decide.decoded(await _paced(attempt, number, decide), decode)
    raise AssertionError("unreachable: tenacity either returns or raises")


async def _paced(attempt: Callable[[int], Awaitable[_B]], number: int, decide: _Decisions) -> _B:
    """Attempt `number`, once the pacer lets it go; tells the pacer how the server
    answered, and `decide` what it makes of a 429."""
    pacer = decide.pacer
    ticket = pacer.go_now()
    if ticket is None:
        ticket = await pacer.before_send()
    try:
        result = await attempt(number)
    except (APIConnectionError, APIStatusError) as error:
        decide.throttle = await _report(pacer, error, ticket)
        raise
    else:
        pacer.answered(ticket)
    finally:
        if ticket.probe:
            pacer.done(ticket)
    return result


async def _report(pacer: Pacer, error: BaseException, ticket: Ticket) -> Decision | None:
    """Tell `pacer` how the server answered a request that failed with `error`; for a
    429, what the pacer makes of it."""
    if isinstance(error, RateLimitError):
        return await pacer.throttled(ticket, error.retry_after)
    if isinstance(error, APIStatusError):
        pacer.answered(ticket, error.status_code)
    return None


class _Decisions:
    """The tenacity strategies of one call, sharing its counts of failures and 429s.

    tenacity asks, after each failed attempt: `retry` (may this error be retried at
    all?), `wait` (how long?), `stop` (is this call's allowance, or the client's budget,
    used up?), then `sleep`s and tries again.
    """

    def __init__(
        self, method: str, path: str, settings: RetrySettings, pacer: Pacer, sleep: Sleep
    ) -> None:
        self._method = method
        self._path = path
        self._settings = settings
        self.pacer = pacer
        self._sleep = sleep
        self.throttle: Decision | None = None  # the pacer's view of the last 429
        self._failures = 0
        self._throttles = 0
        self._throttled = False  # whether the last failure was a 429
        # The last answer `decode` could not read: told apart from a ResponseDecodeError
        # of the transport (an answer too big), which is not retried.
        self.unreadable: ResponseDecodeError | None = None

    def decoded(self, result: _B, decode: Callable[[_B], _T]) -> _T:
        """`decode(result)`, noting a body it cannot read for `retry`."""
        try:
            return decode(result)
        except ResponseDecodeError as error:
            self.unreadable = error
            raise

    def retry(self, state: RetryCallState) -> bool:
        error = _error(state)
        if isinstance(error, ResponseDecodeError):
            if error is not self.unreadable or not retries_unreadable(self._method):
                return False
        elif not should_retry(self._method, error, self._settings):
            return False
        self._throttled = isinstance(error, RateLimitError)
        if self._throttled:
            self._throttles += 1
        else:
            self._failures += 1
        return True

    def wait(self, state: RetryCallState) -> float:
        error = _error(state)
        if self._throttled:
            # Without Retry-After, the pacer knows best: a lower rate (no wait), a window
            # to wait out, or a probe; with adaptive_rate off, the plan's delay.
            throttle = self.throttle
            told = isinstance(error, RateLimitError) and error.retry_after is not None
            if throttle is not None and throttle.wait is not None and not told:
                return throttle.wait
            return retry_delay(self._settings, self._throttles, error)
        return retry_delay(self._settings, self._failures, error)

    async def stop(self, state: RetryCallState) -> bool:
        if self._throttled:
            return self._throttles > MAX_RATE_LIMITED_RETRIES
        if self._failures > self._settings.plan.max_retries:
            return True
        error = _error(state)
        # Last, so that the budget pays only for retries that happen.
        if not await self.pacer.spend_retry(timeout=isinstance(error, APITimeoutError)):
            if isinstance(error, VapiError):
                error.not_retried = BUDGET_SPENT
            return True
        return False

    async def sleep(self, seconds: float) -> None:
        if not self._throttled:
            await self._sleep(seconds)
        elif seconds > 0:
            throttle = self.throttle
            probe = throttle is not None and throttle.probe
            await self.pacer.pause(seconds, self._sleep, probe=probe)

    def log(self, state: RetryCallState) -> None:
        error = _error(state)
        reason = error.status_code if isinstance(error, APIStatusError) else type(error).__name__
        wait = state.next_action.sleep if state.next_action else 0.0
        if self._throttled:
            logger.info(
                "retrying %s %s: attempt %d rate limited (%s); %s",
                self._method,
                self._path,
                state.attempt_number,
                reason,
                f"pausing the client {wait:.2f} s" if wait > 0 else "at a lower rate",
            )
            return
        logger.info(
            "retrying %s %s: attempt %d of %d failed (%s); waiting %.2f s",
            self._method,
            self._path,
            state.attempt_number,
            self._settings.plan.max_retries + 1 + self._throttles,
            reason,
            wait,
        )


def _error(state: RetryCallState) -> BaseException:
    # tenacity consults the strategies only after an attempt that raised.
    error = state.outcome.exception() if state.outcome is not None else None
    if error is None:  # pragma: no cover - not reached: every attempt here has raised
        raise AssertionError("a retry strategy was consulted without a failure")
    return error
