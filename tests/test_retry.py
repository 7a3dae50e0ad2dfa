"""The retry engine of `_retry.py`: its decisions as pure functions (no network, no
waiting), then the whole engine driven through a client on a MockTransport."""

from __future__ import annotations

import contextlib
import random
import socket

import msgspec
import pytest

from vapi_phone_async import RetryBudget, VapiPhoneClient, decode_phone_number
from vapi_phone_async._options import RetrySettings
from vapi_phone_async._responses import status_error
from vapi_phone_async._retry import (
    backoff_delay,
    retries_unreadable,
    send_with_retries,
    should_retry,
)
from vapi_phone_async.errors import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    OutcomeUnknownError,
    ResponseDecodeError,
)
from vapi_phone_async.models import BackoffPlan, CreateByoPhoneNumber, PhoneNumber
from vapi_phone_async.pacing._local import LocalPacing
from vapi_phone_async.pacing._pacer import Pacer
from vapi_phone_async.transports import Answer, MockTransport, Request

from .helpers import RecordedSleep

BYO = CreateByoPhoneNumber(number="+14155550100", credential_id="cred-1")

EXPONENTIAL = RetrySettings(
    plan=BackoffPlan(type="exponential", max_retries=5, base_delay_seconds=1), jitter=0
)
FIXED = RetrySettings(plan=BackoffPlan(type="fixed", max_retries=5, base_delay_seconds=2))


def status(code: int, headers: dict[str, str] | None = None) -> BaseException:
    return status_error("GET", "/phone-number/x", code, headers or {}, b"{}")


@pytest.mark.parametrize("code", [408, 429, 500, 502, 503, 504])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_idempotent_calls_retry_transient_statuses(method: str, code: int) -> None:
    assert should_retry(method, status(code), EXPONENTIAL)


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 422])
def test_statuses_a_retry_cannot_fix_are_excluded_by_default(code: int) -> None:
    assert not should_retry("GET", status(code), EXPONENTIAL)


def test_an_explicit_empty_exclusion_list_retries_every_non_2xx_as_vapi_does() -> None:
    literal = RetrySettings(
        plan=BackoffPlan(
            type="fixed", max_retries=1, base_delay_seconds=0, excluded_status_codes=[]
        )
    )
    assert should_retry("GET", status(404), literal)
    assert should_retry("PATCH", status(400), literal)


def test_an_excluded_status_is_never_retried() -> None:
    plan = BackoffPlan(
        type="fixed", max_retries=3, base_delay_seconds=0, excluded_status_codes=[503]
    )
    settings = RetrySettings(plan=plan)
    assert not should_retry("GET", status(503), settings)
    assert should_retry("GET", status(502), settings)


def test_post_is_retried_only_where_the_server_certainly_did_not_act() -> None:
    assert should_retry("POST", status(429), EXPONENTIAL)
    assert should_retry("POST", APIConnectionError("refused", connect_failed=True), EXPONENTIAL)
    assert should_retry("POST", APITimeoutError("connect", connect_failed=True), EXPONENTIAL)
    assert not should_retry("POST", status(503), EXPONENTIAL)
    assert not should_retry("POST", status(500), EXPONENTIAL)
    assert not should_retry("POST", APIConnectionError("reset after sending"), EXPONENTIAL)
    assert not should_retry("POST", APITimeoutError("read timed out"), EXPONENTIAL)


def test_connection_failures_and_timeouts_are_retried_for_idempotent_calls() -> None:
    assert should_retry("GET", APIConnectionError("reset"), EXPONENTIAL)
    assert should_retry("DELETE", APITimeoutError("read"), EXPONENTIAL)


def test_foreign_exceptions_and_cancellation_are_never_retried() -> None:
    import asyncio

    assert not should_retry("GET", asyncio.CancelledError(), EXPONENTIAL)
    assert not should_retry("GET", ValueError("bug"), EXPONENTIAL)


def test_a_retry_after_longer_than_the_limit_is_not_waited_for() -> None:
    settings = RetrySettings(plan=EXPONENTIAL.plan, max_retry_after=60)
    assert should_retry("GET", status(429, {"retry-after": "60"}), settings)
    assert not should_retry("GET", status(429, {"retry-after": "61"}), settings)


def test_fixed_waits_base_delay_before_every_retry() -> None:
    assert [backoff_delay(FIXED, n) for n in (1, 2, 3, 4)] == [2, 2, 2, 2]


def test_exponential_doubles_from_base_delay_and_is_capped() -> None:
    capped = RetrySettings(plan=EXPONENTIAL.plan, max_delay=5, jitter=0)
    assert [backoff_delay(capped, n) for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 5, 5]


