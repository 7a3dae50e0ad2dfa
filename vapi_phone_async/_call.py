"""The exchange: one call of a client, from its `Request` to its value.

Every attempt goes, in this order: the request hook, `transport.send`, the debug log, the
raw capture (from the `Answer`), `read_answer` (a non-2xx answer becomes its error, with
the request's secrets redacted wherever the server echoed them), the response hook.
Around the attempts, the retry engine (paced). The call's deadline bounds all of it (see
`_deadline.py`): the transport ends an attempt by it, and every wait of the call path is
bounded by it; when it runs out, the error names what the call was doing (the call's
`Progress`, handed to the transport in the request).

Two calls read their failures further: a create whose failure may have acted raises
`OutcomeUnknownError` (unless its lookup settled it), and a delete answered 404 after a
send that may have acted returns None.
"""

from __future__ import annotations

import dataclasses
import logging
import platform
import time
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from types import MappingProxyType
from typing import Any, Generic, TypeVar

import msgspec

from ._deadline import Deadline, bounded
from ._events import Hooks, RequestEvent, ResponseEvent
from ._options import (
    CallOptions,
    NativeTimeout,
    TimeoutOption,
    UseClientDefault,
    resolve,
    view_options,
)
from ._raw import Capture
from ._responses import read_answer
from ._retry import may_have_acted, send_with_retries
from ._secrets import secret_values
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIStatusError,
    ClientClosedError,
    NotFoundError,
    OutcomeUnknownError,
    ResponseDecodeError,
    VapiError,
)
from .models import BackoffPlan
from .pacing import Pacer, Sleep
from .transports import Answer, Request, Transport

__all__ = ["USER_AGENT", "Exchange", "Lifecycle", "own_headers"]

logger = logging.getLogger("vapi_phone_async")

USER_AGENT = f"vapi-phone-async/{__version__} python/{platform.python_version()}"
_T = TypeVar("_T")
_B = TypeVar("_B")
Lookup = Callable[[], Awaitable["_T | None"]]


def own_headers(key: str) -> dict[str, str]:
    """The headers every request of a client with this API key carries."""
    return {
        "Authorization": f"Bearer {key}",
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
    }


class Lifecycle:
    """Whether a client is closed: shared by the client and every view of it."""

    __slots__ = ("closed",)

    def __init__(self) -> None:
        self.closed = False


