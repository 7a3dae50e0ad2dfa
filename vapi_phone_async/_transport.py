"""The aiohttp adapter: the session, auth, timeouts, and one attempt of one request.

This is the only module of the client that imports aiohttp. It performs one attempt and
turns every failure into this package's own errors; what an answer means is
`_responses.py`'s business, whether to try again `_retry.py`'s.

Timeouts, and why they are what they are:

- Waiting for a free connection is not part of an attempt: the transport holds its own
  `max_connections` slots and waits up to `pool_timeout` for one, before aiohttp starts
  its clock. A request that never got a slot was never sent, so it is retried even for a
  create, and it never makes an outcome unknown.
- Then one attempt is bounded by `timeout`: by default 60 s in all (`total`) and 10 s to
  open a connection (`sock_connect`).
- And a body that stalls after its headers fails the attempt once `read_timeout` (20 s by
  default) passes without a byte of it, not after the whole 60. The transport applies
  this itself, and only to a body that has not arrived with its headers: aiohttp's own
  `sock_read` would re-arm a timer on every chunk of every answer, which costs a tenth of
  a small request. A `ClientTimeout` with `sock_read` works as aiohttp defines it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import platform
import time
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import aiohttp
import msgspec

from ._events import Hooks, RequestEvent, ResponseEvent
from ._progress import ANSWER, POOL, PROGRESS, Progress
from ._raw import CAPTURE
from ._responses import read_answer
from ._secrets import secret_values
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    FieldError,
    RequestValidationError,
    ResponseDecodeError,
    VapiError,
)

__all__ = [
    "DEFAULT_POOL_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "MAX_RESPONSE_BYTES",
    "READ_TIMEOUT",
    "AttemptTimeout",
    "Transport",
    "attempt_timeout",
    "map_client_error",
]

logger = logging.getLogger("vapi_phone_async")

READ_TIMEOUT = 20.0
CONNECT_TIMEOUT = 10.0
DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=60, sock_connect=CONNECT_TIMEOUT)
DEFAULT_POOL_TIMEOUT = 60.0
MAX_RESPONSE_BYTES = 64 << 20
"""The largest answer read (64 MiB): a page of 1,000 numbers is about 1 MB. A bigger one
is cut off and raises `ResponseDecodeError` rather than fill the memory of a worker."""
USER_AGENT = (
    f"vapi-phone-async/{__version__} aiohttp/{aiohttp.__version__} "
    f"python/{platform.python_version()}"
)


class AttemptTimeout(NamedTuple):
    """What bounds one attempt: aiohttp's timeout, and the body's idle timeout (or None)."""

    client: aiohttp.ClientTimeout
    read: float | None


DEFAULT_ATTEMPT_TIMEOUT = AttemptTimeout(DEFAULT_TIMEOUT, READ_TIMEOUT)


def attempt_timeout(
    value: float | aiohttp.ClientTimeout | None, name: str = "timeout"
) -> AttemptTimeout:
    """An attempt's timeouts from seconds (the total; the read and connect timeouts no
    longer than it), a ClientTimeout (used as it is), or None (no timeout at all).
    Raises `RequestValidationError` for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float, aiohttp.ClientTimeout)):
        if value is not None:
            raise RequestValidationError(
                [
                    FieldError(
                        name,
                        f"must be seconds, an aiohttp.ClientTimeout or None (got "
                        f"{type(value).__name__})",
                    )
                ]
            )
    elif not isinstance(value, aiohttp.ClientTimeout) and not (0 < value < math.inf):
        raise RequestValidationError(
            [FieldError(name, f"must be a positive, finite number of seconds (got {value!r})")]
        )
    if isinstance(value, aiohttp.ClientTimeout):
        return DEFAULT_ATTEMPT_TIMEOUT if value is DEFAULT_TIMEOUT else AttemptTimeout(value, None)
    if value is None:
        return AttemptTimeout(aiohttp.ClientTimeout(total=None, sock_connect=None), None)
    client = aiohttp.ClientTimeout(total=value, sock_connect=min(value, CONNECT_TIMEOUT))
    return AttemptTimeout(client, min(value, READ_TIMEOUT))


