"""Response decoding: one strict msgspec call; a newer body's new fields set aside and the
rest still typed strictly; and a lenient fallback that loses nothing.

The fast path decodes a whole body into typed Structs in one call. The models forbid
unknown fields, so it succeeds only for a body this version knows entirely. A body that
only adds fields (what a newer Vapi sends) is typed the same way once they are cut out
(`_novel`): they are kept beside their object (`unknown_fields`). Anything else (a new
provider, tag or enum member, a value of an unexpected type) takes the lenient path
(`_lenient`), item by item: each item that can be typed whole still is, and the others
are typed part by part. No object is built with a field that breaks its annotation, and
what could not be typed is kept: beside its object (`unknown_fields`, `invalid_fields`),
or whole as an `UnknownPhoneNumber` or `UnknownItem`.
"""

from __future__ import annotations

import msgspec

from ._kept import keep_extras
from ._lenient import FAILED, Found, lenient_value, struct_value
from ._novel import decode_newer
from ._secrets import excerpt
from ._shapes import decode_any, member, shape
from .errors import ResponseDecodeError
from .models import (
    KnownPhoneNumber,
    PaginationMeta,
    PhoneNumber,
    PhoneNumberPage,
    UnknownPhoneNumber,
)

__all__ = ["decode_page", "decode_phone_number", "decode_phone_number_list"]

_PHONE_NUMBER = msgspec.json.Decoder(KnownPhoneNumber)
_PHONE_NUMBER_LIST = msgspec.json.Decoder(list[KnownPhoneNumber])
_PAGE = msgspec.json.Decoder(PhoneNumberPage)
_OBJECT = msgspec.json.Decoder(dict[str, msgspec.Raw])
_ARRAY = msgspec.json.Decoder(list[msgspec.Raw])
_PAGE_FIELDS = frozenset({"results", "metadata"})
_ITEM = shape(KnownPhoneNumber)


def decode_phone_number(data: bytes) -> PhoneNumber:
    """Decode one phone number (the body of create, get, update, delete).

    Raises `ResponseDecodeError` if the body is not JSON, or not an object with a string
    `id` and `provider` (a number from an unknown provider is an `UnknownPhoneNumber`).
    """
    try:
        number: PhoneNumber = _PHONE_NUMBER.decode(data)
        return number
    except msgspec.ValidationError as exc:
        error = exc
    except (msgspec.DecodeError, RecursionError) as exc:
        raise _invalid_json(exc, data) from None
    newer: PhoneNumber | None = decode_newer(data, KnownPhoneNumber, error)
    if newer is not None:
        return newer
    # Outside the handler, as below: a ResponseDecodeError raised by the fallback does not
    # drag the fast path's ValidationError along as its context.
    try:
        number = _item(msgspec.Raw(data))
    except (msgspec.DecodeError, RecursionError) as exc:  # broken past the fast path's stop
        raise _invalid_json(exc, data) from None
    if isinstance(number, UnknownPhoneNumber) and not number.readable:
        raise ResponseDecodeError(
            "not a phone number (an object with string `id` and `provider`)", excerpt(data)
        )
    return number


def decode_phone_number_list(data: bytes) -> list[PhoneNumber]:
    """Decode the JSON array of `GET /phone-number`.

    An item that cannot be identified is kept as an `UnknownPhoneNumber` whose `readable`
    is False (count them with `models.count_unreadable`); the other items stay typed.
    """
    try:
        return list(_PHONE_NUMBER_LIST.decode(data))
    except msgspec.ValidationError as exc:
        error = exc
    except (msgspec.DecodeError, RecursionError) as exc:
        raise _invalid_json(exc, data) from None
    newer: list[PhoneNumber] | None = decode_newer(data, list[KnownPhoneNumber], error)
    if newer is not None:
        return newer
    try:
        items = _ARRAY.decode(data)
    except msgspec.ValidationError:
        items = None
    except (msgspec.DecodeError, RecursionError) as exc:
        raise _invalid_json(exc, data) from None
    if items is None:
        raise ResponseDecodeError("expected a JSON array of phone numbers", excerpt(data))
    try:
        return _items(items)
    except RecursionError as exc:
        raise _invalid_json(exc, data) from None


