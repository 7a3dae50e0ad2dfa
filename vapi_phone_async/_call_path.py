"""The one path every call of a client takes: its options resolved against the client's,
then the retry engine (paced) over the transport, under the call's deadline.

`VapiPhoneClient` owns a `CallPath`; a view made by `with_options` owns another that
shares the transport, the pacer's pause, rate and budget, and differs in what it was
given.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import enum
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from functools import partial
from typing import Final, TypeVar

import aiohttp
import anyio
import msgspec

from ._options import count
from ._progress import PROGRESS, Progress
from ._retry import RetrySettings, Sleep, may_have_acted, send_with_retries
from ._transport import AttemptTimeout, Transport, attempt_timeout
from ._validate import validate_backoff
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    FieldError,
    NotFoundError,
    RequestValidationError,
)
from .models import BackoffPlan
from .pacing import Pacer

__all__ = [
    "DEFAULT_DEADLINE",
    "USE_CLIENT_DEFAULT",
    "CallPath",
    "UseClientDefault",
    "with_max_retries",
]

DEFAULT_DEADLINE: Final = 120.0
"""Seconds a call may take in all, its retries and waits included, unless told otherwise:
two attempts' worth of the default 60 s timeout, and more than a 429 pause can ask."""


class UseClientDefault(enum.Enum):
    """The type of USE_CLIENT_DEFAULT: a per-call option left to the client's setting."""

    USE_CLIENT_DEFAULT = "USE_CLIENT_DEFAULT"


# A sentinel, because None already means "off" for timeout= and deadline=.
USE_CLIENT_DEFAULT: Final = UseClientDefault.USE_CLIENT_DEFAULT

Timeout = float | aiohttp.ClientTimeout | UseClientDefault | None
_T = TypeVar("_T")
_B = TypeVar("_B")


@dataclasses.dataclass(frozen=True)
class CallPath:
    """What a call goes through, and the client's options for one."""

    transport: Transport
    pacer: Pacer
    settings: RetrySettings
    timeout: AttemptTimeout
    deadline: float | None
    sleep: Sleep

    def with_options(
        self,
        *,
        rate_limit: float | None,
        backoff: BackoffPlan | UseClientDefault,
        max_retries: int | None,
        timeout: Timeout,
        deadline: float | UseClientDefault | None,
    ) -> CallPath:
        """This path with other options (see `VapiPhoneClient.with_options`)."""
        changed = dataclasses.replace(self, pacer=self.pacer.with_rate_limit(rate_limit))
        plan = self.settings.plan if isinstance(backoff, UseClientDefault) else backoff
        if plan is not self.settings.plan or max_retries is not None:
            plan = with_max_retries(plan, max_retries)
            changed = dataclasses.replace(
                changed, settings=dataclasses.replace(self.settings, plan=plan)
            )
        if not isinstance(timeout, UseClientDefault):
            changed = dataclasses.replace(changed, timeout=attempt_timeout(timeout))
        if not isinstance(deadline, UseClientDefault):
            changed = dataclasses.replace(changed, deadline=deadline)
        return changed

    def send(
        self,
        method: str,
        path: str,
        decode: Callable[[bytes], _T],
        *,
        params: Mapping[str, str] | None = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: Timeout,
        backoff: BackoffPlan | UseClientDefault,
        deadline: float | UseClientDefault | None,
    ) -> Awaitable[_T]:
        """One call through the retry engine: what `decode` makes of the 2xx body.

        A body `decode` cannot read (`ResponseDecodeError`) is retried like a truncated
        one, except for a POST (see `_retry`). Returns the call's awaitable, so that a
        call costs no coroutine of its own here.
        """
        settings, timeouts, limit = self._resolved(timeout, backoff, deadline)
        request = partial(self.transport.request, method, path, params, body, headers, timeouts)
        return self._run(method, path, request, decode, settings, limit)

    def send_or_gone(
        self,
        method: str,
        path: str,
        decode: Callable[[bytes], _T],
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: Timeout,
        backoff: BackoffPlan | UseClientDefault,
        deadline: float | UseClientDefault | None,
    ) -> Awaitable[_T | None]:
        """`send`, answering None for a 404 after a send that may have acted (see
        `VapiPhoneClient.delete`)."""
        settings, timeouts, limit = self._resolved(timeout, backoff, deadline)
        request = partial(self.transport.request, method, path, params, None, headers, timeouts)
        return self._run(
            method,
            path,
            _gone_ok_after_acting(request),
            partial(_unless_gone, decode),
            settings,
            limit,
        )

    def _resolved(
        self,
        timeout: Timeout,
        backoff: BackoffPlan | UseClientDefault,
        deadline: float | UseClientDefault | None,
    ) -> tuple[RetrySettings, AttemptTimeout, float | None]:
        """The call's options, the client's where it gave none."""
        settings = self.settings
        if not isinstance(backoff, UseClientDefault):
            validate_backoff(backoff)
            settings = dataclasses.replace(settings, plan=backoff)
        timeouts = (
            self.timeout if isinstance(timeout, UseClientDefault) else attempt_timeout(timeout)
        )
        limit = self.deadline if isinstance(deadline, UseClientDefault) else deadline
        return settings, timeouts, limit

    def _run(
        self,
        method: str,
        path: str,
        attempt: Callable[[int], Awaitable[_B]],
        decode: Callable[[_B], _T],
        settings: RetrySettings,
        limit: float | None,
    ) -> Awaitable[_T]:
        engine = send_with_retries(
            attempt,
            decode,
            method=method,
            path=path,
            settings=settings,
            pacer=self.pacer,
            sleep=self.sleep,
        )
        return engine if limit is None else _within(engine, limit, method, path)


