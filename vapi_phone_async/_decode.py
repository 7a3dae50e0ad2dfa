"""Response decoding: one strict msgspec call, and a lenient fallback for unknown shapes.

The fast path decodes a whole body into typed Structs in one call. Only when that fails is
the body decoded as plain JSON and each item converted on its own: an unknown provider
becomes an `UnknownPhoneNumber`, an unknown nested tag (a hook, a destination, an action,
a context plan) stays in its place as an `UnknownItem`, and a value of an unexpected type is
kept as it came. Nothing the server sent is dropped, except fields this version has no
attribute for.
"""

from __future__ import annotations

import functools
import types
from typing import Any, Union, get_args, get_origin

import msgspec

from ._secrets import excerpt
from .errors import ResponseDecodeError
from .models import (
    PHONE_NUMBER_CLASSES,
    KnownPhoneNumber,
    PaginationMeta,
    PhoneNumber,
    PhoneNumberPage,
    UnknownItem,
)
from .models.phone_numbers import UnknownPhoneNumber

__all__ = ["decode_page", "decode_phone_number", "decode_phone_number_list"]

_PHONE_NUMBER = msgspec.json.Decoder(KnownPhoneNumber)
_PHONE_NUMBER_LIST = msgspec.json.Decoder(list[KnownPhoneNumber])
_PAGE = msgspec.json.Decoder(PhoneNumberPage)
_ANY = msgspec.json.Decoder()


def decode_phone_number(data: bytes) -> PhoneNumber:
    """Decode one phone number (the body of create, get, update, delete)."""
    try:
        number: PhoneNumber = _PHONE_NUMBER.decode(data)
        return number
    except msgspec.ValidationError:
        raw = _decode_any(data)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise ResponseDecodeError(f"invalid JSON ({exc})", excerpt(data)) from None
    # Outside the handler, as in the decoders below: a ResponseDecodeError raised by the
    # fallback does not drag the fast path's ValidationError along as its context.
    return _lenient_phone_number(raw, data)


def decode_phone_number_list(data: bytes) -> list[PhoneNumber]:
    """Decode the JSON array of `GET /phone-number`."""
    try:
        return list(_PHONE_NUMBER_LIST.decode(data))
    except msgspec.ValidationError:
        items = _decode_any(data)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise ResponseDecodeError(f"invalid JSON ({exc})", excerpt(data)) from None
    if not isinstance(items, list):
        raise ResponseDecodeError("expected a JSON array of phone numbers", excerpt(data))
    return [_lenient_phone_number(item, data) for item in items]


def decode_page(data: bytes) -> PhoneNumberPage:
    """Decode a `/v2/phone-number` page (`results` and `metadata`)."""
    try:
        return _PAGE.decode(data)
    except msgspec.ValidationError:
        raw = _decode_any(data)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise ResponseDecodeError(f"invalid JSON ({exc})", excerpt(data)) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("results"), list):
        raise ResponseDecodeError("expected an object with a `results` array", excerpt(data))
    try:
        metadata = msgspec.convert(raw.get("metadata"), PaginationMeta)
    except msgspec.ValidationError as exc:
        raise ResponseDecodeError(f"bad page metadata ({exc})", excerpt(data)) from None
    results = [_lenient_phone_number(item, data) for item in raw["results"]]
    return PhoneNumberPage(results=results, metadata=metadata)


def _decode_any(data: bytes) -> Any:
    try:
        return _ANY.decode(data)
    except (msgspec.DecodeError, RecursionError) as exc:
        # The typed decode sees invalid JSON first; nesting too deep for msgspec to build
        # can pass it (it fails on the first item's type) and stop here.
        raise ResponseDecodeError(f"invalid JSON ({exc})", excerpt(data)) from None


def _lenient_phone_number(item: Any, data: bytes) -> PhoneNumber:
    if not (
        isinstance(item, dict)
        and isinstance(item.get("id"), str)
        and isinstance(item.get("provider"), str)
    ):
        raise ResponseDecodeError(
            "not a phone number (an object with string `id` and `provider`)", excerpt(data)
        )
    cls = PHONE_NUMBER_CLASSES.get(item["provider"])
    if cls is None:
        return UnknownPhoneNumber(item)
    # Most items of a page that fell back are valid: one convert types them whole.
    number: PhoneNumber = _lenient(item, cls)
    return number


def _lenient(value: Any, tp: Any) -> Any:
    """Convert `value` to `tp` where possible; keep what cannot be typed as raw data."""
    try:
        return msgspec.convert(value, tp)
    except msgspec.ValidationError:
        pass
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return _lenient_struct(value, tp)
    origin = get_origin(tp)
    if origin is Union or origin is types.UnionType:
        return _lenient_union(value, get_args(tp))
    if origin is list and isinstance(value, list):
        (item_type,) = get_args(tp)
        return [_lenient(item, item_type) for item in value]
    return value


def _lenient_struct(value: Any, cls: type[msgspec.Struct]) -> Any:
    if not isinstance(value, dict):
        return value
    kwargs = {
        field.name: _lenient(value[field.encode_name], field.type)
        for field in _fields(cls)
        if field.encode_name in value
    }
    try:
        return cls(**kwargs)
    except TypeError:  # a required field is missing: keep the object as it came
        return UnknownItem(value)


@functools.cache
def _fields(cls: type[msgspec.Struct]) -> tuple[msgspec.structs.FieldInfo, ...]:
    # msgspec.structs.fields evaluates the string annotations again on every call.
    return msgspec.structs.fields(cls)


def _lenient_union(value: Any, members: tuple[Any, ...]) -> Any:
    if isinstance(value, list):
        lists = [m for m in members if get_origin(m) is list]
        return _lenient(value, lists[0]) if lists else value
    structs = [m for m in members if isinstance(m, type) and issubclass(m, msgspec.Struct)]
    if not isinstance(value, dict) or not structs:
        return value
    tag_field = structs[0].__struct_config__.tag_field
    if tag_field is None:
        return _lenient_struct(value, structs[0])
    for member in structs:
        if member.__struct_config__.tag == value.get(tag_field):
            return _lenient_struct(value, member)
    return UnknownItem(value)
