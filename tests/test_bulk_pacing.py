"""Pacing of bulk runs: rate_limit spaces requests, a 429 pauses the batch, not its items."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from vapi_phone_async import BackoffPlan, VapiPhoneClient
from vapi_phone_async._bulk_pacing import MAX_RATE_LIMITED_RETRIES, Pacer
from vapi_phone_async._retry import RetrySettings
from vapi_phone_async.errors import RateLimitError
from vapi_phone_async.models import UpdateTwilioPhoneNumber
from vapi_phone_async.testing import FakeVapiServer

from .test_bulk import Sleeps, sleeps

__all__ = ["sleeps"]  # a fixture shared with test_bulk

API_KEY = "test-key"


@pytest_asyncio.fixture
async def client(fake_vapi: FakeVapiServer, sleeps: Sleeps) -> AsyncIterator[VapiPhoneClient]:
    # One retry only: a run that survives many 429s shows they do not spend it.
    plan = BackoffPlan(type="fixed", max_retries=1, base_delay_seconds=0.5)
    async with VapiPhoneClient(
        api_key=API_KEY, base_url=fake_vapi.url, backoff=plan, sleep=sleeps
    ) as client:
        yield client


def renames(server: FakeVapiServer, n: int) -> list[tuple[str, UpdateTwilioPhoneNumber]]:
    server.seed(n * 5)
    ids = [id_ for id_, data in server.numbers.items() if data["provider"] == "twilio"][:n]
    return [(id_, UpdateTwilioPhoneNumber(name="Paced")) for id_ in ids]


def rate_limited(retry_after: float | None) -> RateLimitError:
    return RateLimitError(
        status_code=429,
        message="Too Many Requests",
        body=None,
        request_id=None,
        method="PATCH",
        path="/phone-number/x",
        retry_after=retry_after,
    )


# The token bucket.


async def test_rate_limit_starts_requests_one_interval_apart() -> None:
    now = 100.0
    waits: list[float] = []

    async def rate_sleep(seconds: float) -> None:
        waits.append(seconds)

    pacer = Pacer(
        RetrySettings(), Sleeps(), rate_limit=10, clock=lambda: now, rate_sleep=rate_sleep
    )
    for _ in range(4):
        await pacer.gate()
    now += 1.0  # the bucket refills while idle, but holds one token only
    await pacer.gate()
    await pacer.gate()

    assert waits == pytest.approx([0.1, 0.2, 0.3, 0.1])


async def test_a_rate_limited_run_takes_at_least_its_items_over_the_rate(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    """A lower bound only: the bucket enforces it, however fast the machine."""
    pairs = renames(fake_vapi, 21)
    started = time.monotonic()

    result = await client.bulk_update(pairs, concurrency=8, rate_limit=100)

    assert time.monotonic() - started >= 20 / 100 * 0.99
    assert result.summary.updated == 21


# 429s.


async def test_a_429_pauses_every_worker_of_the_run_until_its_wait_is_over() -> None:
    resume = asyncio.Event()
    pausing = asyncio.Event()

    async def sleep(seconds: float) -> None:
        pausing.set()
        await resume.wait()

    pacer = Pacer(RetrySettings(), sleep)
    answers = [rate_limited(retry_after=2.0), None]

    async def send() -> str:
        answer = answers.pop(0)
        if answer is not None:
            raise answer
        return "done"

    first = asyncio.ensure_future(pacer.call("PATCH", send))
    await pausing.wait()
    other = asyncio.ensure_future(pacer.gate())
    for _ in range(5):
        await asyncio.sleep(0)
    assert not other.done()  # held at the gate while the first worker waits

    resume.set()
    assert await first == "done"
    await other


async def test_a_storm_of_429s_slows_the_batch_without_failing_items(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient, sleeps: Sleeps
) -> None:
    pairs = renames(fake_vapi, 20)
    fake_vapi.inject_fault("PATCH", status=429, retry_after=1, times=40)

    result = await client.bulk_update(pairs, concurrency=8)

    assert result.summary.updated == 20 and result.summary.failed == 0
    assert sum(r.status == 429 for r in fake_vapi.requests("PATCH")) == 40
    assert len(sleeps.calls) == 40 and min(sleeps.calls) >= 1.0  # Retry-After honoured


async def test_an_item_rate_limited_without_end_fails_after_its_429_budget(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    (pair,) = renames(fake_vapi, 1)
    fake_vapi.inject_fault("PATCH", status=429, times=1_000)

    (outcome,) = (await client.bulk_update([pair])).outcomes

    assert outcome.kind == "failed" and isinstance(outcome.error, RateLimitError)
    assert len(fake_vapi.requests("PATCH")) == MAX_RATE_LIMITED_RETRIES + 1


async def test_a_retry_after_beyond_the_clients_limit_fails_the_item_at_once(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    (pair,) = renames(fake_vapi, 1)
    fake_vapi.inject_fault("PATCH", status=429, retry_after=3600)

    (outcome,) = (await client.bulk_update([pair])).outcomes

    assert isinstance(outcome.error, RateLimitError)
    assert len(fake_vapi.requests("PATCH")) == 1
