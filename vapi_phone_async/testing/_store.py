"""The fake server's state: phone numbers as wire-format dicts, in (createdAt, id) order.

Every mutation bumps `version`, which keys the caches of selections here and of encoded
bodies in `_listing`: a cached answer can never outlive the state it was computed from.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

import msgspec

from ._dates import parse_iso

__all__ = ["Entry", "Filters", "Key", "Store"]

Key = tuple[int, str]
"""The total order of the listing: createdAt in microseconds, then id."""

_ENCODE = msgspec.json.Encoder().encode
_SEARCHED = ("name", "number", "sipUri")
_MAX_CACHED_SELECTIONS = 64


class Entry:
    """One stored number, with what listing needs computed once, when first needed."""

    __slots__ = ("_encoded", "_haystack", "created", "data", "key", "updated")

    def __init__(
        self, data: dict[str, Any], created: int, updated: int, encoded: bytes | None = None
    ) -> None:
        self.data = data
        self.created = created
        self.updated = updated
        self.key: Key = (created, data["id"])
        self._haystack: str | None = None
        self._encoded = encoded

    @property
    def haystack(self) -> str:
        """The searched fields, lower-cased: search scans every number."""
        if self._haystack is None:
            data = self.data
            self._haystack = "\x00".join(
                value.lower() for name in _SEARCHED if isinstance(value := data.get(name), str)
            )
        return self._haystack

    @property
    def encoded(self) -> bytes:
        """The number's JSON, encoded once."""
        if self._encoded is None:
            self._encoded = _ENCODE(self.data)
        return self._encoded


class Filters(NamedTuple):
    """The eight date filters (microseconds) and a lower-cased search term."""

    created_gt: int | None = None
    created_lt: int | None = None
    created_ge: int | None = None
    created_le: int | None = None
    updated_gt: int | None = None
    updated_lt: int | None = None
    updated_ge: int | None = None
    updated_le: int | None = None
    search: str | None = None


class Store:
    """Phone numbers keyed by id, plus the keys in ascending (createdAt, id) order.

    `render` encodes a number for an answer (the fake may hide its secrets there)."""

    def __init__(self, render: Callable[[dict[str, Any]], bytes] = _ENCODE) -> None:
        self._render = render
        self._data: dict[str, dict[str, Any]] = {}
        self._entries: dict[str, Entry] = {}
        self._keys: list[Key] = []
        self._selections: dict[Filters, list[Key]] = {}
        self.version = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def numbers(self) -> Mapping[str, dict[str, Any]]:
        """A live read-only view of the stored numbers by id."""
        return MappingProxyType(self._data)

    @property
    def newest_created(self) -> int | None:
        return self._keys[-1][0] if self._keys else None

    def get(self, number_id: str) -> Entry | None:
        return self._entries.get(number_id)

    def join_encoded(self, keys: list[Key]) -> bytes:
        """The JSON of the numbers at `keys`, comma-separated (the inside of an array)."""
        entries = self._entries
        return b",".join([entries[number_id].encoded for _, number_id in keys])

    def add(self, data: dict[str, Any]) -> Entry:
        """Store a number that has `id`, `createdAt` and `updatedAt` (replacing one by id)."""
        entry = _entry(data, self._render)
        if entry.key[1] in self._entries:
            self.remove(entry.key[1])
        self._put(entry)
        bisect.insort(self._keys, entry.key)
        self._bump()
        return entry

    def add_many(self, rows: Iterable[tuple[dict[str, Any], int, int]]) -> list[dict[str, Any]]:
        """Store new numbers given as (data, createdAt us, updatedAt us); returns the data.

        One sort and one version bump for them all.
        """
        added: list[dict[str, Any]] = []
        try:
            for data, created, updated in rows:
                # Encoded now, not on first use: a client benchmark's first walk over a
                # fresh seed would otherwise time the fake's encoding (twice a decode).
                entry = Entry(data, created, updated, self._render(data))
                if entry.key[1] in self._entries:
                    raise ValueError(f"duplicate phone number id {entry.key[1]!r}")
                self._put(entry)
                self._keys.append(entry.key)
                added.append(data)
        finally:  # what was added before an error stays consistent
            self._keys.sort()
            self._bump()
        return added

    def replace(self, data: dict[str, Any]) -> Entry:
        """Store the new state of an existing number (its createdAt must not change)."""
        entry = _entry(data, self._render)
        old = self._entries[entry.key[1]]
        if old.created != entry.created:
            raise ValueError("createdAt of a stored number cannot change")
        self._put(entry)
        self._bump()
        return entry

    def remove(self, number_id: str) -> Entry:
        entry = self._entries.pop(number_id)
        del self._data[number_id]
        index = bisect.bisect_left(self._keys, entry.key)
        del self._keys[index]
        self._bump()
        return entry

    def clear(self) -> None:
        self._data.clear()
        self._entries.clear()
        self._keys.clear()
        self._bump()

    def select(self, filters: Filters) -> list[Key]:
        """The keys matching `filters`, ascending; cached until the next mutation."""
        cached = self._selections.get(filters)
        if cached is None:
            if len(self._selections) >= _MAX_CACHED_SELECTIONS:
                self._selections.clear()
            cached = self._selections[filters] = self._select(filters)
        return cached

    def _select(self, f: Filters) -> list[Key]:
        # createdAt bounds are bisections of the sorted keys; the rest is one scan.
        lo, hi = 0, len(self._keys)
        if f.created_gt is not None:
            lo = max(lo, bisect.bisect_left(self._keys, (f.created_gt + 1, "")))
        if f.created_ge is not None:
            lo = max(lo, bisect.bisect_left(self._keys, (f.created_ge, "")))
        if f.created_lt is not None:
            hi = min(hi, bisect.bisect_left(self._keys, (f.created_lt, "")))
        if f.created_le is not None:
            hi = min(hi, bisect.bisect_left(self._keys, (f.created_le + 1, "")))
        keys = self._keys[lo:hi]
        if f.search is None and f[4:8] == (None, None, None, None):  # no updatedAt filter
            return keys
        entries = self._entries
        return [key for key in keys if _matches(entries[key[1]], f)]

    def _put(self, entry: Entry) -> None:
        number_id = entry.key[1]
        self._entries[number_id] = entry
        self._data[number_id] = entry.data

    def _bump(self) -> None:
        self.version += 1
        self._selections.clear()


def _matches(entry: Entry, f: Filters) -> bool:
    updated = entry.updated
    return (
        (f.updated_gt is None or updated > f.updated_gt)
        and (f.updated_lt is None or updated < f.updated_lt)
        and (f.updated_ge is None or updated >= f.updated_ge)
        and (f.updated_le is None or updated <= f.updated_le)
        and (f.search is None or f.search in entry.haystack)
    )


def _entry(data: dict[str, Any], render: Callable[[dict[str, Any]], bytes]) -> Entry:
    number_id = data.get("id")
    if not isinstance(number_id, str) or not number_id:
        raise ValueError("a stored phone number needs a string `id`")
    created, updated = _timestamp(data, "createdAt"), _timestamp(data, "updatedAt")
    return Entry(data, created, updated, render(data))


def _timestamp(data: dict[str, Any], field: str) -> int:
    value = data.get(field)
    us = parse_iso(value) if isinstance(value, str) else None
    if us is None:
        raise ValueError(f"a stored phone number needs an ISO 8601 `{field}` (got {value!r})")
    return us
