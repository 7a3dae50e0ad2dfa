"""What every `VapiPhoneClient` has beside its calls: the exchange its calls go through,
views of it (`with_options`, a raw call's capture), its lifecycle, its account and the
account's apply lock."""

from __future__ import annotations

import copy
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import TypeVar

from ._call import Exchange
from ._options import USE_CLIENT_DEFAULT, UseClientDefault
from ._raw import Capture
from .bulk import Account, ApplyLocks, FileLocks, RedisLocks, hold
from .models import BackoffPlan
from .pacing import RedisPacing, RetryBudget
from .transports import AiohttpTransport, Session, Timeout, Transport

__all__ = ["ClientBase"]

_C = TypeVar("_C", bound="ClientBase")


class ClientBase:
    """A client's exchange, the views of it, its lifecycle and its account."""

    def __init__(
        self, exchange: Exchange, apply_locks: ApplyLocks | None, pacing: RedisPacing | None
    ) -> None:
        self._exchange = exchange
        self._owner = True  # a view made by with_options closes nothing
        self._account = Account.of(exchange.base_url, exchange.key)  # the key's fingerprint
        if apply_locks is None:  # a fleet that paces through Redis locks there too
            apply_locks = FileLocks() if pacing is None else RedisLocks(pacing)
        self._apply_locks = apply_locks

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    @property
    def base_url(self) -> str:
        """The API's base URL, without a trailing slash."""
        return self._exchange.base_url

    @property
    def account(self) -> Account:
        """Whose apply lock this client takes: its base URL and its key's fingerprint."""
        return self._account

    def apply_lock(self, *, wait: bool | float = False) -> AbstractAsyncContextManager[None]:
        """Hold the account's apply lock for an `async with` block: no other apply to this
        account (on this machine with `FileLocks`, in the fleet with `RedisLocks`) runs
        meanwhile.

        `plan.apply()` and `bulk_import` take it themselves; hold it around plan and apply
        to keep others out in between. Re-entrant in the task that holds it and in the
        tasks it starts. `wait`: False raises `ApplyLockedError` at once when another
        holds it, True waits as long as it takes, a number waits that many seconds.

            async with client.apply_lock(wait=60):
                plan = await client.plan_sync(rows)
                await plan.apply()
        """
        return hold(self._account, self._apply_locks, wait=wait)

    @property
    def backoff(self) -> BackoffPlan:
        """The retry plan calls follow unless they pass their own."""
        return self._exchange.options.retry.plan

    @property
    def retry_budget(self) -> RetryBudget | None:
        """The client's retry budget (None when it has none); its `tokens` are live (with
        `RedisPacing`: the fleet's, as last seen)."""
        return self._exchange.pacer.budget

    @property
    def transport(self) -> Transport:
        """What the client's requests go through."""
        return self._exchange.transport

    @property
    def session(self) -> Session:
        """The aiohttp session of the default transport (created on first use); a client
        on another transport has none (`AttributeError`)."""
        transport = self._exchange.transport
        if not isinstance(transport, AiohttpTransport):
            raise AttributeError(f"a client on {transport!r} has no aiohttp session")
        return transport.session

    def with_options(
        self: _C,
        *,
        rate_limit: float | None = None,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        max_retries: int | None = None,
        timeout: float | Timeout | UseClientDefault | None = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
    ) -> _C:
        """A view of this client with other options; it shares the transport, the 429
        pause, the adaptive rate and the retry budget.

        `rate_limit` adds a token bucket that only the view's requests pass (a bulk run
        makes one so). `max_retries` changes the number of retries of the view's plan.
        Closing a view does nothing: the client it came from owns the transport.

            slow = client.with_options(rate_limit=5, backoff=BackoffPlan(...))
            once = client.with_options(max_retries=0)
        """
        return self._view(
            self._exchange.with_options(
                rate_limit=rate_limit,
                backoff=backoff,
                max_retries=max_retries,
                timeout=timeout,
                deadline=deadline,
            )
        )

    def _capturing(self: _C, capture: Capture) -> _C:
        """A view of this client noting every answer in `capture` (raw responses)."""
        return self._view(self._exchange.capturing(capture))

    def _view(self: _C, exchange: Exchange) -> _C:
        view = copy.copy(self)
        view._owner, view._exchange = False, exchange
        return view

    async def __aenter__(self: _C) -> _C:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client's transport; any later call raises ClientClosedError.

        On a view made by `with_options`, this does nothing."""
        if self._owner:
            self._exchange.lifecycle.closed = True
            await self._exchange.transport.aclose()
            await self._exchange.pacer.aclose()
