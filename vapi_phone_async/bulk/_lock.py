"""The apply lock: one apply at a time per account, wherever it is started.

An account is its base URL and a fingerprint of its API key (`Account`), never the key.
A backend keeps one lock per account: `ApplyLocks` is the factory a client is configured
with, `ApplyLock` the lock it makes. Two backends exist: files (`FileLocks`, one machine,
the default) and Redis (`RedisLocks`, a fleet, the default of a client that paces through
Redis). A lock that can be lost while held, because it expires unless renewed (Redis),
is an `ExpiringApplyLock`: when it is lost, `hold` cancels the block holding it and
raises `ApplyLockLostError`, so that an apply does not go on without it.

`hold` enters a lock for a block of code and is re-entrant: a task that holds an account's
lock, and every task it starts while holding it (a bulk run's workers), enter it again
without waiting, since they carry the holding in their context. So the command line holds
the lock around plan, prompt and apply, and the apply inside takes it no second time.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

import anyio

from .._secrets import key_fingerprint
from ..errors import ApplyLockedError, ApplyLockLostError, FieldError, RequestValidationError

__all__ = ["Account", "ApplyLock", "ApplyLocks", "ExpiringApplyLock", "hold", "wait_timeout"]


@dataclass(frozen=True)
class Account:
    """Whose lock: the API's base URL and a fingerprint of the key (16 hex digits of its
    SHA-256). Two clients with the same URL and key share one lock; the key is never kept."""

    base_url: str
    key_fingerprint: str

    @classmethod
    def of(cls, base_url: str, api_key: str) -> Account:
        """The account of a client with this base URL and key."""
        return cls(base_url, key_fingerprint(api_key))

    @property
    def lock_name(self) -> str:
        """The lock's name for a backend: the host, then a digest of the URL and the key's
        fingerprint (`api.vapi.ai-3f9c...`). Safe as a file name or a Redis key."""
        host = re.sub(r"[^A-Za-z0-9.-]", "_", urlsplit(self.base_url).hostname or "api")
        digest = hashlib.sha256(f"{self.base_url}\n{self.key_fingerprint}".encode())
        return f"{host}-{digest.hexdigest()[:24]}"


class ApplyLock(Protocol):
    """One account's lock on one backend, made by an `ApplyLocks` factory for one holding.

    `acquire` is called once, then `release` once if it returned True. A backend whose
    lock can expire (Redis) keeps it alive itself between the two.
    """

    @property
    def where(self) -> str:
        """Where the lock lives, for messages (a path, a Redis key); never a secret."""
        ...

    async def acquire(self, timeout: float | None) -> bool:
        """Take the lock: one try when `timeout` is 0, or keep trying for `timeout`
        seconds (None: until it is free). True when taken. Cancelled, it holds nothing."""
        ...

    async def release(self) -> None:
        """Let the lock go."""
        ...


@runtime_checkable
class ExpiringApplyLock(ApplyLock, Protocol):
    """An `ApplyLock` that can be lost while held: it expires unless renewed in time."""

    def on_lost(self, callback: Callable[[ApplyLockLostError], None]) -> None:
        """Have `callback` called once, with the error to raise, if the lock is lost
        between `acquire` and `release` (at once if it was lost already)."""
        ...


ApplyLocks = Callable[[Account], ApplyLock]
"""The factory a client makes its apply locks with (`FileLocks()` by default)."""

# The names of the locks this task holds; a task started meanwhile inherits them.
_HELD: ContextVar[frozenset[str]] = ContextVar("vapi_phone_apply_locks", default=frozenset())


def wait_timeout(wait: bool | float) -> float | None:
    """`wait` as a timeout: False is 0 (fail at once), True is None (wait as long as it
    takes), a number of seconds is itself. Raises `RequestValidationError` otherwise."""
    if wait is True:
        return None
    if wait is False:
        return 0.0
    if isinstance(wait, int | float) and math.isfinite(wait) and wait >= 0:
        return float(wait)
    rule = f"must be True, False or a number of seconds >= 0 (got {wait!r})"
    raise RequestValidationError([FieldError("wait", rule)])


def hold(
    account: Account, locks: ApplyLocks, *, wait: bool | float = False
) -> AbstractAsyncContextManager[None]:
    """Hold `account`'s apply lock for an `async with` block (see the module docstring).

    Raises `ApplyLockedError` on entering when another holder has it and `wait` (see
    `wait_timeout`) runs out; `RequestValidationError` at once for a bad `wait`;
    `ApplyLockUnavailableError` when the lock's backend fails (Redis down). The lock is
    let go however the block ends: an error, a cancellation. An expiring lock lost while
    held cancels the block and raises `ApplyLockLostError` from it.
    """
    timeout = wait_timeout(wait)
    return _held(account, locks, timeout)


@asynccontextmanager
async def _held(account: Account, locks: ApplyLocks, timeout: float | None) -> AsyncIterator[None]:
    name = account.lock_name
    held = _HELD.get()
    if name in held:
        yield
        return
    lock = locks(account)
    if not await lock.acquire(timeout):
        raise ApplyLockedError(account.base_url, where=lock.where, waited=timeout or 0.0)
    token = _HELD.set(held | {name})
    lost: list[ApplyLockLostError] = []
    try:
        with anyio.CancelScope() as scope:
            if isinstance(lock, ExpiringApplyLock):

                def stop(error: ApplyLockLostError) -> None:
                    lost.append(error)
                    scope.cancel()  # the block stops at its next await

                lock.on_lost(stop)
            try:
                yield
            except Exception as error:  # what the block made of its cancellation
                if lost:
                    raise lost[0] from error
                raise
        if scope.cancelled_caught:
            raise lost[0]
    finally:
        _HELD.reset(token)
        with anyio.CancelScope(shield=True):  # a cancelled holder still lets go
            await lock.release()
