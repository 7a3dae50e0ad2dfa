"""The idempotent importer: which numbers exist already, and creates that are never doubled.

A number is identified by its provider and its `number` (for `vapi` SIP numbers, its
`sipUri`). Two ways to learn what exists:

- `lookup="walk"` (the default): one walk of `/v2/phone-number` before the first create,
  1,000 numbers a page, keeping only (provider, number) -> id. For N existing numbers
  that is N/1000 requests and a few dozen bytes a number, against one search request per
  imported item: far cheaper whenever the import is more than a small share of the
  account.
- `lookup="search"`: one `search=` request per item, right before its create. Better for
  a handful of numbers into an account of millions.

A create whose outcome is unknown (`OutcomeUnknownError`: a 5xx, a timeout, a dropped
connection) is never simply sent again: the number is searched for first, and adopted if
the lost create made it. Only when the search proves it absent is the create sent once
more (up to the BackoffPlan's retries). When the search itself fails, or a body has
nothing to identify it by (a `vapi` number bought by area code), the item's outcome is
`unknown`: the number may exist, and only a later import can tell.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import msgspec

from .._validate import validate_create_body
from ..errors import OutcomeUnknownError, VapiError
from ..models import (
    UPDATE_BODIES,
    CreatePhoneNumber,
    PhoneNumber,
    UnknownPhoneNumber,
    UpdatePhoneNumber,
)
from ._calls import PhoneNumberCalls
from ._outcomes import BulkOutcome, failed, skipped, succeeded, unknown

__all__ = ["ExistingNumbers", "Importer", "Lookup", "identity", "update_from_create"]

Key = tuple[str, str]
Lookup = Literal["walk", "search"]
Plan = Literal["create", "update", "exists", "duplicate"]


def identity(body: CreatePhoneNumber) -> Key | None:
    """(provider, number) of a create body, (`vapi`, sipUri) for a SIP URI; None if neither."""
    provider = str(body.__struct_config__.tag)
    number = getattr(body, "number", None) or getattr(body, "sip_uri", None)
    return (provider, number) if isinstance(number, str) and number else None


def _keys(number: PhoneNumber) -> Iterator[Key]:
    """Every key an existing number answers to (a Vapi number may have both)."""
    if isinstance(number, UnknownPhoneNumber):
        return  # a provider this version cannot create, so no import can match it
    provider = str(number.__struct_config__.tag)
    for name in ("number", "sip_uri"):
        value = getattr(number, name, None)
        if isinstance(value, str) and value:
            yield (provider, value)


def update_from_create(body: CreatePhoneNumber) -> UpdatePhoneNumber:
    """The update body that sets every field the create body sets (None fields left out)."""
    cls = UPDATE_BODIES[str(body.__struct_config__.tag)]
    settable = {field.name for field in msgspec.structs.fields(cls)}
    values: dict[str, Any] = {
        name: value
        for name, value in msgspec.structs.asdict(body).items()
        if value is not None and name in settable
    }
    return cls(**values)


class ExistingNumbers:
    """What exists on the server, by key, and which keys this import has claimed."""

    def __init__(self) -> None:
        self._ids: dict[Key, str] = {}
        self._claims: dict[Key, int] = {}

    async def load(self, client: PhoneNumberCalls) -> None:
        """Walk every number once (1,000 a page) and remember its keys."""
        async for page in client.paginate(page_size=1000).pages():
            for number in page.results:
                for key in _keys(number):
                    self._ids[key] = number.id

    def existing_id(self, key: Key) -> str | None:
        return self._ids.get(key)

    def claim(self, key: Key, index: int) -> int:
        """The index of the first item with this key (this one's, if it is the first)."""
        return self._claims.setdefault(key, index)

    def plan(self, body: CreatePhoneNumber, index: int, *, update_existing: bool) -> Plan:
        """What importing `body` would do, by the walk's snapshot (for a dry run)."""
        key = identity(body)
        if key is None:
            return "create"
        if self.claim(key, index) != index:
            return "duplicate"
        if self.existing_id(key) is None:
            return "create"
        return "update" if update_existing else "exists"


class Importer:
    """The operation of `bulk_import`: one body in, one outcome out."""

    def __init__(
        self,
        client: PhoneNumberCalls,
        *,
        update_existing: bool,
        lookup: Lookup,
        max_creates: int,
    ) -> None:
        self._client = client
        self._update_existing = update_existing
        self._lookup = lookup
        self._max_creates = max_creates
        self.existing = ExistingNumbers()

    async def setup(self) -> None:
        if self._lookup == "walk":
            await self.existing.load(self._client)

    async def __call__(self, index: int, body: CreatePhoneNumber) -> BulkOutcome[CreatePhoneNumber]:
        try:
            validate_create_body(body)  # a dict or an update body fails here, unsent
        except VapiError as error:
            return failed(index, body, error)
        key = identity(body)
        try:
            if key is not None:
                # Claimed before the first await, so the first of two equal items wins.
                first = self.existing.claim(key, index)
                if first != index:
                    return skipped(index, body, f"duplicate of item {first}")
                existing_id = await self._existing_id(key)
                if existing_id is not None:
                    if not self._update_existing:
                        return skipped(index, body, f"already exists (id {existing_id})")
                    return await self._update(index, body, existing_id)
            return await self._create(index, body, key)
        except VapiError as error:
            return failed(index, body, error)

    async def _existing_id(self, key: Key) -> str | None:
        if self._lookup == "walk":
            return self.existing.existing_id(key)
        found = await self._find(key)
        return None if found is None else found.id

    async def _update(
        self, index: int, body: CreatePhoneNumber, number_id: str
    ) -> BulkOutcome[CreatePhoneNumber]:
        number = await self._client.update(number_id, update_from_create(body))
        return succeeded(index, body, number, "updated")

    async def _create(
        self, index: int, body: CreatePhoneNumber, key: Key | None
    ) -> BulkOutcome[CreatePhoneNumber]:
        creates = 0
        while True:
            creates += 1
            try:
                number = await self._client.create(body)
                return succeeded(index, body, number, "created")
            except OutcomeUnknownError as error:
                if key is None:
                    return unknown(index, body, error)
                try:
                    found = await self._find(key)
                except VapiError as lookup_error:
                    # The number may exist: only a later lookup can tell, never a create.
                    return unknown(index, body, error, f"the lookup failed: {lookup_error}")
                if found is not None:
                    return succeeded(index, body, found, "adopted")
                if creates >= self._max_creates:
                    # Proven absent: nothing was created, so a later create is safe.
                    return failed(index, body, error)
                # Searched and absent: the lost create did not happen, so one more is safe.

    async def _find(self, key: Key) -> PhoneNumber | None:
        """The number with this key, searched for on the server (None if absent)."""
        # Search is partial and case-insensitive, at most 100 characters; the match is exact.
        term = key[1][:100]
        # Walked to the end (a search for a whole number has a page or so of results), so
        # that the pager finishes here instead of being left for the garbage collector.
        found = None
        pages = self._client.paginate(search=term, page_size=100, consistent=False).pages()
        async for page in pages:
            for number in page.results:
                if found is None and key in set(_keys(number)):
                    found = number
        return found
