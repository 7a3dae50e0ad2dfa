"""Phone numbers as records: wire dicts to CSV rows and back, files to create bodies, and
`--set field=value` to update bodies. Every error names the field (and the line)."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, get_args

import msgspec

from .._lenient import split_unknown
from .._rows import convert, create_body, without_hidden
from .._secrets import redact_mapping
from .._validate import body_errors
from ..errors import FieldError, RequestValidationError
from ..models import (
    PHONE_NUMBER_CLASSES,
    UPDATE_BODIES,
    CreatePhoneNumber,
    KnownPhoneNumber,
    PhoneNumber,
    UpdatePhoneNumber,
)
from ..models._wire import nest
from ..models._wire import to_wire as wire_of

__all__ = [
    "COLUMNS",
    "UNKNOWN_COLUMN",
    "Invalid",
    "Row",
    "csv_row",
    "describe",
    "read_bodies",
    "to_wire",
    "unknown_fields",
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


# Files of bodies.


@dataclass(frozen=True)
class Row:
    """One record of an input file: its line, the mapping read, and the body it makes."""

    line: int
    data: dict[str, Any]
    body: CreatePhoneNumber
    extra: dict[str, Any]
    """The fields this version does not know (`unknown_fields`), to re-send on request."""


@dataclass(frozen=True)
class Invalid:
    """A record that makes no valid body: its line, the mapping read, and why."""

    line: int
    data: dict[str, Any]
    error: RequestValidationError


def read_bodies(path: Path, stream: IO[str]) -> Iterator[Row | Invalid]:
    """The records of a .csv or .jsonl file, one at a time, as bodies or field errors."""
    records = _csv_records(stream) if path.suffix.lower() == ".csv" else _jsonl_records(stream)
    for line, data in records:
        if isinstance(data, RequestValidationError):
            yield Invalid(line, {}, data)
            continue
        try:
            body = create_body(data, strict=path.suffix.lower() != ".csv")
            yield Row(line, data, body, unknown_fields(data))
        except RequestValidationError as error:
            yield Invalid(line, data, error)


def _csv_records(stream: IO[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(stream)
    for record in reader:
        data = {}
        for key, cell in record.items():
            if key is None or cell is None or cell == "":
                continue  # an empty cell is a field left out
            data[key] = _parse_cell(cell)
        others = data.pop(UNKNOWN_COLUMN, None)
        if isinstance(others, dict):
            data = {**others, **data}
        yield reader.line_num, data


def _parse_cell(cell: str) -> Any:
    if cell[:1] in ("{", "["):
        try:
            return msgspec.json.decode(cell)
        except msgspec.DecodeError:
            return cell  # let the model say what it expected
    return cell


def _jsonl_records(
    stream: IO[str],
) -> Iterator[tuple[int, dict[str, Any] | RequestValidationError]]:
    for line, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            data = msgspec.json.decode(text)
        except msgspec.DecodeError as exc:
            yield line, RequestValidationError([FieldError("line", f"is not JSON ({exc})")])
            continue
        if not isinstance(data, dict):
            yield line, RequestValidationError([FieldError("line", "must be a JSON object")])
            continue
        yield line, data


def unknown_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a number in wire form (an export line) that this version does not
    know, as one nested mapping: what `extra_body` re-sends when asked to.

    Fields the models know but a create body does not take (`id`, `status`...) are not
    among them; neither are fields inside a list (a hook's), which cannot be merged.
    """
    provider = data.get("provider")
    cls = PHONE_NUMBER_CLASSES.get(provider) if isinstance(provider, str) else None
    if cls is None:
        return {}
    return nest(split_unknown(without_hidden(data), cls)[1])


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
