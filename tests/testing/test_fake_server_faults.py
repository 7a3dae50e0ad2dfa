"""FakeVapiServer's failures on demand: injected faults, chaos, rate limits, latency."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import anyio
import msgspec
import pytest

from vapi_phone_async.testing import EchoEncoding, FakeVapiServer
from vapi_phone_async.testing._limits import WindowLimit

TWILIO = {"provider": "twilio", "number": "+14155550100", "twilioAccountSid": "AC1"}


async def status_of(http: aiohttp.ClientSession, method: str, path: str, **kw: object) -> int:
    async with http.request(method, path, **kw) as response:
        await response.read()
        return response.status


# mode="status"


async def test_status_answers_without_acting(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.inject_fault("POST", "/phone-number", status=503, retry_after=2)
    async with fake_http.post("/phone-number", json=TWILIO) as response:
        assert response.status == 503
        assert response.headers["Retry-After"] == "2"
        assert "x-request-id" in response.headers
        assert await response.json() == {
            "message": "Service Unavailable",
            "error": "Service Unavailable",
            "statusCode": 503,
        }
    assert not fake_vapi.numbers
    record = fake_vapi.request_log[-1]
    assert (record.status, record.fault, record.body) == (503, "status", TWILIO)


async def test_status_defaults_to_503_and_keeps_a_fractional_retry_after(
    fake_http: aiohttp.ClientSession, fake_vapi: FakeVapiServer
) -> None:
    fake_vapi.inject_fault(retry_after=0.25)
    async with fake_http.get("/phone-number") as response:
        assert response.status == 503
        assert response.headers["Retry-After"] == "0.25"
    fake_vapi.inject_fault(status=500)
    async with fake_http.get("/phone-number") as response:
        assert await response.json() == {
            "message": "Internal server error",
            "error": "Internal Server Error",
            "statusCode": 500,
        }
        assert "Retry-After" not in response.headers


async def test_a_fault_counts_down_then_requests_succeed(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.inject_fault("GET", "/phone-number", times=2, status=502)
    statuses = [await status_of(fake_http, "GET", "/phone-number") for _ in range(3)]
    assert statuses == [502, 502, 200]
    assert [r.fault for r in fake_vapi.request_log] == ["status", "status", None]
    assert fake_vapi.pending_faults == []


async def test_method_and_path_scope_a_fault(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    number = fake_vapi.seed(1)[0]
    path = f"/phone-number/{number['id']}"
    fake_vapi.inject_fault("delete", path, status=500)
    assert await status_of(fake_http, "GET", path) == 200  # other method
    assert await status_of(fake_http, "DELETE", "/phone-number/other") == 404  # other path
    assert await status_of(fake_http, "DELETE", path) == 500
    assert await status_of(fake_http, "DELETE", path) == 200


async def test_faults_apply_in_the_order_injected(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    first = fake_vapi.inject_fault(status=500)
    second = fake_vapi.inject_fault("GET", status=502, times=2)
    fake_vapi.inject_fault(status=503)
    assert fake_vapi.pending_faults == [first, second, fake_vapi.pending_faults[2]]
    statuses = [await status_of(fake_http, "GET", "/phone-number") for _ in range(5)]
    assert statuses == [500, 502, 502, 503, 200]


async def test_a_later_fault_applies_when_the_first_does_not_match(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.inject_fault("POST", status=500)
    fake_vapi.inject_fault("GET", status=502)
    assert await status_of(fake_http, "GET", "/phone-number") == 502
    assert await status_of(fake_http, "POST", "/phone-number", json=TWILIO) == 500
    assert await status_of(fake_http, "POST", "/phone-number", json=TWILIO) == 201


async def test_clear_faults(fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession) -> None:
    fake_vapi.inject_fault(status=500, times=5)
    fake_vapi.chaos(1.0)
    fake_vapi.rate_limit(1, burst=1)
    fake_vapi.clear_faults()
    statuses = [await status_of(fake_http, "GET", "/phone-number") for _ in range(3)]
    assert statuses == [200, 200, 200]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "explode"}, "mode must be one of"),
        ({"times": 0}, "times must be at least 1"),
        ({"delay": -1}, "delay must not be negative"),
        ({"mode": "delay"}, "needs a delay"),
        ({"mode": "echo", "encoding": "base64"}, "encoding is for mode 'echo', one of"),
        ({"mode": "status", "encoding": "html"}, "encoding is for mode 'echo'"),
    ],
)
def test_bad_faults_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FakeVapiServer().inject_fault(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("encoding", "content_type", "written"),
    [
        ("raw", "text/plain", 'invalid request: {"name":"a\\"b/c+d=e é"}'),
        ("json", "text/plain", 'invalid request: "{\\"name\\":\\"a\\\\\\"b\\/c+d=e \\u00e9\\"}"'),
        ("form", "application/x-www-form-urlencoded", "name=a%22b%2Fc%2Bd%3De+%C3%A9"),
        ("percent", "application/x-www-form-urlencoded", "name=a%22b%2Fc%2Bd%3De%20%C3%A9"),
        ("html", "text/html", "name&quot;:&quot;a\\&quot;b&#x2F;c&#43;d&#61;e &eacute;&quot;}"),
    ],
)
async def test_echo_writes_the_whole_request_back_in_an_encoding(
    fake_vapi: FakeVapiServer,
    fake_http: aiohttp.ClientSession,
    encoding: EchoEncoding,
    content_type: str,
    written: str,
) -> None:
    fake_vapi.inject_fault("PATCH", mode="echo", status=400, encoding=encoding)
    async with fake_http.patch(
        "/phone-number/x", data=b'{"name":"a\\"b/c+d=e \xc3\xa9"}'
    ) as answer:
        text = await answer.text()
    assert answer.status == 400 and answer.content_type == content_type
    assert written in text
    assert fake_vapi.numbers == {}  # answered without acting


# Dropped connections.


async def test_reset_before_drops_the_connection_without_acting(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.inject_fault("POST", "/phone-number", mode="reset-before")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await status_of(fake_http, "POST", "/phone-number", json=TWILIO)
    assert not fake_vapi.numbers
    record = fake_vapi.request_log[-1]
    assert (record.status, record.fault) == (None, "reset-before")
    assert await status_of(fake_http, "POST", "/phone-number", json=TWILIO) == 201


async def test_reset_after_acts_then_drops_the_connection(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.inject_fault("POST", "/phone-number", mode="reset-after")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await status_of(fake_http, "POST", "/phone-number", json=TWILIO)
    assert len(fake_vapi.numbers) == 1  # created, though the client never heard
    assert len(fake_vapi.requests("POST")) == 1  # aiohttp does not resend a POST
    assert fake_vapi.request_log[-1].status is None


async def test_reset_after_on_a_reused_connection_makes_aiohttp_replay_a_delete(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    # The trap DESIGN.md names: aiohttp silently re-sends an idempotent request once when
    # a kept-alive connection is dropped, so the client sees the replay's 404.
    number = fake_vapi.seed(1)[0]
    assert await status_of(fake_http, "GET", "/phone-number") == 200  # warm a connection
    fake_vapi.inject_fault("DELETE", mode="reset-after")
    assert await status_of(fake_http, "DELETE", f"/phone-number/{number['id']}") == 404
    deletes = fake_vapi.requests("DELETE")
    assert [(r.status, r.fault) for r in deletes] == [(None, "reset-after"), (404, None)]


# Spoiled bodies.


async def test_truncate_acts_and_sends_half_the_body(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.seed(20)
    fake_vapi.inject_fault("GET", "/v2/phone-number", mode="truncate")
    async with fake_http.get("/v2/phone-number") as response:
        assert response.status == 200
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()
    assert fake_vapi.request_log[-1].fault == "truncate"
    assert await status_of(fake_http, "GET", "/v2/phone-number") == 200


async def test_truncate_on_create_still_creates(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.inject_fault("POST", mode="truncate")
    async with fake_http.post("/phone-number", json=TWILIO) as response:
        assert response.status == 201
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()
    assert len(fake_vapi.numbers) == 1


async def test_malformed_acts_and_answers_invalid_json(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.inject_fault("POST", mode="malformed")
    async with fake_http.post("/phone-number", json=TWILIO) as response:
        assert response.status == 201
        assert response.content_type == "application/json"
        body = await response.read()
    with pytest.raises(msgspec.DecodeError):
        msgspec.json.decode(body)
    assert len(fake_vapi.numbers) == 1
    assert fake_vapi.request_log[-1].fault == "malformed"


async def test_malformed_with_a_status(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.inject_fault("GET", mode="malformed", status=502)
    async with fake_http.get("/phone-number") as response:
        assert response.status == 502
        with pytest.raises(msgspec.DecodeError):
            msgspec.json.decode(await response.read())
    assert fake_vapi.request_log[-1].status == 502


# Time.


async def test_delay_acts_and_answers_late(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.inject_fault("GET", mode="delay", delay=0.2)
    started = time.monotonic()
    assert await status_of(fake_http, "GET", "/phone-number") == 200
    assert time.monotonic() - started >= 0.2
    assert fake_vapi.request_log[-1].fault == "delay"


async def test_a_delay_longer_than_the_client_timeout_still_acts(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.inject_fault("POST", mode="delay", delay=5)
    with pytest.raises(asyncio.TimeoutError):
        await status_of(
            fake_http, "POST", "/phone-number", json=TWILIO, timeout=aiohttp.ClientTimeout(0.1)
        )
    assert len(fake_vapi.numbers) == 1  # the outcome the client could not know


async def test_delay_postpones_another_mode(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.inject_fault("GET", status=500, delay=0.1)
    started = time.monotonic()
    assert await status_of(fake_http, "GET", "/phone-number") == 500
    assert time.monotonic() - started >= 0.1


async def test_closing_does_not_wait_for_delayed_answers() -> None:
    server = await FakeVapiServer().start()
    server.inject_fault(mode="delay", delay=30)
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer test-key"}) as http:
        request = asyncio.ensure_future(http.get(f"{server.url}/phone-number"))
        while not server.request_log:  # noqa: ASYNC110 - the log is the only signal
            await asyncio.sleep(0.01)
        # Not a timing target: a guard that close() does not sit out the 30 s delay.
        with anyio.fail_after(10):
            await server.close()
        response = await request
        response.release()


async def test_latency_delays_every_answer(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    assert fake_vapi.latency == 0
    fake_vapi.latency = 0.05
    started = time.monotonic()
    for _ in range(3):
        await status_of(fake_http, "GET", "/phone-number")
    assert time.monotonic() - started >= 0.15
    with pytest.raises(ValueError):
        fake_vapi.latency = -1


# Chaos and rate limits.


async def test_chaos_fails_requests_at_its_rate(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.chaos(1.0, statuses=(500, 502))
    statuses = {await status_of(fake_http, "GET", "/phone-number") for _ in range(20)}
    assert statuses == {500, 502}
    assert {r.fault for r in fake_vapi.request_log} == {"chaos"}
    fake_vapi.chaos(0)
    assert await status_of(fake_http, "GET", "/phone-number") == 200


async def test_chaos_is_deterministic_for_a_seed(fake_http: aiohttp.ClientSession) -> None:
    async def run(seed: int) -> list[int]:
        async with FakeVapiServer() as server:
            server.chaos(0.5, seed=seed)
            return [
                await status_of(fake_http, "GET", f"{server.url}/phone-number") for _ in range(30)
            ]

    first = await run(7)
    assert first == await run(7)
    assert first != await run(8)
    assert 200 in first and set(first) - {200} <= {500, 502, 503}


async def test_chaos_does_not_act(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.chaos(1.0)
    await status_of(fake_http, "POST", "/phone-number", json=TWILIO)
    assert not fake_vapi.numbers


def test_chaos_refuses_a_bad_rate() -> None:
    with pytest.raises(ValueError, match="rate"):
        FakeVapiServer().chaos(1.5)
    with pytest.raises(ValueError, match="status"):
        FakeVapiServer().chaos(0.5, statuses=())


async def test_rate_limit_answers_429_with_retry_after(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.rate_limit(2, burst=3)
    statuses = [await status_of(fake_http, "GET", "/phone-number") for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    async with fake_http.get("/phone-number") as response:
        assert response.status == 429
        assert response.headers["Retry-After"] == "1"
        assert await response.json() == {
            "message": "ThrottlerException: Too Many Requests",
            "error": "Too Many Requests",
            "statusCode": 429,
        }
    assert fake_vapi.request_log[-1].fault == "rate-limit"
    await asyncio.sleep(0.6)  # 2 per second: one token back after half a second
    assert await status_of(fake_http, "GET", "/phone-number") == 200
    fake_vapi.rate_limit(None)
    statuses = [await status_of(fake_http, "GET", "/phone-number") for _ in range(5)]
    assert statuses == [200] * 5


async def test_a_hidden_rate_limit_answers_429_without_retry_after(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.rate_limit(2, burst=2, retry_after=False)
    statuses = [await status_of(fake_http, "GET", "/phone-number") for _ in range(2)]
    async with fake_http.get("/phone-number") as response:
        assert statuses == [200, 200] and response.status == 429
        assert "Retry-After" not in response.headers


def test_a_window_limit_counts_per_window_of_the_wall_clock() -> None:
    """Vapi's organisation limit: requests counted per tumbling window aligned to the
    clock, the count starting over at each boundary, whatever came before it."""
    limit = WindowLimit(3, 60.0, retry_after=False)
    allowed = []
    for wall in (120.0, 150.0, 179.9, 179.95, 180.0, 180.1):
        refusal = limit.refusal(0.0, wall)
        if refusal is None:
            limit.take()
        allowed.append(refusal is None)
    assert allowed == [True, True, True, False, True, True]
    refusal = limit.refusal(0.0, 181.0)
    assert refusal is None
    limit.take()
    refused = limit.refusal(0.0, 200.0)
    assert refused is not None and refused.wait == pytest.approx(40.0)
    assert not refused.retry_after


async def test_window_limit_answers_429_without_retry_after_until_the_next_window(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.window_limit(2, 3600.0)  # an hour: the test cannot cross a boundary
    statuses = [await status_of(fake_http, "GET", "/phone-number") for _ in range(2)]
    async with fake_http.get("/phone-number") as response:
        assert statuses == [200, 200] and response.status == 429
        assert "Retry-After" not in response.headers
    fake_vapi.window_limit(None)
    assert await status_of(fake_http, "GET", "/phone-number") == 200


async def test_a_request_refused_by_one_limit_is_counted_by_none(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.window_limit(2, 3600.0)
    fake_vapi.rate_limit(1, burst=1)
    assert await status_of(fake_http, "GET", "/phone-number") == 200
    assert await status_of(fake_http, "GET", "/phone-number") == 429  # the bucket's
    fake_vapi.rate_limit(None)
    assert await status_of(fake_http, "GET", "/phone-number") == 200  # the window's 2nd


def test_rate_limit_refuses_bad_settings() -> None:
    with pytest.raises(ValueError, match="per_second"):
        FakeVapiServer().rate_limit(0)
    with pytest.raises(ValueError, match="burst"):
        FakeVapiServer().rate_limit(1, burst=0)
    with pytest.raises(ValueError, match="requests"):
        FakeVapiServer().window_limit(0)
    with pytest.raises(ValueError, match="seconds"):
        FakeVapiServer().window_limit(10, 0)


async def test_an_injected_fault_comes_before_the_rate_limit(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.rate_limit(1, burst=1)
    fake_vapi.inject_fault(mode="malformed")
    assert await status_of(fake_http, "GET", "/phone-number") == 200  # malformed, allowed
    fake_vapi.inject_fault(mode="truncate")
    async with fake_http.get("/phone-number") as response:  # acts, so meets the limiter
        assert response.status == 429
    assert [r.fault for r in fake_vapi.request_log] == ["malformed", "truncate"]
