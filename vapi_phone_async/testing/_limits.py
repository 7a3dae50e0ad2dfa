"""The fake's request limits: a token bucket, and a window of the clock as Vapi counts.

Each reads the clocks it is given, so tests can drive it: `refusal` says whether one more
request would be refused now, and if so how long until it would not be; `take` counts one
allowed request.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Limit", "TokenBucketLimit", "WindowLimit"]


@dataclass(frozen=True)
class Refusal:
    """A request over the limit: when it would be allowed, and whether to say so."""

    wait: float  # seconds until one more request would be allowed
    retry_after: bool  # whether the answer carries Retry-After


class TokenBucketLimit:
    """`per_second` requests a second, `burst` at once after a quiet spell; the bucket's
    clock is monotonic."""

    def __init__(self, per_second: float, burst: int | None, *, retry_after: bool) -> None:
        if per_second <= 0:
            raise ValueError(f"per_second must be positive (got {per_second})")
        if burst is not None and burst < 1:
            raise ValueError(f"burst must be at least 1 (got {burst})")
        self.per_second = per_second
        self.burst = float(burst if burst is not None else max(1, round(per_second)))
        self.retry_after = retry_after
        self._tokens = self.burst
        self._refilled_at: float | None = None

    def refusal(self, monotonic: float, wall: float) -> Refusal | None:
        """None if a request is allowed now; else a refusal."""
        if self._refilled_at is not None:
            elapsed = monotonic - self._refilled_at
            self._tokens = min(self.burst, self._tokens + elapsed * self.per_second)
        self._refilled_at = monotonic
        if self._tokens >= 1:
            return None
        return Refusal((1 - self._tokens) / self.per_second, self.retry_after)

    def take(self) -> None:
        """Count a request allowed."""
        self._tokens -= 1


class WindowLimit:
    """`requests` per tumbling window of `seconds`, aligned to the wall clock: the window
    holding `t` starts at `floor(t / seconds) * seconds`. Vapi counts its organisation
    limit so, per UTC minute, and sends no reset header."""

    def __init__(self, requests: int, seconds: float, *, retry_after: bool) -> None:
        if requests < 1:
            raise ValueError(f"requests must be at least 1 (got {requests})")
        if not 0 < seconds < math.inf:
            raise ValueError(f"seconds must be positive (got {seconds})")
        self.requests = requests
        self.seconds = seconds
        self.retry_after = retry_after
        self._window = -1
        self._used = 0

    def refusal(self, monotonic: float, wall: float) -> Refusal | None:
        """None if a request is allowed now; else a refusal."""
        window = math.floor(wall / self.seconds)
        if window != self._window:
            self._window, self._used = window, 0
        if self._used < self.requests:
            return None
        return Refusal((window + 1) * self.seconds - wall, self.retry_after)

    def take(self) -> None:
        """Count a request allowed."""
        self._used += 1


Limit = TokenBucketLimit | WindowLimit
