"""Helpers the tests share (not fixtures: those live in the conftest.py files)."""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import types
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any, Protocol, Union, get_args, get_origin

import aiohttp
import msgspec
from aiohttp.abc import AbstractResolver, ResolveResult
from hypothesis import strategies as st

from vapi_phone_async import BackoffPlan, VapiPhoneClient
from vapi_phone_async.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from vapi_phone_async.models import (
    CreateTwilioPhoneNumber,
    Server,
    UpdatePhoneNumber,
    UpdateTwilioPhoneNumber,
)
from vapi_phone_async.testing import FakeVapiServer
from vapi_phone_async.transports import AiohttpTransport, Answer, Request

FIXTURES = Path(__file__).parent / "fixtures"
"""Recorded API bodies (from the seeds) that the decoding tests read."""


NO_RETRIES = BackoffPlan(type="fixed", max_retries=0, base_delay_seconds=0)
"""A plan that sends each request once."""


STATUS_ERRORS: list[tuple[int, type[APIStatusError]]] = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (409, ConflictError),
    (422, UnprocessableEntityError),
    (429, RateLimitError),
    (500, InternalServerError),
    (502, InternalServerError),
    (503, InternalServerError),
    (418, APIStatusError),
]
"""The error class an answer of each status raises (of no family: `APIStatusError`)."""


class MakeClient(Protocol):
    """The `make_client` fixture: `make_client(**options)` builds a client on the fake."""

    def __call__(self, **options: Any) -> VapiPhoneClient: ...


