"""A call's deadline: no timer while the call waits for nothing; every wait of the call
path bounded by it; its error says what it cut short and whether anything was sent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async._deadline import Deadline, bounded, deadline_at, ran_out
from vapi_phone_async.errors import APIConnectionError, APITimeoutError
from vapi_phone_async.transports import Answer, MockTransport, Request

from .helpers import NO_RETRIES

NUMBER = {"id": "n-1", "provider": "byo-phone-number", "orgId": "org-1"}


def answer_at_once(request: Request) -> Answer:
    return Answer.json(200, NUMBER)


@contextmanager
def timers_armed() -> Iterator[list[float]]:
    """The times of every timer the running loop is asked to arm meanwhile."""
    loop = asyncio.get_running_loop()
    armed: list[float] = []
    call_at = loop.call_at

    def counting(when: float, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        armed.append(when)
        return call_at(when, callback, *args, **kwargs)

    loop.call_at = counting  # type: ignore[method-assign]
    try:
        yield armed
    finally:
        del loop.call_at  # the class's method again


async def test_a_call_that_waits_for_nothing_arms_no_timer() -> None:
    async with VapiPhoneClient(api_key="k", transport=MockTransport(answer_at_once)) as client:
        with timers_armed() as armed:
            number = await client.get("n-1")
    assert number.id == "n-1"
    assert armed == []


async def test_the_transport_is_handed_the_deadline_as_loop_time() -> None:
    transport = MockTransport(answer_at_once)
    async with VapiPhoneClient(api_key="k", transport=transport, deadline=30) as client:
        before = asyncio.get_running_loop().time()
        await client.get("n-1")
        await client.get("n-1", deadline=None)
    first, second = transport.requests
    assert first.deadline is not None and before + 30 <= first.deadline <= before + 31
    assert second.deadline is None and second.progress is None


async def test_a_hanging_async_handler_is_cut_at_the_deadline_saying_it_was_in_flight() -> None:
    async def hang(request: Request) -> Answer:
        await asyncio.sleep(30)
        return Answer.json(200, NUMBER)

    async with VapiPhoneClient(api_key="k", transport=MockTransport(hang)) as client:
        with pytest.raises(APITimeoutError) as caught:
            await client.get("n-1", deadline=0.1)
    assert str(caught.value).endswith(
        "the call's deadline of 0.1 s ran out while waiting for the answer to attempt 1"
    )
    assert not caught.value.connect_failed  # sent: the server may have acted


async def test_a_hook_that_hangs_is_cut_at_the_deadline() -> None:
    async def hang(event: object) -> None:
        await asyncio.sleep(30)

    transport = MockTransport(answer_at_once)
    hooks = {"request": [hang]}
    async with VapiPhoneClient(api_key="k", transport=transport, event_hooks=hooks) as client:
        with pytest.raises(APITimeoutError, match=r"deadline of 0\.1 s ran out"):
            await client.get("n-1", deadline=0.1)
    assert transport.requests == []


async def test_a_timeout_raised_before_the_deadline_is_not_the_deadlines() -> None:
    def times_out(request: Request) -> Answer:
        raise TimeoutError

    async with VapiPhoneClient(api_key="k", transport=MockTransport(times_out)) as client:
        with pytest.raises(APITimeoutError) as caught:
            await client.get("n-1", backoff=NO_RETRIES, deadline=30)
    assert "deadline" not in str(caught.value)


async def test_bounded_awaits_as_it_is_without_a_deadline_and_raises_at_it() -> None:
    assert await bounded(asyncio.sleep(0, "done"), None) == "done"
    assert await bounded(asyncio.sleep(0, "done"), deadline_at(5)) == "done"
    with pytest.raises(TimeoutError):
        await bounded(asyncio.sleep(5), deadline_at(0.05))


async def test_ran_out_reads_the_loop_clock() -> None:
    assert not ran_out(None)
    assert not ran_out(deadline_at(5))
    assert ran_out(deadline_at(-1))


async def test_the_error_says_what_was_cut_short_and_whether_anything_may_have_acted() -> None:
    deadline = Deadline(2.5)
    waiting = deadline.timeout_error("POST", "/phone-number")
    assert str(waiting).endswith(
        "the call's deadline of 2.5 s ran out before its first attempt, "
        "waiting for its turn (a rate limit or a 429 pause)"
    )
    assert waiting.connect_failed and waiting.method == "POST"

    deadline.attempting(1)
    assert not deadline.timeout_error("POST", "/phone-number").connect_failed  # in flight

    refused = APIConnectionError("refused", method="POST", path="/p", connect_failed=True)
    deadline.failed(refused, acted=False)
    assert deadline.timeout_error("POST", "/phone-number").connect_failed

    dropped = APIConnectionError("dropped", method="POST", path="/p")
    deadline.failed(dropped, acted=True)
    assert not deadline.timeout_error("POST", "/phone-number").connect_failed


async def test_a_deadline_starts_when_it_is_made_and_runs_out_at_its_limit() -> None:
    now = asyncio.get_running_loop().time()
    deadline = Deadline(0.05)
    assert now + 0.05 <= deadline.at <= now + 1
    assert not deadline.passed()
    await asyncio.sleep(0.06)
    assert deadline.passed()
