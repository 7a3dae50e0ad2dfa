"""Pacing shared by a fleet of workers through one Redis server.

Every process that paces through the same Redis, with the same base URL and API key,
draws from one state: one bucket at one rate, one 429 pause, one window, one retry
budget. The state is one hash, named by the base URL and a fingerprint of the key
(`vapi-phone-async:{https://api.vapi.ai 3f9c0a...}:pacing`; never the key), that expires
after `ttl` seconds unused. Hot-path updates run as Lua scripts (`_scripts.py`); a 429 is
decided in Python on a snapshot and committed if no other process committed first.

If Redis cannot be reached, or fails, the client goes on pacing in this process, logs one
warning, and tries Redis again after `reconnect_after` seconds (a debug line each time it
is still down, an info line when it is back): work never stops for Redis, nor spins on it.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from .._rules import amount, raise_for
from .._secrets import key_fingerprint
from ..errors import FieldError
from ._budget import RetryBudget
from ._codec import decode_state, encode_fields
from ._local import LocalPacing
from ._scripts import COMMIT, RESERVE, SNAPSHOT, SPEND
from ._state import (
    RARE,
    SETTLE,
    Decision,
    Grant,
    Limit,
    PacingState,
    Revision,
    decide,
    revise,
)

__all__ = ["RedisPacing", "key_for"]

logger = logging.getLogger("vapi_phone_async")

_T = TypeVar("_T")
_COMMIT_TRIES = 5
_CONFLICT = object()  # another process committed first: decide again


class _Conflict(Exception):
    """Another process committed a change to the state first: decide again."""


_MISSING_EXTRA = "RedisPacing needs redis-py: pip install 'vapi-phone-async[redis]'"


def key_for(prefix: str, base_url: str, fingerprint: str, what: str = "pacing") -> str:
    """A key of an account's in Redis (`what`: its pacing state's hash, its apply lock):
    named by the base URL and a fingerprint of the API key (`key_fingerprint`), in
    braces, so that a Redis Cluster keeps an account's keys on one node."""
    return f"{prefix}:{{{base_url} {fingerprint}}}:{what}"


class RedisPacing:
    """Pace every client of a fleet together, through the Redis server at `url`.

        client = VapiPhoneClient(pacing=RedisPacing("redis://redis:6379/0"))

    Each process keeps one client; clients with the same base URL and API key share one
    state there. `client` may be a `redis.asyncio.Redis` of yours instead of a URL (it is
    never closed by the pacing). `prefix` starts every key; `ttl` is how long an unused
    state is kept (seconds); `timeout` bounds each Redis call (seconds), after which the
    client paces in this process and tries Redis again after `reconnect_after` seconds.
    Needs the `redis` extra (`pip install 'vapi-phone-async[redis]'`). A client that paces
    through Redis holds its apply lock there too (`vapi_phone_async.bulk.RedisLocks`).
    """

    def key_of(self, base_url: str, fingerprint: str, what: str = "pacing") -> str:
        """The Redis key of an account's `what` (its pacing state, its apply lock): named
        by the base URL and the API key's fingerprint, never the key."""
        return key_for(self.prefix, base_url, fingerprint, what)

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Any = None,
        prefix: str = "vapi-phone-async",
        ttl: float = 600.0,
        timeout: float = 0.5,
        reconnect_after: float = 30.0,
    ) -> None:
        errors = [
            *amount("ttl", ttl, allow_none=False, allow_zero=False),
            *amount("timeout", timeout, allow_none=False, allow_zero=False),
            *amount("reconnect_after", reconnect_after, allow_none=False, allow_zero=False),
        ]
        if (url is None) == (client is None):
            errors.append(FieldError("url", "give a Redis URL or a client, not both nor neither"))
        elif url is not None and not isinstance(url, str):
            errors.append(FieldError("url", f"must be a string (got {type(url).__name__})"))
        if not isinstance(prefix, str) or not prefix:
            errors.append(FieldError("prefix", "must be a non-empty string"))
        raise_for(errors)
        try:
            self._redis_asyncio = importlib.import_module("redis.asyncio")
            self._redis_errors = importlib.import_module("redis.exceptions")
        except ImportError as error:
            raise ImportError(_MISSING_EXTRA) from error
        self.url = url
        self.client = client
        self.prefix = prefix
        self.ttl = ttl
        self.timeout = timeout
        self.reconnect_after = reconnect_after

    def __repr__(self) -> str:
        return f"RedisPacing({self.where}, prefix={self.prefix!r})"

    @property
    def where(self) -> str:
        """The server, for messages: its host and port (the URL may carry a password)."""
        return "a client of yours" if self.url is None else _host(self.url)

    def backend_for(
        self,
        base_url: str,
        api_key: str,
        *,
        budget: RetryBudget | None,
        window: float,
        adaptive: bool,
    ) -> RedisBackend:
        """The backend of one client (VapiPhoneClient makes it)."""
        return RedisBackend(
            self,
            key_for(self.prefix, base_url, key_fingerprint(api_key)),
            budget=budget,
            window=window,
            adaptive=adaptive,
        )

    def connect(self) -> Any:
        """A `redis.asyncio.Redis` for one backend or lock: yours, or a new one on the URL
        that neither retries nor waits longer than `timeout` for an answer (its user
        closes it; `client` is not closed)."""
        if self.client is not None:
            return self.client
        retry = importlib.import_module("redis.asyncio.retry")
        backoff = importlib.import_module("redis.backoff")
        return self._redis_asyncio.Redis.from_url(
            self.url,
            socket_timeout=self.timeout,
            socket_connect_timeout=self.timeout,
            retry_on_timeout=False,
            retry=retry.Retry(backoff.NoBackoff(), 0),
        )

    @property
    def failures(self) -> tuple[type[BaseException], ...]:
        """What a failing Redis raises."""
        return (self._redis_errors.RedisError, OSError, TimeoutError)


