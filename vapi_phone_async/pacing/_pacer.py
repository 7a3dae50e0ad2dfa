"""The Pacer: the gate every request of one client (or one bulk run of it) passes before it
goes out, and what it is told of each answer.

The retry engine asks it before each send (`go_now`, else `before_send`), tells it how
the server answered (`answered`, `throttled`), and asks it whether a failure may be
retried (`spend_retry`). The state it paces by lives in its backend (`LocalPacing` in
this process, or `RedisPacing` for a fleet); a bulk run's own `rate_limit` and the 429
pause the engine holds with its own sleep live here.
"""

from __future__ import annotations

import copy
import time
from typing import NamedTuple

import anyio

from ._backend import Backend
from ._bucket import TokenBucket
from ._budget import RetryBudget
from ._gate import Gate, Sleep
from ._state import Clock, Decision, Limit

__all__ = ["Pacer", "Ticket"]


class Ticket(NamedTuple):
    """A request let through: the epoch it was sent in (which 429s of one throttling
    event share), and its probe slot if it went alone (0: it did not)."""

    epoch: int
    probe: int = 0


class Pacer:
    """The gate every request of one client (or one bulk run of it) passes.

    `with_rate_limit(r)` gives a pacer for a bulk run: it shares the client's backend and
    gate, and adds a bucket of its own. `clock` and `rate_sleep` drive the buckets, which
    are about real time; a 429 pause waits with the sleep the engine hands it (the
    client's, which tests make instant).
    """

    def __init__(
        self,
        backend: Backend,
        *,
        rate_limit: float | None = None,
        clock: Clock = time.time,
        rate_sleep: Sleep = anyio.sleep,
    ) -> None:
        self.backend = backend
        self.gate = Gate()
        self._limit = None if rate_limit is None else Limit(rate_limit)
        self._buckets: tuple[TokenBucket, ...] = ()
        self._plain = Ticket(-1)
        self._clock = clock
        self._rate_sleep = rate_sleep

    def __repr__(self) -> str:
        rates = [f"{bucket.rate:g}/s" for bucket in self._buckets]
        if self._limit is not None:
            rates.append(f"{self._limit.rate:g}/s")
        return f"Pacer(rate limits: {', '.join(rates) or 'none'}, {self.backend!r})"

    @property
    def budget(self) -> RetryBudget | None:
        """The retry budget (None: retries are bounded per call only)."""
        return self.backend.budget

    def with_rate_limit(self, rate_limit: float | None) -> Pacer:
        """A pacer sharing everything with this one, plus a bucket of `rate_limit` if given."""
        if rate_limit is None:
            return self
        child = copy.copy(self)
        child._buckets = (TokenBucket(rate_limit), *self._buckets)
        return child

    def go_now(self) -> Ticket | None:
        """A ticket, if a request may go at once with nothing to wait for or reserve (no
        pause, no probing, no bucket); else None: await `before_send()`."""
        gate = self.gate
        if self._buckets or gate.active or gate.probing:
            return None
        epoch = self.backend.ready(self._limit)
        if epoch is None:
            return None
        ticket = self._plain
        if ticket.epoch != epoch:  # tickets are immutable: one a throttling epoch will do
            ticket = self._plain = Ticket(epoch)
        return ticket

    async def before_send(self) -> Ticket:
        """Wait until one more request may go: no pause, a start reserved in every
        bucket, and the probe slot if it must go alone."""
        gate = self.gate
        while True:
            if gate.active:
                await gate.wait()
            # One start, reserved in every bucket at the first moment all allow it: the
            # run's own here, then the backend's no sooner.
            now = self._clock()
            delay = max((bucket.earliest(now) - now for bucket in self._buckets), default=0.0)
            grant = await self.backend.reserve(self._limit, delay)
            if not grant.go:  # the fleet is paused: hold this process's gate as long
                await gate.hold(grant.wait, self._rate_sleep, probe=grant.probe)
                continue
            wait = grant.wait
            for bucket in self._buckets:
                bucket.take(now + wait)
            if wait > 0:
                await self._rate_sleep(wait)
            # A pause that began while this one waited for its start holds it too: a
            # request sent now would only meet another 429.
            if gate.active:
                continue
            if not (grant.probe or gate.probing):
                return Ticket(grant.epoch)
            probe = await gate.take_probe()
            if gate.active or not (grant.probe or gate.probing):
                gate.release_probe(probe, through=False)  # paused, or no longer probing
                if gate.active:
                    continue
                return Ticket(grant.epoch)
            return Ticket(grant.epoch, probe)

    def answered(self, ticket: Ticket, status: int = 200) -> None:
        """The server answered `status`, not a 429: it let the request through."""
        self.backend.answered(ticket.epoch, status)
        if ticket.probe:
            self.gate.release_probe(ticket.probe, through=True)

    async def throttled(self, ticket: Ticket, retry_after: float | None) -> Decision:
        """The request of `ticket` was answered 429: what to do before its retry."""
        decision = await self.backend.throttled(ticket.epoch, retry_after)
        if decision.probe:
            self.gate.probing = True
        if ticket.probe:
            self.gate.release_probe(ticket.probe, through=False)
        return decision

    def done(self, ticket: Ticket) -> None:
        """The request of `ticket` is over, however it ended: its probe slot is free."""
        if ticket.probe:
            self.gate.release_probe(ticket.probe, through=False)

    async def spend_retry(self, *, timeout: bool) -> bool:
        """Whether a failed request may be retried under the budget (its cost is taken)."""
        return await self.backend.spend(timeout=timeout)

    async def pause(self, seconds: float, sleep: Sleep, *, probe: bool = False) -> None:
        """Hold every request of the client back while this one waits out a 429; with
        `probe`, requests go one at a time after it until one gets through."""
        await self.gate.hold(seconds, sleep, probe=probe)

    async def aclose(self) -> None:
        """Let go of the backend's connection, if it has one."""
        await self.backend.aclose()
