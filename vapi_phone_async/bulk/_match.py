"""Which live number a row stands for: by `id`, else by its keys, never by a guess.

A number answers to its id and to its keys: (provider, `number`) and (provider, `sipUri`),
for every provider, a number bought from Vapi included (its `number` is the server's, but
an export carries it, so an exported row finds its number again). A row that could stand
for two numbers is ambiguous: the caller reports it, and does nothing with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from ..models import PhoneNumber, UnknownPhoneNumber

__all__ = ["Key", "LiveNumbers", "Match", "number_keys", "row_keys"]

Key = tuple[str, str]
_KEY_FIELDS = (("number", "number"), ("sip_uri", "sipUri"))


def row_keys(data: Mapping[str, Any]) -> list[Key]:
    """The keys of a row in wire form (`provider`, `number`, `sipUri`)."""
    provider = data.get("provider")
    if not isinstance(provider, str):
        return []
    keys = []
    for _, wire in _KEY_FIELDS:
        value = data.get(wire)
        if isinstance(value, str) and value:
            keys.append((provider, value))
    return keys


def number_keys(number: PhoneNumber) -> Iterator[Key]:
    """Every key a live number answers to (a Vapi number may have both)."""
    if isinstance(number, UnknownPhoneNumber):
        yield from row_keys(number)
        return
    provider = number.provider
    for attribute, _ in _KEY_FIELDS:
        value = getattr(number, attribute, None)
        if isinstance(value, str) and value:
            yield (provider, value)


class Match(NamedTuple):
    """What a row stands for: the id of a live number, nothing (`id` None), or, when
    `ambiguous` says why, no decision."""

    id: str | None = None
    ambiguous: str | None = None


class LiveNumbers:
    """The account's numbers by id and by key (a key may be shared: that is ambiguous)."""

    def __init__(self) -> None:
        self.by_id: dict[str, PhoneNumber] = {}
        self._by_key: dict[Key, list[str]] = {}

    def __len__(self) -> int:
        return len(self.by_id)

    def add(self, numbers: Iterable[PhoneNumber]) -> None:
        """Remember these numbers (a page of a walk)."""
        by_key = self._by_key
        for number in numbers:
            self.by_id[number.id] = number
            for key in number_keys(number):
                by_key.setdefault(key, []).append(number.id)

    def ids_of(self, key: Key) -> list[str]:
        """The ids of the live numbers with this key."""
        return self._by_key.get(key, [])

    def match(self, row_id: Any, keys: list[Key]) -> Match:
        """The live number a row stands for: its `id` if that is an id of the account,
        else the one number its keys find; ambiguous when they find more than one, or one
        other than the id's."""
        by_key = self._by_key
        if isinstance(row_id, str) and row_id in self.by_id:
            for key in keys:
                for other in by_key.get(key, ()):
                    if other != row_id:
                        return Match(ambiguous=f"its number belongs to another number (id {other})")
            return Match(row_id)
        found: set[str] = set()
        for key in keys:
            found.update(by_key.get(key, ()))
        if len(found) > 1:
            shown = ", ".join(sorted(found)[:3])
            return Match(ambiguous=f"it matches {len(found)} numbers (ids {shown})")
        return Match(found.pop() if found else None)
