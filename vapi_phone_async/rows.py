"""Rows of numbers from files: CSV, JSON lines and JSON read as `vapi-phone import` and
`sync` read them, each row with its line in the file.

    from vapi_phone_async import rows

    plan = await client.sync(rows.read("numbers.csv"))
    for invalid in plan.invalid:
        print(f"line {invalid.line}: {invalid.reason}")

A `Row` is a dict in wire form (camelCase keys, as an export writes them): what
`client.sync`, `client.bulk_import` (through `bulk.create_body`) and `plan_sync` take.
It also knows its `line` (where it starts in the file; a CSV's header is line 1), `raw`
(the row as written) and `problem` (why a line is not a row: a JSON line that is not an
object; such a row is empty, and a sync reports it invalid with that reason).

A CSV's cells are read as the command line reads them (`read_cells`): an empty
cell is a field left out, `null` clears the field, a cell of JSON (`{...}`, `[...]`,
`"..."`) is that JSON, `""` is the empty string, `true`/`20` are typed where the field
takes them, and the `'` an export puts before text a spreadsheet would run as a formula
is dropped. The header needs a `provider` column; cells may be separated by `,`, `;` or
a tab (the one that finds `provider` in the header). JSON lines and JSON rows are taken
as they are: there, `""` is the empty string and `null` clears.

The file is read whole: UTF-8, with or without a byte-order mark. UTF-16, a binary file,
a CSV without a `provider` column, a CSV field over `csv.field_size_limit()` (128 KiB by
default) and a JSON line over 1 MiB raise `UnreadableFileError`, naming the line.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Literal

import msgspec

from ._cells import read_cells
from ._secrets import redact_mapping as _redact
from .errors import UnreadableFileError

__all__ = ["FORMATS", "Format", "Row", "UnreadableFileError", "format_of", "read", "read_cells"]

Format = Literal["csv", "jsonl", "json"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl", "json")
_SUFFIXES: dict[str, Format] = {".csv": "csv", ".jsonl": "jsonl", ".json": "json"}
_DELIMITERS = (",", ";", "\t")
_LINE_LIMIT = 1 << 20
_SPACE = re.compile(r"\s*")


class Row(dict[str, Any]):
    """One row in wire form, with its `line` in the file (None when it has none), `raw`
    (as written: a CSV's cells as text, every column of the header; a JSON object as it
    is; `{"invalidLine": text}` for a line that is not JSON) and `problem` (None, or why
    the line is not a row: the row is then empty)."""

    __slots__ = ("line", "problem", "raw")

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        line: int | None = None,
        raw: Mapping[str, Any] | None = None,
        problem: str | None = None,
    ) -> None:
        super().__init__(data or {})
        self.line = line
        self.raw: dict[str, Any] = dict(raw) if raw is not None else dict(self)
        self.problem = problem

    def __repr__(self) -> str:
        shown = self.problem if self.problem is not None else _redact(dict(self))
        return f"Row(line={self.line}, {shown!r})"


def format_of(name: str | os.PathLike[str]) -> Format | None:
    """The format a file's name says (`.csv`, `.jsonl`, `.json`), or None."""
    return _SUFFIXES.get(Path(name).suffix.lower())


def read(
    source: str | os.PathLike[str] | IO[str] | IO[bytes], *, format: Format | None = None
) -> Iterator[Row]:
    """The rows of `source` (a path, or an open file, text or binary), in file order.

    `format` is `"csv"`, `"jsonl"` or `"json"` (an array of objects); by default the
    file's suffix says. The file is read and its header checked at once; the rows come
    as the iterator is consumed. Raises `UnreadableFileError` (naming the line) for a
    file that is not one of rows, `OSError` for one that cannot be opened.
    """
    name = _name_of(source)
    kind = format or format_of(name)
    if kind not in FORMATS:
        raise UnreadableFileError(name, "say its format: .csv, .jsonl or .json, or format=")
    text = _text(source, name)
    if kind == "csv":
        return _csv(name, text)
    if kind == "json":
        return iter(_json(name, text))
    return _jsonl(name, text)


def _name_of(source: Any) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "the file"


