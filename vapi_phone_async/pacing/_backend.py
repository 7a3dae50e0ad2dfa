"""Where a client's pacing state lives: the small interface both backends offer.

`LocalPacing` keeps the state in this process (the default); `RedisPacing` keeps it in a
Redis server, so that every process of a fleet draws from one bucket at one rate, one 429
pauses them all, and one retry budget is spent. The `Pacer` asks its backend before each
send and tells it how the server answered.
"""

from __future__ import annotations

from typing import Protocol

from ._budget import RetryBudget
from ._state import Decision, Grant, Limit

__all__ = ["Backend"]


class Backend(Protocol):
    """The pacing state of one client (and of every client sharing it)."""

    @property
    def budget(self) -> RetryBudget | None:
        """The retry budget's settings, and its tokens (as last seen, through Redis)."""

    def ready(self, limit: Limit | None) -> int | None:
        """The current epoch, if a request may go at once with nothing to reserve;
        None: `reserve` must be asked."""

    async def reserve(self, limit: Limit | None, delay: float = 0.0) -> Grant:
        """A start for one request, no sooner than `delay` seconds from now, in the
        client's `limit` bucket (if any) and the adaptive rate's, counted in the window;
        or the fleet's pause to wait out."""

    def answered(self, epoch: int, status: int) -> None:
        """A request sent in `epoch` got an answer that was not a 429."""

    async def throttled(self, epoch: int, retry_after: float | None) -> Decision:
        """A request sent in `epoch` got a 429: what to do about it."""

    async def spend(self, *, timeout: bool) -> bool:
        """Whether one more retry may be made; its cost is taken if so."""

    async def aclose(self) -> None:
        """Let go of what the backend holds (a connection); the state outlives it."""