@dataclasses.dataclass(frozen=True)
class Exchange:
    """What a client's calls go through, and the client's options for them.

    A view of the client (`with_options`, a raw call's capture) is another `Exchange`
    sharing the transport, the pacer's pause, rate and budget, and the lifecycle.
    """

    transport: Transport
    pacer: Pacer
    options: CallOptions
    sleep: Sleep
    key: str = dataclasses.field(repr=False)
    base_url: str = ""
    hooks: Hooks | None = None
    native_timeout: NativeTimeout | None = None
    capture: Capture | None = None
    lifecycle: Lifecycle = dataclasses.field(default_factory=Lifecycle)
    headers: Mapping[str, str] = dataclasses.field(init=False, repr=False)
    json_headers: Mapping[str, str] = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        own = own_headers(self.key)
        # Read-only: every request shares them, and a transport is handed them.
        json = {**own, "Content-Type": "application/json"}
        object.__setattr__(self, "headers", MappingProxyType(own))
        object.__setattr__(self, "json_headers", MappingProxyType(json))

    def resolve(
        self,
        timeout: TimeoutOption | UseClientDefault,
        backoff: BackoffPlan | UseClientDefault,
        deadline: float | UseClientDefault | None,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> CallOptions:
        """A call's options, resolved once against the client's (see `_options.resolve`)."""
        return resolve(
            self.options, timeout, backoff, deadline, headers, query, native=self.native_timeout
        )

    def with_options(
        self,
        *,
        rate_limit: float | None,
        backoff: BackoffPlan | UseClientDefault,
        max_retries: int | None,
        timeout: TimeoutOption | UseClientDefault,
        deadline: float | UseClientDefault | None,
    ) -> Exchange:
        """This exchange with other options (see `VapiPhoneClient.with_options`)."""
        options = view_options(
            self.options,
            rate_limit=rate_limit,
            backoff=backoff,
            max_retries=max_retries,
            timeout=timeout,
            deadline=deadline,
            native=self.native_timeout,
        )
        pacer = self.pacer.with_rate_limit(rate_limit)
        return dataclasses.replace(self, pacer=pacer, options=options)

    def capturing(self, capture: Capture) -> Exchange:
        """This exchange, noting every answer in `capture`."""
        return dataclasses.replace(self, capture=capture)

    def call(
        self,
        method: str,
        path: str,
        decode: Callable[[bytes], _T],
        options: CallOptions,
        query: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> Awaitable[_T]:
        """One call: what `decode` makes of its 2xx body. Returns the call's awaitable, so
        that a call costs no coroutine of its own here."""
        request = self._request(method, path, options, query, body)
        attempt = partial(self._attempt, request, options.headers)
        return self._run(request, attempt, decode, options)

    def delete(
        self,
        path: str,
        decode: Callable[[bytes], _T],
        options: CallOptions,
        query: Mapping[str, str] | None = None,
    ) -> Awaitable[_T | None]:
        """`call` of a DELETE, answering None for a 404 after a send that may have acted
        (see `VapiPhoneClient.delete`)."""
        request = self._request("DELETE", path, options, query, None)
        attempt = _gone_ok_after_acting(partial(self._attempt, request, options.headers))
        return self._run(request, attempt, partial(_unless_gone, decode), options)

    async def create(
        self,
        path: str,
        decode: Callable[[bytes], _T],
        options: CallOptions,
        query: Mapping[str, str] | None,
        body: bytes,
        lookup: Lookup[_T] | None = None,
    ) -> _T:
        """`call` of a POST that raises `OutcomeUnknownError` for a failure that may have
        acted; `lookup` settles such a failure first (see `VapiPhoneClient.create`)."""
        request = self._request("POST", path, options, query, body)
        attempt = partial(self._attempt, request, options.headers)
        settle = None if lookup is None else _Settle(lookup, path)
        try:
            return await self._run(request, attempt, decode, options, settle)
        except (APIConnectionError, APIStatusError, ResponseDecodeError) as error:
            # A ResponseDecodeError is a 2xx whose body cannot be read: the number
            # exists, but not its id.
            if not may_have_acted(error) or (settle is not None and error is settle.absent):
                raise
            raise OutcomeUnknownError(error, method="POST", path=path) from error

    def _request(
        self,
        method: str,
        path: str,
        options: CallOptions,
        query: Mapping[str, str] | None,
        body: bytes | None,
    ) -> Request:
        if self.lifecycle.closed:
            raise ClientClosedError("this VapiPhoneClient is closed; create a new one")
        headers = self.headers if body is None else self.json_headers
        if options.headers:
            headers = {**headers, **options.headers}
        if options.deadline is None:
            return Request(method, path, query, body, headers, options.timeout)
        deadline = Deadline(options.deadline)
        return Request(method, path, query, body, headers, options.timeout, deadline, deadline.at)

    def _run(
        self,
        request: Request,
        attempt: Callable[[int], Awaitable[_B]],
        decode: Callable[[_B], _T],
        options: CallOptions,
        reconcile: _Settle[_T] | None = None,
    ) -> Awaitable[_T]:
        deadline = request.progress
        return send_with_retries(
            attempt,
            decode,
            method=request.method,
            path=request.path,
            settings=options.retry,
            pacer=self.pacer,
            sleep=self.sleep,
            reconcile=reconcile,
            deadline=deadline if isinstance(deadline, Deadline) else None,
        )

    async def _attempt(
        self, request: Request, extra_headers: Mapping[str, str] | None, number: int
    ) -> bytes:
        """Attempt `number` of `request`: the 2xx body, or this package's error."""
        method, path, progress, hooks = request.method, request.path, request.progress, self.hooks
        if hooks is not None:
            await bounded(hooks.request(RequestEvent(method, path, number)), request.deadline)
        if progress is not None:
            progress.attempting(number)
        started = time.perf_counter()
        answer: Answer | None = None
        try:
            answer = await self.transport.send(request)
            if logger.isEnabledFor(logging.DEBUG):
                elapsed = (time.perf_counter() - started) * 1000
                status = answer.status
                logger.debug(
                    "%s %s -> %d in %.1f ms (attempt %d)", method, path, status, elapsed, number
                )
            if self.capture is not None:
                self.capture.answered(answer.status, answer.headers, number)
            secrets = partial(self._sent_secrets, request, extra_headers)
            body = read_answer(method, path, answer, secrets)
        except VapiError as error:
            if answer is None:
                logger.debug("%s %s failed: %s (attempt %d)", method, path, error, number)
            if progress is not None:
                progress.failed(error, acted=may_have_acted(error))
            if hooks is not None:
                await bounded(
                    _answered(hooks, request, number, started, answer, error), request.deadline
                )
            raise
        if hooks is not None:
            await bounded(
                _answered(hooks, request, number, started, answer, None), request.deadline
            )
        return body

    def _sent_secrets(self, request: Request, extra_headers: Mapping[str, str] | None) -> set[str]:
        """The secret values a request carried, to hide wherever its answer echoes them:
        the key, the secrets of its body, and the values of the caller's extra headers
        (which may well be credentials)."""
        sent = {self.key}
        if extra_headers:
            sent.update(extra_headers.values())
        if request.body is not None:
            sent |= secret_values(msgspec.json.decode(request.body))
        return sent


async def _answered(
    hooks: Hooks,
    request: Request,
    number: int,
    started: float,
    answer: Answer | None,
    error: VapiError | None,
) -> None:
    """Tell the response hooks how an attempt ended."""
    if isinstance(error, APIStatusError):
        request_id = error.request_id
    else:
        request_id = answer.headers.get("x-request-id") if answer is not None else None
    await hooks.response(
        ResponseEvent(
            request.method,
            request.path,
            number,
            None if answer is None else answer.status,
            time.perf_counter() - started,
            request_id,
            None if error is None else type(error).__name__,
        )
    )


class _Settle(Generic[_T]):
    """A create's `lookup` as the retry engine's `reconcile`: it remembers the failure it
    proved did not act (`absent`), and turns its own failure into `OutcomeUnknownError`."""

    def __init__(self, lookup: Lookup[_T], path: str) -> None:
        self.lookup = lookup
        self.path = path
        self.absent: BaseException | None = None

    async def __call__(self, failure: BaseException) -> _T | None:
        try:
            found = await self.lookup()
        except VapiError as error:
            cause = failure if isinstance(failure, VapiError) else error
            raise OutcomeUnknownError(
                cause, method="POST", path=self.path, lookup_error=error
            ) from error
        if found is None:
            self.absent = failure
        return found


def _unless_gone(decode: Callable[[bytes], _T], data: bytes | None) -> _T | None:
    return None if data is None else decode(data)


def _gone_ok_after_acting(
    request: Callable[[int], Awaitable[bytes]],
) -> Callable[[int], Awaitable[bytes | None]]:
    """`request`, answering None for a 404 after a send that may have acted (ours, or the
    transport's silent re-send): the goal of a delete was reached."""
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