def decode_page(data: bytes) -> PhoneNumberPage:
    """Decode a `/v2/phone-number` page (`results` and `metadata`).

    Unreadable items are kept as in `decode_phone_number_list` (`page.unreadable` counts
    them). Metadata that is missing or unusable decodes as None fields (kept raw in
    `page.invalid_fields`), so a walk goes on by the short-page rule. Raises
    `ResponseDecodeError` only if the body is not JSON or has no `results` array.
    """
    try:
        return _PAGE.decode(data)
    except msgspec.ValidationError as exc:
        error = exc
    except (msgspec.DecodeError, RecursionError) as exc:
        raise _invalid_json(exc, data) from None
    newer: PhoneNumberPage | None = decode_newer(data, PhoneNumberPage, error)
    if newer is not None:
        return newer
    try:
        fields = _OBJECT.decode(data)
        items = _ARRAY.decode(fields["results"])
    except (msgspec.ValidationError, KeyError):
        items = None
    except (msgspec.DecodeError, RecursionError) as exc:
        raise _invalid_json(exc, data) from None
    if items is None:
        raise ResponseDecodeError("expected an object with a `results` array", excerpt(data))
    try:
        return _page(fields, items)
    except RecursionError as exc:
        raise _invalid_json(exc, data) from None


def _page(fields: dict[str, msgspec.Raw], items: list[msgspec.Raw]) -> PhoneNumberPage:
    found = Found()
    found.unknown.update(
        {(key,): decode_any(raw) for key, raw in fields.items() if key not in _PAGE_FIELDS}
    )
    metadata = _metadata(fields.get("metadata"), found)
    page = PhoneNumberPage(results=_items(items), metadata=metadata)
    keep_extras(page, found.unknown, found.invalid)
    return page


def _invalid_json(exc: Exception, data: bytes) -> ResponseDecodeError:
    # RecursionError too: nesting too deep for msgspec to build can pass the typed decode
    # (it fails on the first item's type) and stop the lenient one.
    return ResponseDecodeError(f"invalid JSON ({exc})", excerpt(data))


def _items(items: list[msgspec.Raw]) -> list[PhoneNumber]:
    # An item is tried whole first even after one that was not: what breaks one item
    # (a new provider, a mistyped value) fails its strict decode early and cheaply, and
    # what Vapi adds to every item (new fields) no longer needs the lenient decoder.
    numbers: list[PhoneNumber] = []
    for raw in items:
        number = _whole(raw)
        numbers.append(_item(raw) if number is None else number)
    return numbers


def _whole(raw: msgspec.Raw) -> PhoneNumber | None:
    """One listed item typed whole, its unknown fields kept; None if it needs repair."""
    try:
        number: PhoneNumber = _PHONE_NUMBER.decode(raw)
        return number
    except msgspec.ValidationError as error:
        newer: PhoneNumber | None = decode_newer(raw, KnownPhoneNumber, error)
        return newer


def _item(raw: msgspec.Raw) -> PhoneNumber:
    """One listed item typed part by part, else kept whole as an UnknownPhoneNumber."""
    try:
        fields = _OBJECT.decode(raw)
    except msgspec.ValidationError:
        return UnknownPhoneNumber.of(decode_any(raw))
    cls = member(fields, _ITEM)
    if cls is not None:
        found = Found()
        value = struct_value(fields, cls, (), found)
        if value is not FAILED:
            keep_extras(value, found.unknown, found.invalid)
            return value  # type: ignore[no-any-return]
    return UnknownPhoneNumber.of(decode_any(raw))


def _metadata(raw: msgspec.Raw | None, found: Found) -> PaginationMeta:
    if raw is None:
        return PaginationMeta()
    value = lenient_value(raw, PaginationMeta, ("metadata",), found)
    if value is FAILED:
        found.invalid[("metadata",)] = decode_any(raw)
        return PaginationMeta()
    return value  # type: ignore[no-any-return]
