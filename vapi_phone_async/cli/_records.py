"""Phone numbers as records: wire dicts, CSV rows and their columns, and a validation
error on one line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

import msgspec

from .._cells import cell_text
from .._secrets import redact_mapping
from .._wire import to_wire as wire_of
from ..errors import RequestValidationError
from ..models import (
    CreatePhoneNumber,
    KnownPhoneNumber,
    PhoneNumber,
)

__all__ = [
    "COLUMNS",
    "UNKNOWN_COLUMN",
    "csv_row",
    "describe",
    "to_wire",
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
    """A wire mapping as CSV cells that read back the same (`rows.read`): nested values as
    JSON, booleans as true/false, text a spreadsheet would run as a formula behind a `'`
    (see `_cells`), and the fields without a column of their own together in
    `UNKNOWN_COLUMN`. A null is an empty cell."""
    cells = {
        key: cell_text(value)
        for key, value in data.items()
        if key in _KNOWN_COLUMNS and value is not None
    }
    others = {key: value for key, value in data.items() if key not in _KNOWN_COLUMNS}
    if others:
        cells[UNKNOWN_COLUMN] = cell_text(others)
    return cells


def describe(error: RequestValidationError) -> str:
    """Every broken rule of `error` on one line: `field rule; field rule`."""
    return "; ".join(str(item) for item in error.errors)
