"""The pytest plugin of vapi-phone-async: the fixtures `fake_vapi` and `vapi_client`.

pytest imports this module (the `pytest11` entry point) at the start of every run, in
every project whose environment has vapi-phone-async installed, whether a test uses the
fixtures or not. So it is a module of its own beside the package, as hypothesis does
with its plugin: importing it costs no more than pytest and pytest-asyncio, which the
run has loaded already. The fake server and the client are imported when a test first
asks for a fixture.

The fixtures are async, so they need pytest-asyncio (`pip install
"vapi-phone-async[pytest]"`). Without it they are still offered, and a test that asks
for one fails with a message naming what to install, rather than "fixture not found".
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from vapi_phone_async import VapiPhoneClient
    from vapi_phone_async.testing import FakeVapiServer

__all__ = ["fake_vapi", "vapi_client"]

MISSING_PYTEST_ASYNCIO = (
    "the fixtures of vapi-phone-async (fake_vapi, vapi_client) need pytest-asyncio, "
    'which is not installed: pip install "vapi-phone-async[pytest]"'
)


def _async_fixture(function: Callable[..., AsyncIterator[Any]]) -> Any:
    """pytest-asyncio's fixture decorator; without it, a fixture that fails saying so."""
    try:
        import pytest_asyncio
    except ImportError:
        pass
    else:
        return pytest_asyncio.fixture(function)

    @functools.wraps(function)  # the same name and arguments, for pytest
    def unavailable(*args: object, **kwargs: object) -> None:
        pytest.fail(MISSING_PYTEST_ASYNCIO, pytrace=False)

    return pytest.fixture(unavailable)


@_async_fixture
async def fake_vapi() -> AsyncIterator[FakeVapiServer]:
    """A started FakeVapiServer (empty, api key `TEST_API_KEY`), closed after the test."""
    from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

    async with FakeVapiServer(api_key=TEST_API_KEY) as server:
        yield server


@_async_fixture
async def vapi_client(fake_vapi: FakeVapiServer) -> AsyncIterator[VapiPhoneClient]:
    """A VapiPhoneClient pointed at `fake_vapi`, closed after the test."""
    from vapi_phone_async import VapiPhoneClient

    async with VapiPhoneClient(api_key=fake_vapi.api_key, base_url=fake_vapi.url) as client:
        yield client
