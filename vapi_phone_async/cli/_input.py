"""Input files of numbers (`.csv`, `.jsonl`, `.json`, or `-` for standard input): read
whole by `rows.read` and checked before anything is sent, or refused with one line naming
the file, the line and the problem (exit 2), never a traceback.

What is checked (see `vapi_phone_async.rows`): the encoding (UTF-8, with or without a
byte-order mark; UTF-16 and binary files are named as such), each line (CSV syntax, a
field over 128 KiB, JSON), the header of a CSV (it needs a `provider` column, its cells
separated by `,`, `;` or a tab), and that there is at least one row.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..errors import UnreadableFileError
from ..rows import FORMATS, Format, Row, format_of, read

__all__ = ["FORMATS", "InputFile", "InputFileError", "Record", "read_input"]


class InputFileError(click.ClickException):
    """An input file that cannot be read: exit 2, one line, no traceback."""

    exit_code = 2


@dataclass(frozen=True)
class Record:
    """One row: its line in the file, the data as written (to write a failure back), and
    the row in wire form (CSV cells read), or why it is not one."""

    line: int
    raw: dict[str, Any]
    data: Row | None
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
    """Read `name` (a path, or `-` for standard input) as CSV, JSON lines or JSON: by
    `format`, else by its suffix (`-` is JSON lines, as `export -` writes). Raises
    `InputFileError`."""
    kind = format or ("jsonl" if name == "-" else format_of(name))
    if kind is None:
        raise InputFileError(f"{name}: must end in .csv, .jsonl or .json (or give --format)")
    shown = "standard input" if name == "-" else name
    try:
        data = _stdin_bytes() if name == "-" else Path(name).read_bytes()
    except OSError as error:
        raise InputFileError(f"{name}: {error.strerror or error}") from None
    try:
        records = [
            Record(row.line or 0, row.raw, None if row.problem else row, row.problem)
            for row in read(io.BytesIO(data), format=kind)
        ]
    except UnreadableFileError as error:
        where = f": line {error.line}" if error.line is not None else ""
        raise InputFileError(f"{shown}{where}: {error.problem}") from None
    if not records:
        what = "has a header and no rows" if kind == "csv" and data.strip() else "is empty"
        raise InputFileError(f"{shown} {what}: nothing to do")
    header = list(records[0].raw) if kind == "csv" else None
    return InputFile(name, kind, header, records)


def _stdin_bytes() -> bytes:
    binary = getattr(sys.stdin, "buffer", None)  # a text stream put in its place has none
    return binary.read() if binary is not None else sys.stdin.read().encode()
