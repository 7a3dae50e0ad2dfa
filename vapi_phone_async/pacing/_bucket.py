"""A token bucket of request starts, in this process: a bulk run's own `rate_limit`, and the
client's when its pacing state is in this process."""

from __future__ import annotations

import math

__all__ = ["TokenBucket"]


class TokenBucket:
    """Starts of requests at least `1 / rate` seconds apart, with up to `burst` at once
    after a quiet spell (the generic cell rate algorithm: one reservation per request)."""

    def __init__(self, rate: float, *, burst: float = 1.0) -> None:
        self.rate = rate
        self.burst = burst
        self._next = -math.inf  # when the bucket is next empty of credit

    def earliest(self, now: float) -> float:
        """The earliest time from `now` at which one more request may start."""
        return max(now, self._next - (self.burst - 1) / self.rate)

    def take(self, at: float) -> None:
        """Reserve a start at `at` (no earlier than `earliest`)."""
        self._next = max(self._next, at) + 1.0 / self.rate

    def reserve(self, now: float) -> float:
        """Reserve the next start; returns the seconds to wait before it (0: go now).

        Reservations are made one at a time on the event loop, so no lock is needed: each
        caller sleeps until its own slot.
        """
        at = self.earliest(now)
        self.take(at)
        return at - now
