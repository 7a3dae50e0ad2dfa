"""Shared test helpers. The fixtures `fake_vapi` and `vapi_client` come from the package's
pytest plugin (`vapi_phone_async.testing.pytest_plugin`); this file adds what tests that
speak plain HTTP to the fake need."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio

from vapi_phone_async.testing import FakeVapiServer

API_KEY = "test-key"
AUTH = {"Authorization": f"Bearer {API_KEY}"}


@pytest_asyncio.fixture
async def fake_http(fake_vapi: FakeVapiServer) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session on `fake_vapi`, sending the bearer key."""
    async with aiohttp.ClientSession(base_url=fake_vapi.url, headers=AUTH) as session:
        yield session
