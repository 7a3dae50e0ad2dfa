"""The pytest plugin (entry point `pytest11`): fixtures `fake_vapi` and `vapi_client`.

pytest loads this module wherever this package is installed, so it offers its (async)
fixtures only where pytest-asyncio is installed, rather than break a project without it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from ._server import TEST_API_KEY, FakeVapiServer

if TYPE_CHECKING:
    from vapi_phone_async.client import VapiPhoneClient

__all__: list[str] = []

if importlib.util.find_spec("pytest_asyncio") is not None:
    import pytest_asyncio

    @pytest_asyncio.fixture
    async def fake_vapi() -> AsyncIterator[FakeVapiServer]:
        """A started FakeVapiServer (empty, api key `TEST_API_KEY`), closed after the test."""
        async with FakeVapiServer(api_key=TEST_API_KEY) as server:
            yield server

    @pytest_asyncio.fixture
    async def vapi_client(fake_vapi: FakeVapiServer) -> AsyncIterator[VapiPhoneClient]:
        """A VapiPhoneClient pointed at `fake_vapi`, closed after the test."""
        # Imported here: the client is a layer above the fake, and may be absent.
        from vapi_phone_async.client import VapiPhoneClient

        async with VapiPhoneClient(api_key=TEST_API_KEY, base_url=fake_vapi.url) as client:
            yield client
