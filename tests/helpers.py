"""Helpers the tests share (not fixtures: those live in the conftest.py files)."""

from __future__ import annotations

import asyncio
from pathlib import Path

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
