"""Failures on demand: the queue of injected faults, random chaos, and request limits.

All three are deterministic: injected faults apply in the order they were queued, chaos
draws from its own seeded generator, and the limits (`_limits.py`) read the clocks they
are given.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from ._echo import ENCODINGS, EchoEncoding
from ._limits import Limit, Refusal, TokenBucketLimit, WindowLimit

__all__ = ["MODES", "NOT_ACTING", "Fault", "FaultMode", "Faults"]

FaultMode = Literal[
    "status",
    "reset-before",
    "reset-after",
    "truncate",
    "stall",
    "trickle",
    "malformed",
    "echo",
    "raw",
    "delay",
]
# Modes that answer without letting the operation run.
NOT_ACTING: frozenset[str] = frozenset({"status", "reset-before", "echo", "raw"})
MODES: tuple[str, ...] = get_args(FaultMode)


@dataclass
class Fault:
    """One injected fault; `times` counts down as requests match it.

    Modes: `status` answers `status` (and `Retry-After` if `retry_after` is set) without
    acting; `reset-before` drops the connection without acting; `reset-after` acts, then
    drops the connection unanswered; `truncate` acts and sends half the body; `stall`
    acts, sends the headers and half the body, then waits `delay` seconds before the
    rest; `trickle` acts and sends the body one byte every `delay` seconds; `malformed`
    acts and answers invalid JSON; `echo` answers `status` (default 500) with the first
    half of the request's own body, as text, without acting (a proxy gone wrong), or
    with all of it written in `encoding` (see `_echo.echoed`) when one is given; `raw`
    answers `status` (default 200) with `body` as `content_type`, without acting; `delay`
    acts normally. In every mode but `stall` and `trickle`, `delay` seconds pass before
    the answer (or the drop).
    """

    mode: FaultMode = "status"
    method: str | None = None
    path: str | None = None
    times: int = 1
    status: int | None = None
    retry_after: float | None = None
    delay: float = 0.0
    body: bytes | None = None
    content_type: str | None = None
    encoding: EchoEncoding | None = None

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or self.path == path
        )


class Faults:
    """The fault queue, chaos and rate limiting of one server."""

    def __init__(self) -> None:
        self.pending: list[Fault] = []
        self._chaos_rate = 0.0
        self._chaos_statuses: tuple[int, ...] = ()
        self._chaos_random = random.Random(0)
        self._rate: TokenBucketLimit | None = None
        self._window: WindowLimit | None = None

    def inject(self, fault: Fault) -> Fault:
        if fault.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)} (got {fault.mode!r})")
        if fault.times < 1:
            raise ValueError(f"times must be at least 1 (got {fault.times})")
        if fault.delay < 0:
            raise ValueError(f"delay must not be negative (got {fault.delay})")
        if fault.mode in ("delay", "stall", "trickle") and not fault.delay:
            raise ValueError(f"mode {fault.mode!r} needs a delay in seconds")
        if fault.mode == "raw" and fault.body is None:
            raise ValueError("mode 'raw' needs the body to answer")
        if fault.encoding is not None and (fault.mode != "echo" or fault.encoding not in ENCODINGS):
            raise ValueError(
                f"encoding is for mode 'echo', one of {', '.join(ENCODINGS)} "
                f"(got {fault.encoding!r})"
            )
        if fault.method is not None:
            fault.method = fault.method.upper()
        self.pending.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The first pending fault matching the request, counted down (None if none)."""
        for index, fault in enumerate(self.pending):
            if fault.matches(method, path):
                fault.times -= 1
                if fault.times == 0:
                    del self.pending[index]
                return fault
        return None

    def set_chaos(self, rate: float, statuses: Iterable[int], seed: int) -> None:
        if not 0 <= rate <= 1:
            raise ValueError(f"rate must be between 0 and 1 (got {rate})")
        self._chaos_rate = rate
        self._chaos_statuses = tuple(statuses)
        if rate and not self._chaos_statuses:
            raise ValueError("chaos needs at least one status")
        self._chaos_random = random.Random(seed)

    def chaos_status(self) -> int | None:
        """A status to fail this request with, drawn at the chaos rate (None: no failure)."""
        if not self._chaos_rate or self._chaos_random.random() >= self._chaos_rate:
            return None
        return self._chaos_random.choice(self._chaos_statuses)

    def set_rate_limit(
        self, per_second: float | None, burst: int | None, *, retry_after: bool = True
    ) -> None:
        self._rate = (
            None
            if per_second is None
            else TokenBucketLimit(per_second, burst, retry_after=retry_after)
        )

    def set_window_limit(
        self, requests: int | None, seconds: float, *, retry_after: bool = False
    ) -> None:
        self._window = (
            None if requests is None else WindowLimit(requests, seconds, retry_after=retry_after)
        )

    def throttle(self, monotonic: float, wall: float) -> Refusal | None:
        """None to allow a request now; else when it would be, and whether to say so. A
        request must pass every limit set; one refused is counted by none."""
        limits: list[Limit] = [limit for limit in (self._window, self._rate) if limit]
        for limit in limits:
            refusal = limit.refusal(monotonic, wall)
            if refusal is not None:
                return refusal
        for limit in limits:
            limit.take()
        return None

    def clear(self) -> None:
        """Forget pending faults and turn chaos and rate limiting off."""
        self.pending.clear()
        self.set_chaos(0, (), 0)
        self.set_rate_limit(None, None)
        self.set_window_limit(None, 60.0)
