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

import functools
import types
from collections.abc import Callable
from typing import Annotated, Any, Final, NamedTuple, Union, get_args, get_origin

import msgspec

from .models._base import Decoded, Lenient, Path, UnknownItem, keep_extras

__all__ = ["FAILED", "Found", "decode_any", "lenient_value", "split_unknown", "struct_value"]

FAILED: Final = object()
"""What `lenient_value` returns for a value it cannot type (nor keep as a fallback)."""

decode_any: Callable[[bytes | msgspec.Raw], Any] = msgspec.json.Decoder().decode
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
        return _decoder(tp)(raw)
    except msgspec.ValidationError:
        return _repair(raw, tp, path, found)


class _Field(NamedTuple):
    name: str
    type: Any
    required: bool
    decode: Callable[[bytes | msgspec.Raw], Any]


class _Struct(NamedTuple):
    fields: dict[str, _Field]  # by wire name
    tag_field: str | None


class _Shape(NamedTuple):
    """What a declared type can hold, as the repair needs it."""

    structs: tuple[type[msgspec.Struct], ...]
    item: Any  # the item type of its list member, if any
    integer: bool
    fallback: type[UnknownItem] | None


@functools.cache
def _decoder(tp: Any) -> Callable[[bytes | msgspec.Raw], Any]:
    return msgspec.json.Decoder(tp).decode


@functools.cache
def _struct_info(cls: type[msgspec.Struct]) -> _Struct:
    # msgspec.structs.fields evaluates the string annotations again on every call.
    fields = {
        field.encode_name: _Field(field.name, field.type, field.required, _decoder(field.type))
        for field in msgspec.structs.fields(cls)
    }
    return _Struct(fields, cls.__struct_config__.tag_field)


@functools.cache
def _shape(tp: Any) -> _Shape:
    structs: list[type[msgspec.Struct]] = []
    items: list[Any] = []
    integer = False
    fallback: type[UnknownItem] | None = None
    pending = [tp]
    while pending:
        member = pending.pop(0)
        origin = get_origin(member)
        if origin is Annotated:
            inner, *metadata = get_args(member)
            for marker in metadata:
                if isinstance(marker, Lenient):
                    fallback = marker.fallback
            pending.append(inner)
        elif origin is Union or origin is types.UnionType:
            pending.extend(get_args(member))
        elif origin is list:
            items.append(get_args(member)[0])
        elif isinstance(member, type) and issubclass(member, msgspec.Struct):
            structs.append(member)
        elif member is int:
            integer = True
    return _Shape(tuple(structs), items[0] if items else None, integer, fallback)


def _repair(raw: msgspec.Raw, tp: Any, path: Path, found: Found) -> Any:
    shape = _shape(tp)
    if shape.structs:
        try:
            fields = _decode_object(raw)
        except msgspec.ValidationError:
            fields = None
        if fields is not None:
            return _object(raw, fields, shape, path, found)
    if shape.item is not None:
        try:
            items = _decode_array(raw)
        except msgspec.ValidationError:
            items = None
        if items is not None:
            typed = [
                lenient_value(item, shape.item, (*path, i), found) for i, item in enumerate(items)
            ]
            return FAILED if any(value is FAILED for value in typed) else typed
    if shape.integer:
        value = decode_any(raw)
        if isinstance(value, float) and value.is_integer():
            return int(value)
    return FAILED


def _object(
    raw: msgspec.Raw, fields: dict[str, msgspec.Raw], shape: _Shape, path: Path, found: Found
) -> Any:
    cls = _member(fields, shape.structs)
    if cls is not None:
        decoded = issubclass(cls, Decoded)
        # A Decoded object keeps what is found inside it; anything else hands it up.
        inner = Found()
        value = struct_value(fields, cls, () if decoded else path, inner)
        if value is not FAILED:
            if decoded:
                keep_extras(value, inner.unknown, inner.invalid)
            else:
                found.take(inner)
            return value
    if shape.fallback is not None:
        return shape.fallback(decode_any(raw))
    return FAILED


def _member(
    fields: dict[str, msgspec.Raw], structs: tuple[type[msgspec.Struct], ...]
) -> type[msgspec.Struct] | None:
    """The struct the object is, by its tag; None for a tag this version does not know."""
    tag_field = structs[0].__struct_config__.tag_field
    if tag_field is None or tag_field not in fields:
        return _by_tag(structs, None)
    return _by_tag(structs, decode_any(fields[tag_field]))


def _by_tag(structs: tuple[type[msgspec.Struct], ...], tag: Any) -> type[msgspec.Struct] | None:
    # No tag at all: only a lone struct can be meant (msgspec takes a `{}` message as a
    # CustomMessage too, and writes its tag back).
    if tag is None:
        return structs[0] if len(structs) == 1 else None
    return next((cls for cls in structs if cls.__struct_config__.tag == tag), None)


def struct_value(
    fields: dict[str, msgspec.Raw], cls: type[msgspec.Struct], path: Path, found: Found
) -> Any:
    """An instance of `cls` from its fields' raw JSON (its tag already matched), or FAILED.

    Fields `cls` does not know go to `found`; then the rest is decoded whole again, and
    only if that fails is each field typed on its own.
    """
    info = _struct_info(cls)
    known = info.fields
    unknown = [key for key in fields if key not in known and key != info.tag_field]
    if unknown:
        for key in unknown:
            where = (*path, key)
            found.unknown[where] = decode_any(fields.pop(key))
        try:
            return _decoder(cls)(_encode(fields))
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
    shape = _shape(tp)
    if isinstance(value, dict) and shape.structs:
        cls = _member_of(value, shape.structs)
        if cls is None:
            return value, unknown
        info = _struct_info(cls)
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
    if isinstance(value, list) and shape.item is not None:
        items = []
        for index, item in enumerate(value):
            kept, inner = split_unknown(item, shape.item, (*path, index))
            items.append(kept)
            unknown.update(inner)
        return items, unknown
    return value, unknown


def _member_of(
    value: dict[str, Any], structs: tuple[type[msgspec.Struct], ...]
) -> type[msgspec.Struct] | None:
    tag_field = structs[0].__struct_config__.tag_field
    return _by_tag(structs, value.get(tag_field) if tag_field is not None else None)
