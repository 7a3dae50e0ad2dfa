"""The retry decisions of `_retry.py`, as pure functions: no network, no waiting."""

from __future__ import annotations

import contextlib
import random

import pytest

from vapi_phone_async._responses import status_error
from vapi_phone_async._retry import (
    RetrySettings,
    backoff_delay,
    retries_unreadable,
    send_with_retries,
    should_retry,
)
from vapi_phone_async.errors import APIConnectionError, APITimeoutError, ResponseDecodeError
from vapi_phone_async.models import BackoffPlan
from vapi_phone_async.pacing._local import LocalPacing
from vapi_phone_async.pacing._pacer import Pacer

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