class RecordedSleep:
    """Stands in for asyncio.sleep: remembers each wait and returns at once (after one
    turn of the event loop, so that other tasks run as they would while it waited)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


def ids_of(server: FakeVapiServer, provider: str) -> list[str]:
    """The ids of the stored numbers of `provider`."""
    return [id_ for id_, data in server.numbers.items() if data["provider"] == provider]


def twilio_ids(server: FakeVapiServer, n: int) -> list[str]:
    """Seed enough numbers and return the ids of `n` Twilio ones."""
    server.seed(n * 5)
    return ids_of(server, "twilio")[:n]


def renames(ids: list[str], name: str = "Renamed") -> list[tuple[str, UpdatePhoneNumber]]:
    """One rename of each number, as `bulk_update` pairs."""
    return [(id_, UpdateTwilioPhoneNumber(name=name)) for id_ in ids]


TWILIO_TOKEN = "twilio-token-do-not-show"
SERVER_SECRET = "server-secret-do-not-show"


def twilio_with_secrets(number: str = "+14155550100") -> CreateTwilioPhoneNumber:
    """A Twilio create body holding `TWILIO_TOKEN` and `SERVER_SECRET`, to look for them
    where they must not be."""
    return CreateTwilioPhoneNumber(
        number=number,
        twilio_account_sid="AC1",
        twilio_auth_token=TWILIO_TOKEN,
        server=Server(url="https://hooks.example.com/vapi", secret=SERVER_SECRET),
    )


@asynccontextmanager
async def held_elsewhere(client: VapiPhoneClient) -> AsyncIterator[asyncio.Event]:
    """The client's account lock held by another task (one that does not share our
    context, as another process would not); setting the event yielded lets it go, as
    leaving the block does."""
    taken, release = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        async with client.apply_lock():
            taken.set()
            await release.wait()

    task = asyncio.get_running_loop().create_task(holder())
    await taken.wait()
    try:
        yield release
    finally:
        release.set()
        await task


# Any JSON, for property tests that mutate what the server sends.


@functools.cache
def json_values(*, nulls: bool = True, large: bool = False) -> st.SearchStrategy[Any]:
    """Any JSON value (no NaN or infinity): scalars, and lists and objects of them nested.
    Small by default (strings of up to 6 characters, 2 items a level, 4 leaves); `large`
    to fuzz a parser (integers past 64 bits, longer strings, 20 leaves). `nulls=False`:
    no null at any depth."""
    text, key, items, leaves = (20, 12, 4, 20) if large else (6, 4, 2, 4)
    limit = 2**70 if large else 2**53
    scalars = [
        st.booleans(),
        st.integers(-limit, limit),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=text),
    ]
    return st.recursive(
        st.one_of([st.none(), *scalars] if nulls else scalars),
        lambda inner: (
            st.lists(inner, max_size=items)
            | st.dictionaries(st.text(max_size=key), inner, max_size=items)
        ),
        max_leaves=leaves,
    )


def json_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON value (keys and indexes), the empty one first."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += json_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += json_paths(item, (*path, index))
    return found


# Model values for property tests, derived from the Structs' own field types, so a field
# added later is generated too. Values are type-valid, not spec-valid.

TEXT = st.text(max_size=12)
ZONES = st.sampled_from(
    [timezone.utc, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
)
JSON_SCALARS = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | TEXT
SCALARS: dict[Any, st.SearchStrategy[Any]] = {
    str: TEXT,
    bool: st.booleans(),
    int: st.integers(-(2**63), 2**63 - 1),
    float: st.floats(allow_nan=False, allow_infinity=False),
    datetime: st.datetimes(timezones=ZONES),
    type(None): st.none(),
    msgspec.UnsetType: st.just(msgspec.UNSET),
    Any: JSON_SCALARS,
}


# Cached: building the strategy tree costs far more than drawing from it (90 s against 6).
@functools.cache
def values_of(tp: Any) -> st.SearchStrategy[Any]:
    """Every valid value of a field type: scalars, lists, dicts, unions and Structs."""
    if tp in SCALARS:
        return SCALARS[tp]
    origin = get_origin(tp)
    if origin is Annotated:  # a union the lenient decoder may also fill: its known members
        return values_of(get_args(tp)[0])
    if origin is Union or origin is types.UnionType:
        return st.one_of([values_of(member) for member in get_args(tp)])
    if origin is list:
        return st.lists(values_of(get_args(tp)[0]), max_size=2)
    if origin is dict:
        return st.dictionaries(TEXT, values_of(get_args(tp)[1]), max_size=2)
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return structs(tp)
    raise NotImplementedError(f"no strategy for {tp!r}")


@functools.cache
def structs(cls: type[msgspec.Struct]) -> st.SearchStrategy[Any]:
    """A Struct with every field drawn from its type (optional ones may keep the default)."""
    fields = {}
    for field in msgspec.structs.fields(cls):
        value = values_of(field.type)
        if not field.required:
            value = st.just(field.default) | value
        fields[field.name] = value
    return st.builds(cls, **fields)


def conforms(value: Any, tp: Any, path: str = "$") -> list[str]:
    """Where `value` breaks the annotation `tp` (empty when it holds): Structs are checked
    field by field, and a `Lenient` union also admits its fallback (an UnknownItem)."""
    origin = get_origin(tp)
    if tp is Any:
        return []
    if origin is Annotated:
        inner, *metadata = get_args(tp)
        fallbacks = tuple(m.fallback for m in metadata if hasattr(m, "fallback"))
        if fallbacks and isinstance(value, fallbacks):
            return []
        return conforms(value, inner, path)
    if origin is Union or origin is types.UnionType:
        if type(value) in get_args(tp):  # the member it is: say which field breaks it
            return conforms(value, type(value), path)
        for member in get_args(tp):
            if not conforms(value, member, path):
                return []
        return [f"{path}: {value!r} is none of {tp}"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: {value!r} is not a list"]
        (item,) = get_args(tp)
        return [e for i, v in enumerate(value) for e in conforms(v, item, f"{path}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path}: {value!r} is not a dict"]
        return [e for k, v in value.items() for e in conforms(v, get_args(tp)[1], f"{path}.{k}")]
    if tp is type(None) or tp is None:
        return [] if value is None else [f"{path}: {value!r} is not None"]
    if tp is msgspec.UnsetType:
        return [] if value is msgspec.UNSET else [f"{path}: {value!r} is not UNSET"]
    if tp in (int, float) and isinstance(value, bool):
        return [f"{path}: {value!r} is a bool, not {tp.__name__}"]
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        if type(value) is not tp:
            return [f"{path}: {value!r} is not a {tp.__name__}"]
        return [
            error
            for field in msgspec.structs.fields(tp)
            for error in conforms(getattr(value, field.name), field.type, f"{path}.{field.name}")
        ]
    if isinstance(tp, type):
        return [] if isinstance(value, tp) else [f"{path}: {value!r} is not a {tp.__name__}"]
    raise NotImplementedError(f"no check for {tp!r}")


class LoopbackResolver(AbstractResolver):
    """Resolves the given names to loopback addresses, and no other name: a host name, as
    a docker-compose service has, that cannot send a test's traffic off this machine."""

    def __init__(self, names: Mapping[str, str]) -> None:
        if not all(ipaddress.ip_address(address).is_loopback for address in names.values()):
            raise ValueError(f"not all loopback addresses: {dict(names)}")
        self._names = dict(names)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host not in self._names:
            raise OSError(f"{host!r} is not a name this test resolves")
        address = self._names[host]
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        pass


def loopback_session(names: Mapping[str, str]) -> aiohttp.ClientSession:
    """An aiohttp session that reaches `names` (host name: loopback address) and no other."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=LoopbackResolver(names)))


class Wiretap:
    """A transport around the aiohttp one (`VapiPhoneClient(transport=Wiretap(url))`):
    what the client sends, seen from outside. It counts the sends in flight (`in_flight`,
    the most at once in `most`), and awaits `before(request)` ahead of each, if given."""

    def __init__(
        self,
        base_url: str,
        before: Callable[[Request], Awaitable[None]] | None = None,
        **options: Any,
    ) -> None:
        self.inner = AiohttpTransport(base_url, **options)
        self.before = before
        self.in_flight = 0
        self.most = 0

    async def send(self, request: Request) -> Answer:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            if self.before is not None:
                await self.before(request)
            return await self.inner.send(request)
        finally:
            self.in_flight -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()
