"""Apply locks in Redis, for a fleet of machines: `RedisLocks`, the default `ApplyLocks`
of a client that paces through Redis (`VapiPhoneClient(pacing=RedisPacing(url))`).

An account's lock is one key beside its pacing state, in the same Redis Cluster slot:
`vapi-phone-async:{https://api.vapi.ai 3f9c0a1b2c3d4e5f}:apply-lock` (the base URL and a
fingerprint of the API key, never the key). Its value is a random token of the holder's:

- it is taken with `SET key token NX PX ttl`, tried again every `POLL` seconds while a
  holder waits;
- the holder renews it every `ttl / 3` seconds (a script: `PEXPIRE` if the token is still
  its own), so a holder that is killed, or hangs, lets it go within `ttl` seconds;
- it is let go with a script that deletes the key only if the token is still its own.

Failures fail closed, unlike pacing (which goes on alone when Redis fails): a lock of one
machine would let two machines apply at once. Redis failing when the lock is taken raises
`ApplyLockUnavailableError`, nothing sent. The lock is lost while held when a renewal finds
the key gone or another holder's token, or when Redis cannot be reached for two renewals
in a row (2/3 of `ttl` after the last confirmed one, plus at most one Redis `timeout`,
at least a sixth of `ttl` before the key can expire): `hold` then cancels the block
holding it and raises `ApplyLockLostError`. Every Redis call of a lock waits at most the
pacing's `timeout`, with a client of yours too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

import anyio

from .._rules import amount, raise_for
from ..errors import (
    ApplyLockLostError,
    ApplyLockUnavailableError,
    FieldError,
)
from ..pacing import RedisPacing
from ._lock import Account

__all__ = ["DEFAULT_LOCK_TTL", "RedisApplyLock", "RedisLocks"]

logger = logging.getLogger("vapi_phone_async")

DEFAULT_LOCK_TTL = 30.0
"""Seconds a lock lives without renewal: how long a killed holder keeps others out."""
# A ttl of at least this many Redis timeouts: two renewals (at 1/3 and 2/3 of it) that
# both time out still end half a third of the ttl before the key can expire.
_TIMEOUTS = 6

# KEYS[1]: the lock; ARGV[1]: the holder's token; ARGV[2]: the ttl (ms).
# 1: renewed; 0: the key is gone; -1: another holder's token is there.
_RENEW = """
local token = redis.call('GET', KEYS[1])
if token == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if token then return -1 end
return 0
"""
# KEYS[1]: the lock; ARGV[1]: the holder's token. 1 if it was deleted.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisLocks:
    """Apply locks in the Redis server of `pacing`, shared by every process that uses it,
    on any machine; its connection settings and `timeout` serve the locks too.

        pacing = RedisPacing("redis://redis:6379/0")
        client = VapiPhoneClient(pacing=pacing)  # its apply lock: RedisLocks(pacing)
        client = VapiPhoneClient(pacing=pacing, apply_locks=RedisLocks(pacing, ttl=60))

    `ttl` is how long a lock outlives its holder's last renewal (seconds; 30 by default;
    at least six times `pacing.timeout`, which bounds each Redis call of the lock): a
    killed holder keeps others out that long. A holder whose event loop stalls for 2/3 of
    it (a blocking call) may lose the lock (see the module docstring).
    """

    def __init__(self, pacing: RedisPacing, *, ttl: float | None = None) -> None:
        if ttl is None and isinstance(pacing, RedisPacing):
            ttl = max(DEFAULT_LOCK_TTL, _TIMEOUTS * pacing.timeout)
        errors = amount("ttl", ttl, allow_none=False, allow_zero=False)
        if not isinstance(pacing, RedisPacing):
            errors.append(
                FieldError("pacing", f"must be a RedisPacing (got {type(pacing).__name__})")
            )
        elif not errors and ttl < _TIMEOUTS * pacing.timeout * (1 - 1e-9):  # 6 * 0.2 > 1.2
            least = _TIMEOUTS * pacing.timeout
            rule = f"must be at least {_TIMEOUTS} times the pacing's timeout ({least:g} s)"
            errors.append(FieldError("ttl", f"{rule} (got {ttl!r})"))
        raise_for(errors)
        self.pacing = pacing
        self.ttl = float(ttl)

    def __repr__(self) -> str:
        return f"RedisLocks({self.pacing.where}, ttl={self.ttl:g})"

    def __call__(self, account: Account) -> RedisApplyLock:
        key = self.pacing.key_of(account.base_url, account.key_fingerprint, "apply-lock")
        return RedisApplyLock(self.pacing, key, account.base_url, ttl=self.ttl)


class RedisApplyLock:
    """One holding of one account's lock in Redis (an `ExpiringApplyLock`)."""

    POLL = 0.1  # seconds between tries while waiting

    def __init__(self, pacing: RedisPacing, key: str, base_url: str, *, ttl: float) -> None:
        self.key = key
        self._pacing = pacing
        self._base_url = base_url
        self._ttl = ttl
        self._ttl_ms = round(ttl * 1000)
        self._token = secrets.token_hex(16)
        self._failures = pacing.failures
        self._redis: Any = None
        self._scripts: dict[str, Any] = {}
        self._renewal: asyncio.Task[None] | None = None
        self._callbacks: list[Callable[[ApplyLockLostError], None]] = []
        self._lost: ApplyLockLostError | None = None

    def __repr__(self) -> str:
        return f"RedisApplyLock({self.where!r})"

    @property
    def where(self) -> str:
        if self._pacing.url is None:
            return f"{self.key} in the Redis client given to RedisPacing"
        return f"{self.key} in Redis at {self._pacing.where}"

    @property
    def lost(self) -> ApplyLockLostError | None:
        """Why the lock was lost while held; None while it is not."""
        return self._lost

    def on_lost(self, callback: Callable[[ApplyLockLostError], None]) -> None:
        if self._lost is not None:
            callback(self._lost)
        else:
            self._callbacks.append(callback)

    async def acquire(self, timeout: float | None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                sent = time.monotonic()
                if await self._take():
                    self._renewal = asyncio.ensure_future(self._renew(sent))
                    return True
                pause = self.POLL
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    pause = min(pause, left)
                await asyncio.sleep(pause)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await self._disconnect()
            raise
        await self._disconnect()
        return False

    async def release(self) -> None:
        renewal, self._renewal = self._renewal, None
        if renewal is not None:
            renewal.cancel()
            await asyncio.wait([renewal])
        try:
            await self._run("release", _RELEASE, self._token)
        except self._failures as error:
            logger.warning(
                "could not let go of the apply lock %s (%s): it expires within %g s",
                self.where,
                type(error).__name__,
                self._ttl,
            )
        finally:
            await self._disconnect()

    # Talking to Redis.

    async def _take(self) -> bool:
        """One `SET NX PX`: True if the lock is now this holder's."""
        try:
            with anyio.fail_after(self._pacing.timeout):
                redis = self._connection()
                taken = await redis.set(self.key, self._token, nx=True, px=self._ttl_ms)
        except BaseException as error:
            # Failed or cancelled with the SET sent: it may have taken the lock. Let it
            # go (at worst, the key expires after ttl).
            with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
                await self._run("release", _RELEASE, self._token)
            if isinstance(error, self._failures):
                reason = type(error).__name__
                raise ApplyLockUnavailableError(
                    self._base_url, where=self.where, reason=reason
                ) from error
            raise
        return bool(taken)

    async def _renew(self, confirmed: float) -> None:
        """Renew every ttl/3 until released; lose the lock as the module docstring says.
        `confirmed`: when the last request that set its expiry was sent (monotonic)."""
        period = self._ttl / 3
        tries = 0
        while True:
            tries += 1
            await asyncio.sleep(max(0.0, confirmed + tries * period - time.monotonic()))
            sent = time.monotonic()
            try:
                answer = int(await self._run("renew", _RENEW, self._token, self._ttl_ms))
            except Exception as error:  # a Redis failure, or a bug: the same for the lock
                if time.monotonic() - confirmed < 2 * period:
                    logger.debug("renewing the apply lock %s failed (%r)", self.key, error)
                    continue
                waited = time.monotonic() - confirmed
                reason = type(error).__name__
                self._lose(f"Redis could not renew it for {waited:.1f} s ({reason})")
                return
            if answer < 0:
                self._lose("another holder has it now: it expired before it was renewed")
                return
            if answer == 0:
                self._lose("its key is gone: it expired before it was renewed, or Redis lost it")
                return
            confirmed, tries = sent, 0

    async def _run(self, name: str, lua: str, *args: Any) -> Any:
        """One script on the lock's key, in at most the pacing's `timeout` (also with a
        client of yours that has no timeouts: a renewal must not hang past the ttl)."""
        with anyio.fail_after(self._pacing.timeout):
            redis = self._connection()
            script = self._scripts.get(name)
            if script is None:
                script = self._scripts[name] = redis.register_script(lua)
            return await script(keys=[self.key], args=list(args))

    def _connection(self) -> Any:
        if self._redis is None:
            self._redis = self._pacing.connect()
        return self._redis

    def _lose(self, reason: str) -> None:
        self._lost = error = ApplyLockLostError(self._base_url, where=self.where, reason=reason)
        logger.warning("%s", error)
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(error)

    async def _disconnect(self) -> None:
        redis, self._redis = self._redis, None
        self._scripts = {}
        if redis is not None and self._pacing.client is None:
            await redis.aclose()
