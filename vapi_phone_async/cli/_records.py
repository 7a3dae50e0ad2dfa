"""Phone numbers as records: wire dicts to CSV rows and back, files to create bodies, and
`--set field=value` to update bodies. Every error names the field (and the line)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, get_args

import msgspec

from .._secrets import redact_mapping
from .._validate import body_errors, convert
from .._wire import to_wire as wire_of
from ..errors import FieldError, RequestValidationError
from ..models import (
    UPDATE_BODIES,
    CreatePhoneNumber,
    KnownPhoneNumber,
    PhoneNumber,
    UpdatePhoneNumber,
)

__all__ = [
    "COLUMNS",
    "UNKNOWN_COLUMN",
    "csv_row",
    "describe",
    "to_wire",
    "update_body",
    "update_class",
    "wire_body",
]

_FIRST = ("id", "provider", "number", "sipUri", "name", "status")
_LAST = ("createdAt", "updatedAt")


def _columns() -> tuple[str, ...]:
    # Derived from the models, so a field added to a resource gets its column.
    names: list[str] = []
    for cls in get_args(KnownPhoneNumber):
        for field in msgspec.structs.fields(cls):
            if field.encode_name not in names:
                names.append(field.encode_name)
    middle = [name for name in names if name not in _FIRST + _LAST]
    return (*_FIRST, *middle, *_LAST, UNKNOWN_COLUMN)


UNKNOWN_COLUMN = "unknownFields"
"""The CSV column holding, as one JSON object, the top-level fields this version does not
know (fields it knows keep their own columns; nested ones stay in their parent's cell)."""
COLUMNS = _columns()
"""The CSV columns of a phone number; nested objects are JSON in their cell."""
_KNOWN_COLUMNS = frozenset(COLUMNS) - {UNKNOWN_COLUMN}


# Wire dicts.


def to_wire(number: PhoneNumber, *, show_secrets: bool = False) -> dict[str, Any]:
    """A number as its JSON mapping, the fields this version does not know (and values
    its fields could not hold) included where the server sent them; secret values are
    `<set>` unless `show_secrets`."""
    # to_builtins writes the provider tag first, as the wire does.
    wire = wire_of(number)
    data: dict[str, Any] = wire if isinstance(wire, dict) else {}  # an item not even an object
    return data if show_secrets else redact_mapping(data)


def wire_body(body: CreatePhoneNumber) -> dict[str, Any]:
    """A create body as its JSON mapping (what a file of bodies holds)."""
    data: dict[str, Any] = msgspec.to_builtins(body)
    return data


def csv_row(data: Mapping[str, Any]) -> dict[str, str]:
    """A wire mapping as CSV cells: nested values as JSON, booleans as true/false, and
    the fields without a column of their own together in `UNKNOWN_COLUMN`."""
    cells = {key: _cell(v) for key, v in data.items() if key in _KNOWN_COLUMNS and v is not None}
    others = {key: value for key, value in data.items() if key not in _KNOWN_COLUMNS}
    if others:
        cells[UNKNOWN_COLUMN] = _cell(others)
    return cells


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return msgspec.json.encode(value).decode()
    return str(value)


def describe(error: RequestValidationError) -> str:
    """Every broken rule of `error` on one line: `field rule; field rule`."""
    return "; ".join(str(item) for item in error.errors)


# Update bodies.


def update_class(provider: str) -> type[UpdatePhoneNumber]:
    """The update body for numbers of `provider`."""
    try:
        return UPDATE_BODIES[provider]
    except KeyError:
        raise RequestValidationError(
            [FieldError("provider", f"numbers of provider {provider!r} cannot be updated here")]
        ) from None


def update_body(
    cls: type[UpdatePhoneNumber],
    sets: Sequence[str] = (),
    unsets: Sequence[str] = (),
    data: Mapping[str, Any] | None = None,
) -> UpdatePhoneNumber:
    """An update body from `field=value` strings, fields to clear, and/or a mapping.

    Fields are wire names (`assistantId`) or attribute names (`assistant_id`). A value is
    taken as a string where the field takes one, else as JSON (`true`, `{"url": ...}`).
    """
    fields = {field.encode_name: field for field in msgspec.structs.fields(cls)}
    by_name = {field.name: field.encode_name for field in fields.values()}
    values: dict[str, Any] = {"provider": cls.__struct_config__.tag, **(data or {})}

    def wire_name(name: str) -> str:
        name = by_name.get(name, name)
        if name not in fields:
            raise RequestValidationError(
                [FieldError(name, f"is not a field of {cls.__struct_config__.tag} numbers")]
            )
        return name

    for assignment in sets:
        name, equals, raw = assignment.partition("=")
        if not equals:
            raise RequestValidationError([FieldError(name, "must be given as field=value")])
        name = wire_name(name.strip())
        values[name] = _typed(cls, name, raw)
    for name in unsets:
        values[wire_name(name.strip())] = None
    body: UpdatePhoneNumber = convert(values, cls)
    errors = body_errors(body)
    if errors:
        raise RequestValidationError(errors)
    return body


def _typed(cls: type[Any], name: str, raw: str) -> Any:
    """`raw` as a string if the field takes one, else decoded as JSON."""
    try:
        msgspec.convert({name: raw}, cls)
        return raw
    except msgspec.ValidationError:
        pass
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return raw  # convert() will name the field and the type it expects
