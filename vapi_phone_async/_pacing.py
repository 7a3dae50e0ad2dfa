"""Pacing: when a client may send its next request, and whether it may retry one more.

Every request the package sends passes a client's `Pacer` before it goes out (the retry
engine in `_retry.py` asks it). A pacer holds:

- the **shared 429 pause**: a 429 closes the gate for every request of the client (its
  views, walks and bulk runs included) for as long as the server asked, so N workers do
  not each learn of the limit on their own and keep the server saturated;
- **token buckets**: the client's `rate_limit`, and a bulk run's own, each spacing the
  starts of requests at least `1 / rate` seconds apart;
- the **adaptive rate** (`AdaptiveRate`): off until the first 429, then a bucket whose
  rate drops on each 429 and climbs back when they stop, the way botocore's adaptive
  retry mode does (CUBIC, as TCP);
- the **retry budget** (`RetryBudget`): retries spend tokens, successes earn them back,
  so a dead server gets a bounded number of retries instead of a storm of them.

The decisions are plain methods with the time passed in; only `Pacer.before_send` and
`Pacer.pause` wait.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable

import anyio

from ._options import amount, raise_for

__all__ = ["AdaptiveRate", "Pacer", "Pause", "RetryBudget", "TokenBucket"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RetryBudget:
    """A client's allowance of retries: each retry spends tokens, each success earns one.

    Modelled on botocore's retry quota, sized so that a flaky server never drains it and a
    dead one soon does. Under a steady failure rate `f` it drains only when
    `f * retry_cost > (1 - f) * refill`: with the defaults (300 tokens, 2 a retry, 4 a
    retry after a timeout, 1 back per success) a server failing 20 % of requests never
    drains it, and one failing every request gets 150 retries in all before failures
    surface at once, each saying that the budget is spent. A 429 spends nothing: the
    shared pause and the adaptive rate deal with those.

        VapiPhoneClient(retry_budget=RetryBudget(capacity=1000))  # or None: no budget
    """

    def __init__(
        self,
        capacity: float = 300,
        *,
        retry_cost: float = 2,
        timeout_cost: float = 4,
        refill: float = 1,
    ) -> None:
        raise_for(
            amount("capacity", capacity, allow_none=False)
            + amount("retry_cost", retry_cost, allow_none=False, allow_zero=False)
            + amount("timeout_cost", timeout_cost, allow_none=False, allow_zero=False)
            + amount("refill", refill, allow_none=False)
        )
        self.capacity = capacity
        self.retry_cost = retry_cost
        self.timeout_cost = timeout_cost
        self.refill = refill
        self.tokens = float(capacity)

    def __repr__(self) -> str:
        return f"RetryBudget(tokens={self.tokens:g} of {self.capacity:g})"

    def spend(self, *, timeout: bool = False) -> bool:
        """Take the cost of one retry; False (nothing taken) when too few tokens are left."""
        cost = self.timeout_cost if timeout else self.retry_cost
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True

    def earn(self) -> None:
        """A request succeeded: give back `refill` tokens, up to the capacity."""
        if self.tokens < self.capacity:
            self.tokens = min(self.capacity, self.tokens + self.refill)


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


class AdaptiveRate:
    """A send rate learnt from 429s (botocore's adaptive mode, CUBIC as TCP uses it).

    It counts the answers that were not 429s over the last second. Off until a 429 comes
    after such answers. Then each 429 (one per burst of them: a 429 to a request sent
    before the last decrease is the same event) sets the rate to `beta` times the rate of
    answers in the second before it, and each answer moves the rate along a cubic curve
    back to that rate within a few seconds, where it stays a while, then beyond it,
    probing. The rate never goes below `min_rate`.
    """

    beta = 0.7
    scale = 0.4
    min_rate = 0.5
    _SLOTS = 10  # the last second, in tenths

    def __init__(self) -> None:
        self.enabled = False
        self.rate = math.inf
        self._bucket: TokenBucket | None = None
        self._counts = [0] * self._SLOTS  # answers per tenth of a second, a ring
        self._slot = 0  # the tenth of a second of the last count
        self._peak = 0.0  # the rate at the last decrease (CUBIC's W_max)
        self._recovery = 0.0  # seconds from a decrease back to the peak (CUBIC's K)
        self._decreased_at = -math.inf

    def __repr__(self) -> str:
        state = f"rate={self.rate:.1f}/s" if self.enabled else "off"
        return f"AdaptiveRate({state})"

    @property
    def bucket(self) -> TokenBucket | None:
        """The bucket spacing the client's sends at `rate` (None while off)."""
        return self._bucket

    def measured(self, now: float) -> int:
        """Answers that were not 429s in the second up to `now`."""
        self._advance(now)
        return sum(self._counts)

    def succeeded(self, now: float) -> None:
        """A request got an answer that was not a 429."""
        self._advance(now)
        self._counts[self._slot % self._SLOTS] += 1
        if self.enabled:
            elapsed = now - self._decreased_at
            self._set_rate(self.scale * (elapsed - self._recovery) ** 3 + self._peak)

    def throttled(self, sent_at: float, now: float) -> None:
        """A request sent at `sent_at` got a 429."""
        if sent_at < self._decreased_at:
            return  # in flight when the rate last dropped: the same congestion event
        measured = self.measured(now)
        if not measured:
            return  # nothing known of the server's rate: the pause alone must do
        current = min(self.rate, measured)
        self._peak = max(current, self.min_rate)
        self._recovery = (self._peak * (1 - self.beta) / self.scale) ** (1 / 3)
        self._decreased_at = now
        self.enabled = True
        self._set_rate(self._peak * self.beta)

    def _set_rate(self, rate: float) -> None:
        self.rate = max(rate, self.min_rate)
        if self._bucket is None:
            self._bucket = TokenBucket(self.rate)
        else:
            self._bucket.rate = self.rate

    def _advance(self, now: float) -> None:
        """Move the ring to `now`, emptying the tenths that passed since the last count."""
        slot = int(now * self._SLOTS)
        passed = slot - self._slot
        if passed:
            counts = self._counts
            for gone in range(min(passed, self._SLOTS)):
                counts[(slot - gone) % self._SLOTS] = 0
            self._slot = slot


class Pause:
    """The gate a 429 closes for every request of a client while it waits."""

    def __init__(self) -> None:
        self._holders = 0
        # Made by the first pause (anyio's Event needs a running loop; a client may not).
        self._resumed: anyio.Event | None = None

    @property
    def active(self) -> bool:
        """Whether requests must wait now."""
        return self._holders > 0

    async def hold(self, seconds: float, sleep: Sleep) -> None:
        """Keep the gate closed while this caller waits `seconds` with `sleep`."""
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


class Pacer:
    """The gate every request of one client (or one bulk run of it) passes.

    `with_rate_limit(r)` gives a pacer for a bulk run: it shares the client's pause,
    adaptive rate, budget and buckets, and adds a bucket of its own. `clock` and
    `rate_sleep` drive the buckets, which are about real time; the 429 pause waits with
    the sleep the engine hands it (the client's, which tests make instant).
    """

    def __init__(
        self,
        *,
        rate_limit: float | None = None,
        adaptive: bool = True,
        budget: RetryBudget | None = None,
        clock: Clock = time.monotonic,
        rate_sleep: Sleep = anyio.sleep,
    ) -> None:
        self.budget = budget
        self.adaptive = AdaptiveRate() if adaptive else None
        self.pause_gate = Pause()
        self._buckets = _buckets(rate_limit)
        self._clock = clock
        self._rate_sleep = rate_sleep

    def __repr__(self) -> str:
        rates = ", ".join(f"{bucket.rate:g}/s" for bucket in self._buckets) or "none"
        return f"Pacer(rate limits: {rates}, {self.adaptive!r}, {self.budget!r})"

    def with_rate_limit(self, rate_limit: float | None) -> Pacer:
        """A pacer sharing everything with this one, plus a bucket of `rate_limit` if given."""
        if rate_limit is None:
            return self
        child = Pacer(adaptive=False, clock=self._clock, rate_sleep=self._rate_sleep)
        child.budget, child.adaptive, child.pause_gate = self.budget, self.adaptive, self.pause_gate
        child._buckets = (*_buckets(rate_limit), *self._buckets)
        return child

    def go_now(self) -> float | None:
        """The time, if a request may go at once with nothing to wait for or reserve (no
        pause, no bucket, the adaptive rate off); else None: await `before_send()`."""
        if self._buckets or self.pause_gate.active:
            return None
        adaptive = self.adaptive
        if adaptive is not None and adaptive.enabled:
            return None
        return self._clock()

    async def before_send(self) -> float:
        """Wait until one more request may go (no pause, a start reserved in every
        bucket); returns the time it goes, for `throttled`."""
        while True:
            if self.pause_gate.active:
                await self.pause_gate.wait()
            now = self._clock()
            buckets = self._buckets
            if self.adaptive is not None and self.adaptive.bucket is not None:
                buckets = (*buckets, self.adaptive.bucket)
            # One start, reserved in every bucket at the first moment all of them allow.
            at = max((bucket.earliest(now) for bucket in buckets), default=now)
            for bucket in buckets:
                bucket.take(at)
            if at > now:
                await self._rate_sleep(at - now)
                now = self._clock()
            # A pause that began while this one waited for its start holds it too: a
            # request sent now would only meet another 429.
            if not self.pause_gate.active:
                return now

    def answered(self, status: int = 200) -> None:
        """The server answered `status`, not a 429: it kept up with the rate. An answer
        that is not a failure (a 2xx, or a 4xx a retry cannot fix) earns budget back."""
        budget = self.budget
        if budget is not None and status < 500 and status != 408:
            budget.earn()
        adaptive = self.adaptive
        if adaptive is not None:
            adaptive.succeeded(self._clock())

    def throttled(self, sent_at: float) -> None:
        """A request sent at `sent_at` was answered 429."""
        if self.adaptive is not None:
            self.adaptive.throttled(sent_at, self._clock())

    def spend_retry(self, *, timeout: bool) -> bool:
        """Whether a failed request may be retried under the budget (its cost is taken)."""
        return self.budget is None or self.budget.spend(timeout=timeout)

    async def pause(self, seconds: float, sleep: Sleep) -> None:
        """Hold every request of the client back while this one waits out a 429."""
        await self.pause_gate.hold(seconds, sleep)


def _buckets(rate_limit: float | None) -> tuple[TokenBucket, ...]:
    return () if rate_limit is None else (TokenBucket(rate_limit),)
