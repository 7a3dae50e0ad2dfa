"""Helpers the tests share (not fixtures: those live in the conftest.py files)."""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import types
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any, Protocol, Union, get_args, get_origin

import aiohttp
import msgspec
from aiohttp.abc import AbstractResolver, ResolveResult
from hypothesis import strategies as st

from vapi_phone_async import BackoffPlan, VapiPhoneClient
from vapi_phone_async.models import UpdatePhoneNumber, UpdateTwilioPhoneNumber
from vapi_phone_async.testing import FakeVapiServer
from vapi_phone_async.transports import AiohttpTransport, Answer, Request

FIXTURES = Path(__file__).parent / "fixtures"
"""Recorded API bodies (from the seeds) that the decoding tests read."""


NO_RETRIES = BackoffPlan(type="fixed", max_retries=0, base_delay_seconds=0)
"""A plan that sends each request once."""


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


def twilio_ids(server: FakeVapiServer, n: int) -> list[str]:
    """Seed enough numbers and return the ids of `n` Twilio ones."""
    server.seed(n * 5)
    ids = [id_ for id_, data in server.numbers.items() if data["provider"] == "twilio"]
    return ids[:n]


def renames(ids: list[str], name: str = "Renamed") -> list[tuple[str, UpdatePhoneNumber]]:
    """One rename of each number, as `bulk_update` pairs."""
    return [(id_, UpdateTwilioPhoneNumber(name=name)) for id_ in ids]


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
