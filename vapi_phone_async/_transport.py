"""The aiohttp session layer: auth, timeouts, one request, and status → error.

This is the only module of the client that imports aiohttp. It performs one attempt of a
request and turns every failure into this package's own errors; whether to try again is
`_retry.py`'s business.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import platform
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import msgspec

from ._retry import parse_retry_after
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    FieldError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    UnprocessableEntityError,
    VapiError,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "Transport",
    "check_base_url",
    "client_timeout",
    "map_client_error",
    "status_error",
]

logger = logging.getLogger("vapi_phone_async")

# No sock_read by default: `total` already bounds a stalled read, and a read timer is
# re-armed on every chunk, a cost on each call.
DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=60, sock_connect=10)
USER_AGENT = (
    f"vapi-phone-async/{__version__} aiohttp/{aiohttp.__version__} "
    f"python/{platform.python_version()}"
)

_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def check_base_url(base_url: str) -> str:
    """The base URL without a trailing slash; `https://`, or `http://` to a loopback host."""
    parts = urlsplit(base_url)
    if parts.scheme == "https" and parts.hostname:
        return base_url.rstrip("/")
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return base_url.rstrip("/")
    raise RequestValidationError(
        [FieldError("base_url", "must be an https:// URL (http:// only for loopback hosts)")]
    )


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def client_timeout(value: float | aiohttp.ClientTimeout | None) -> aiohttp.ClientTimeout:
    """A timeout from seconds (the total), a ClientTimeout, or None (no timeout at all)."""
    if isinstance(value, aiohttp.ClientTimeout):
        return value
    if value is None:
        return aiohttp.ClientTimeout(total=None, sock_connect=None, sock_read=None)
    return aiohttp.ClientTimeout(total=value, sock_connect=min(value, 10.0))


def status_error(
    method: str, path: str, status: int, headers: Mapping[str, str], body: bytes
) -> APIStatusError:
    """The error for a non-2xx response; the message comes from the NestJS body."""
    try:
        parsed: Any = msgspec.json.decode(body)
    except msgspec.DecodeError:
        parsed = body.decode("utf-8", errors="replace")
    error_class = _STATUS_ERRORS.get(status)
    if error_class is None:
        error_class = InternalServerError if status >= 500 else APIStatusError
    return error_class(
        status_code=status,
        message=_readable_message(parsed, status),
        body=parsed,
        request_id=headers.get("x-request-id"),
        method=method,
        path=path,
        retry_after=parse_retry_after(headers),
    )


def _readable_message(body: Any, status: int) -> str:
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(message, list):
        return "; ".join(str(item) for item in message)
    if isinstance(message, str) and message:
        return message
    if isinstance(body, str) and body.strip():
        return body.strip()[:200]
    return f"HTTP {status}"


def map_client_error(error: BaseException, method: str, path: str) -> VapiError:
    """This package's error for an aiohttp or timeout failure of one attempt."""
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        # Raised before anything was sent: while connecting or waiting for a pool slot.
        return APITimeoutError(
            "timed out connecting", method=method, path=path, connect_failed=True
        )
    if isinstance(error, (asyncio.TimeoutError, TimeoutError)):
        return APITimeoutError("timed out", method=method, path=path)
    if isinstance(error, aiohttp.ClientConnectorError):
        return APIConnectionError(
            f"could not connect ({error.os_error.__class__.__name__})",
            method=method,
            path=path,
            connect_failed=True,
        )
    if isinstance(error, aiohttp.ClientPayloadError):
        return APIConnectionError("the response body was cut short", method=method, path=path)
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return APIConnectionError("the server closed the connection", method=method, path=path)
    # Never str() a ClientResponseError: its request_info carries the Authorization header.
    return APIConnectionError(type(error).__name__, method=method, path=path)


class _Sends:
    """How many times aiohttp put one request on the wire (it silently re-sends an
    idempotent request once when a reused keep-alive connection turns out to be closed)."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


async def _count_send(
    session: aiohttp.ClientSession, context: Any, params: aiohttp.TraceRequestHeadersSentParams
) -> None:
    if isinstance(context.trace_request_ctx, _Sends):
        context.trace_request_ctx.count += 1


def _send_counter() -> aiohttp.TraceConfig:
    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(_count_send)
    return trace


class Transport:
    """One aiohttp session per client, created lazily; a session passed in is never closed."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        session: aiohttp.ClientSession | None = None,
        max_connections: int = 100,
        max_connections_per_host: int = 0,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self._headers = {
            "Authorization": f"Bearer {api_key}",
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }
        self._session = session
        self._delete_session: aiohttp.ClientSession | None = None
        self._owns_session = session is None
        self._limits = (max_connections, max_connections_per_host)
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

    def _session_for(self, method: str) -> aiohttp.ClientSession:
        session = self.session
        if method != "DELETE" or not self._owns_session:
            return session
        # Tracing costs every request about as much as the rest of this client, so only
        # DELETE, the one call whose silent re-send changes its answer, goes through a
        # traced session; it shares the connector, and with it the connections.
        if self._delete_session is None:
            self._delete_session = aiohttp.ClientSession(
                connector=session.connector, connector_owner=False, trace_configs=[_send_counter()]
            )
        return self._delete_session

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: bytes | None = None,
        timeout: aiohttp.ClientTimeout,
        attempt: int = 1,
    ) -> bytes:
        """One attempt: the 2xx body, or one of this package's errors."""
        session = self._session_for(method)
        headers = self._headers
        if body is not None:
            headers = {**headers, "Content-Type": "application/json"}
        started = time.perf_counter()
        sends = _Sends()
        try:
            async with session.request(
                method,
                self.base_url + path,
                params=params,
                data=body,
                headers=headers,
                timeout=timeout,
                allow_redirects=False,
                # A session passed in may raise on 4xx/5xx itself; our errors need the body.
                raise_for_status=False,
                trace_request_ctx=sends,
            ) as response:
                data = await response.read()
                status = response.status
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
                if 200 <= status < 300:
                    return data
                error = status_error(method, path, status, response.headers, data)
                error.resent = sends.count > 1
                raise error
        except (aiohttp.ClientError, asyncio.TimeoutError, TimeoutError) as error:
            mapped = map_client_error(error, method, path)
            logger.debug("%s %s failed: %s (attempt %d)", method, path, mapped, attempt)
            # A ClientResponseError's repr carries the Authorization header: never chain it.
            cause = None if isinstance(error, aiohttp.ClientResponseError) else error
            raise mapped from cause

    async def aclose(self) -> None:
        """Close the session if this transport created it; later calls raise."""
        self._closed = True
        if self._delete_session is not None:
            await self._delete_session.close()
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = self._delete_session = None
