"""The aiohttp transport's edges: aiohttp errors → ours (every one), what it sends, no
redirects followed, timeouts, its lifecycle.

These are the narrow unit tests that stage a response with aioresponses, but for the
call's deadline, which needs real waits (FakeVapiServer); everything else that needs a
real server runs against FakeVapiServer in test_client*.py.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import ssl
from collections.abc import AsyncIterator
from types import MappingProxyType

import aiohttp
import pytest
import yarl
from aiohttp import web
from aiohttp.client_exceptions import UnixClientConnectorError
from aiohttp.client_reqrep import ConnectionKey
from aiohttp.test_utils import TestServer
from aioresponses import aioresponses
from multidict import CIMultiDict, CIMultiDictProxy

from vapi_phone_async._deadline import deadline_at
from vapi_phone_async.errors import APIConnectionError, APITimeoutError, ClientClosedError
from vapi_phone_async.testing import FakeVapiServer
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


# The call's deadline (Request.deadline): what ran out is the built-in TimeoutError, for the
# call path to say what it cut short; the attempt's own bounds stay this package's errors.


@pytest.fixture
async def to_fake(fake_vapi: FakeVapiServer) -> AsyncIterator[AiohttpTransport]:
    """An aiohttp transport to `fake_vapi`, closed after the test."""
    transport = AiohttpTransport(fake_vapi.url)
    yield transport
    await transport.aclose()


def slow_number_path(fake_vapi: FakeVapiServer) -> str:
    """The path of a number whose every GET is answered after two seconds."""
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", mode="delay", delay=2.0)
    return f"/phone-number/{number['id']}"


async def test_an_attempt_that_would_outlast_the_deadline_is_cut_short_at_it(
    fake_vapi: FakeVapiServer, to_fake: AiohttpTransport
) -> None:
    request = Request("GET", slow_number_path(fake_vapi), deadline=deadline_at(0.2))
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(TimeoutError) as caught:
        await to_fake.send(request)
    assert not isinstance(caught.value, APIConnectionError)
    assert 0.15 < loop.time() - started < 1.0


async def test_nothing_is_sent_once_the_deadline_has_run_out(
    fake_vapi: FakeVapiServer, to_fake: AiohttpTransport
) -> None:
    with pytest.raises(TimeoutError):
        await to_fake.send(Request("GET", "/phone-number/1", deadline=deadline_at(-0.1)))
    assert fake_vapi.requests("GET") == []


async def test_the_wait_for_a_connection_ends_at_the_deadline(fake_vapi: FakeVapiServer) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", mode="delay", delay=1.0, times=1)
    transport = AiohttpTransport(fake_vapi.url, max_connections=1, pool_timeout=30)
    path = f"/phone-number/{number['id']}"
    key = {"Authorization": f"Bearer {fake_vapi.api_key}"}
    try:
        holder = asyncio.ensure_future(transport.send(Request("GET", path, headers=key)))
        await asyncio.sleep(0.05)  # the first request holds the only connection
        with pytest.raises(TimeoutError) as caught:
            await transport.send(Request("GET", path, headers=key, deadline=deadline_at(0.1)))
        assert not isinstance(caught.value, APIConnectionError)
        assert (await holder).status == 200
        # The slot came back: a request goes at once.
        again = Request("GET", path, headers=key, deadline=deadline_at(5))
        assert (await transport.send(again)).status == 200
    finally:
        await transport.aclose()


async def test_an_attempt_timeout_shorter_than_the_deadline_is_the_attempts(
    fake_vapi: FakeVapiServer, to_fake: AiohttpTransport
) -> None:
    path = slow_number_path(fake_vapi)
    request = Request("GET", path, timeout=Timeout(0.1), deadline=deadline_at(30))
    with pytest.raises(APITimeoutError, match=r"total timeout of 0\.1 s ran out"):
        await to_fake.send(request)


# Default headers: the session sends a client's own headers; a request's replace them.


async def test_default_headers_go_with_every_request_and_a_requests_own_replace_them(
    fake_vapi: FakeVapiServer,
) -> None:
    (number,) = fake_vapi.seed(1)
    path = f"/phone-number/{number['id']}"
    own = {
        "Authorization": f"Bearer {fake_vapi.api_key}",
        "User-Agent": "tests/1",
        "Accept": "application/json",
    }
    transport = AiohttpTransport(fake_vapi.url, headers=own)
    as_json = MappingProxyType({**own, "Content-Type": "application/json"})
    changed = MappingProxyType({**own, "Accept": "text/plain", "X-Trace": "t-1"})
    wrong_key = MappingProxyType({**own, "Authorization": "Bearer not-the-key"})
    try:
        for _ in range(2):  # the second time from what the transport kept of the first
            assert (
                await transport.send(Request("GET", path, headers=MappingProxyType(own)))
            ).status == 200
            patch = Request("PATCH", path, body=b'{"name": "n"}', headers=as_json)
            assert (await transport.send(patch)).status == 200
            assert (await transport.send(Request("GET", path, headers=changed))).status == 200
            assert (await transport.send(Request("GET", path, headers=wrong_key))).status == 401
    finally:
        await transport.aclose()
    get, patched, with_changes, _ = (record.headers for record in fake_vapi.requests()[:4])
    assert (get["User-Agent"], get["Accept"]) == ("tests/1", "application/json")
    assert patched["Content-Type"] == "application/json"
    assert (with_changes["Accept"], with_changes["X-Trace"]) == ("text/plain", "t-1")
    assert fake_vapi.numbers[number["id"]]["name"] == "n"


# A compressed answer (the live API's edge may gzip one) is read whole, small or large.


@pytest.mark.parametrize("size", [2_000, 3_000_000])
async def test_a_gzipped_answer_is_read_whole(size: int) -> None:
    body = json.dumps({"results": ["x" * 90] * (size // 100)}).encode()

    async def answer(request: web.Request) -> web.Response:
        return web.Response(
            body=gzip.compress(body),
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    app = web.Application()
    app.router.add_get("/phone-number", answer)
    async with TestServer(app, host="127.0.0.1") as server:
        transport = AiohttpTransport(str(server.make_url("")).rstrip("/"))
        try:
            got = await transport.send(Request("GET", "/phone-number"))
        finally:
            await transport.aclose()
    assert got.status == 200 and got.body == body
