"""Retries: which failures may be retried, how long to wait, and the tenacity policy.

The decisions are pure functions of (method, error, plan, attempt) so tests call them
directly; `retrying()` composes them into a tenacity `AsyncRetrying`. A `BackoffPlan` means
what it means for Vapi's webhooks: `fixed` waits `base_delay_seconds` before each retry,
`exponential` waits `base_delay_seconds * 2 ** (retry - 1)`; at most `max_retries` retries
follow the first attempt; a status in `excluded_status_codes` is never retried.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from .errors import APIConnectionError, APIStatusError
from .models import BackoffPlan

__all__ = [
    "DEFAULT_BACKOFF",
    "DEFAULT_EXCLUDED_STATUS_CODES",
    "RetrySettings",
    "backoff_delay",
    "parse_retry_after",
    "retry_delay",
    "retrying",
    "should_retry",
    "with_retries",
]

logger = logging.getLogger("vapi_phone_async")

# Statuses a retry cannot fix; used when a plan leaves excluded_status_codes unset.
DEFAULT_EXCLUDED_STATUS_CODES = frozenset({400, 401, 403, 404, 409, 422})
DEFAULT_BACKOFF = BackoffPlan(type="exponential", max_retries=3, base_delay_seconds=0.5)

Sleep = Callable[[float], Awaitable[None]]
_T = TypeVar("_T")


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


def parse_retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """The wait a response asks for: `retry-after-ms`, or `Retry-After` in seconds or as
    an HTTP date. None when absent or unreadable."""
    milliseconds = headers.get("retry-after-ms")
    if milliseconds is not None:
        try:
            return max(float(milliseconds) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max((when - (now or datetime.now(timezone.utc))).total_seconds(), 0.0)


def retrying(method: str, path: str, settings: RetrySettings, sleep: Sleep) -> AsyncRetrying:
    """A tenacity policy for one call: stop, retry and wait all set, never the defaults."""

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        return retry_delay(settings, state.attempt_number, error)

    def log_retry(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        reason = error.status_code if isinstance(error, APIStatusError) else type(error).__name__
        wait_s = state.next_action.sleep if state.next_action else 0.0
        logger.info(
            "retrying %s %s: attempt %d of %d failed (%s); waiting %.2f s",
            method,
            path,
            state.attempt_number,
            settings.plan.max_retries + 1,
            reason,
            wait_s,
        )

    return AsyncRetrying(
        stop=stop_after_attempt(max(settings.plan.max_retries, 0) + 1),
        wait=wait,
        retry=retry_if_exception(lambda error: should_retry(method, error, settings)),
        sleep=sleep,
        before_sleep=log_retry,
        reraise=True,
    )


async def with_retries(
    attempt: Callable[[int], Awaitable[_T]],
    method: str,
    path: str,
    settings: RetrySettings,
    sleep: Sleep,
) -> _T:
    """`attempt(1)`, then `attempt(2)`, ... while its failures may be retried."""
    # The first attempt runs outside tenacity, whose bookkeeping costs about as much as a
    # loopback request; tenacity takes over only once a retry is possible.
    try:
        return await attempt(1)
    except (APIConnectionError, APIStatusError) as error:
        if settings.plan.max_retries < 1 or not should_retry(method, error, settings):
            raise
        first_failure = error
    async for retry in retrying(method, path, settings, sleep):
        with retry:
            number = retry.retry_state.attempt_number
            if number == 1:
                # Replayed, not re-sent, so that tenacity counts, waits and logs every
                # attempt alike.
                raise first_failure
            return await attempt(number)
    raise AssertionError("unreachable: tenacity either returns or raises")
