"""The pytest plugin (entry point `pytest11`): fixtures `fake_vapi` and `vapi_client`.

pytest loads this module in every project whose environment has this package, so it
imports nothing heavy at load time, and offers its fixtures only where pytest-asyncio is
installed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vapi_phone_async.testing import FakeVapiServer

__all__ = ["API_KEY"]

API_KEY = "test-key"

if importlib.util.find_spec("pytest_asyncio") is not None:
    import pytest_asyncio

    @pytest_asyncio.fixture
    async def fake_vapi() -> AsyncIterator[FakeVapiServer]:
        """A started FakeVapiServer (empty, api key "test-key"), closed after the test."""
        from vapi_phone_async.testing import FakeVapiServer

        async with FakeVapiServer(api_key=API_KEY) as server:
            yield server

    @pytest_asyncio.fixture
    async def vapi_client(fake_vapi: FakeVapiServer) -> AsyncIterator[Any]:
        """A VapiPhoneClient pointed at `fake_vapi`, closed after the test."""
        from vapi_phone_async.client import VapiPhoneClient

        async with VapiPhoneClient(api_key=API_KEY, base_url=fake_vapi.url) as client:
            yield client
