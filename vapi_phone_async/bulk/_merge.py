"""The whole object an update sends for a nested field: the live object with the row's
values merged in, since Vapi replaces each top-level key a PATCH holds.

A row says what it wants of an object; the fields it leaves out keep their live values,
`null` removes one, and a nested object is merged in turn, unless the row picks another
member of a tagged union (a `fallbackDestination` turned from a number into a SIP URI),
whose object then replaces the live one. A list replaces the live list as the row gives it.

A hidden secret of the row (`<set>`, an export's) stands for the live value and keeps it;
when the number has none, it is left out (not copied). A secret the server shows only
masked cannot be sent back: the merge names it, and the caller refuses the update rather
than send the object without it.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import msgspec
from msgspec import inspect

from .._kept import Path
from ._rows import holds_secret, is_hidden

__all__ = ["Merged", "field_type", "merge"]


class Merged(NamedTuple):
    """A merge's result: the object to send, and the paths of the secrets the number holds
    but shows only masked, which the row does not give (`unknowable`)."""

    value: Any
    unknowable: list[Path]


def merge(live: Any, row: Any, tp: inspect.Type | None, path: Path) -> Merged:
    """`row`'s object merged into `live`'s (see the module docstring); `tp` is the field's
    type (None: merged key by key, no union to tell apart), `path` where it sits."""
    value = _merge(live, row, tp, path)
    unknowable: list[Path] = []
    _masked(value, path, unknowable)
    return Merged(value, unknowable)


def _merge(live: Any, row: Any, tp: inspect.Type | None, path: Path) -> Any:
    if not isinstance(row, dict):
        return row
    base: dict[str, Any] = live if isinstance(live, dict) else {}
    tag = _tag_field(tp)
    if tag is not None and tag in row and row[tag] != base.get(tag):
        base = {}  # another member of the union: its fields are not the live one's
    merged = dict(base)
    parent = path[-1] if path else None
    for key, wanted in row.items():
        here = (*path, key)
        if is_hidden(wanted, secret=holds_secret(key, parent)):
            if base.get(key) is None:
                merged.pop(key, None)  # not copied: nothing to send for it
            continue  # stands for the live value, kept as it is
        if wanted is None:
            merged.pop(key, None)
        elif isinstance(wanted, dict):
            inner = _merge(base.get(key), wanted, _child(tp, key), here)
            if inner or not wanted or base.get(key) is not None:
                merged[key] = inner
            else:
                merged.pop(key, None)  # held only secrets not copied: nothing to send
        else:
            merged[key] = wanted
    return merged


def _masked(value: Any, path: Path, found: list[Path]) -> None:
    """Add to `found` the paths of the secrets in `value` (found at `path`) shown masked."""
    if isinstance(value, dict):
        parent = path[-1] if path else None
        for key, item in value.items():
            if is_hidden(item, secret=holds_secret(key, parent)):
                found.append((*path, key))
            else:
                _masked(item, (*path, key), found)


# The models' types, read through msgspec.inspect: which field of an object has which
# type, and which objects are members of a tagged union.


@functools.cache
def _info(cls: type[msgspec.Struct]) -> inspect.Type:
    return inspect.type_info(cls)


def field_type(cls: type[msgspec.Struct], wire_name: str) -> inspect.Type | None:
    """The type of the field `wire_name` of the model `cls` (None if it has none)."""
    return _child(_info(cls), wire_name)


def _structs(tp: inspect.Type | None) -> list[inspect.StructType]:
    if isinstance(tp, inspect.StructType):
        return [tp]
    if isinstance(tp, inspect.UnionType):
        return [struct for member in tp.types for struct in _structs(member)]
    return []


def _child(tp: inspect.Type | None, key: str) -> inspect.Type | None:
    for struct in _structs(tp):
        for field in struct.fields:
            if field.encode_name == key:
                return field.type
    return None


def _tag_field(tp: inspect.Type | None) -> str | None:
    structs = _structs(tp)
    if len(structs) > 1 and structs[0].tag_field is not None:
        return structs[0].tag_field
    return None
