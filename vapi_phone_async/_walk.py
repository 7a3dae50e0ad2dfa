"""The pure part of a walk over `/v2/phone-number`: its position, its next queries, and the
checks on each page. No I/O: the Pager (`pagination.py`) fetches and calls these.

A consistent walk sorts by `createdAt`. Its position is the last `createdAt` it yielded
(the oldest so far in a DESC walk, the newest in an ASC one) and the ids yielded at
exactly that instant; `Position.unseen` drops from a page what the walk has passed, and
`Position.segments_from_here` gives the queries that go on from it by keyset.
"""

from __future__ import annotations

import operator
from datetime import datetime, timedelta
from itertools import takewhile
from typing import Any

import msgspec

from ._query import format_datetime
from .models import PhoneNumber, PhoneNumberPage, UnknownPhoneNumber

__all__ = [
    "Position",
    "Segment",
    "answered_size",
    "astray",
    "bounded",
    "first_created_at",
    "identity",
    "more_after",
    "page_ids",
    "shortfall",
    "within",
]

_ENCODE = msgspec.json.Encoder().encode
_UPPER_BOUNDS = ("createdAtLe", "createdAtLt")
_COMPARISONS = (
    ("createdAtGt", operator.gt),
    ("createdAtGe", operator.ge),
    ("createdAtLt", operator.lt),
    ("createdAtLe", operator.le),
)


class Segment:
    """Part of a walk: a query whose pages start at page 1, and how it ended."""

    __slots__ = ("astray", "bounded", "changed", "gap", "params")

    def __init__(self, params: dict[str, str], *, bounded: bool = False) -> None:
        self.params = params
        # Set on the segments that go on from the walk's position: they end only if the
        # server applies their createdAt bounds, so each page is checked against them.
        self.bounded = bounded
        self.gap: str | None = None
        """Why its pages do not prove it answered every number (None when they do)."""
        self.astray = False
        """Whether a consistent walk goes on by keyset from its position instead."""
        self.changed = False
        """Whether its `totalItems` moved: the set changed under the walk."""


class Position:
    """Where a consistent walk stands: the last `createdAt` it yielded, and the ids
    yielded at exactly that instant (and those of numbers without a `createdAt`)."""

    __slots__ = ("_descending", "_edge", "_edge_ids", "_undated_ids")

    def __init__(self, *, descending: bool) -> None:
        self._descending = descending
        self._edge: datetime | None = None
        self._edge_ids: set[str] = set()
        self._undated_ids: set[str] = set()

    def unseen(self, page: PhoneNumberPage) -> PhoneNumberPage:
        """The page without the numbers the walk has passed already, and the position
        moved past the rest."""
        results = page.results
        if not results:
            return page
        first, last = created_at(results[0]), created_at(results[-1])
        edge = self._edge
        if (
            first is not None
            and last is not None
            and (edge is None or (first < edge if self._descending else first > edge))
        ):
            # The usual page, wholly past the walk's position (pages come sorted): keep it
            # all, and move the position to its end without looking at every number.
            self._edge = last
            at_last = takewhile(lambda number: created_at(number) == last, reversed(results))
            self._edge_ids = {identity(number) for number in at_last}
            return page
        fresh = [number for number in results if self._advance(number)]
        if len(fresh) != len(results):
            page.results = fresh
        return page

    def _advance(self, number: PhoneNumber) -> bool:
        when = created_at(number)
        key = identity(number)
        if when is None:
            # No place in the order (a response without createdAt): remember it by id.
            if key in self._undated_ids:
                return False
            self._undated_ids.add(key)
            return True
        if self._edge is not None and when == self._edge:
            if key in self._edge_ids:
                return False
            self._edge_ids.add(key)
            return True
        if self._edge is not None and (when > self._edge) == self._descending:
            return False  # behind the walk's position: yielded already
        self._edge, self._edge_ids = when, {key}
        return True

    def segments_from_here(self, params: dict[str, str]) -> list[Segment]:
        """The segments that go on from the position: the rest of its instant, then beyond.

        The rest of the instant comes first because a tie wider than a page, walked again
        from `createdAtLe` alone while the set keeps changing, would be re-read for ever.
        """
        edge = self._edge
        if edge is None:
            return [Segment(params)]
        instant = bounded(bounded(params, "createdAtGe", edge), "createdAtLe", edge)
        beyond = bounded(params, "createdAtLt" if self._descending else "createdAtGt", edge)
        return [Segment(instant, bounded=True), Segment(beyond, bounded=True)]


