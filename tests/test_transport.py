"""The transport's edges: status → error, aiohttp errors → ours, headers, URLs, timeouts.

These are the narrow unit tests that stage a response with aioresponses; everything that
needs a real server runs against FakeVapiServer in test_client*.py.
"""

from __future__ import annotations

import asyncio
import ssl

import aiohttp
import pytest
import yarl
from aiohttp.client_exceptions import UnixClientConnectorError
from aiohttp.client_reqrep import ConnectionKey
from aioresponses import aioresponses
from multidict import CIMultiDict, CIMultiDictProxy

from vapi_phone_async._transport import (
    READ_TIMEOUT,
    USER_AGENT,
    Transport,
    attempt_timeout,
    map_client_error,
)
from vapi_phone_async.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
)

from ._aioresponses_compat import CompatResponse

BASE = "https://api.vapi.ai"


KEY = "sk-live-very-secret-key"


def _client_error_classes() -> list[type[aiohttp.ClientError]]:
    seen: list[type[aiohttp.ClientError]] = []
    stack: list[type[aiohttp.ClientError]] = [aiohttp.ClientError]
    while stack:
        cls = stack.pop()
        seen.append(cls)
        stack.extend(cls.__subclasses__())
    return [c for c in seen if c.__module__.startswith("aiohttp")]


def _instance(cls: type[aiohttp.ClientError]) -> aiohttp.ClientError:
    # Build each aiohttp error with plausible arguments; the mapping must not depend on them.
    url = yarl.URL(BASE)
    headers = CIMultiDictProxy(CIMultiDict({"Authorization": f"Bearer {KEY}"}))
    if issubclass(cls, aiohttp.ClientResponseError):
        info = aiohttp.RequestInfo(url=url, method="GET", headers=headers, real_url=url)
        return cls(info, (), status=500, message="boom")
    key = ConnectionKey("api.vapi.ai", 443, True, True, None, None, None)
    if issubclass(cls, UnixClientConnectorError):
        return cls("/tmp/socket", key, OSError(111, "refused"))
    if issubclass(cls, aiohttp.ClientConnectorError):
        return cls(key, OSError(111, "refused"))
    for args in ((), ("x",), ("x", "x"), (b"x", b"y", "host", 443)):
        try:
            return cls(*args)
        except TypeError:
            continue
    raise AssertionError(f"add a way to build {cls.__name__} to this test")


@pytest.mark.parametrize("cls", _client_error_classes(), ids=lambda c: c.__name__)
def test_every_aiohttp_client_error_maps_to_our_connection_error(
    cls: type[aiohttp.ClientError],
) -> None:
    mapped = map_client_error(_instance(cls), "GET", "/phone-number")
    assert isinstance(mapped, APIConnectionError)
    assert KEY not in str(mapped) and KEY not in repr(mapped)


def test_timeouts_map_to_the_timeout_error_and_connect_timeouts_say_nothing_was_sent() -> None:
    assert isinstance(map_client_error(TimeoutError(), "GET", "/p"), APITimeoutError)
    assert isinstance(map_client_error(asyncio.TimeoutError(), "GET", "/p"), APITimeoutError)
    read = map_client_error(aiohttp.SocketTimeoutError(), "POST", "/p")
    assert isinstance(read, APITimeoutError) and not read.connect_failed
    connect = map_client_error(aiohttp.ConnectionTimeoutError(), "POST", "/p")
    assert isinstance(connect, APITimeoutError) and connect.connect_failed


def test_attempt_timeout_from_seconds_none_or_a_client_timeout() -> None:
    assert attempt_timeout(5).client.total == 5
    assert attempt_timeout(5).read == 5
    assert attempt_timeout(60).read == READ_TIMEOUT
    assert attempt_timeout(None).client.total is None and attempt_timeout(None).read is None
    explicit = aiohttp.ClientTimeout(total=1, sock_read=1)
    assert attempt_timeout(explicit) == (explicit, None)  # aiohttp applies its sock_read


async def test_requests_carry_the_bearer_key_user_agent_and_no_redirects() -> None:
    transport = Transport(api_key=KEY, base_url=BASE)
    try:
        with aioresponses() as mocked:
            mocked.get(
                f"{BASE}/phone-number/1",
                status=200,
                body=b'{"id": "1"}',
                response_class=CompatResponse,
            )
            body = await transport.request("GET", "/phone-number/1", timeout=attempt_timeout(5))
            assert body == b'{"id": "1"}'
            ((_, calls),) = mocked.requests.items()
            kwargs = calls[0].kwargs
            assert kwargs["headers"]["Authorization"] == f"Bearer {KEY}"
            assert kwargs["headers"]["User-Agent"] == USER_AGENT
            assert kwargs["allow_redirects"] is False
    finally:
        await transport.aclose()


async def test_a_redirect_is_an_error_not_followed_with_the_key() -> None:
    transport = Transport(api_key=KEY, base_url=BASE)
    try:
        with aioresponses() as mocked:
            mocked.get(
                f"{BASE}/phone-number/1",
                status=302,
                headers={"Location": "https://elsewhere.example/steal"},
                response_class=CompatResponse,
            )
            with pytest.raises(APIStatusError) as caught:
                await transport.request("GET", "/phone-number/1", timeout=attempt_timeout(5))
            assert caught.value.status_code == 302
            assert len(mocked.requests) == 1
    finally:
        await transport.aclose()


async def test_a_closed_transport_refuses_calls() -> None:
    transport = Transport(api_key=KEY, base_url=BASE)
    await transport.aclose()
    with pytest.raises(ClientClosedError):
        await transport.request("GET", "/phone-number/1", timeout=attempt_timeout(5))


def test_the_transport_repr_has_no_key() -> None:
    assert KEY not in repr(Transport(api_key=KEY, base_url=BASE))


def test_a_tls_certificate_failure_maps_on_every_aiohttp_allowed() -> None:
    """aiohttp before 3.13.4 builds this error without the os_error its base promises;
    reading it raised AttributeError out of the mapping."""
    key = ConnectionKey("api.vapi.ai", 443, True, True, None, None, None)
    error = aiohttp.ClientConnectorCertificateError(
        key, ssl.SSLCertVerificationError("certificate verify failed")
    )
    mapped = map_client_error(error, "POST", "/phone-number")
    assert isinstance(mapped, APIConnectionError) and mapped.connect_failed
    assert "TLS certificate" in str(mapped) and "SSLCertVerificationError" in str(mapped)
