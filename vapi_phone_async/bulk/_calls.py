"""What a bulk run needs of a client: its public calls, as a Protocol.

Bulk runs are written against this, not against `VapiPhoneClient`, so that the client can
import them (it offers `bulk_update` and friends) without an import cycle, the way the
Pager takes a `fetch` function instead of a client.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from ..models import BackoffPlan, CreatePhoneNumber, PhoneNumber, UpdatePhoneNumber
from ..pagination import Pager

__all__ = ["PhoneNumberCalls"]


class PhoneNumberCalls(Protocol):
    """The calls of `VapiPhoneClient` that bulk runs make."""

    @property
    def backoff(self) -> BackoffPlan:
        """The client's retry plan."""
        ...

    @property
    def base_url(self) -> str:
        """The API's base URL."""
        ...

    def apply_lock(self, *, wait: bool | float = False) -> AbstractAsyncContextManager[None]:
        """The account's apply lock, held for an `async with` block (re-entrant)."""
        ...

    def with_options(self, *, rate_limit: float | None = None) -> PhoneNumberCalls:
        """A view of the client whose requests also pass a token bucket of `rate_limit`."""
        ...

    async def create(
        self,
        body: CreatePhoneNumber,
        *,
        allow_purchase: bool = False,
        lookup: Callable[[], Awaitable[PhoneNumber | None]] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> PhoneNumber: ...

    async def update(
        self,
        phone_number_id: str,
        body: UpdatePhoneNumber,
        *,
        extra_body: Mapping[str, Any] | None = None,
    ) -> PhoneNumber: ...

    async def delete(self, phone_number_id: str) -> PhoneNumber | None: ...

    def paginate(
        self,
        *,
        search: str | None = None,
        page_size: int = 100,
        prefetch: int = 1,
        consistent: bool = True,
    ) -> Pager: ...
