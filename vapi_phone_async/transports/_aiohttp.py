"""The aiohttp transport: one session, its pool slots, an attempt's timeouts, the size
guard, and the one table that turns every aiohttp failure into this package's errors.

This is the only module of the package that imports aiohttp (the fake server aside). It
sends one attempt and hands back the `Answer`, whatever its status; what an answer means
is `_responses.py`'s business, whether to try again `_retry.py`'s.

Timeouts, and why they are what they are:

- Waiting for a free connection is not part of an attempt: the transport holds its own
  `max_connections` slots and waits up to `pool_timeout` for one, before aiohttp starts
  its clock. A request that never got a slot was never sent, so it is retried even for a
  create, and it never makes an outcome unknown.
- Then one attempt is bounded by its `Timeout`: `total` (aiohttp's) and `connect`
  (aiohttp's `sock_connect`: aiohttp's own `connect` would count the pool's wait).
- And a body that stalls after its headers fails once `read` seconds pass without a byte
  of it: applied here, only to a body that did not come with its headers (aiohttp's
  `sock_read` re-arms a timer on every chunk, a tenth of a small request).
- The call's deadline (`Request.deadline`) bounds the wait for a slot, and shortens an
  attempt whose `total` would outlast it; when it is what ran out, the built-in
  `TimeoutError` goes up to the call path, which says what the deadline cut short.
"""

from __future__ import annotations

import asyncio
import inspect
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .._deadline import ran_out
from ..errors import APIConnectionError, APITimeoutError, ClientClosedError, ResponseDecodeError
from ._base import Answer, Request, Timeout
from ._headers import DefaultHeaders
from ._slots import Slots

__all__ = [
    "DEFAULT_POOL_TIMEOUT",
    "MAX_RESPONSE_BYTES",
    "AiohttpTransport",
    "Session",
    "from_client_timeout",
    "map_client_error",
]

Session = aiohttp.ClientSession
"""The session type `VapiPhoneClient(session=...)` takes."""

DEFAULT_POOL_TIMEOUT = 60.0
MAX_RESPONSE_BYTES = 64 << 20
"""The largest answer read (64 MiB): a page of 1,000 numbers is about 1 MB. A bigger one
is cut off and raises `ResponseDecodeError` rather than fill the memory of a worker."""


def from_client_timeout(value: object) -> Timeout | None:
    """The `Timeout` of an `aiohttp.ClientTimeout` (deprecated as a `timeout=`: it still
    works, with a `DeprecationWarning`); None for anything else. Its `total` is kept,
    `sock_connect` (else `connect`) is the connect timeout, `sock_read` the read one."""
    if not isinstance(value, aiohttp.ClientTimeout):
        return None
    warnings.warn(
        "an aiohttp.ClientTimeout as timeout= is deprecated: pass seconds or "
        "vapi_phone_async.Timeout(total=..., connect=..., read=...)",
        DeprecationWarning,
        stacklevel=_outside_the_package(),
    )
    connect = value.sock_connect if value.sock_connect is not None else value.connect
    return Timeout(value.total, connect, value.sock_read)


# What a failure means: the class of our error, its message, and whether the request
# certainly never left (`connect_failed`). `to` names the host, " to api.vapi.ai".
_Meaning = tuple[type[APIConnectionError], str, bool]
_Mapper = Callable[[Any, str, "Timeout | None"], _Meaning]


def _outside_the_package() -> int:
    """The `stacklevel` of the caller's own code: the first frame not of this package."""
    level, frame = 2, inspect.currentframe()
    frame = frame.f_back.f_back if frame is not None and frame.f_back is not None else None
    package = __name__.split(".")[0] + "."
    while frame is not None and frame.f_globals.get("__name__", "").startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _connect_timeout(error: Any, to: str, timeout: Timeout | None) -> _Meaning:
    within = f" within {timeout.connect} s" if timeout and timeout.connect else ""
    return APITimeoutError, f"timed out connecting{to}{within}", True


