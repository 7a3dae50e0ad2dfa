"""The pacing state of a client kept in this process: the default backend."""

from __future__ import annotations

import time

from ._budget import RetryBudget
from ._state import (
    SETTLE,
    Clock,
    Decision,
    Grant,
    Limit,
    PacingState,
    Revision,
    decide,
    note,
    reserve,
    revise,
)

__all__ = ["LocalPacing"]


class LocalPacing:
    """A client's pacing state in this process, shared by its views and bulk runs.

    `window` is the limit's window in seconds, if known (0: learn it, when `adaptive`);
    `adaptive` learns a send rate and a window from 429s.
    """

    def __init__(
        self,
        *,
        budget: RetryBudget | None = None,
        window: float = 0.0,
        adaptive: bool = True,
        clock: Clock = time.time,
    ) -> None:
        self.state = PacingState()
        self._budget = budget
        self._window = window
        self._adaptive = adaptive
        self._clock = clock
        self._revision: Revision | None = None  # a cut to revise SETTLE seconds after it

    def __repr__(self) -> str:
        state = self.state
        rate = f"{state.peak:.1f}/s peak" if state.enabled else "off"
        known = self._window or state.window
        window = f", window {known:g} s" if known else ""
        return f"LocalPacing(adaptive rate {rate}{window}, {self._budget!r})"

    @property
    def budget(self) -> RetryBudget | None:
        return self._budget

    def ready(self, limit: Limit | None) -> int | None:
        state = self.state
        if limit is None and not state.enabled and not state.quota:
            return state.epoch
        return None

    async def reserve(self, limit: Limit | None, delay: float = 0.0) -> Grant:
        now = self._clock()
        revision = self._revision
        if revision is not None and now >= revision.cut_at + SETTLE:
            self._revision = None
            revise(self.state, now, revision)
        return reserve(self.state, now, limit, self._window, honour_pause=False, delay=delay)

    def answered(self, epoch: int, status: int) -> None:
        budget = self._budget
        if budget is not None and status < 500 and status != 408:
            budget.earn()
        note(self.state, self._clock(), 1, 1, epoch)

    async def throttled(self, epoch: int, retry_after: float | None) -> Decision:
        decision, revision = decide(
            self.state,
            self._clock(),
            epoch,
            retry_after,
            window=self._window,
            adaptive=self._adaptive,
        )
        if revision is not None:
            self._revision = revision
        return decision

    async def spend(self, *, timeout: bool) -> bool:
        return self._budget is None or self._budget.spend(timeout=timeout)

    async def aclose(self) -> None:
        return None
