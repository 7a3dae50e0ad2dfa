"""Input files of numbers (`.csv`, `.jsonl`, or `-` for standard input): read whole and
checked before anything is sent, or refused with one line naming the file, the line and
the problem (exit 2), never a traceback.

What is checked: the encoding (UTF-8, with or without a byte-order mark; UTF-16 and binary
files are named as such), each line (CSV syntax, a field over 128 KiB, JSON), the header
of a CSV (it needs a `provider` column), and that there is at least one row. CSV cells
are read into the types of the provider's fields (`true`, `20`, JSON objects), so that a
row compares with a number the way its JSON would.
"""

from __future__ import annotations

import csv
import functools
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import click
import msgspec

from ..models import UPDATE_BODIES

__all__ = ["FORMATS", "InputFile", "InputFileError", "Record", "read_input"]

Format = Literal["csv", "jsonl"]
FORMATS = ("csv", "jsonl")
_FIELD_LIMIT = 128 * 1024


class InputFileError(click.ClickException):
    """An input file that cannot be read: exit 2, one line, no traceback."""

    exit_code = 2


@dataclass(frozen=True)
class Record:
    """One row: its line in the file, the data as written (to write a failure back), and
    the row in wire form (CSV cells typed), or why it is not one."""

    line: int
    raw: dict[str, Any]
    data: dict[str, Any] | None
    problem: str | None = None


@dataclass(frozen=True)
class InputFile:
    """A file read whole: its name as given, its format, its CSV header, its rows."""

    name: str
    format: Format
    header: list[str] | None
    records: list[Record]

    @property
    def path(self) -> Path | None:
        """The file, or None for standard input."""
        return None if self.name == "-" else Path(self.name)


def read_input(name: str, format: Format | None = None) -> InputFile:
    """Read `name` (a path, or `-` for standard input) as CSV or JSON lines: by `format`,
    else by its suffix (`-` is JSON lines, as `export -` writes). Raises `InputFileError`."""
    kind = format or _format_of(name)
    text = _text(name)
    records, header = _csv(name, text) if kind == "csv" else (_jsonl(name, text), None)
    if not records:
        what = "has a header and no rows" if header else "is empty"
        raise InputFileError(f"{_shown(name)} {what}: nothing to do")
    return InputFile(name, kind, header, records)


def _format_of(name: str) -> Format:
    if name == "-":
        return "jsonl"
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".jsonl":
        return "jsonl"
    raise InputFileError(f"{name}: must end in .csv or .jsonl (or give --format)")


def _shown(name: str) -> str:
    return "standard input" if name == "-" else name


def _text(name: str) -> str:
    try:
        data = _stdin_bytes() if name == "-" else Path(name).read_bytes()
    except OSError as error:
        raise InputFileError(f"{name}: {error.strerror or error}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFileError(f"{_shown(name)} is UTF-16: save it as UTF-8")
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark, as spreadsheets write, is fine
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputFileError(
            f"{_shown(name)}: line {line}: not UTF-8 text (byte {data[error.start]:#04x}): "
            "is it a binary file, or saved in another encoding?"
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputFileError(f"{_shown(name)}: line {line}: a NUL byte: is it a binary file?")
    return text


def _stdin_bytes() -> bytes:
    binary = getattr(sys.stdin, "buffer", None)  # a text stream put in its place has none
    return binary.read() if binary is not None else sys.stdin.read().encode()


def _csv(name: str, text: str) -> tuple[list[Record], list[str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    previous = csv.field_size_limit(_FIELD_LIMIT)
    try:
        header = list(reader.fieldnames or [])
        if not header:
            return [], []
        if "provider" not in header:
            shown = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
            raise InputFileError(
                f"{_shown(name)}: line 1: the header has no `provider` column (it has: {shown})"
            )
        records = [_csv_record(reader.line_num, row) for row in _rows(name, reader)]
    finally:
        csv.field_size_limit(previous)
    return records, header


def _rows(name: str, reader: csv.DictReader[str]) -> Iterator[dict[str | Any, str | Any]]:
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problem = str(error)
            if "field larger than field limit" in problem:
                problem = f"a field longer than {_FIELD_LIMIT:,} characters"
            raise InputFileError(f"{_shown(name)}: line {reader.line_num}: {problem}") from None
        yield row


def _csv_record(line: int, row: dict[str | Any, str | Any]) -> Record:
    raw = {key: value for key, value in row.items() if isinstance(key, str)}
    data: dict[str, Any] = {}
    for key, cell in raw.items():
        if isinstance(cell, str) and cell != "":  # an empty cell is a field left out
            data[key] = _cell(cell)
    return Record(line, raw, _typed(data))


def _cell(cell: str) -> Any:
    if cell[:1] in ("{", "["):
        try:
            return msgspec.json.decode(cell)
        except msgspec.DecodeError:
            return cell  # let the model say what it expected
    return cell


def _typed(data: dict[str, Any]) -> dict[str, Any]:
    """The row with its cells in the types of its provider's fields, where they convert
    (`"true"` to True); a cell that does not stays as written, for the rules to name."""
    provider = data.get("provider")
    if provider not in UPDATE_BODIES:
        return data
    cls = UPDATE_BODIES[provider]
    fields = _typed_fields(provider)
    typed = dict(data)
    for key, value in data.items():
        if key in fields and isinstance(value, str):
            try:
                one = msgspec.convert({"provider": data["provider"], key: value}, cls, strict=False)
            except msgspec.ValidationError:
                continue
            typed[key] = msgspec.to_builtins(one)[key]
    return typed


@functools.cache
def _typed_fields(provider: str) -> frozenset[str]:
    """The wire names of the fields of `provider` numbers that do not hold a string."""
    fields = msgspec.structs.fields(UPDATE_BODIES[provider])
    return frozenset(f.encode_name for f in fields if str not in get_args(f.type))


def _jsonl(name: str, text: str) -> list[Record]:
    records = []
    for line, content in enumerate(text.splitlines(), start=1):
        if not content.strip():
            continue
        if len(content) > _FIELD_LIMIT * 8:
            raise InputFileError(f"{_shown(name)}: line {line}: a line over 1 MiB")
        try:
            data = msgspec.json.decode(content)
        except msgspec.DecodeError as error:
            # Kept whole, so the failures file loses nothing of it.
            records.append(Record(line, {"invalidLine": content}, None, f"not JSON ({error})"))
            continue
        if not isinstance(data, dict):
            records.append(Record(line, {"invalidLine": content}, None, "not a JSON object"))
            continue
        records.append(Record(line, data, data))
    return records
