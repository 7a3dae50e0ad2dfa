"""Helpers the tests share (not fixtures: those live in the conftest.py files)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Mapping
from pathlib import Path

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from vapi_phone_async.models import UpdatePhoneNumber, UpdateTwilioPhoneNumber
from vapi_phone_async.testing import FakeVapiServer

FIXTURES = Path(__file__).parent / "fixtures"
"""Recorded API bodies (from the seeds) that the decoding tests read."""


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
