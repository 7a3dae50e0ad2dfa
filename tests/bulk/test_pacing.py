"""Pacing of bulk runs: rate_limit spaces requests, a 429 pauses the batch, not its items.

The client here has no adaptive rate: these tests inject 429s by the dozen to see the
pause and the 429 allowance, not to teach the client a rate (tests/test_pacing.py and
benchmarks/adaptive.py do that)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from vapi_phone_async import BackoffPlan, RetryBudget, VapiPhoneClient
from vapi_phone_async._retry import MAX_RATE_LIMITED_RETRIES
from vapi_phone_async.errors import InternalServerError, RateLimitError
from vapi_phone_async.models import CreateVonagePhoneNumber, UpdateTwilioPhoneNumber
from vapi_phone_async.testing import FakeVapiServer

from ..helpers import MakeClient, RecordedSleep, renames, twilio_ids

# One retry only: a run that survives many 429s shows they do not spend it.
PACED = pytest.mark.client(
    backoff=BackoffPlan(type="fixed", max_retries=1, base_delay_seconds=0.5), adaptive_rate=False
)


# The run's rate limit.


@PACED
async def test_a_rate_limited_run_takes_at_least_its_items_over_the_rate(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    """A lower bound only: the bucket enforces it, however fast the machine."""
    pairs = renames(twilio_ids(fake_vapi, 21), "Paced")
    started = time.monotonic()

    result = await client.bulk_update(pairs, concurrency=8, rate_limit=100)

    assert time.monotonic() - started >= 20 / 100 * 0.99
    assert result.summary.updated == 21


# 429s.


@PACED
async def test_a_storm_of_429s_slows_the_batch_without_failing_items(
    fake_vapi: FakeVapiServer, make_client: MakeClient, sleeps: RecordedSleep
) -> None:
    client = make_client(sleep=sleeps)
    pairs = renames(twilio_ids(fake_vapi, 20), "Paced")
    fake_vapi.inject_fault("PATCH", status=429, retry_after=1, times=40)

    result = await client.bulk_update(pairs, concurrency=8)

    assert result.summary.updated == 20 and result.summary.failed == 0
    assert sum(r.status == 429 for r in fake_vapi.requests("PATCH")) == 40
    assert len(sleeps.waits) == 40 and min(sleeps.waits) >= 1.0  # Retry-After honoured


@PACED
async def test_an_item_rate_limited_without_end_fails_after_its_429_budget(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    (pair,) = renames(twilio_ids(fake_vapi, 1), "Paced")
    fake_vapi.inject_fault("PATCH", status=429, times=1_000)

    (outcome,) = (await client.bulk_update([pair])).outcomes

    assert outcome.kind == "failed" and isinstance(outcome.error, RateLimitError)
    assert len(fake_vapi.requests("PATCH")) == MAX_RATE_LIMITED_RETRIES + 1


@PACED
async def test_a_retry_after_beyond_the_clients_limit_fails_the_item_at_once(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    (pair,) = renames(twilio_ids(fake_vapi, 1), "Paced")
    fake_vapi.inject_fault("PATCH", status=429, retry_after=3600)

    (outcome,) = (await client.bulk_update([pair])).outcomes

    assert isinstance(outcome.error, RateLimitError)
    assert len(fake_vapi.requests("PATCH")) == 1


# The retry budget.


@pytest.mark.slow
async def test_a_dead_server_gets_at_most_150_retries_from_a_1000_item_run(
    fake_vapi: FakeVapiServer, make_client: MakeClient, sleeps: RecordedSleep
) -> None:
    """Every PATCH answered 503: the run ends, every item failed, and once the client's
    retry budget is spent the failures surface at once, each saying so."""
    fake_vapi.inject_fault("PATCH", status=503, times=1_000_000)
    pairs = [(f"number-{i}", UpdateTwilioPhoneNumber(name="Storm")) for i in range(1_000)]
    async with make_client(sleep=sleeps) as client:  # the default plan (3 retries) and budget
        result = await client.bulk_update(pairs, concurrency=16)

    patches = fake_vapi.requests("PATCH")
    assert len(patches) <= 1_150
    assert result.summary.failed == 1_000
    sends = Counter(record.path.rsplit("/", 1)[1] for record in patches)
    for outcome in result.outcomes:
        assert outcome.reason is not None and "answered 503" in outcome.reason
        # An item whose own 3 retries ran out before the budget did fails on its own;
        # every other item was stopped by the spent budget, and its reason says so.
        if sends[outcome.item[0]] < 4:
            assert outcome.reason.endswith("(not retried: the client's retry budget is spent)")
    stopped_by_budget = sum(sends[o.item[0]] < 4 for o in result.outcomes)
    assert stopped_by_budget >= 1_000 - 150 // 3


async def test_the_budget_refills_with_successes_and_retries_resume(
    fake_vapi: FakeVapiServer, make_client: MakeClient, sleeps: RecordedSleep
) -> None:
    (number,) = fake_vapi.seed(1)
    path = f"/phone-number/{number['id']}"
    budget = RetryBudget(capacity=4)  # two retries
    async with make_client(sleep=sleeps, retry_budget=budget) as client:
        fake_vapi.inject_fault("GET", path, status=503, times=3)
        with pytest.raises(InternalServerError) as caught:
            await client.get(number["id"])
        assert caught.value.not_retried == "the client's retry budget is spent"
        assert len(fake_vapi.requests("GET")) == 3  # the first send and two retries

        for _ in range(4):  # each success earns a token back
            await client.get(number["id"])
        assert budget.tokens == 4

        fake_vapi.clear_log()
        fake_vapi.inject_fault("GET", path, status=503, times=1)
        assert (await client.get(number["id"])).id == number["id"]  # retried again
        assert [r.status for r in fake_vapi.requests("GET")] == [503, 200]


# A 429 anywhere in a run pauses all of it.


async def test_a_429_on_an_import_lookup_page_pauses_the_whole_run(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    """While the run waits out a 429 on one item's lookup, no other request goes out."""
    pause: list[float] = []

    async def sleep(seconds: float) -> None:
        if seconds == 7:  # the 429's Retry-After: wait a little, for real
            pause.append(time.monotonic())
            await asyncio.sleep(0.3)
            pause.append(time.monotonic())

    bodies = [
        CreateVonagePhoneNumber(number=f"+1628555{i:04d}", credential_id="cred-1")
        for i in range(40)
    ]
    fake_vapi.inject_fault("GET", "/v2/phone-number", status=429, retry_after=7)
    async with make_client(sleep=sleep, adaptive_rate=False) as client:
        result = await client.bulk_import(bodies, lookup="search", concurrency=8)

    assert result.summary.created == 40 and len(pause) == 2
    started, ended = pause
    # Requests already on their way when the 429 came may still arrive, just after it.
    arrived = [r.received_at for r in fake_vapi.request_log]
    inside = [t for t in arrived if started + 0.05 < t < ended]
    assert inside == []
    assert sum(t >= ended for t in arrived) > 8  # the rest of the run came after it
