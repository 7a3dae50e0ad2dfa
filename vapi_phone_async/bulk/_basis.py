"""What a plan rests on: a fingerprint of the listing it was made from, and the check,
under the apply lock, that the account still lists the same.

The fingerprint covers the id and `updatedAt` of every item the planning walk saw, built
page by page as the walk goes (a sum of per-item digests, so the order of the pages does
not matter). The digests are Python's hashes, which differ from one process to the next:
a fingerprint is compared only within the process that made it, as a plan is applied.
A number created, deleted or changed since changes it. A change that leaves `updatedAt`
as it was (a server that does not send it) cannot be seen.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import msgspec

from ..errors import StalePlanError
from ..models import PhoneNumber, UnknownPhoneNumber
from ..pagination import WHOLE_LISTING_PAGE_SIZE, WHOLE_LISTING_PREFETCH
from ._calls import PhoneNumberCalls

__all__ = ["Listing", "ListingFingerprint", "unchanged_under_lock", "walk_fingerprint"]

_MASK = (1 << 128) - 1


class ListingFingerprint(msgspec.Struct, frozen=True):
    """How many items a listing held, and a digest of their ids and `updatedAt`."""

    count: int
    digest: str


class Listing:
    """A fingerprint in the making: `add` each page, then `fingerprint()`."""

    __slots__ = ("_count", "_sum")

    def __init__(self) -> None:
        self._count = 0
        self._sum = 0

    def add(self, numbers: Iterable[PhoneNumber]) -> None:
        """The items of one page (readable or not)."""
        total, count = self._sum, self._count
        for number in numbers:
            if isinstance(number, UnknownPhoneNumber):
                total += _unknown_digest(number)
            else:
                # Python's own hash: a plan is checked by the process that made it, and a
                # digest per number costs a tenth of a microsecond instead of two.
                total += hash((number.id, number.updated_at))
            count += 1
        self._sum, self._count = total & _MASK, count

    def fingerprint(self) -> ListingFingerprint:
        return ListingFingerprint(self._count, f"{self._sum:032x}")


def _unknown_digest(number: UnknownPhoneNumber) -> int:
    if number.readable:
        return hash((number.id, number.get("updatedAt")))
    # No id: the item as sent stands for itself.
    item = msgspec.json.encode(number.raw if number.is_object else number.source)
    return int.from_bytes(hashlib.blake2b(item, digest_size=16).digest(), "big")


async def walk_fingerprint(client: PhoneNumberCalls) -> ListingFingerprint:
    """Walk the account as a plan does, and fingerprint what it lists. Raises
    `IncompleteListingError` when the walk cannot prove it saw every number: part of
    the account proves nothing about the whole."""
    listing = Listing()
    pager = client.paginate(page_size=WHOLE_LISTING_PAGE_SIZE, prefetch=WHOLE_LISTING_PREFETCH)
    async for page in pager.pages():
        listing.add(page.results)
    pager.require_complete()
    return listing.fingerprint()


@asynccontextmanager
async def unchanged_under_lock(
    client: PhoneNumberCalls, basis: ListingFingerprint | None, wait: bool | float
) -> AsyncIterator[None]:
    """Hold the account's apply lock; before the block, check that the account still lists
    what `basis` saw (None: nothing to check). Raises `ApplyLockedError`, or
    `StalePlanError` with nothing sent."""
    async with client.apply_lock(wait=wait):
        if basis is not None:
            now = await walk_fingerprint(client)
            if now != basis:
                raise StalePlanError(client.base_url, planned=basis.count, now=now.count)
        yield