def _read_timeout(error: Any, to: str, timeout: Timeout | None) -> _Meaning:
    return APITimeoutError, "timed out reading: no byte of the answer in time (sock_read)", False


def _total_timeout(error: Any, to: str, timeout: Timeout | None) -> _Meaning:
    if timeout is None or not timeout.total:
        return APITimeoutError, "timed out", False
    return (
        APITimeoutError,
        f"timed out: the attempt's total timeout of {timeout.total} s ran out before the "
        "answer was complete",
        False,
    )


def _certificate(error: Any, to: str, timeout: Timeout | None) -> _Meaning:
    # Not its `os_error`: aiohttp older than 3.13.4 never sets it on this class.
    name = type(error.certificate_error).__name__
    return (
        APIConnectionError,
        f"could not connect{to}: the server's TLS certificate was refused ({name})",
        True,
    )


def _connector(error: Any, to: str, timeout: Timeout | None) -> _Meaning:
    return APIConnectionError, f"could not connect{to} ({type(error.os_error).__name__})", True


def _said(message: str, *, connect_failed: bool = False) -> _Mapper:
    def meaning(error: Any, to: str, timeout: Timeout | None) -> _Meaning:
        return APIConnectionError, message, connect_failed

    return meaning


def _total_ran_out(error: BaseException) -> bool:
    """Whether `error` is aiohttp's `total` running out (its connect and read timeouts
    are `ClientError`s too)."""
    return isinstance(error, (asyncio.TimeoutError, TimeoutError)) and not isinstance(
        error, aiohttp.ClientError
    )


def _by_name(error: Any, to: str, timeout: Timeout | None) -> _Meaning:
    # Never str() a ClientResponseError: its request_info carries the Authorization header.
    return APIConnectionError, type(error).__name__, False


ERROR_TABLE: tuple[tuple[type[BaseException], _Mapper], ...] = (
    # Most specific first: the first class an error is an instance of decides.
    (aiohttp.ConnectionTimeoutError, _connect_timeout),  # before anything was sent
    (aiohttp.SocketTimeoutError, _read_timeout),
    (asyncio.TimeoutError, _total_timeout),  # aiohttp's expired `total`: the built-in one
    (TimeoutError, _total_timeout),
    (aiohttp.ClientConnectorCertificateError, _certificate),
    (aiohttp.ClientConnectorError, _connector),
    (aiohttp.InvalidURL, _said("the URL could not be used", connect_failed=True)),
    (aiohttp.ClientPayloadError, _said("the response body was cut short")),
    (aiohttp.ServerDisconnectedError, _said("the server closed the connection")),
    (aiohttp.ClientError, _by_name),
)
"""Every failure of an attempt, aiohttp's `ClientError` tree and the built-in timeout,
and what it means; tests/transports/test_aiohttp.py checks that every `ClientError`
subclass aiohttp defines lands here."""


def map_client_error(
    error: BaseException, method: str, path: str, host: str = "", timeout: Timeout | None = None
) -> APIConnectionError:
    """This package's error for an aiohttp or timeout failure of one attempt; `host` (the
    base URL's host and port) names where a connection failed, and `timeout` (the
    attempt's) which bound ran out."""
    to = f" to {host}" if host else ""
    for kind, meaning in ERROR_TABLE:
        if isinstance(error, kind):
            cls, message, connect_failed = meaning(error, to, timeout)
            return cls(message, method=method, path=path, connect_failed=connect_failed)
    raise TypeError(f"not a failure of an attempt: {type(error).__name__}")


