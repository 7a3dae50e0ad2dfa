"""Timeouts that mean what they say: waiting for a pooled connection is not attempt time,
a request that never left is never an unknown outcome, a stalled body fails its attempt
within the read timeout, a call ends within its deadline, and each timeout names the
bound that ran out and what the call was doing."""

from __future__ import annotations

import asyncio
import inspect
import time

import pytest

from vapi_phone_async import Timeout, VapiPhoneClient
from vapi_phone_async.errors import APITimeoutError, OutcomeUnknownError
from vapi_phone_async.models import CreateVonagePhoneNumber
from vapi_phone_async.testing import FakeVapiServer, set_testing

from .helpers import NO_RETRIES, MakeClient, RecordedSleep


@pytest.mark.slow
async def test_200_gets_through_5_connections_each_go_out_once(
    fake_vapi: FakeVapiServer, make_client: MakeClient, sleeps: RecordedSleep
) -> None:
    """A 0.5 s attempt timeout, 50 ms answers, and 40 requests queued per connection (2 s
    of queue): the queue is not attempt time, so nothing times out and nothing is sent
    twice."""
    numbers = fake_vapi.seed(200)
    fake_vapi.latency = 0.05
    async with make_client(max_connections=5, timeout=0.5, sleep=sleeps) as client:
        results = await asyncio.gather(
            *(client.get(number["id"]) for number in numbers), return_exceptions=True
        )

    assert [r for r in results if isinstance(r, BaseException)] == []
    assert len(fake_vapi.requests("GET")) == 200
    assert sleeps.waits == []  # no retry was needed


async def test_60_creates_through_5_connections_are_60_posts_and_no_unknown_outcome(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    # 12 creates queued per connection at 50 ms each: 0.6 s of queue, past the timeout.
    fake_vapi.latency = 0.05
    bodies = [
        CreateVonagePhoneNumber(number=f"+1628555{i:04d}", credential_id="cred-1")
        for i in range(60)
    ]
    async with make_client(max_connections=5, timeout=0.5) as client:
        results = await asyncio.gather(
            *(client.create(body) for body in bodies), return_exceptions=True
        )

    assert not any(isinstance(r, OutcomeUnknownError) for r in results)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert len(fake_vapi.requests("POST")) == 60
    assert len(fake_vapi.numbers) == 60


async def test_a_request_that_never_got_a_connection_was_not_sent_and_a_create_says_so(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    """The pool wait has a budget of its own; running out of it is a timeout before
    anything was sent: a create retries it instead of calling the outcome unknown."""
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", mode="delay", delay=1.0)
    body = CreateVonagePhoneNumber(number="+16285550000", credential_id="cred-1")
    async with make_client(max_connections=1, pool_timeout=0.1) as client:
        holder = asyncio.ensure_future(client.get(number["id"]))
        await asyncio.sleep(0.05)  # the GET holds the only connection
        off = client.with_options(backoff=NO_RETRIES)
        try:
            await off.create(body)
        except APITimeoutError as error:
            assert error.connect_failed and "nothing was sent" in str(error)
        else:  # pragma: no cover - the create must not get the busy connection
            raise AssertionError("the create did not wait for the pool")
        await holder

    assert fake_vapi.requests("POST") == []


def scaled_down(timeout: Timeout, factor: float) -> Timeout:
    assert timeout.total is not None and timeout.read is not None
    return Timeout(total=timeout.total / factor, connect=1, read=timeout.read / factor)


async def test_a_body_stalled_after_its_headers_fails_the_attempt_and_a_get_is_retried(
    fake_vapi: FakeVapiServer, make_client: MakeClient, sleeps: RecordedSleep
) -> None:
    """The default timeouts have a body read timeout well inside the total; here both are
    scaled down forty times, so the stall outlasts the read timeout but not the total."""
    default = inspect.signature(VapiPhoneClient).parameters["timeout"].default
    assert default == Timeout(total=60, connect=10, read=20)
    scaled = scaled_down(default, 40)
    (number,) = fake_vapi.seed(1)
    stall = scaled.total
    assert stall is not None
    fake_vapi.inject_fault("GET", mode="stall", delay=stall)
    async with make_client(sleep=sleeps, timeout=scaled) as client:
        started = time.monotonic()
        got = await client.get(number["id"])
        elapsed = time.monotonic() - started

    assert got.id == number["id"]
    assert len(fake_vapi.requests("GET")) == 2 and len(sleeps.waits) == 1
    # The first attempt gave up at the read timeout, before the stall (and the total) ran out.
    assert elapsed < stall


# The call's deadline, and what a timeout says.


@pytest.mark.slow
async def test_a_dripping_server_fails_within_the_default_deadline_saying_the_body_drips(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    """A byte every half second never trips the read timeout, and the attempt's total
    only ends one attempt: the default deadline ends the call. Every bound is the
    default scaled down forty times (the drip too)."""
    parameters = inspect.signature(VapiPhoneClient).parameters
    assert parameters["deadline"].default == 120  # as docs/retries.md says
    scaled = scaled_down(parameters["timeout"].default, 40)
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", mode="trickle", delay=0.5 / 40, times=10)
    deadline = parameters["deadline"].default / 40
    async with make_client(deadline=deadline, timeout=scaled) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as caught:
            await client.get(number["id"])
        elapsed = time.monotonic() - started

    assert elapsed < deadline + 1.0  # bounded: the deadline, not four attempts' totals
    message = str(caught.value)
    assert f"deadline of {deadline} s ran out" in message
    assert "reading the body of attempt 2, still arriving" in message
    assert "stalled" not in message and "no byte" not in message
    assert len(fake_vapi.requests("GET")) == 2  # the first attempt ended at its total


async def test_an_attempt_ended_by_its_total_while_bytes_still_come_says_so(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", mode="trickle", delay=0.05)
    async with make_client(timeout=0.5, backoff=NO_RETRIES) as client:
        with pytest.raises(APITimeoutError) as caught:
            await client.get(number["id"])
    assert "total timeout of 0.5 s ran out while the body was still arriving" in str(caught.value)


async def test_a_deadline_that_ends_a_create_waiting_to_retry_is_not_an_unknown_outcome(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    """Waiting out a 429's pause, the create had not been acted on: when the deadline
    ends it there, it says so, and nothing calls its outcome unknown."""
    fake_vapi.inject_fault("POST", status=429, retry_after=5)
    body = CreateVonagePhoneNumber(number="+16285550000", credential_id="cred-1")
    async with make_client() as client:
        # The pause is really waited (fake_vapi makes waits instant), for the deadline.
        with set_testing(False), pytest.raises(APITimeoutError) as caught:
            await client.create(body, deadline=0.3)
    assert caught.value.connect_failed
    assert "waiting to retry after attempt 1 failed (POST /phone-number answered 429" in str(
        caught.value
    )
    assert fake_vapi.numbers == {}


async def test_a_deadline_that_ends_the_wait_for_a_connection_says_so(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", mode="delay", delay=1.0)
    body = CreateVonagePhoneNumber(number="+16285550000", credential_id="cred-1")
    async with make_client(max_connections=1) as client:
        holder = asyncio.ensure_future(client.get(number["id"]))
        await asyncio.sleep(0.05)  # the GET holds the only connection
        with pytest.raises(APITimeoutError) as caught:
            await client.create(body, deadline=0.2)
        await holder
    assert caught.value.connect_failed  # a create that was never sent: not unknown
    assert "waited for a free connection (max_connections=1); nothing of it was sent" in str(
        caught.value
    )