async def _within(engine: Awaitable[_T], limit: float, method: str, path: str) -> _T:
    """`engine`, raising `APITimeoutError` if it takes longer than `limit` seconds, naming
    what the call was doing when the deadline ran out."""
    progress = Progress()
    token = PROGRESS.set(progress)
    try:
        async with _fail_after(limit):
            return await engine
    except TimeoutError:
        error = progress.error
        # Nothing that may have acted: a create can say it was not made.
        untouched = not progress.in_flight and (error is None or not may_have_acted(error))
        raise APITimeoutError(
            f"the call's deadline of {limit} s ran out {progress.describe()}",
            method=method,
            path=path,
            connect_failed=untouched,
        ) from None
    finally:
        PROGRESS.reset(token)


if sys.version_info >= (3, 11):
    # A third of anyio's CancelScope on every call (about 7 us against 20): every call
    # has a deadline by default.
    _fail_after = asyncio.timeout
else:  # pragma: no cover - Python 3.10

    @contextlib.asynccontextmanager
    async def _fail_after(seconds: float) -> AsyncIterator[None]:
        with anyio.fail_after(seconds):
            yield


def _unless_gone(decode: Callable[[bytes], _T], data: bytes | None) -> _T | None:
    return None if data is None else decode(data)


def with_max_retries(plan: BackoffPlan, max_retries: int | None) -> BackoffPlan:
    """`plan`, checked, with `max_retries` retries when given."""
    if max_retries is not None:
        if count("max_retries", max_retries, minimum=0) or max_retries > 10:
            # A BackoffPlan's own bound, as Vapi sets it for webhooks.
            rule = f"must be an integer from 0 to 10 (got {max_retries!r})"
            raise RequestValidationError([FieldError("max_retries", rule)])
        if isinstance(plan, BackoffPlan):
            plan = msgspec.structs.replace(plan, max_retries=max_retries)
    validate_backoff(plan)
    return plan


def _gone_ok_after_acting(
    request: Callable[[int], Awaitable[bytes]],
) -> Callable[[int], Awaitable[bytes | None]]:
    """`request`, answering None for a 404 after a send that may have acted (ours, or
    aiohttp's silent re-send): the goal of a delete was reached."""
    acted = False

    async def attempt(number: int) -> bytes | None:
        nonlocal acted
        try:
            data = await request(number)
        except NotFoundError as error:
            if acted or error.resent:
                return None
            raise
        except (APIConnectionError, APIStatusError) as error:
            acted = acted or may_have_acted(error)
            raise
        # A 2xx: the number is gone. Sent again only if its body could not be read; the
        # 404 that then comes means the goal was reached.
        acted = True
        return data

    return attempt
