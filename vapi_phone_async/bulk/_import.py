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

A create whose outcome is unknown (a 5xx, a timeout, a dropped connection) is never simply
sent again: the client's retry engine searches for the number first (`client.create(...,
lookup=...)`), and it is adopted if the lost create made it. Only when the search proves
it absent is the create sent again, as a retry like any other (the BackoffPlan's count
and waits, the client's retry budget). When the search itself fails, or a body has
nothing to identify it by (a `vapi` number bought by area code), the item's outcome is
`unknown`: the number may exist, and only a later import can tell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

import msgspec

from .._validate import validate_create_body
from ..errors import OutcomeUnknownError, RequestValidationError, VapiError
from ..models import (
    UPDATE_BODIES,
    CreatePhoneNumber,
    PhoneNumber,
    UpdatePhoneNumber,
)
from ..pagination import WHOLE_LISTING_PAGE_SIZE, WHOLE_LISTING_PREFETCH
from ._calls import PhoneNumberCalls
from ._diff import compare, is_purchase
from ._match import Key, number_keys
from ._outcomes import Action, BulkOutcome, failed, skipped, succeeded, unknown

__all__ = [
    "ExistingNumbers",
    "Importer",
    "Lookup",
    "create_reconciled",
    "find_number",
    "identity",
]

T = TypeVar("T")

Lookup = Literal["walk", "search"]
Plan = Literal["create", "update", "exists", "duplicate"]


def identity(body: CreatePhoneNumber) -> Key | None:
    """(provider, number) of a create body, (`vapi`, sipUri) for a SIP URI; None if neither."""
    provider = str(body.__struct_config__.tag)
    number = getattr(body, "number", None) or getattr(body, "sip_uri", None)
    return (provider, number) if isinstance(number, str) and number else None


class ExistingNumbers:
    """What exists on the server, by key, and which keys this import has claimed.

    It keeps the id of each key, or with `keep_numbers` the number itself (an import that
    updates existing numbers compares each with its body, to send only what differs).
    """

    def __init__(self, *, keep_numbers: bool = False) -> None:
        self._found: dict[Key, PhoneNumber | str] = {}
        self._claims: dict[Key, int] = {}
        self._keep_numbers = keep_numbers

    async def load(self, client: PhoneNumberCalls) -> None:
        """Walk every number once (1,000 a page) and remember its keys. Raises
        `IncompleteListingError` if the walk does not prove it saw every number: a number
        it missed would be created again."""
        pager = client.paginate(page_size=WHOLE_LISTING_PAGE_SIZE, prefetch=WHOLE_LISTING_PREFETCH)
        async for page in pager.pages():
            for number in page.results:
                for key in number_keys(number):
                    self._found[key] = number if self._keep_numbers else number.id
        pager.require_complete()

    def existing(self, key: Key) -> PhoneNumber | str | None:
        """The number with this key (or its id, without `keep_numbers`); None if none."""
        return self._found.get(key)

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
        if self.existing(key) is None:
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
        allow_purchase: bool = False,
    ) -> None:
        self._client = client
        self._update_existing = update_existing
        self._lookup = lookup
        self._allow_purchase = allow_purchase
        self.existing = ExistingNumbers(keep_numbers=update_existing)

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
                existing = await self._existing(key)
                if existing is not None:
                    if not self._update_existing:
                        number_id = existing if isinstance(existing, str) else existing.id
                        return skipped(index, body, f"already exists (id {number_id})")
                    return await self._update(index, body, existing)
            keys = (key,) if key is not None else ()
            return await create_reconciled(
                self._client, index, body, body, keys, allow_purchase=self._allow_purchase
            )
        except VapiError as error:
            return failed(index, body, error)

    async def _existing(self, key: Key) -> PhoneNumber | str | None:
        if self._lookup == "walk":
            return self.existing.existing(key)
        return await find_number(self._client, (key,))

    async def _update(
        self, index: int, body: CreatePhoneNumber, existing: PhoneNumber | str
    ) -> BulkOutcome[CreatePhoneNumber]:
        if isinstance(existing, str):  # pragma: no cover - update_existing keeps numbers
            raise AssertionError("an import that updates keeps the numbers it found")
        provider = existing.provider
        # A nested object goes whole (the live one with the body's values in): Vapi
        # replaces each top-level key an update holds.
        comparison = compare(msgspec.to_builtins(body), existing, provider)
        if not comparison.changes:
            return skipped(index, body, f"unchanged (id {existing.id})", action="unchanged")
        if comparison.problems:
            return failed(index, body, RequestValidationError(comparison.problems))
        wanted = {"provider": provider, **comparison.body}
        update: UpdatePhoneNumber = msgspec.convert(wanted, UPDATE_BODIES[provider])
        number = await self._client.update(existing.id, update)
        return succeeded(index, body, number, "updated")


async def create_reconciled(
    client: PhoneNumberCalls,
    index: int,
    item: T,
    body: CreatePhoneNumber,
    keys: tuple[Key, ...],
    *,
    allow_purchase: bool = False,
    extra_body: Mapping[str, Any] | None = None,
) -> BulkOutcome[T]:
    """Create `body` (item `index` of a run), never twice: a create whose outcome is lost is
    looked up by `keys`, adopted if it took effect, sent again only when proven absent (by
    the client's retry engine, under its plan and budget), and `unknown` when nothing can
    tell. Raises the create's error when it certainly did not happen."""
    action: Action = "bought" if is_purchase(body) else "created"
    adopted: list[PhoneNumber] = []

    async def lookup() -> PhoneNumber | None:
        found = await find_number(client, keys)
        if found is not None:
            adopted.append(found)
        return found

    try:
        number = await client.create(
            body,
            allow_purchase=allow_purchase,
            extra_body=extra_body,
            lookup=lookup if keys else None,
        )
    except OutcomeUnknownError as error:
        # The number may exist: only a later lookup can tell, never a create. (The error
        # says whether a lookup was tried and failed.)
        return unknown(index, item, error)
    return succeeded(index, item, number, "adopted" if adopted else action)


async def find_number(client: PhoneNumberCalls, keys: tuple[Key, ...]) -> PhoneNumber | None:
    """The number with one of these keys, searched for on the server (None if absent)."""
    wanted = set(keys)
    found = None
    # Search is partial and case-insensitive, at most 100 characters; the match is exact.
    term = keys[0][1][:100]
    # Walked to the end (a search for a whole number has a page or so of results), so that
    # the pager finishes here instead of being left for the garbage collector.
    pager = client.paginate(search=term, page_size=100, consistent=False)
    async for page in pager.pages():
        for number in page.results:
            if found is None and wanted.intersection(number_keys(number)):
                found = number
    if found is None:
        # "Absent" allows a create: only a search that proved itself whole may say so.
        pager.require_complete()
    return found