class RedisBackend:
    """One client's pacing state in Redis, with a state in this process to fall back on."""

    def __init__(
        self,
        settings: RedisPacing,
        key: str,
        *,
        budget: RetryBudget | None,
        window: float,
        adaptive: bool,
    ) -> None:
        self.key = key
        self._settings = settings
        self._budget = budget
        self._window = window
        self._adaptive = adaptive
        self._local = LocalPacing(budget=budget, window=window, adaptive=adaptive)
        self._redis: Any = None
        self._scripts: dict[str, Any] = {}
        self._ttl_ms = round(settings.ttl * 1000)
        self._failures = settings.failures
        self._down_until = 0.0  # monotonic time before which Redis is not tried again
        self._down = False
        # What this process learnt since it last told Redis (flushed with the next call).
        self._epoch = 0
        self._answered = 0
        self._fresh = 0
        self._earned = 0
        # A cut of the rate this process made, and when (monotonic) to revise it.
        self._revision: tuple[float, Revision] | None = None

    def __repr__(self) -> str:
        where = "in this process, Redis being down" if self._down else repr(self._settings)
        return f"RedisBackend({where}, {self._budget!r})"

    @property
    def budget(self) -> RetryBudget | None:
        return self._budget

    def ready(self, limit: Limit | None) -> int | None:
        if self._usable():
            return None  # the fleet may be paused or slowed: ask
        return self._local.ready(limit)

    async def reserve(self, limit: Limit | None, delay: float = 0.0) -> Grant:
        revision = self._revision
        if revision is not None and time.monotonic() >= revision[0] and self._usable():
            await self._revise()
        if self._usable():
            rate, burst = (limit.rate, limit.burst) if limit is not None else (0.0, 0.0)
            extra = (rate, burst, self._window, 1, delay)
            reply = await self._call("reserve", RESERVE, *self._flushed(), *extra)
            if reply is not None:
                kind, wait, epoch, probe, tokens = reply
                self._seen(int(epoch), float(tokens))
                return Grant(float(wait), kind == b"go", int(epoch), bool(int(probe)))
        return await self._local.reserve(limit, delay)

    def answered(self, epoch: int, status: int) -> None:
        if not self._usable():
            self._local.answered(epoch, status)
            return
        self._answered += 1
        if epoch == self._epoch:
            self._fresh += 1
        if status < 500 and status != 408:
            self._earned += 1

    async def throttled(self, epoch: int, retry_after: float | None) -> Decision:
        for _ in range(_COMMIT_TRIES):
            if not self._usable():
                break
            decided = await self._decide(epoch, retry_after)
            if decided is None:
                break  # Redis failed: decide in this process
            if isinstance(decided, Decision):
                return decided
        else:
            # Other processes kept deciding on this state: about this same event, surely.
            return Decision(0.0)
        return await self._local.throttled(epoch, retry_after)

    async def _decide(self, epoch: int, retry_after: float | None) -> Decision | object | None:
        """`_state.decide` on a snapshot, committed: the decision, `_CONFLICT` if
        another process committed first, None if Redis failed. A cut of the rate it
        makes is revised after `SETTLE` seconds (`_revise`)."""

        def apply(state: PacingState, now: float) -> tuple[Decision, Revision | None]:
            return decide(
                state, now, epoch, retry_after, window=self._window, adaptive=self._adaptive
            )

        try:
            changed = await self._change(apply)
        except _Conflict:
            return _CONFLICT
        if changed is None:
            return None
        decision, revision = changed
        if revision is not None:  # committed: this process made the cut
            self._revision = (time.monotonic() + SETTLE, revision)
        return decision

    async def _revise(self) -> None:
        """The cut this process made, raised to what the fleet's answers show now that
        every process has had `SETTLE` seconds to tell its own (`_state.revise`)."""
        assert self._revision is not None
        _, revision = self._revision
        self._revision = None
        for _ in range(_COMMIT_TRIES):
            try:
                await self._change(lambda state, now: revise(state, now, revision))
            except _Conflict:
                continue  # decided again on the state as it is now
            return

    async def _change(self, apply: Callable[[PacingState, float], _T]) -> _T | None:
        """`apply` to a snapshot of the state at the Redis server's time, and the `RARE`
        fields it changed committed: what `apply` returned, or None if Redis failed.
        Raises `_Conflict` if another process committed first."""
        reply = await self._call("snapshot", SNAPSHOT, *self._flushed())
        if reply is None:
            return None
        seconds, micros, flat = reply
        fields = {flat[i].decode(): flat[i + 1].decode() for i in range(0, len(flat), 2)}
        state = decode_state(fields)
        before = encode_fields(state, RARE)
        now = int(seconds) + int(micros) / 1_000_000
        result = apply(state, now)
        after = encode_fields(state, RARE)
        changed = [
            text
            for i in range(0, len(after), 2)
            if after[i + 1] != before[i + 1]
            for text in after[i : i + 2]
        ]
        if changed:
            version = int(float(fields.get("version", 0)))
            written = await self._call("commit", COMMIT, version, self._ttl_ms, *changed)
            if written is None:
                return None
            if not written:
                raise _Conflict
        self._seen(state.epoch, None)
        return result

    async def spend(self, *, timeout: bool) -> bool:
        budget = self._budget
        if budget is None:
            return True
        if self._usable():
            cost = budget.timeout_cost if timeout else budget.retry_cost
            reply = await self._call("spend", SPEND, *self._flushed(), cost)
            if reply is not None:
                taken, tokens = reply
                budget.tokens = float(tokens)
                return bool(int(taken))
        return await self._local.spend(timeout=timeout)

    async def aclose(self) -> None:
        redis, self._redis = self._redis, None
        if redis is not None and self._settings.client is None:
            await redis.aclose()

    # Talking to Redis.

    def _usable(self) -> bool:
        return not self._down or time.monotonic() >= self._down_until

    def _flushed(self) -> tuple[Any, ...]:
        """The arguments every script but commit starts with; the counts are taken."""
        budget = self._budget
        capacity, refill = (budget.capacity, budget.refill) if budget is not None else (0, 0)
        counts = (self._answered, self._fresh, self._epoch, self._earned)
        self._answered = self._fresh = self._earned = 0
        return (self._ttl_ms, *counts, capacity, refill)

    def _seen(self, epoch: int, tokens: float | None) -> None:
        if epoch != self._epoch:
            self._epoch, self._fresh = epoch, 0  # fresh answers were of the old epoch
        if tokens is not None and self._budget is not None:
            self._budget.tokens = tokens

    async def _call(self, name: str, lua: str, *args: Any) -> Any:
        """Run one script; None if Redis failed (the client then paces in this process)."""
        try:
            if self._redis is None:
                self._redis = self._settings.connect()
                self._scripts = {}
            script = self._scripts.get(name)
            if script is None:
                script = self._scripts[name] = self._redis.register_script(lua)
            reply = await script(keys=[self.key], args=list(args))
        except self._failures as error:
            self._failed(error)
            return None
        if self._down:
            self._down = False
            logger.info("pacing through Redis again, with the rest of the fleet")
        return reply

    def _failed(self, error: BaseException) -> None:
        reason = type(error).__name__
        if not self._down:
            logger.warning(
                "pacing through Redis failed (%s): this client paces on its own until Redis "
                "is back (tried again every %g s)",
                reason,
                self._settings.reconnect_after,
            )
        else:
            logger.debug("Redis is still out of reach (%s)", reason)
        self._down = True
        self._down_until = time.monotonic() + self._settings.reconnect_after


def _host(url: str) -> str:
    """The host and port of a Redis URL, without user, password or database."""
    rest = url.split("://", 1)[-1]
    return rest.split("@", 1)[-1].split("/", 1)[0]
