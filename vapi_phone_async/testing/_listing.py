"""The two listings: `GET /phone-number` (an array) and `GET /v2/phone-number` (pages).

Query parameters are checked against the vendored spec (`_bodies.query_errors`), with
NestJS's messages; one the spec does not name is refused, `cursor` included unless the
cursor mode takes it. Bodies are built from the numbers' cached JSON and themselves
cached per state version, so serving a page again costs a dictionary lookup.

Where the spec is silent, the listings behave as the live API is reported to (see
docs/real-api.md): an answer holds at most `page_cap` numbers whatever `limit` asks, and a
page's metadata holds only the fields the spec requires unless `full_metadata` is set.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import math
from collections.abc import Callable, Collection, Mapping
from typing import Any, Literal, NamedTuple

import msgspec

from ._bodies import query_errors
from ._dates import format_us, parse_iso
from ._responses import Rejected
from ._store import Filters, Key, Store

__all__ = ["CURSOR_MODES", "DATE_FILTERS", "CursorMode", "Lister", "decode_cursor", "encode_cursor"]

CursorMode = bool | Literal["shown-only", "ignored"]
"""What `/v2/phone-number` does with cursors: False, neither `nextCursor` nor `cursor`
(the spec); True, `nextCursor` shown and `cursor` honoured; "shown-only", `nextCursor`
shown and `cursor` refused; "ignored", `nextCursor` shown and `cursor` taken but ignored."""
CURSOR_MODES: tuple[CursorMode, ...] = (False, True, "shown-only", "ignored")

DATE_FILTERS = (
    "createdAtGt",
    "createdAtLt",
    "createdAtGe",
    "createdAtLe",
    "updatedAtGt",
    "updatedAtLt",
    "updatedAtGe",
    "updatedAtLe",
)
DEFAULT_LIMIT = 100
PAGE_CAP = 100
"""The most numbers the live API puts in one listing answer, whatever `limit` asks."""
PageOffsets = Literal["asked", "capped"]
_MAX_CACHED_BODIES = 256
_ENCODE = msgspec.json.Encoder().encode


class PageQuery(NamedTuple):
    """A checked `/v2/phone-number` query."""

    filters: Filters
    limit: int
    page: int
    descending: bool
    cursor: Key | None
    echo: dict[str, str]  # createdAtLe / createdAtGe, as metadata repeats them


class Lister:
    """Builds (and caches) listing bodies from one store."""

    def __init__(
        self,
        store: Store,
        *,
        cursors: CursorMode = False,
        newer_parameters: Collection[str] = (),
        page_cap: int | None = PAGE_CAP,
        page_offsets: PageOffsets = "asked",
        full_metadata: bool = False,
    ) -> None:
        self._store = store
        self._newer_parameters = frozenset(newer_parameters)
        self._cursors: CursorMode = False
        self._cache: dict[tuple[str, tuple[tuple[str, str], ...]], bytes] = {}
        self._cache_version = -1
        self.cursors = cursors
        self.set_paging(page_cap=page_cap, page_offsets=page_offsets, full_metadata=full_metadata)

    def set_paging(
        self, *, page_cap: int | None, page_offsets: PageOffsets, full_metadata: bool
    ) -> None:
        """How listings page: the cap on an answer, how a capped page counts its offset,
        and whether metadata carries the fields the spec leaves optional."""
        if page_cap is not None and (isinstance(page_cap, bool) or page_cap < 1):
            raise ValueError(f"page_cap must be a positive number or None (got {page_cap!r})")
        if page_offsets not in ("asked", "capped"):
            raise ValueError(f"page_offsets must be 'asked' or 'capped' (got {page_offsets!r})")
        self.page_cap = page_cap
        self.page_offsets = page_offsets
        self.full_metadata = full_metadata
        self._cache.clear()  # the cached pages were built under the other setting

    @property
    def cursors(self) -> CursorMode:
        """The cursor mode (see `CursorMode`)."""
        return self._cursors

    @cursors.setter
    def cursors(self, mode: CursorMode) -> None:
        if not (isinstance(mode, bool) or mode in ("shown-only", "ignored")):
            raise ValueError(
                f"cursors must be False, True, 'shown-only' or 'ignored' (got {mode!r})"
            )
        self._cursors = mode
        self._cache.clear()  # the cached pages were built under the other setting

    def list_body(self, query: Mapping[str, str]) -> bytes:
        """The body of `GET /phone-number`: newest first, at most `limit` numbers."""
        return self._cached("list", query, self._build_list)

    def page_body(self, query: Mapping[str, str]) -> bytes:
        """The body of `GET /v2/phone-number`: `{"results": [...], "metadata": {...}}`."""
        return self._cached("page", query, self._build_page)

    def _cached(
        self, kind: str, query: Mapping[str, str], build: Callable[[Mapping[str, str]], bytes]
    ) -> bytes:
        if self._cache_version != self._store.version:
            self._cache.clear()
            self._cache_version = self._store.version
        key = (kind, tuple(sorted(query.items())))
        body = self._cache.get(key)
        if body is None:
            body = build(query)
            if len(self._cache) >= _MAX_CACHED_BODIES:
                self._cache.clear()
            self._cache[key] = body
        return body

    def _build_list(self, query: Mapping[str, str]) -> bytes:
        errors = query_errors("/phone-number", query, accepted=self._newer_parameters)
        filters, _ = _filters(query, errors, search=None)
        limit = self._capped(_integer(query, "limit", DEFAULT_LIMIT))
        if errors:
            raise Rejected(400, errors)
        keys = self._store.select(filters)
        newest = keys[max(0, len(keys) - limit) :][::-1] if limit > 0 else []
        return b"[" + self._store.join_encoded(newest) + b"]"

    def _capped(self, limit: int) -> int:
        return limit if self.page_cap is None else min(limit, self.page_cap)

    def _build_page(self, query: Mapping[str, str]) -> bytes:
        q = self._page_query(query)
        keys = self._store.select(q.filters)
        total = len(keys)
        # A capped listing counts pages by the size asked for, or by the cap: the live
        # API's choice is not documented, and a walk must be right under either.
        taken = self._capped(q.limit)
        size = q.limit if self.page_offsets == "asked" else taken
        if q.cursor is None:
            position = (q.page - 1) * size
        elif q.descending:  # keyset: the numbers strictly after the cursor, in order
            position = total - bisect.bisect_left(keys, q.cursor)
        else:
            position = bisect.bisect_right(keys, q.cursor)
        if taken <= 0 or position >= total:
            results: list[Key] = []
        elif q.descending:
            results = keys[max(0, total - position - taken) : total - position][::-1]
        else:
            results = keys[position : position + taken]
        has_next = bool(results) and position + len(results) < total
        metadata: dict[str, Any] = {
            "itemsPerPage": size,
            "totalItems": total,
            "currentPage": position // size + 1 if size > 0 else q.page,
        }
        if self.full_metadata:
            metadata["totalPages"] = math.ceil(total / size) if size > 0 else 0
            metadata["hasNextPage"] = has_next
            metadata["sortOrder"] = "DESC" if q.descending else "ASC"
            metadata.update(q.echo)
        # A cursor mode is about nextCursor: it shows whatever else the metadata holds.
        if has_next and self._cursors is not False:
            metadata["nextCursor"] = encode_cursor(results[-1])
        return (
            b'{"results":['
            + self._store.join_encoded(results)
            + b'],"metadata":'
            + _ENCODE(metadata)
            + b"}"
        )

    def _page_query(self, query: Mapping[str, str]) -> PageQuery:
        takes_cursor = self._cursors is True or self._cursors == "ignored"
        accepted = self._newer_parameters | ({"cursor"} if takes_cursor else set())
        errors = query_errors("/v2/phone-number", query, accepted=accepted)
        search = query.get("search")
        filters, echo = _filters(query, errors, search=search.lower() if search else None)
        limit = _integer(query, "limit", DEFAULT_LIMIT)
        page = max(1, _integer(query, "page", 1))
        # Phone numbers have no duration or cost: the spec takes them, they sort by createdAt.
        sort_order = query.get("sortOrder", "DESC")
        cursor = None
        if self._cursors is True and "cursor" in query:
            cursor = decode_cursor(query["cursor"])
            if cursor is None:
                errors.append("cursor must be a valid cursor")
        if errors:
            raise Rejected(400, errors)
        return PageQuery(filters, limit, page, sort_order == "DESC", cursor, echo)


def _filters(
    query: Mapping[str, str], errors: list[str], *, search: str | None
) -> tuple[Filters, dict[str, str]]:
    values: list[int | None] = []
    echo: dict[str, str] = {}
    for name in DATE_FILTERS:
        text = query.get(name)
        us = None if text is None else parse_iso(text)
        rule = f"{name} must be a valid ISO 8601 date string"
        # The spec's date-time format passes 2025-02-30 by its shape; the calendar does not.
        if text is not None and us is None and rule not in errors:
            errors.append(rule)
        if us is not None and name in ("createdAtLe", "createdAtGe"):
            echo[name] = format_us(us)
        values.append(us)
    return Filters._make([*values, search]), echo


def _integer(query: Mapping[str, str], name: str, default: int) -> int:
    """A checked numeric parameter; the spec types it `number`, the listing takes its
    integer part (1.5 reads as 1)."""
    text = query.get(name)
    if text is None:
        return default
    try:
        return int(float(text))
    except (ValueError, OverflowError):
        return default


def encode_cursor(key: Key) -> str:
    """An opaque cursor for the position just after `key` (createdAt and id)."""
    return base64.urlsafe_b64encode(_ENCODE(key)).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> Key | None:
    """The (createdAt, id) key a cursor points after; None if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, number_id = msgspec.json.decode(raw, type=tuple[int, str])
    except (binascii.Error, ValueError, msgspec.DecodeError):
        return None
    return (created, number_id)
