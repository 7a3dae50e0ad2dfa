"""The default sleep of retries and 429 pauses, and `set_testing`, the switch that makes it
instant in every client (`vapi_phone_async._waits`, public in `vapi_phone_async.testing`).

`fake_vapi` turns the switch on for its test: each test here says what it wants inside.
"""

from __future__ import annotations

import asyncio

import pytest

from vapi_phone_async import BackoffPlan
from vapi_phone_async.errors import RequestValidationError
from vapi_phone_async.testing import FakeVapiServer, is_testing, set_testing

from .helpers import MakeClient, RecordedSleep

# Three retries 10 s apart: 30 s of waits, three times a deadline of 10 s.
SLOW = BackoffPlan(type="fixed", max_retries=3, base_delay_seconds=10)


async def test_while_testing_a_503_then_200_is_retried_with_no_wait(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", status=503, times=3)
    async with make_client() as client:
        with set_testing(True) as instant:
            # Done within the deadline: the 30 s of waits were recorded, not slept.
            found = await client.get(number["id"], backoff=SLOW, deadline=10)
    assert found.id == number["id"]
    assert instant.waits == [10.0, 10.0, 10.0]
    assert [record.status for record in fake_vapi.request_log] == [503, 503, 503, 200]


async def test_while_testing_a_429_pause_is_instant(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", status=429, retry_after=30)
    async with make_client() as client:
        with set_testing(True) as instant:
            await client.get(number["id"], deadline=10)
    assert instant.waits == [30.0]


async def test_the_switch_reaches_a_client_made_before_it_and_off_again_waits_are_slept(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    (number,) = fake_vapi.seed(1)
    short = BackoffPlan(type="fixed", max_retries=1, base_delay_seconds=0.01)
    async with make_client() as client:
        with set_testing(True) as instant:
            fake_vapi.inject_fault("GET", status=503)
            await client.get(number["id"], backoff=SLOW, deadline=10)
            with set_testing(False):
                fake_vapi.inject_fault("GET", status=503)
                await client.get(number["id"], backoff=short)  # slept: not recorded
    assert instant.waits == [10.0]
    assert len(fake_vapi.requests("GET")) == 4


async def test_a_client_with_a_sleep_of_its_own_keeps_it(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", status=503)
    sleeps = RecordedSleep()
    async with make_client(backoff=SLOW, sleep=sleeps) as client:
        with set_testing(True) as instant:
            await client.get(number["id"])
    assert sleeps.waits == [10.0] and instant.waits == []


async def test_rate_limits_keep_real_time_while_testing(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    """A rate limit shapes traffic by the clock: its waits are not the switch's."""
    ids = [number["id"] for number in fake_vapi.seed(5)]
    async with make_client(rate_limit=100) as client:
        with set_testing(True) as instant:
            await asyncio.gather(*(client.get(id_) for id_ in ids))
    assert instant.waits == []
    assert len(fake_vapi.requests("GET")) == 5


def test_set_testing_restores_the_previous_setting_as_a_context_manager() -> None:
    with set_testing(False):
        assert not is_testing()
        with set_testing(True) as outer:
            assert is_testing()
            with set_testing(False) as inner:
                assert not is_testing()
            assert is_testing()
        assert not is_testing()
    assert outer.waits == [] and inner.waits == []
    assert repr(outer) == "InstantWaits(waits=[])"


def test_set_testing_takes_true_or_false_only() -> None:
    with pytest.raises(RequestValidationError, match="testing must be True or False"):
        set_testing("yes")  # type: ignore[arg-type]
