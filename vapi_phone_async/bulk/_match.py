"""Which live number a row stands for: by `id`, else by its keys, never by a guess.

A number answers to its id and to its keys: (provider, `number`) and (provider, `sipUri`),
for every provider, a number bought from Vapi included (its `number` is the server's, but
an export carries it, so an exported row finds its number again). A row that could stand
for two numbers is ambiguous: the caller reports it, and does nothing with it.

A number is the same whatever its formatting: a key finds the number with exactly its
value, else one whose value differs only by formatting (a `+` lost, spaces, dashes,
parentheses, dots: what a spreadsheet does to a number), as `match_key` reads it. A SIP
URI is taken as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from ..models import PhoneNumber, UnknownPhoneNumber

__all__ = ["Key", "LiveNumbers", "Match", "match_key", "number_keys", "row_keys", "same_number"]

Key = tuple[str, str]
_KEY_FIELDS = (("number", "number"), ("sip_uri", "sipUri"))
_FORMATTING = str.maketrans("", "", "+ -().\t\u00a0")


def match_key(key: Key) -> Key:
    """`key` without the formatting of a number (a SIP URI's is kept as it is)."""
    provider, value = key
    if ":" in value or "@" in value:
        return key
    return (provider, value.translate(_FORMATTING))


def same_number(a: Any, b: Any) -> bool:
    """Whether two values of `number` are the same number, written differently or not."""
    if not (isinstance(a, str) and isinstance(b, str)):
        return False
    return match_key(("", a)) == match_key(("", b))


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
    `ambiguous` says why, no decision; `named`, the ids of the live numbers the row's keys
    find (a prune keeps them, whatever the decision)."""

    id: str | None = None
    ambiguous: str | None = None
    named: Sequence[str] = ()


class LiveNumbers:
    """The account's numbers by id and by key (a key may be shared: that is ambiguous)."""

    def __init__(self) -> None:
        self.by_id: dict[str, PhoneNumber] = {}
        # A key's id, or its ids when several numbers share it (rare): a list a key would be
        # ten thousand more objects for the cyclic collector to walk.
        self._by_key: dict[Key, str | list[str]] = {}
        # Built on the first key found no other way (most rows name their number exactly).
        self._by_match_key: dict[Key, list[str]] | None = None

    def __len__(self) -> int:
        return len(self.by_id)

    def add(self, numbers: Iterable[PhoneNumber]) -> None:
        """Remember these numbers (a page of a walk)."""
        by_key, by_match_key = self._by_key, self._by_match_key
        for number in numbers:
            self.by_id[number.id] = number
            for key in number_keys(number):
                found = by_key.setdefault(key, number.id)
                if found is not number.id:
                    by_key[key] = [*_listed(found), number.id]
                if by_match_key is not None:
                    by_match_key.setdefault(match_key(key), []).append(number.id)

    def ids_of(self, key: Key) -> list[str]:
        """The ids of the live numbers with this key: exactly, else written differently."""
        found = self._by_key.get(key)
        if found:
            return _listed(found)
        if self._by_match_key is None:
            self._by_match_key = {}
            for exact, ids in self._by_key.items():
                self._by_match_key.setdefault(match_key(exact), []).extend(_listed(ids))
        return self._by_match_key.get(match_key(key), [])

    def match(self, row_id: Any, keys: Sequence[Key]) -> Match:
        """The live number a row stands for: its `id` if that is an id of the account,
        else the one number its keys find; ambiguous when they find more than one, or one
        other than the id's."""
        named = self._named(keys)
        if isinstance(row_id, str) and row_id in self.by_id:
            for other in named:
                if other != row_id:
                    return Match(None, f"its number belongs to another number (id {other})", named)
            return Match(row_id, None, named)
        found = set(named)
        if len(found) > 1:
            shown = ", ".join(sorted(found)[:3])
            return Match(None, f"it matches {len(found)} numbers (ids {shown})", named)
        return Match(found.pop() if found else None, None, named)

    def _named(self, keys: Sequence[Key]) -> Sequence[str]:
        """The ids the keys find, in key order (one key finding one id is the common case:
        its id alone, with no list made)."""
        if len(keys) == 1:
            found = self._by_key.get(keys[0])
            if isinstance(found, str):
                return (found,)
        return [id_ for key in keys for id_ in self.ids_of(key)]


def _listed(ids: str | list[str]) -> list[str]:
    return [ids] if isinstance(ids, str) else ids
