"""Fixtures for the bulk tests: a client on the fake whose retries are instant."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from vapi_phone_async import BackoffPlan, VapiPhoneClient
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from ..helpers import RecordedSleep, Wiretap


@pytest.fixture
def wiretap(fake_vapi: FakeVapiServer) -> Wiretap:
    """The transport of `client`: it counts the requests in flight."""
    return Wiretap(fake_vapi.url)


@pytest_asyncio.fixture
async def client(
    fake_vapi: FakeVapiServer, sleeps: RecordedSleep, wiretap: Wiretap
) -> AsyncIterator[VapiPhoneClient]:
    """A client on `fake_vapi` retrying 3 times, 0.25 s apart (instant: `sleeps`)."""
    plan = BackoffPlan(type="fixed", max_retries=3, base_delay_seconds=0.25)
    async with VapiPhoneClient(
        api_key=TEST_API_KEY,
        base_url=fake_vapi.url,
        transport=wiretap,
        backoff=plan,
        sleep=sleeps,
    ) as client:
        yield client