def _text(source: Any, name: str) -> str:
    if isinstance(source, (str, os.PathLike)):
        data: str | bytes = Path(source).read_bytes()
    else:
        data = source.read()
    if isinstance(data, str):
        text = data.removeprefix("\ufeff")
    else:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise UnreadableFileError(name, "UTF-16 text: save it as UTF-8")
        try:
            text = data.decode("utf-8-sig")  # a byte-order mark, as spreadsheets write, is fine
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            problem = (
                f"not UTF-8 text (byte {data[error.start]:#04x}): is it a binary file, or "
                "saved in another encoding?"
            )
            raise UnreadableFileError(name, problem, line) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise UnreadableFileError(name, "a NUL byte: is it a binary file?", line)
    return text


# CSV


def _csv(name: str, text: str) -> Iterator[Row]:
    first = text.split("\n", 1)[0]
    delimiter = _delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = _next(name, reader)
    while header == []:
        header = _next(name, reader)
    if header is None:
        return iter(())
    if "provider" not in header:
        shown = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
        problem = f"the header has no `provider` column (it has: {shown})"
        raise UnreadableFileError(name, problem, reader.line_num)
    return _csv_rows(name, reader, header)


def _delimiter(first: str) -> str:
    for delimiter in _DELIMITERS:
        if "provider" in next(csv.reader([first], delimiter=delimiter), []):
            return delimiter
    return ","


def _csv_rows(name: str, reader: Any, header: list[str]) -> Iterator[Row]:
    while True:
        line = reader.line_num + 1  # where the next record starts
        cells = _next(name, reader)
        if cells is None:
            return
        if not cells:
            continue  # a blank line
        raw = {key: cells[i] if i < len(cells) else "" for i, key in enumerate(header)}
        yield Row(read_cells(raw), line=line, raw=raw)


def _next(name: str, reader: Any) -> list[str] | None:
    try:
        cells: list[str] = next(reader)
    except StopIteration:
        return None
    except csv.Error as error:
        problem = str(error)
        if "field larger than field limit" in problem:
            problem = f"a field longer than {csv.field_size_limit():,} characters"
        # line_num counts the lines read, the one that failed included.
        raise UnreadableFileError(name, problem, reader.line_num) from None
    return cells


# JSON lines and JSON


def _jsonl(name: str, text: str) -> Iterator[Row]:
    for line, content in enumerate(io.StringIO(text, newline=None), start=1):
        content = content.rstrip("\n")
        if not content.strip():
            continue
        if len(content) > _LINE_LIMIT:
            raise UnreadableFileError(name, "a line over 1 MiB", line)
        try:
            data = msgspec.json.decode(content)
        except msgspec.DecodeError as error:
            yield _not_a_row(line, content, f"not JSON ({error})")
            continue
        if not isinstance(data, dict):
            yield _not_a_row(line, content, "not a JSON object")
            continue
        yield Row(data, line=line, raw=data)


def _not_a_row(line: int, content: str, problem: str) -> Row:
    # Kept whole, so that a failures file loses nothing of it.
    return Row(line=line, raw={"invalidLine": content}, problem=problem)


def _json(name: str, text: str) -> list[Row]:
    """An array of objects, each with the line it starts on."""
    decoder = json.JSONDecoder()
    lines = _LineCounter(text)
    position = _skip(text, 0)
    if text[position : position + 1] != "[":
        problem = "not a JSON array (a .json file holds one array of numbers, a .jsonl one a line)"
        raise UnreadableFileError(name, problem, lines.at(position))
    position = _skip(text, position + 1)
    rows: list[Row] = []
    end_of_array = text[position : position + 1] == "]"
    while not end_of_array:
        line = lines.at(position)
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise UnreadableFileError(name, f"not JSON ({error.msg})", error.lineno) from None
        if isinstance(value, dict):
            rows.append(Row(value, line=line, raw=value))
        else:
            content = json.dumps(value, ensure_ascii=False)
            rows.append(_not_a_row(line, content, "not a JSON object"))
        position = _skip(text, position)
        following = text[position : position + 1]
        if following not in (",", "]"):
            raise UnreadableFileError(name, "not JSON (expected , or ])", lines.at(position))
        end_of_array = following == "]"
        position = _skip(text, position + 1) if following == "," else position
    if text[_skip(text, position + 1) :]:
        raise UnreadableFileError(name, "not JSON (more after the array)", lines.at(position))
    return rows


def _skip(text: str, position: int) -> int:
    match = _SPACE.match(text, position)
    return match.end() if match is not None else position


class _LineCounter:
    """The line of a position in a text, counted forward only as far as asked."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._position = 0
        self._line = 1

    def at(self, position: int) -> int:
        self._line += self._text.count("\n", self._position, position)
        self._position = position
        return self._line
