"""One page of `/v2/phone-number`: the results and their PaginationMeta."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, TypeAlias

from ._base import Model
from .phone_numbers import KnownPhoneNumber, PhoneNumber

# The lenient decoder may put an UnknownPhoneNumber in `results`; msgspec decodes the known.
if TYPE_CHECKING:
    _PageItem: TypeAlias = PhoneNumber
else:
    _PageItem = KnownPhoneNumber

__all__ = ["PaginationMeta", "PhoneNumberPage"]


class PaginationMeta(Model, kw_only=True):
    """Where a page sits in the listing; newer servers add `next_cursor` (keyset paging)."""

    items_per_page: int
    total_items: int
    current_page: int
    total_pages: int | None = None
    has_next_page: bool | None = None
    next_cursor: str | None = None
    sort_order: str | None = None
    items_beyond_retention: bool | None = None
    created_at_le: datetime | None = None
    created_at_ge: datetime | None = None


class PhoneNumberPage(Model, kw_only=True):
    """A page of `/v2/phone-number`: `results` and `metadata`.

    `results` may hold `UnknownPhoneNumber` items when the page came through the lenient
    decoder.
    """

    results: list[_PageItem]
    metadata: PaginationMeta
