"""CSV cells and the values of a number, both ways: how a cell is read, and how a value is
written so that it reads back the same and a spreadsheet never runs it as a formula.

Reading a cell (`read_cells`, one row at a time):

- an empty cell is a field left out (the number keeps what it has);
- `null` is null (it clears the field);
- a cell starting with `{`, `[` or `"` is JSON when it parses as JSON (`""` is the empty
  string), else text;
- a `'` before `=`, `+`, `-`, `@`, a tab, a carriage return or another `'` is the mark an
  export puts there (see below), and is dropped;
- `true`, `false` and numbers are typed for the fields that take them (`smsEnabled`),
  and stay text in the others (a name `20` is the text `20`).

Writing a value (`cell_text`): text that a spreadsheet would run as a formula (it starts
with `=`, `+`, `-`, `@`, a tab or a carriage return, as OWASP's CSV injection guidance
lists them) gets a `'` in front, and so does text that starts with `'`, so that reading
it drops exactly the `'` the export added. A `+` followed by digits only (`+14155550100`)
is a phone number, not a formula: it is written as it is. Text that would read back as
something else (``, `null`, text starting with `{`, `[` or `"`) is written as a JSON
string (`""`, `"null"`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, get_args

import msgspec

from .models import UPDATE_BODIES

__all__ = ["FORMULA_STARTS", "cell_text", "read_cells"]

FORMULA_STARTS = frozenset("=+-@\t\r")
"""What a cell a spreadsheet runs as a formula starts with (OWASP's list)."""
_MARK = "'"
_ESCAPED = FORMULA_STARTS | {_MARK}
_JSON_STARTS = frozenset('{["')

_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode


def cell_text(value: Any) -> str:
    """`value` as the text of a CSV cell that reads back as `value` (see the module
    docstring); objects and lists as JSON, booleans as `true`/`false`."""
    if isinstance(value, str):
        if value in ("", "null") or value[0] in _JSON_STARTS:
            return _encode(value).decode()
        if value[0] in _ESCAPED and not _phone_number(value):
            return _MARK + value
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return _encode(value).decode()
    return str(value)


def _phone_number(text: str) -> bool:
    digits = text[1:]
    return text[0] == "+" and digits.isascii() and digits.isdigit()


def read_cells(cells: Mapping[str, Any]) -> dict[str, Any]:
    """A row of CSV cells in wire form: each text cell read (see the module docstring),
    empty ones left out; a value that is not text is kept as it is."""
    data: dict[str, Any] = {}
    for key, cell in cells.items():
        if not isinstance(cell, str):
            if cell is not None:  # csv.DictReader's value of a missing cell
                data[key] = cell
        elif cell != "":
            data[key] = _read(cell)
    return _typed(data)


def _read(cell: str) -> Any:
    if cell == "null":
        return None
    if cell[0] in _JSON_STARTS:
        try:
            return _decode(cell)
        except msgspec.DecodeError:
            return cell  # text after all; the model says what it expected, if not text
    if cell[0] == _MARK and cell[1:2] in _ESCAPED:
        return cell[1:]
    return cell


def _typed(data: dict[str, Any]) -> dict[str, Any]:
    """The row with its text in the types of its provider's fields, where it converts
    (`"true"` to True); text that does not stays as written, for the rules to name."""
    provider = data.get("provider")
    if not isinstance(provider, str) or provider not in UPDATE_BODIES:
        return data
    cls = UPDATE_BODIES[provider]
    fields = _typed_fields(provider)
    for key, value in data.items():
        if key in fields and isinstance(value, str):
            try:
                one = msgspec.convert({"provider": provider, key: value}, cls, strict=False)
            except msgspec.ValidationError:
                continue
            data[key] = msgspec.to_builtins(one)[key]
    return data


@functools.cache
def _typed_fields(provider: str) -> frozenset[str]:
    """The wire names of the fields of `provider` numbers that do not hold text."""
    fields = msgspec.structs.fields(UPDATE_BODIES[provider])
    return frozenset(f.encode_name for f in fields if str not in get_args(f.type))