def created_at(number: PhoneNumber) -> datetime | None:
    """A number's `createdAt`, or None when it has none (or not a datetime)."""
    value: Any = getattr(number, "created_at", None)
    return value if isinstance(value, datetime) else None


def first_created_at(page: PhoneNumberPage) -> datetime | None:
    """The `createdAt` of the page's first number (None if none)."""
    return created_at(page.results[0]) if page.results else None


def bounded(params: dict[str, str], name: str, bound: datetime) -> dict[str, str]:
    """`params` with the createdAt filter `name` at `bound`, or the caller's own if tighter.

    The API takes milliseconds: a bound between two is widened to the next one out, which
    can only let in numbers the walk then drops as yielded already, never leave one out.
    """
    upper = name in _UPPER_BOUNDS
    spare = bound.microsecond % 1000
    if upper and spare:
        bound += timedelta(microseconds=1000 - spare)
    value = format_datetime(name, bound)
    current = params.get(name)
    if current is not None:  # both are format_datetime's fixed-width UTC form
        value = min(current, value) if upper else max(current, value)
    return {**params, name: value}


def within(params: dict[str, str], page: PhoneNumberPage) -> bool:
    """Whether the page's first and last numbers (it is sorted) meet its createdAt bounds."""
    for number in page.results[:1] + page.results[-1:]:
        when = created_at(number)
        if when is None:
            continue
        for name, compare in _COMPARISONS:
            bound = params.get(name)
            if bound is not None and not compare(when, _parse(bound)):
                return False
    return True


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def page_ids(page: PhoneNumberPage) -> list[str]:
    """The ids of the page's numbers, in order (see `identity`)."""
    return [number.id or identity(number) for number in page.results]


def identity(number: PhoneNumber) -> str:
    """What tells a number from the others: its id, or for an item without one (which
    could not be read), the item itself, so that two such items are never taken for one."""
    if number.id:
        return number.id
    raw = (
        number.source if isinstance(number, UnknownPhoneNumber) and not number.is_object else number
    )
    return "item:" + _ENCODE(raw).decode()


def more_after(page: PhoneNumberPage, received: int, page_size: int) -> bool:
    """Whether numbers follow page `page` of a query that has answered `received` so far.

    `totalItems` decides (a short page is not the last while the count says more remain:
    the live API caps its pages); without it, `hasNextPage`, else `currentPage <
    totalPages`, else a full page. An empty page always ends a query.
    """
    meta = page.metadata
    if not page.results:
        return False
    if meta.total_items is not None:
        return received < meta.total_items
    if meta.has_next_page is not None:
        return meta.has_next_page
    if meta.total_pages is not None and meta.current_page is not None:
        return meta.current_page < meta.total_pages
    return len(page.results) >= page_size


def answered_size(page: PhoneNumberPage, asked: int) -> int:
    """The page size the server answers with: `asked`, or fewer when a first page is
    short though its `totalItems` says more remain (the server caps its pages)."""
    count, total = len(page.results), page.metadata.total_items
    if 0 < count < asked and total is not None and count < total:
        return count
    return asked


def shortfall(page: PhoneNumberPage, received: int) -> str | None:
    """Why the numbers a query answered (`received`, this page included) do not prove it
    complete, or None when they do: they must match its `totalItems`."""
    total = page.metadata.total_items
    if total is None:
        return "the server did not say how many numbers there are (no totalItems)"
    if received != total:
        return f"the server said {total} numbers match but answered {received}"
    return None


def astray(
    page: PhoneNumberPage,
    number: int,
    baseline: int | None,
    received: int,
    size: int,
    *,
    same: bool,
) -> str | None:
    """Why page `number` is not what the offsets promise (None when it is): the same
    `totalItems` as its query's first page, not the page before again, and as many
    numbers as remain, up to the page size."""
    total = page.metadata.total_items
    if total != baseline:
        return f"the listing changed during the walk (totalItems {baseline} -> {total})"
    if same and page.results:
        return f"the server answered page {number} with the same numbers as page {number - 1}"
    if baseline is not None and len(page.results) != min(size, baseline - received):
        return (
            f"page {number} held {len(page.results)} numbers where its offset promised "
            f"{min(size, baseline - received)}"
        )
    return None
