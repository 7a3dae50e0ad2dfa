"""Fixtures for the tests of the fake server itself, which speak plain HTTP to it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
import pytest_asyncio

from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}


@pytest_asyncio.fixture
async def fake_http(fake_vapi: FakeVapiServer) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session on `fake_vapi`, sending the bearer key."""
    async with aiohttp.ClientSession(base_url=fake_vapi.url, headers=AUTH) as session:
        yield session


@pytest.fixture(scope="module")
def fake_process() -> Iterator[str]:
    """`python -m vapi_phone_async.testing` in a process of its own, seeded with 20 numbers:
    its URL (for clients that are not asyncio, such as schemathesis's)."""
    command = [sys.executable, "-m", "vapi_phone_async.testing", "--numbers", "20"]
    command += ["--api-key", TEST_API_KEY]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().split()[0]
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
