"""Pacing of bulk runs: rate_limit spaces requests, a 429 pauses the batch, not its items.

The client here has no adaptive rate: these tests inject 429s by the dozen to see the
pause and the 429 allowance, not to teach the client a rate (tests/test_pacing.py and
benchmarks/adaptive.py do that)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest_asyncio

from vapi_phone_async import BackoffPlan, VapiPhoneClient
from vapi_phone_async._retry import MAX_RATE_LIMITED_RETRIES
from vapi_phone_async.errors import RateLimitError
from vapi_phone_async.models import UpdateTwilioPhoneNumber
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from ..helpers import RecordedSleep, twilio_ids


@pytest_asyncio.fixture
async def client(
    fake_vapi: FakeVapiServer, sleeps: RecordedSleep
) -> AsyncIterator[VapiPhoneClient]:
    # One retry only: a run that survives many 429s shows they do not spend it.
    plan = BackoffPlan(type="fixed", max_retries=1, base_delay_seconds=0.5)
    async with VapiPhoneClient(
        api_key=TEST_API_KEY,
        base_url=fake_vapi.url,
        backoff=plan,
        sleep=sleeps,
        adaptive_rate=False,
    ) as client:
        yield client


def renames(server: FakeVapiServer, n: int) -> list[tuple[str, UpdateTwilioPhoneNumber]]:
    return [(id_, UpdateTwilioPhoneNumber(name="Paced")) for id_ in twilio_ids(server, n)]


# The run's rate limit.


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


async def test_a_storm_of_429s_slows_the_batch_without_failing_items(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient, sleeps: RecordedSleep
) -> None:
    pairs = renames(fake_vapi, 20)
    fake_vapi.inject_fault("PATCH", status=429, retry_after=1, times=40)

    result = await client.bulk_update(pairs, concurrency=8)

    assert result.summary.updated == 20 and result.summary.failed == 0
    assert sum(r.status == 429 for r in fake_vapi.requests("PATCH")) == 40
    assert len(sleeps.waits) == 40 and min(sleeps.waits) >= 1.0  # Retry-After honoured


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
