"""Fixtures for the tests of the fake server itself, which speak plain HTTP to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio

from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}


@pytest_asyncio.fixture
async def fake_http(fake_vapi: FakeVapiServer) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session on `fake_vapi`, sending the bearer key."""
    async with aiohttp.ClientSession(base_url=fake_vapi.url, headers=AUTH) as session:
        yield session
