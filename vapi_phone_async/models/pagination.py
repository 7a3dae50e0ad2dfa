"""One page of `/v2/phone-number`: the results and their PaginationMeta."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ._base import Decoded
from .phone_numbers import PhoneNumberItem, UnknownPhoneNumber

__all__ = ["PaginationMeta", "PhoneNumberPage", "count_unreadable"]


class PaginationMeta(Decoded, kw_only=True):
    """Where a page sits in the listing; newer servers add `next_cursor` (keyset paging).

    The spec requires the three counts, but a page whose metadata is missing or unusable
    still decodes: what could not be read is None (see `invalid_fields`), and a walk
    then ends on the first page shorter than it asked for. The spec types the counts as
    `number`: `100.0` reads as 100, a fraction is invalid.
    """

    items_per_page: int | None = None
    total_items: int | None = None
    current_page: int | None = None
    total_pages: int | None = None
    has_next_page: bool | None = None
    next_cursor: str | None = None
    sort_order: str | None = None
    items_beyond_retention: bool | None = None
    created_at_le: datetime | None = None
    created_at_ge: datetime | None = None


class PhoneNumberPage(Decoded, kw_only=True):
    """A page of `/v2/phone-number`: `results` and `metadata`.

    `results` may hold `UnknownPhoneNumber` items when the page came through the lenient
    decoder; `unreadable` counts those that could not even be identified.
    """

    results: list[PhoneNumberItem]
    metadata: PaginationMeta

    @property
    def unreadable(self) -> int:
        """How many results could not be read (no string `id` or `provider`)."""
        return count_unreadable(self.results)


def count_unreadable(numbers: Iterable[object]) -> int:
    """How many of `numbers` are items the decoder could not identify, to report them."""
    return sum(1 for n in numbers if isinstance(n, UnknownPhoneNumber) and not n.readable)
