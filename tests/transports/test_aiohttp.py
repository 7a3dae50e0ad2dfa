"""The aiohttp transport's edges: aiohttp errors → ours (every one), what it sends, no
redirects followed, timeouts, its lifecycle.

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

from vapi_phone_async.errors import APIConnectionError, APITimeoutError, ClientClosedError
from vapi_phone_async.transports import AiohttpTransport, Request, Timeout
from vapi_phone_async.transports._aiohttp import (
    ERROR_TABLE,
    from_client_timeout,
    map_client_error,
)

from .._aioresponses_compat import CompatResponse

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


def test_no_row_of_the_error_table_is_hidden_by_an_earlier_one() -> None:
    """The first row an error is an instance of decides: a subclass listed after its base
    would never be reached. (asyncio.TimeoutError is TimeoutError from Python 3.11.)"""
    kinds = [kind for kind, _ in ERROR_TABLE]
    for index, kind in enumerate(kinds):
        assert not [k for k in kinds[:index] if issubclass(kind, k) and k is not kind]
    assert kinds[-1] is aiohttp.ClientError


def test_a_client_timeout_is_read_as_a_timeout_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="ClientTimeout"):
        read = from_client_timeout(aiohttp.ClientTimeout(total=5, sock_connect=2, sock_read=3))
    assert read == Timeout(total=5, connect=2, read=3)
    with pytest.warns(DeprecationWarning):
        assert from_client_timeout(aiohttp.ClientTimeout(total=5, connect=4)) == Timeout(5, 4, None)
    assert from_client_timeout(5) is None


async def test_a_request_goes_out_as_it_is_and_its_answer_comes_back_whatever_its_status() -> None:
    transport = AiohttpTransport(BASE)
    headers = {"Authorization": f"Bearer {KEY}", "X-Trace": "t"}
    request = Request("GET", "/phone-number/1", {"a": "b"}, None, headers, Timeout(5, 1, 2))
    try:
        with aioresponses() as mocked:
            mocked.get(
                f"{BASE}/phone-number/1?a=b",
                status=503,
                body=b'{"message": "down"}',
                headers={"X-Request-Id": "r1"},
                response_class=CompatResponse,
            )
            answer = await transport.send(request)
            ((_, calls),) = mocked.requests.items()
        assert (answer.status, answer.body, answer.sends) == (503, b'{"message": "down"}', 1)
        assert answer.headers["x-request-id"] == "r1"
        kwargs = calls[0].kwargs
        assert kwargs["headers"] == headers
        assert kwargs["allow_redirects"] is False
        assert kwargs["timeout"] == aiohttp.ClientTimeout(total=5, sock_connect=1)
    finally:
        await transport.aclose()


async def test_a_redirect_is_an_answer_not_followed_with_the_key() -> None:
    transport = AiohttpTransport(BASE)
    try:
        with aioresponses() as mocked:
            mocked.get(
                f"{BASE}/phone-number/1",
                status=302,
                headers={"Location": "https://elsewhere.example/steal"},
                response_class=CompatResponse,
            )
            answer = await transport.send(Request("GET", "/phone-number/1"))
            assert answer.status == 302
            assert len(mocked.requests) == 1
    finally:
        await transport.aclose()


async def test_a_closed_transport_refuses_to_send() -> None:
    transport = AiohttpTransport(BASE)
    await transport.aclose()
    with pytest.raises(ClientClosedError):
        await transport.send(Request("GET", "/phone-number/1"))


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
