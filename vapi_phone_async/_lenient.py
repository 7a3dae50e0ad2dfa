"""The lenient decoder: JSON that msgspec cannot type whole, typed part by part, soundly.

It works on `msgspec.Raw` slices of the body, so each part is decoded straight from bytes
by a strict msgspec decoder; only a part that fails is split further. The rules:

- a field this version does not know is kept beside the nearest `Decoded` object
  (`unknown_fields`), and the rest of that object is decoded again without it;
- a value its field cannot hold fails: an optional field is then None and the value is
  kept beside the object (`invalid_fields`); a required one fails its whole object;
- a failed object, or one of a tag this version does not know, is the union's fallback
  (an `UnknownItem`) where the union admits one (`Lenient`), else it fails its parent;
- a list fails with any of its items; a `number` with no fraction (`100.0`) is an int.

So every object built holds values of its fields' declared types, and nothing the server
sent is dropped: it is either typed, or kept as raw data beside or in place of the object.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from ._kept import Path, keep_extras
from ._shapes import Shape, by_tag, decode_any, decoder, member, shape, struct_info

__all__ = ["FAILED", "Found", "lenient_value", "split_unknown", "struct_value"]

FAILED: Final = object()
"""What `lenient_value` returns for a value it cannot type (nor keep as a fallback)."""

_decode_object = msgspec.json.Decoder(dict[str, msgspec.Raw]).decode
_decode_array = msgspec.json.Decoder(list[msgspec.Raw]).decode
_encode = msgspec.json.Encoder().encode


class Found:
    """The unknown fields and invalid values found while typing one object, by path."""

    __slots__ = ("invalid", "unknown")

    def __init__(self) -> None:
        self.unknown: dict[Path, Any] = {}
        self.invalid: dict[Path, Any] = {}

    def take(self, other: Found) -> None:
        self.unknown.update(other.unknown)
        self.invalid.update(other.invalid)


def lenient_value(raw: msgspec.Raw, tp: Any, path: Path, found: Found) -> Any:
    """`raw` typed as `tp`, what could not be typed kept in `found`; or `FAILED`."""
    try:
        return decoder(tp)(raw)
    except msgspec.ValidationError:
        return _repair(raw, tp, path, found)


def _repair(raw: msgspec.Raw, tp: Any, path: Path, found: Found) -> Any:
    of = shape(tp)
    if of.structs:
        try:
            fields = _decode_object(raw)
        except msgspec.ValidationError:
            fields = None
        if fields is not None:
            return _object(raw, fields, of, path, found)
    if of.item is not None:
        try:
            items = _decode_array(raw)
        except msgspec.ValidationError:
            items = None
        if items is not None:
            typed = [
                lenient_value(item, of.item, (*path, i), found) for i, item in enumerate(items)
            ]
            return FAILED if any(value is FAILED for value in typed) else typed
    if of.integer:
        value = decode_any(raw)
        if isinstance(value, float) and value.is_integer():
            return int(value)
    return FAILED


def _object(
    raw: msgspec.Raw, fields: dict[str, msgspec.Raw], of: Shape, path: Path, found: Found
) -> Any:
    cls = member(fields, of)
    if cls is not None:
        decoded = struct_info(cls).decoded
        # A Decoded object keeps what is found inside it; anything else hands it up.
        inner = Found()
        value = struct_value(fields, cls, () if decoded else path, inner)
        if value is not FAILED:
            if decoded:
                keep_extras(value, inner.unknown, inner.invalid)
            else:
                found.take(inner)
            return value
    if of.fallback is not None:
        return of.fallback(decode_any(raw))
    return FAILED


def struct_value(
    fields: dict[str, msgspec.Raw], cls: type[msgspec.Struct], path: Path, found: Found
) -> Any:
    """An instance of `cls` from its fields' raw JSON (its tag already matched), or FAILED.

    Fields `cls` does not know go to `found`; then the rest is decoded whole again, and
    only if that fails is each field typed on its own.
    """
    info = struct_info(cls)
    known = info.fields
    unknown = [key for key in fields if key not in info.known]
    if unknown:
        for key in unknown:
            where = (*path, key)
            found.unknown[where] = decode_any(fields.pop(key))
        try:
            return decoder(cls)(_encode(fields))
        except msgspec.ValidationError:
            pass
    kwargs: dict[str, Any] = {}
    for key, raw in fields.items():
        field = known.get(key)
        if field is None:
            continue  # the tag
        where = (*path, key)
        try:
            value = field.decode(raw)
        except msgspec.ValidationError:
            value = _repair(raw, field.type, where, found)
        if value is not FAILED:
            kwargs[field.name] = value
        elif field.required:
            return FAILED
        else:
            found.invalid[where] = decode_any(raw)
    try:
        return cls(**kwargs)
    except TypeError:  # a required field is missing
        return FAILED


def split_unknown(value: Any, tp: Any, path: Path = ()) -> tuple[Any, dict[Path, Any]]:
    """`value` (decoded JSON) without the fields `tp` does not know, and those fields by
    path. Values are not checked: a value of the wrong type is left for msgspec to name."""
    unknown: dict[Path, Any] = {}
    of = shape(tp)
    if isinstance(value, dict) and of.structs:
        tag_field = of.structs[0].__struct_config__.tag_field
        cls = by_tag(of.structs, value.get(tag_field) if tag_field is not None else None)
        if cls is None:
            return value, unknown
        info = struct_info(cls)
        known: dict[str, Any] = {}
        for key, item in value.items():
            field = info.fields.get(key)
            if field is not None:
                known[key], inner = split_unknown(item, field.type, (*path, key))
                unknown.update(inner)
            elif key == info.tag_field:
                known[key] = item
            else:
                where = (*path, key)
                unknown[where] = item
        return known, unknown
    if isinstance(value, list) and of.item is not None:
        items = []
        for index, item in enumerate(value):
            kept, inner = split_unknown(item, of.item, (*path, index))
            items.append(kept)
            unknown.update(inner)
        return items, unknown
    return value, unknown
