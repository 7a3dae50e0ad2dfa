"""The gate every request of one client passes in this process: closed while a 429 pause
is held, and after a pause that asks for it, open to one request at a time (a probe)
until one gets through."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable

import anyio

__all__ = ["Gate", "Sleep"]

Sleep = Callable[[float], Awaitable[None]]


class Gate:
    """A client's pause and its probe slot.

    The pause lasts as long as its holders wait, with the sleep each is given (the
    client's, which tests make instant), so every other request waits exactly that long.
    """

    def __init__(self) -> None:
        self._holders = 0
        # Made by the first pause (anyio's Event needs a running loop; a client may not).
        self._resumed: anyio.Event | None = None
        self.probing = False  # sends go one at a time until one gets through
        self._probe = 0  # the probe out now (0: none)
        self._probe_back: anyio.Event | None = None
        self._ids = itertools.count(1)

    @property
    def active(self) -> bool:
        """Whether requests must wait now."""
        return self._holders > 0

    async def hold(self, seconds: float, sleep: Sleep, *, probe: bool = False) -> None:
        """Keep the gate closed while this caller waits `seconds` with `sleep`; with
        `probe`, requests go one at a time after it until one gets through."""
        if probe:
            self.probing = True
        if not self._holders:
            self._resumed = anyio.Event()
        self._holders += 1
        try:
            await sleep(seconds)
        finally:
            self._holders -= 1
            if not self._holders and self._resumed is not None:
                self._resumed.set()

    async def wait(self) -> None:
        """Return once no pause is held."""
        while self._holders and self._resumed is not None:
            await self._resumed.wait()

    async def take_probe(self) -> int:
        """Wait until no probe is out, then take the slot; returns its id."""
        while self._probe:
            if self._probe_back is None:  # pragma: no cover - made with the slot
                self._probe_back = anyio.Event()
            await self._probe_back.wait()
        self._probe = next(self._ids)
        self._probe_back = anyio.Event()
        return self._probe

    def release_probe(self, probe: int, *, through: bool) -> None:
        """Probe `probe` is over; `through`: the server let it through, so requests need
        not go one at a time any more. A probe released twice is released once."""
        if through:
            self.probing = False
        if probe == self._probe:
            self._probe = 0
            if self._probe_back is not None:
                self._probe_back.set()