def test_jitter_only_shortens_an_exponential_wait_by_up_to_its_fraction() -> None:
    jittery = RetrySettings(plan=EXPONENTIAL.plan, jitter=0.2)
    rng = random.Random(1)
    delays = [backoff_delay(jittery, 3, rng=rng) for _ in range(200)]
    assert all(3.2 <= d <= 4.0 for d in delays)
    assert len(set(delays)) > 100


def test_an_unreadable_2xx_is_sent_again_for_every_method_but_post() -> None:
    assert all(retries_unreadable(method) for method in ("GET", "PATCH", "DELETE"))
    assert not retries_unreadable("POST")


def _unreadable(data: bytes) -> bytes:
    if data == b"bad":
        raise ResponseDecodeError("invalid JSON", "bad")
    return data


async def _engine(answers: list[bytes | BaseException], method: str = "GET") -> list[int]:
    """The attempts `send_with_retries` makes of a call answered `answers` in turn."""
    made: list[int] = []

    async def attempt(number: int) -> bytes:
        made.append(number)
        answer = answers[number - 1]
        if isinstance(answer, BaseException):
            raise answer
        return answer

    async def no_wait(seconds: float) -> None:
        pass

    settings = RetrySettings(plan=BackoffPlan(type="fixed", max_retries=3, base_delay_seconds=0))
    with contextlib.suppress(ResponseDecodeError):
        await send_with_retries(
            attempt,
            _unreadable,
            method=method,
            path="/phone-number/x",
            settings=settings,
            pacer=Pacer(LocalPacing()),
            sleep=no_wait,
        )
    return made


async def test_the_engine_retries_what_decode_cannot_read_but_not_an_answer_too_big() -> None:
    too_big = ResponseDecodeError("the answer is larger than 64 MiB", "")

    assert await _engine([b"bad", b"bad", b"ok"]) == [1, 2, 3]
    assert await _engine([b"bad", b"bad", b"bad", b"bad", b"ok"]) == [1, 2, 3, 4]
    assert await _engine([b"bad", b"ok"], method="POST") == [1]
    # The transport's own ResponseDecodeError (too big to read) ends the call.
    assert await _engine([b"bad", too_big, b"ok"]) == [1, 2]
    assert await _engine([too_big, b"ok"]) == [1]


# The whole engine, driven through a client on a MockTransport: no server, no socket.

NUMBER = {"id": "pn-1", "provider": "byo-phone-number", "number": "+14155550100"}
PLAN = BackoffPlan(type="fixed", max_retries=3, base_delay_seconds=0.5)


def scripted(*answers: Answer | BaseException) -> MockTransport:
    """A transport answering each request with the next of `answers` (raising it if it is
    an exception)."""
    script = iter(answers)

    def handler(request: Request) -> Answer:
        answer = next(script)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    return MockTransport(handler)


def refuse_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on opening a socket fails the test: all must go through the mock."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


async def test_a_get_answered_503_then_200_takes_two_attempts_and_opens_no_socket(
    monkeypatch: pytest.MonkeyPatch, sleeps: RecordedSleep
) -> None:
    refuse_sockets(monkeypatch)  # the event loop has its own already
    transport = scripted(Answer.json(503, {"message": "down"}), Answer.json(200, NUMBER))
    async with VapiPhoneClient(
        api_key="test-key", transport=transport, backoff=PLAN, sleep=sleeps
    ) as client:
        number = await client.get("pn-1")
    monkeypatch.undo()

    assert number.id == "pn-1"
    assert [(r.method, r.path) for r in transport.requests] == [("GET", "/phone-number/pn-1")] * 2
    assert sleeps.waits == [0.5]


async def test_a_429_pauses_the_client_for_the_wait_it_asks_and_spends_no_retry(
    sleeps: RecordedSleep,
) -> None:
    limited = Answer.json(429, {"message": "Too Many Requests"}, headers={"Retry-After": "7"})
    transport = scripted(limited, Answer.json(200, NUMBER))
    budget = RetryBudget(capacity=10)
    once = BackoffPlan(type="fixed", max_retries=1, base_delay_seconds=0.5)
    async with VapiPhoneClient(
        api_key="test-key", transport=transport, backoff=once, retry_budget=budget, sleep=sleeps
    ) as client:
        assert (await client.get("pn-1")).id == "pn-1"

    assert len(transport.requests) == 2
    assert sleeps.waits == [7.0]  # the pause the server asked for, not the plan's 0.5
    assert budget.tokens == 10  # a 429 costs nothing (the success gave back nothing)