def map_client_error(
    error: BaseException,
    method: str,
    path: str,
    host: str = "",
    timeout: aiohttp.ClientTimeout | None = None,
) -> VapiError:
    """This package's error for an aiohttp or timeout failure of one attempt; `host` (the
    base URL's host and port) names where a connection failed, and `timeout` (the
    attempt's) which bound ran out."""
    to = f" to {host}" if host else ""
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        # Raised before anything was sent: while connecting.
        within = f" within {timeout.sock_connect} s" if timeout and timeout.sock_connect else ""
        return APITimeoutError(
            f"timed out connecting{to}{within}", method=method, path=path, connect_failed=True
        )
    if isinstance(error, aiohttp.SocketTimeoutError):
        quiet = f" for {timeout.sock_read} s" if timeout and timeout.sock_read else ""
        return APITimeoutError(
            f"timed out reading: no byte of the answer{quiet} (sock_read)",
            method=method,
            path=path,
        )
    if isinstance(error, (asyncio.TimeoutError, TimeoutError)):
        if timeout is not None and timeout.total:
            return APITimeoutError(
                f"timed out: the attempt's total timeout of {timeout.total} s ran out before "
                "the answer was complete",
                method=method,
                path=path,
            )
        return APITimeoutError("timed out", method=method, path=path)
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        # Before its own `os_error`: aiohttp older than 3.13.4 never sets it on this class.
        return APIConnectionError(
            f"could not connect{to}: the server's TLS certificate was refused "
            f"({type(error.certificate_error).__name__})",
            method=method,
            path=path,
            connect_failed=True,
        )
    if isinstance(error, aiohttp.ClientConnectorError):
        return APIConnectionError(
            f"could not connect{to} ({error.os_error.__class__.__name__})",
            method=method,
            path=path,
            connect_failed=True,
        )
    if isinstance(error, aiohttp.InvalidURL):
        # The URL could not be used: nothing was sent.
        return APIConnectionError(
            "the URL could not be used", method=method, path=path, connect_failed=True
        )
    if isinstance(error, aiohttp.ClientPayloadError):
        return APIConnectionError("the response body was cut short", method=method, path=path)
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return APIConnectionError("the server closed the connection", method=method, path=path)
    # Never str() a ClientResponseError: its request_info carries the Authorization header.
    return APIConnectionError(type(error).__name__, method=method, path=path)


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