class _SendCounter:
    """A request middleware counting how often aiohttp put one request on the wire: it
    silently sends an idempotent request again once when the connection fails under it."""

    __slots__ = ("sends",)

    def __init__(self) -> None:
        self.sends = 0

    async def __call__(
        self, request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        self.sends += 1
        return await handler(request)


class AiohttpTransport:
    """Requests over one aiohttp session, created lazily; a session passed in is used as it
    is and never closed.

    At most `max_connections` requests are in flight at once (0: no limit); a request
    waits up to `pool_timeout` seconds (None: no limit) for a slot before its attempt
    starts. `base_url` is where request paths are sent (checked by the client).
    `headers` go with every request of the session it creates (a client's: its key,
    user agent and accept); a request's own headers of the same name replace them.
    """

    def __init__(
        self,
        base_url: str,
        *,
        session: aiohttp.ClientSession | None = None,
        max_connections: int = 100,
        max_connections_per_host: int = 0,
        pool_timeout: float | None = DEFAULT_POOL_TIMEOUT,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.base_url = base_url
        self._host = urlsplit(base_url).netloc  # no user info: the client refuses it
        self._session = session
        self._owns_session = session is None
        self._limits = (max_connections, max_connections_per_host)
        self._slots = Slots(max_connections) if max_connections else None
        self._pool_timeout = pool_timeout
        self._timeouts: dict[Timeout, aiohttp.ClientTimeout] = {}
        # A session passed in has default headers of its own, if any.
        self._defaults = DefaultHeaders(headers if session is None else None)
        self._closed = False

    def __repr__(self) -> str:
        return f"AiohttpTransport(base_url={self.base_url!r})"

    @property
    def session(self) -> aiohttp.ClientSession:
        """The session in use, created on first use inside the running event loop."""
        if self._closed:
            raise ClientClosedError("this VapiPhoneClient is closed; create a new one")
        if self._session is None:
            limit, limit_per_host = self._limits
            connector = aiohttp.TCPConnector(limit=limit, limit_per_host=limit_per_host)
            self._session = aiohttp.ClientSession(connector=connector, headers=self._defaults.sent)
        return self._session

    async def send(self, request: Request) -> Answer:
        """One attempt of `request`: the answer, or `APIConnectionError` (`APITimeoutError`)
        when none came, or `ResponseDecodeError` for one over `MAX_RESPONSE_BYTES`; the
        built-in `TimeoutError` when `request.deadline` ran out first."""
        session = self.session
        method, path, progress = request.method, request.path, request.progress
        timeout, deadline = request.timeout, request.deadline
        slots = self._slots
        if slots is not None and not slots.take_now():
            if progress is not None:
                progress.waiting_for_connection(slots.size)
            await self._wait_for_slot(slots, method, path, deadline)
            if progress is not None:
                progress.sending()
        # Only DELETE's answer changes when aiohttp sends it twice (a 404 for the second
        # send), so only DELETE pays for counting. (None: the session's own middlewares.)
        counter = _SendCounter() if method == "DELETE" else None
        response = None
        try:
            # Awaited, not entered: `async with` costs three coroutines more a request, and
            # the `finally` below gives the connection back all the same.
            response = await session.request(
                method,
                self.base_url + path,
                params=request.query,
                data=request.body,
                headers=self._defaults.beyond(request.headers),
                timeout=self._client_timeout(timeout, deadline),
                allow_redirects=False,
                # A session passed in may raise on 4xx/5xx itself; our errors need the body.
                raise_for_status=False,
                middlewares=None if counter is None else (counter,),
            )
            if response.content.is_eof():
                # The whole body came with the headers (decompressed, if it was: the
                # stream is at its end only once all of it is). Taken from the buffer as
                # it is: `read()` would await two coroutines a call for it.
                data = response.content.read_nowait()
            else:  # it may stall, or be huge: refused at once if it says so
                length = response.content_length
                if length is not None and length > MAX_RESPONSE_BYTES:
                    response.close()
                    raise _too_large(method, path)
                data = await _read_body(response, request)
            if len(data) > MAX_RESPONSE_BYTES:
                raise _too_large(method, path)
            sends = 1 if counter is None else counter.sends
            return Answer(response.status, response.headers, data, sends)
        except (aiohttp.ClientError, asyncio.TimeoutError, TimeoutError) as error:
            if _total_ran_out(error) and ran_out(deadline):
                raise TimeoutError from None  # the call's deadline: the call path says so
            mapped = map_client_error(error, method, path, self._host, timeout)
            # A ClientResponseError's repr carries the Authorization header: never chain it.
            cause = None if isinstance(error, aiohttp.ClientResponseError) else error
            raise mapped from cause
        finally:
            if response is not None:
                response.release()  # its connection back to the pool, or closed if spoilt
            if slots is not None:
                slots.give_back()

    def _client_timeout(self, timeout: Timeout, deadline: float | None) -> aiohttp.ClientTimeout:
        """aiohttp's bounds of an attempt: its `timeout`, with `total` cut short to end by
        the call's `deadline` (loop time) when it would outlast it."""
        if deadline is not None:
            remaining = deadline - asyncio.get_running_loop().time()
            # aiohttp rounds a total over 5 s up to the next second: one to spare.
            if timeout.total is None or remaining < timeout.total + 1:
                if remaining <= 0:
                    raise TimeoutError
                # Not rounded up: the deadline is kept to the millisecond.
                return aiohttp.ClientTimeout(
                    total=remaining, sock_connect=timeout.connect, ceil_threshold=remaining + 1
                )
        client = self._timeouts.get(timeout)
        if client is None:
            if len(self._timeouts) > 64:  # per-call timeouts of every size: stay small
                self._timeouts.clear()
            client = aiohttp.ClientTimeout(total=timeout.total, sock_connect=timeout.connect)
            self._timeouts[timeout] = client
        return client

    async def _wait_for_slot(
        self, slots: Slots, method: str, path: str, deadline: float | None
    ) -> None:
        """Wait for a slot up to `pool_timeout`, or until the call's `deadline`."""
        limit = self._pool_timeout
        if deadline is not None:
            remaining = max(0.0, deadline - asyncio.get_running_loop().time())
            limit = remaining if limit is None else min(limit, remaining)
        try:
            await asyncio.wait_for(slots.wait_for_one(), limit)
        except asyncio.TimeoutError:
            if ran_out(deadline):
                raise TimeoutError from None  # the call's deadline: the call path says so
            raise APITimeoutError(
                f"no free connection within {self._pool_timeout} s (max_connections="
                f"{self._limits[0]}); nothing was sent",
                method=method,
                path=path,
                connect_failed=True,
            ) from None

    async def aclose(self) -> None:
        """Close the session if this transport created it; later sends raise
        `ClientClosedError`."""
        self._closed = True
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None


async def _read_body(response: aiohttp.ClientResponse, request: Request) -> bytes:
    """The rest of a body, failing once `request.timeout.read` seconds (None: no limit)
    pass without a byte of it, or once it grows past `MAX_RESPONSE_BYTES`; the attempt's
    total timeout (aiohttp's) may end it first, while bytes still come."""
    method, path, progress = request.method, request.path, request.progress
    timeout = request.timeout
    chunks = []
    size = 0
    idle = timeout.read
    last = time.monotonic()
    try:
        while chunk := await asyncio.wait_for(response.content.readany(), idle):
            last = time.monotonic()
            size += len(chunk)
            if progress is not None:
                progress.read(len(chunk))
            if size > MAX_RESPONSE_BYTES:
                response.close()
                raise _too_large(method, path)
            chunks.append(chunk)
    except asyncio.TimeoutError:
        response.close()
        quiet = time.monotonic() - last
        if idle is not None and quiet >= idle * 0.99:
            message = f"the body stalled: no byte of it for {idle} s (the read timeout)"
        elif ran_out(request.deadline):
            raise  # the call's deadline, cut short by aiohttp's total: `send` says so
        else:  # aiohttp's total ran out, inside readany, with bytes still coming
            message = (
                f"the attempt's total timeout of {timeout.total} s ran out while the "
                f"body was still arriving ({size} bytes read, the last {quiet:.1f} s ago)"
            )
        raise APITimeoutError(message, method=method, path=path) from None
    return b"".join(chunks)


def _too_large(method: str, path: str) -> ResponseDecodeError:
    return ResponseDecodeError(
        f"{method} {path}: the answer is larger than {MAX_RESPONSE_BYTES >> 20} MiB, the most "
        "this client reads; it was cut off",
        "",
    )
