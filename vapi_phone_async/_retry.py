"""The one retry engine: every request the package sends goes through `send_with_retries`.

The decisions are pure functions of (method, error, settings, retry number), so tests
call them directly; `send_with_retries` runs the attempts of one call in a loop of its
own, and after each failure hands the decision to tenacity (`AsyncRetrying.iter`: retry?
stop? how long to wait?) with this module's strategies. A call that succeeds at once never
builds tenacity's state: its bookkeeping costs as much as a loopback request
(benchmarks/crud.py), and only a failure needs it. The pacer is asked before each send
(pause, rate) and before each retry (budget).

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
idempotent: the plan retries it after a 5xx, when it may just as well have applied. An
answer too big to read is not retried: it would be as big again.

A create (POST) that may have acted is never simply sent again. Given a `reconcile`
function, the engine asks it first: a number it finds is the call's value (the lost
create took effect); None proves the create did not happen, and only then is it sent
again, as a retry like any other (the plan's count, its wait, the budget).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import AsyncRetrying, DoSleep, RetryCallState

from ._deadline import DEADLINE_ERRORS, Deadline, bounded
from ._options import RetrySettings
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    RateLimitError,
    ResponseDecodeError,
    VapiError,
)
from .pacing import Decision, Pacer, Sleep, Ticket

__all__ = [
    "BUDGET_SPENT",
    "DEFAULT_EXCLUDED_STATUS_CODES",
    "MAX_RATE_LIMITED_RETRIES",
    "Reconcile",
    "backoff_delay",
    "may_have_acted",
    "retries_unreadable",
    "retry_delay",
    "send_with_retries",
    "should_retry",
]

logger = logging.getLogger("vapi_phone_async")

# Statuses a retry cannot fix; used when a plan leaves excluded_status_codes unset.
DEFAULT_EXCLUDED_STATUS_CODES = frozenset({400, 401, 403, 404, 409, 422})
# Per call: enough to ride out minutes of throttling at the servers' usual Retry-After of
# one to a few seconds, yet finite, so a server that only ever answers 429 ends a call.
MAX_RATE_LIMITED_RETRIES = 50
BUDGET_SPENT = "the client's retry budget is spent"

_T = TypeVar("_T")
_B = TypeVar("_B")

Reconcile = Callable[[BaseException], Awaitable["_T | None"]]
"""Given the failure of a create that may have acted: the number if the create took
effect, None if it proved it did not (it raises when it cannot tell)."""


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
    reconcile: Reconcile[_T] | None = None,
    deadline: Deadline | None = None,
) -> _T:
    """`decode(attempt(1))`, then `decode(attempt(2))`, ... while its failures may be
    retried.

    `attempt(n)` performs one send and raises this package's errors; every send waits
    for `pacer` first, and tells it how the server answered. `decode` makes the call's
    value of an answer; its `ResponseDecodeError` is retried where `retries_unreadable`.
    `reconcile` (for a POST) settles a failure that may have acted (see the module's
    docstring). Every wait here is bounded by `deadline`, whose error ends the call once
    it ran out (the attempts are bounded by the transport: see `_deadline.py`).
    """
    number = 1
    retrying: _Retrying | None = None  # tenacity's state, built at the first failure
    at = None if deadline is None else deadline.at
    try:
        while True:
            unreadable = False
            throttle: Decision | None = None
            ticket = pacer.go_now()
            if ticket is None:
                ticket = await bounded(pacer.before_send(), at)
            try:
                result = await attempt(number)
            except (APIConnectionError, APIStatusError, ResponseDecodeError) as error:
                throttle = await bounded(_report(pacer, error, ticket), at)
                failure: BaseException = error
            else:
                pacer.answered(ticket)
                try:
                    return decode(result)
                except ResponseDecodeError as error:
                    failure, unreadable = error, True
            finally:
                if ticket.probe:
                    pacer.done(ticket)
            absent = False
            if reconcile is not None and method == "POST" and may_have_acted(failure):
                found = await bounded(reconcile(failure), at)
                if found is not None:
                    return found
                absent = True
            if retrying is None:
                retrying = _Retrying(_Decisions(method, path, settings, pacer, sleep))
            after = retrying.after(failure, throttle=throttle, unreadable=unreadable, absent=absent)
            await bounded(after, at)
            number += 1
    except DEADLINE_ERRORS:
        if deadline is None or not deadline.passed():
            raise
        raise deadline.timeout_error(method, path) from None


class _Retrying:
    """tenacity's machinery for the failures of one call: its `AsyncRetrying` with the
    call's strategies, and the call's `RetryCallState`."""

    __slots__ = ("decide", "retrying", "state")

    def __init__(self, decide: _Decisions) -> None:
        self.decide = decide
        self.retrying = AsyncRetrying(
            retry=decide.retry,
            wait=decide.wait,
            # Async: the budget may be in Redis. AsyncRetrying awaits an async stop
            # (tenacity 8.4 and later), though its annotation names only a plain one.
            stop=decide.stop,  # type: ignore[arg-type]
            before_sleep=decide.log,
            reraise=True,
        )
        self.retrying.begin()
        self.state = RetryCallState(self.retrying, fn=None, args=(), kwargs={})

    async def after(
        self, failure: BaseException, *, throttle: Decision | None, unreadable: bool, absent: bool
    ) -> None:
        """Decide on `failure` of the current attempt: return once the wait before the
        next one is over, or raise `failure` when there is none."""
        decide, state = self.decide, self.state
        decide.failed(throttle=throttle, unreadable=unreadable, absent=absent)
        state.set_exception((type(failure), failure, failure.__traceback__))
        try:
            action = await self.retrying.iter(state)
        except VapiError as error:
            if decide.budget_spent and error is failure:
                # Said on the error raised, once the decision is made.
                error.not_retried = BUDGET_SPENT
            raise
        if not isinstance(action, DoSleep):  # pragma: no cover - tenacity retries or raises
            raise AssertionError(f"tenacity decided {action!r} after a failure")
        state.prepare_for_next_attempt()
        await decide.sleep(action)


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
    used up?); then the engine sleeps and tries again. The engine tells `failed` what it
    alone knows of the failure first; no strategy changes the error.
    """

    def __init__(
        self, method: str, path: str, settings: RetrySettings, pacer: Pacer, sleep: Sleep
    ) -> None:
        self._method = method
        self._path = path
        self._settings = settings
        self.pacer = pacer
        self._sleep = sleep
        self._throttle: Decision | None = None  # the pacer's view of the last 429
        self._failures = 0
        self._throttles = 0
        self._throttled = False  # whether the last failure was a 429
        self._unreadable = False  # decode's failure, not the transport's (an answer too big)
        self._absent = False  # a create the lookup proved did not happen
        self.budget_spent = False

    def failed(self, *, throttle: Decision | None, unreadable: bool, absent: bool) -> None:
        """What the engine knows of the failure about to be decided on."""
        self._throttle, self._unreadable, self._absent = throttle, unreadable, absent

    def retry(self, state: RetryCallState) -> bool:
        error = _error(state)
        if self._settings.plan.max_retries < 1:
            return False
        if self._absent:
            pass  # proven not to have happened: safe to send again
        elif isinstance(error, ResponseDecodeError):
            if not self._unreadable or not retries_unreadable(self._method):
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
            throttle = self._throttle
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
        spent = not await self.pacer.spend_retry(timeout=isinstance(error, APITimeoutError))
        self.budget_spent = spent
        return spent

    async def sleep(self, seconds: float) -> None:
        if not self._throttled:
            await self._sleep(seconds)
        elif seconds > 0:
            throttle = self._throttle
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