async def _read_body(
    response: aiohttp.ClientResponse,
    timeout: AttemptTimeout,
    method: str,
    path: str,
    progress: Progress | None,
) -> bytes:
    """The rest of a body, failing once `timeout.read` seconds (None: no limit) pass
    without a byte of it, or once it grows past `MAX_RESPONSE_BYTES`; the attempt's total
    timeout (aiohttp's) may end it first, while bytes still come."""
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
        else:  # aiohttp's total ran out, inside readany, with bytes still coming
            message = (
                f"the attempt's total timeout of {timeout.client.total} s ran out while the "
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


class Transport:
    """One aiohttp session per client, created lazily; a session passed in is never closed.

    At most `max_connections` requests are in flight at once (0: no limit); a request
    waits up to `pool_timeout` seconds (None: no limit) for a slot before its attempt
    starts.
    """

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        session: aiohttp.ClientSession | None = None,
        max_connections: int = 100,
        max_connections_per_host: int = 0,
        pool_timeout: float | None = DEFAULT_POOL_TIMEOUT,
        hooks: Hooks | None = None,
    ) -> None:
        self.base_url = base_url
        self._host = urlsplit(base_url).netloc  # no user info: the client refuses it
        self._hooks = hooks
        self._key = api_key
        self._headers = {
            "Authorization": f"Bearer {api_key}",
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }
        self._json_headers = {**self._headers, "Content-Type": "application/json"}
        self._session = session
        self._owns_session = session is None
        self._limits = (max_connections, max_connections_per_host)
        self._slots = asyncio.Semaphore(max_connections) if max_connections else None
        self._pool_timeout = pool_timeout
        self._closed = False

    def __repr__(self) -> str:
        return f"Transport(base_url={self.base_url!r})"

    @property
    def session(self) -> aiohttp.ClientSession:
        """The session in use, created on first use inside the running event loop."""
        if self._closed:
            raise ClientClosedError("this VapiPhoneClient is closed; create a new one")
        if self._session is None:
            limit, limit_per_host = self._limits
            connector = aiohttp.TCPConnector(limit=limit, limit_per_host=limit_per_host)
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session

    async def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: AttemptTimeout = DEFAULT_ATTEMPT_TIMEOUT,
        attempt: int = 1,
    ) -> bytes:
        """Attempt number `attempt` of one request: the 2xx body, or one of this package's
        errors. `headers` are added to the client's own."""
        session = self.session
        slots = self._slots
        progress = PROGRESS.get()
        if slots is not None:
            if slots.locked():
                if progress is not None:
                    progress.start(attempt, POOL)
                    progress.pool_size = self._limits[0]
                await self._wait_for_slot(slots, method, path, progress)
            else:
                await slots.acquire()  # free: returns without suspending
        sent_headers = self._headers if body is None else self._json_headers
        if headers:
            sent_headers = {**sent_headers, **headers}
        options: dict[str, Any] = {}
        counter = None
        if method == "DELETE":
            # Only DELETE's answer changes when aiohttp sends it twice (a 404 for the
            # second send), so only DELETE pays for counting.
            counter = _SendCounter()
            options["middlewares"] = (counter,)
        hooks = self._hooks
        if hooks is not None:
            await hooks.request(RequestEvent(method, path, attempt))
        started = time.perf_counter()
        status: int | None = None
        if progress is not None:
            progress.start(attempt, ANSWER)
        try:
            async with session.request(
                method,
                self.base_url + path,
                params=params,
                data=body,
                headers=sent_headers,
                timeout=timeout.client,
                allow_redirects=False,
                # A session passed in may raise on 4xx/5xx itself; our errors need the body.
                raise_for_status=False,
                **options,
            ) as response:
                length = response.content_length
                if length is not None and length > MAX_RESPONSE_BYTES:
                    response.close()
                    raise _too_large(method, path)
                if response.content.is_eof():
                    data = await response.read()
                else:  # the body did not come with its headers: it may stall, or be huge
                    data = await _read_body(response, timeout, method, path, progress)
                if len(data) > MAX_RESPONSE_BYTES:
                    raise _too_large(method, path)
                status = response.status
                answer_headers = response.headers
                if logger.isEnabledFor(logging.DEBUG):
                    elapsed = (time.perf_counter() - started) * 1000
                    logger.debug(
                        "%s %s -> %d in %.1f ms (attempt %d)",
                        method,
                        path,
                        status,
                        elapsed,
                        attempt,
                    )
                capture = CAPTURE.get()
                if capture is not None:
                    capture.answered(status, answer_headers, attempt)
                try:
                    answer = read_answer(
                        method,
                        path,
                        status,
                        answer_headers,
                        data,
                        lambda: self._sent_secrets(body, headers),
                    )
                except APIStatusError as error:
                    error.resent = counter is not None and counter.sends > 1
                    raise
        except (aiohttp.ClientError, asyncio.TimeoutError, TimeoutError) as error:
            mapped = map_client_error(error, method, path, self._host, timeout.client)
            logger.debug("%s %s failed: %s (attempt %d)", method, path, mapped, attempt)
            if progress is not None:
                progress.failed(mapped)
            if hooks is not None:
                await self._answered(hooks, method, path, attempt, started, status, mapped)
            # A ClientResponseError's repr carries the Authorization header: never chain it.
            cause = None if isinstance(error, aiohttp.ClientResponseError) else error
            raise mapped from cause
        except VapiError as error:
            if progress is not None:
                progress.failed(error)
            if hooks is not None:
                await self._answered(hooks, method, path, attempt, started, status, error)
            raise
        finally:
            if slots is not None:
                slots.release()
        if hooks is not None:
            await self._answered(
                hooks, method, path, attempt, started, status, None, answer_headers
            )
        return answer

    @staticmethod
    async def _answered(
        hooks: Hooks,
        method: str,
        path: str,
        attempt: int,
        started: float,
        status: int | None,
        error: VapiError | None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Tell the response hooks how an attempt ended."""
        if isinstance(error, APIStatusError):
            request_id = error.request_id
        else:
            request_id = headers.get("x-request-id") if headers is not None else None
        await hooks.response(
            ResponseEvent(
                method,
                path,
                attempt,
                status,
                time.perf_counter() - started,
                request_id,
                None if error is None else type(error).__name__,
            )
        )

    def _sent_secrets(self, body: bytes | None, headers: Mapping[str, str] | None) -> set[str]:
        """The secret values a request carried, to hide wherever its answer echoes them:
        the key, the secrets of its body, and the values of the caller's extra headers
        (which may well be credentials)."""
        sent = {self._key}
        if headers:
            sent.update(headers.values())
        if body is not None:
            sent |= secret_values(msgspec.json.decode(body))
        return sent

    async def _wait_for_slot(
        self, slots: asyncio.Semaphore, method: str, path: str, progress: Progress | None
    ) -> None:
        try:
            await asyncio.wait_for(slots.acquire(), self._pool_timeout)
        except asyncio.TimeoutError:
            error = APITimeoutError(
                f"no free connection within {self._pool_timeout} s (max_connections="
                f"{self._limits[0]}); nothing was sent",
                method=method,
                path=path,
                connect_failed=True,
            )
            if progress is not None:
                progress.failed(error)
            raise error from None

    async def aclose(self) -> None:
        """Close the session if this transport created it; later calls raise."""
        self._closed = True
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None
