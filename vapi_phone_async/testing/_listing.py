"""The two listings: `GET /phone-number` (an array) and `GET /v2/phone-number` (pages).

Query parameters are checked against the vendored spec (`_bodies.query_errors`), with
NestJS's messages; one the spec does not name is refused, `cursor` included unless the
cursor mode takes it. Bodies are built from the numbers' cached JSON and themselves
cached per state version, so serving a page again costs a dictionary lookup.
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
        self, store: Store, *, cursors: CursorMode = False, newer_parameters: Collection[str] = ()
    ) -> None:
        self._store = store
        self._newer_parameters = frozenset(newer_parameters)
        self._cursors: CursorMode = False
        self._cache: dict[tuple[str, tuple[tuple[str, str], ...]], bytes] = {}
        self._cache_version = -1
        self.cursors = cursors

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
        limit = _integer(query, "limit", DEFAULT_LIMIT)
        if errors:
            raise Rejected(400, errors)
        keys = self._store.select(filters)
        newest = keys[len(keys) - limit :][::-1] if limit else []
        return b"[" + self._store.join_encoded(newest) + b"]"

    def _build_page(self, query: Mapping[str, str]) -> bytes:
        q = self._page_query(query)
        keys = self._store.select(q.filters)
        total = len(keys)
        if q.cursor is not None:
            # Keyset: the numbers strictly after the cursor in the requested order.
            if q.descending:
                position = total - bisect.bisect_left(keys, q.cursor)
            else:
                position = bisect.bisect_right(keys, q.cursor)
        else:
            position = (q.page - 1) * q.limit
        if q.limit == 0 or position >= total:
            results: list[Key] = []
        elif q.descending:
            results = keys[max(0, total - position - q.limit) : total - position][::-1]
        else:
            results = keys[position : position + q.limit]
        has_next = bool(results) and position + len(results) < total
        metadata: dict[str, Any] = {
            "itemsPerPage": q.limit,
            "totalItems": total,
            "currentPage": position // q.limit + 1 if q.limit else q.page,
            "totalPages": math.ceil(total / q.limit) if q.limit else 0,
            "hasNextPage": has_next,
            "sortOrder": "DESC" if q.descending else "ASC",
        }
        if has_next and self._cursors is not False:
            metadata["nextCursor"] = encode_cursor(results[-1])
        metadata.update(q.echo)
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