async def test_a_spent_retry_budget_ends_retries_early_and_the_error_says_so(
    sleeps: RecordedSleep,
) -> None:
    """Two retries' worth of tokens: the third failure is raised at once, though the
    plan allows three retries."""
    transport = MockTransport(lambda request: Answer.json(503, {"message": "down"}))
    budget = RetryBudget(capacity=4, retry_cost=2)
    async with VapiPhoneClient(
        api_key="test-key", transport=transport, backoff=PLAN, retry_budget=budget, sleep=sleeps
    ) as client:
        with pytest.raises(InternalServerError) as caught:
            await client.get("pn-1")

    assert len(transport.requests) == 3
    assert caught.value.not_retried == "the client's retry budget is spent"
    assert str(caught.value).endswith("(not retried: the client's retry budget is spent)")
    assert budget.tokens == 0


async def test_a_create_whose_answer_is_a_503_is_an_unknown_outcome_and_is_not_sent_again(
    sleeps: RecordedSleep,
) -> None:
    transport = scripted(Answer.json(503, {"message": "down"}), Answer.json(201, NUMBER))
    async with VapiPhoneClient(
        api_key="test-key", transport=transport, backoff=PLAN, sleep=sleeps
    ) as client:
        with pytest.raises(OutcomeUnknownError) as caught:
            await client.create(BYO)

    assert isinstance(caught.value.cause, InternalServerError)
    assert caught.value.lookup_error is None
    assert len(transport.requests) == 1 and sleeps.waits == []


async def test_a_create_refused_a_connection_is_sent_again(sleeps: RecordedSleep) -> None:
    transport = scripted(ConnectionRefusedError(), Answer.json(201, NUMBER))
    async with VapiPhoneClient(
        api_key="test-key", transport=transport, backoff=PLAN, sleep=sleeps
    ) as client:
        assert (await client.create(BYO)).id == "pn-1"
    assert len(transport.requests) == 2


# A create's lookup: adopted, proven absent and sent again, or unknown. Never a duplicate.


async def test_a_lost_create_the_lookup_finds_is_adopted_and_not_sent_again(
    sleeps: RecordedSleep,
) -> None:
    transport = scripted(ConnectionResetError(), Answer.json(201, NUMBER))
    found = decode_phone_number(msgspec.json.encode(NUMBER))

    async def lookup() -> PhoneNumber | None:
        return found

    async with VapiPhoneClient(
        api_key="test-key", transport=transport, backoff=PLAN, sleep=sleeps
    ) as client:
        assert await client.create(BYO, lookup=lookup) is found
    assert len(transport.requests) == 1


async def test_a_lost_create_the_lookup_proves_absent_is_sent_again_as_a_retry(
    sleeps: RecordedSleep,
) -> None:
    transport = scripted(Answer.json(502, {}), Answer.json(201, NUMBER))
    lookups: list[int] = []

    async def lookup() -> PhoneNumber | None:
        lookups.append(len(transport.requests))
        return None

    budget = RetryBudget(capacity=10)
    async with VapiPhoneClient(
        api_key="test-key",
        transport=transport,
        backoff=PLAN,
        retry_budget=budget,
        sleep=sleeps,
    ) as client:
        assert (await client.create(BYO, lookup=lookup)).id == "pn-1"
    assert lookups == [1]  # looked up after the first send, before the second
    assert len(transport.requests) == 2
    assert sleeps.waits == [0.5] and budget.tokens == 9  # the plan's wait; 2 spent, 1 earned


async def test_a_create_proven_absent_with_no_retry_left_raises_its_error_not_unknown(
    sleeps: RecordedSleep,
) -> None:
    transport = scripted(Answer.json(502, {}), Answer.json(201, NUMBER))

    async def absent() -> PhoneNumber | None:
        return None

    async with VapiPhoneClient(
        api_key="test-key", transport=transport, max_retries=0, sleep=sleeps
    ) as client:
        with pytest.raises(InternalServerError):
            await client.create(BYO, lookup=absent)
    assert len(transport.requests) == 1


async def test_a_lost_create_whose_lookup_fails_is_unknown_and_says_why(
    sleeps: RecordedSleep,
) -> None:
    transport = scripted(APITimeoutError("timed out"), Answer.json(201, NUMBER))

    async def broken() -> PhoneNumber | None:
        raise InternalServerError(
            status_code=503,
            message="down",
            body={},
            request_id=None,
            method="GET",
            path="/v2/phone-number",
        )

    async with VapiPhoneClient(
        api_key="test-key", transport=transport, backoff=PLAN, sleep=sleeps
    ) as client:
        with pytest.raises(OutcomeUnknownError) as caught:
            await client.create(BYO, lookup=broken)
    assert isinstance(caught.value.cause, APITimeoutError)
    assert isinstance(caught.value.lookup_error, InternalServerError)
    assert "the lookup failed" in str(caught.value)
    assert len(transport.requests) == 1
