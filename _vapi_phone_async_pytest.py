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

A coroutine test that asks for a fixture, directly or through another fixture, runs on
pytest-asyncio whatever its `asyncio_mode`: in the default strict mode the plugin marks
it `asyncio` itself, as auto mode would. pytest-asyncio reads the mark twice (0.24 to
1.5): when the test is parametrized (`pytest_generate_tests`: a wider loop scope's loop,
from 1.5 its loop factories), and when its wrapper of `pytest_pycollect_makeitem` turns
the items pytest made into the ones it runs. So the plugin marks the definition in a
wrapper of `pytest_generate_tests` (which runs before any plain implementation) and the
items in an inner wrapper of `pytest_pycollect_makeitem` (`trylast`: it sees the items
before pytest-asyncio's does). A test marked `asyncio` already (with a loop scope, say)
keeps its mark, and a test that asks for neither fixture is left as it is.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import AsyncIterator, Callable, Generator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from vapi_phone_async import VapiPhoneClient
    from vapi_phone_async.testing import FakeVapiServer

__all__ = ["fake_vapi", "pytest_generate_tests", "pytest_pycollect_makeitem", "vapi_client"]

_FIXTURES = frozenset({"fake_vapi", "vapi_client"})
_RUNS_ON_PYTEST_ASYNCIO = pytest.StashKey[bool]()

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
    """A started FakeVapiServer (empty, api key `TEST_API_KEY`), closed after the test.

    Every client's retry waits and 429 pauses are instant while it is in use
    (`vapi_phone_async.testing.set_testing`), and real again after the test.
    """
    from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer, set_testing

    with set_testing(True):
        async with FakeVapiServer(api_key=TEST_API_KEY) as server:
            yield server


@_async_fixture
async def vapi_client(fake_vapi: FakeVapiServer) -> AsyncIterator[VapiPhoneClient]:
    """A VapiPhoneClient pointed at `fake_vapi` (its retries wait no time), closed after
    the test."""
    from vapi_phone_async import VapiPhoneClient

    async with VapiPhoneClient(api_key=fake_vapi.api_key, base_url=fake_vapi.url) as client:
        yield client


def _runs_on_pytest_asyncio(config: pytest.Config) -> bool:
    """Whether pytest-asyncio's plugin is part of this run (marking for it is pointless,
    and an unknown mark, without it)."""
    known = config.stash.get(_RUNS_ON_PYTEST_ASYNCIO, None)
    if known is None:
        plugin = sys.modules.get("pytest_asyncio.plugin")
        known = plugin is not None and config.pluginmanager.is_registered(plugin)
        config.stash[_RUNS_ON_PYTEST_ASYNCIO] = known
    return known


def _to_mark(node: pytest.Item, function: object, fixturenames: list[str]) -> bool:
    """Whether `node` is a coroutine test that asks for a fixture of ours and is not
    marked `asyncio` yet (by the test, its class or its module)."""
    return (
        inspect.iscoroutinefunction(function)
        and not _FIXTURES.isdisjoint(fixturenames)
        and node.get_closest_marker("asyncio") is None
        and _runs_on_pytest_asyncio(node.config)
    )


@pytest.hookimpl(wrapper=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> Generator[None, None, None]:
    """Marks the test's definition before pytest-asyncio parametrizes it (a wrapper runs
    before every plain implementation)."""
    definition = metafunc.definition
    if _to_mark(definition, metafunc.function, metafunc.fixturenames):
        definition.add_marker(pytest.mark.asyncio)
    return (yield)


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> Generator[None, object, object]:
    """Marks the items pytest made of a test (they take their marks from the function,
    not from its definition) before pytest-asyncio's wrapper, an outer one, reads them."""
    made = yield
    items = made if isinstance(made, list) else [made]
    for item in items:
        if isinstance(item, pytest.Function) and _to_mark(item, item.obj, item.fixturenames):
            item.add_marker(pytest.mark.asyncio)
    return made
