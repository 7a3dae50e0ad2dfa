"""What the decoders need to know about a declared type: the Structs it admits, their
fields by wire name, their tags, its list item type and its fallback; computed once a type.

Shared by the item and lenient decoders (`_decode`, `_lenient`) and the readers of newer
bodies (`_novel`).
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Annotated, Any, NamedTuple, Union, get_args, get_origin

import msgspec

from .models import Decoded, Lenient, UnknownItem

__all__ = [
    "Field",
    "Shape",
    "StructInfo",
    "by_tag",
    "decode_any",
    "decoder",
    "member",
    "shape",
    "struct_info",
]

decode_any: Callable[[bytes | msgspec.Raw], Any] = msgspec.json.Decoder().decode


class Field(NamedTuple):
    name: str
    type: Any
    required: bool
    decode: Callable[[bytes | msgspec.Raw], Any]


class StructInfo(NamedTuple):
    fields: dict[str, Field]  # by wire name
    tag_field: str | None
    known: frozenset[str]  # every wire name an object of the class may carry, its tag's too
    decoded: bool  # a `Decoded` class: it keeps what is found inside it


class Shape(NamedTuple):
    """What a declared type can hold, as the decoders need it."""

    structs: tuple[type[msgspec.Struct], ...]
    item: Any  # the item type of its list member, if any
    integer: bool
    fallback: type[UnknownItem] | None
    tags: dict[bytes, type[msgspec.Struct]]  # its structs by their tag's JSON text


@functools.cache
def decoder(tp: Any) -> Callable[[bytes | msgspec.Raw], Any]:
    """A strict msgspec decoder of `tp` (its `decode` method), built once."""
    return msgspec.json.Decoder(tp).decode


@functools.cache
def struct_info(cls: type[msgspec.Struct]) -> StructInfo:
    """`cls`'s fields by wire name, and its tag field."""
    # msgspec.structs.fields evaluates the string annotations again on every call.
    fields = {
        field.encode_name: Field(field.name, field.type, field.required, decoder(field.type))
        for field in msgspec.structs.fields(cls)
    }
    tag_field = cls.__struct_config__.tag_field
    known = frozenset(fields) | ({tag_field} if tag_field is not None else set())
    return StructInfo(fields, tag_field, known, issubclass(cls, Decoded))


@functools.cache
def shape(tp: Any) -> Shape:
    """What `tp` admits: Structs (through unions, `Optional` and `Annotated`), a list."""
    structs: list[type[msgspec.Struct]] = []
    items: list[Any] = []
    integer = False
    fallback: type[UnknownItem] | None = None
    pending = [tp]
    while pending:
        current = pending.pop(0)
        origin = get_origin(current)
        if origin is Annotated:
            inner, *metadata = get_args(current)
            for marker in metadata:
                if isinstance(marker, Lenient):
                    fallback = marker.fallback
            pending.append(inner)
        elif origin is Union or origin is types.UnionType:
            pending.extend(get_args(current))
        elif origin is list:
            items.append(get_args(current)[0])
        elif isinstance(current, type) and issubclass(current, msgspec.Struct):
            structs.append(current)
        elif current is int:
            integer = True
    tags = {
        msgspec.json.encode(cls.__struct_config__.tag): cls
        for cls in structs
        if cls.__struct_config__.tag_field is not None
    }
    return Shape(tuple(structs), items[0] if items else None, integer, fallback, tags)


def member(fields: dict[str, msgspec.Raw], of: Shape) -> type[msgspec.Struct] | None:
    """The struct an object (its fields' raw JSON) is, by its tag; None for a tag this
    version does not know."""
    tag_field = of.structs[0].__struct_config__.tag_field
    raw = fields.get(tag_field) if tag_field is not None else None
    if raw is None:
        return by_tag(of.structs, None)
    found = of.tags.get(bytes(raw))
    if found is not None:
        return found
    # The tag written another way (escaped, say), or a tag this version does not know.
    return by_tag(of.structs, decode_any(raw))


def by_tag(structs: tuple[type[msgspec.Struct], ...], tag: Any) -> type[msgspec.Struct] | None:
    """The struct of `structs` whose tag is `tag`; None if there is none."""
    # No tag at all: only a lone struct can be meant (msgspec takes a `{}` message as a
    # CustomMessage too, and writes its tag back).
    if tag is None:
        return structs[0] if len(structs) == 1 else None
    return next((cls for cls in structs if cls.__struct_config__.tag == tag), None)
