"""What the command line prints: numbers as a table, JSON, JSON lines or CSV, summary
tables and progress bars. Rich tables and bars only on a terminal; plain text otherwise."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO, Any, Protocol

import msgspec
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ._records import COLUMNS, csv_row

__all__ = [
    "FORMATS",
    "NumberWriter",
    "Ticker",
    "number_writer",
    "print_number",
    "print_table",
    "progress_bar",
    "stderr_is_terminal",
]

FORMATS = ("table", "json", "jsonl", "csv")
_TABLE_COLUMNS = ("id", "provider", "number", "name", "status", "assistantId", "createdAt")
Ticker = Callable[[int, int | None], None]
"""Moves a progress bar: (done, total or None)."""


class NumberWriter(Protocol):
    """Writes numbers (wire mappings) one at a time; `close()` finishes the output."""

    def write(self, data: Mapping[str, Any]) -> None: ...

    def close(self) -> None: ...


def number_writer(output: str, stream: IO[str]) -> NumberWriter:
    """The writer for `--output`: `table`, `json`, `jsonl` or `csv`."""
    if output == "json":
        return _JsonArray(stream)
    if output == "jsonl":
        return _JsonLines(stream)
    if output == "csv":
        return _Csv(stream)
    if stream.isatty():
        return _RichTable(stream)
    return _PlainTable(stream)


def print_number(data: Mapping[str, Any], output: str, stream: IO[str]) -> None:
    """One number: a field/value table, or the number alone in the chosen format."""
    if output == "json":
        stream.write(msgspec.json.format(msgspec.json.encode(data), indent=2).decode() + "\n")
        return
    if output != "table":
        writer = number_writer(output, stream)
        writer.write(data)
        writer.close()
        return
    rows = [(key, _text(value)) for key, value in data.items() if value is not None]
    print_table(None, ("field", "value"), rows, stream)


def print_table(
    title: str | None, headers: Sequence[str], rows: Sequence[Sequence[Any]], stream: IO[str]
) -> None:
    """A small table: rich on a terminal, aligned plain text elsewhere."""
    if stream.isatty():
        table = Table(*headers, title=title, title_justify="left")
        for row in rows:
            table.add_row(*(str(cell) for cell in row))
        Console(file=stream).print(table)
        return
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [
        max([len(header)] + [len(row[i]) for row in cells]) for i, header in enumerate(headers)
    ]
    if title:
        stream.write(title + "\n")
    for row in [list(headers), *cells]:
        line = "  ".join(
            cell.rjust(width) if i and _numeric(cell) else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        stream.write(line.rstrip() + "\n")


@contextmanager
def progress_bar(description: str, total: int | None, *, enabled: bool) -> Iterator[Ticker]:
    """A progress bar on stderr while the block runs (nothing unless `enabled`)."""
    if not enabled:
        yield lambda done, total: None
        return
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=False,
    )
    task = progress.add_task(description, total=total)

    def tick(done: int, new_total: int | None) -> None:
        if new_total is not None:
            progress.update(task, total=new_total)
        progress.update(task, completed=done)

    with progress:
        yield tick


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


# Writers.


class _JsonLines:
    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._encode = msgspec.json.Encoder().encode

    def write(self, data: Mapping[str, Any]) -> None:
        self._stream.write(self._encode(data).decode() + "\n")

    def close(self) -> None:
        self._stream.flush()


class _JsonArray:
    """A JSON array written item by item, so a long listing is never held whole."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._encode = msgspec.json.Encoder().encode
        self._first = True
        stream.write("[")

    def write(self, data: Mapping[str, Any]) -> None:
        self._stream.write("\n" if self._first else ",\n")
        self._first = False
        self._stream.write(self._encode(data).decode())

    def close(self) -> None:
        self._stream.write("]\n" if self._first else "\n]\n")
        self._stream.flush()


class _Csv:
    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.DictWriter(stream, fieldnames=COLUMNS, extrasaction="ignore")
        self._writer.writeheader()
        self._stream = stream

    def write(self, data: Mapping[str, Any]) -> None:
        self._writer.writerow(csv_row(data))

    def close(self) -> None:
        self._stream.flush()


class _PlainTable:
    """Tab-separated columns with a header: streams, and reads well in `cut` and `awk`."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        stream.write("\t".join(_TABLE_COLUMNS) + "\n")

    def write(self, data: Mapping[str, Any]) -> None:
        self._stream.write("\t".join(_table_cells(data)) + "\n")

    def close(self) -> None:
        self._stream.flush()


class _RichTable:
    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._table = Table(*_TABLE_COLUMNS)

    def write(self, data: Mapping[str, Any]) -> None:
        self._table.add_row(*_table_cells(data))

    def close(self) -> None:
        Console(file=self._stream).print(self._table)


def _table_cells(data: Mapping[str, Any]) -> list[str]:
    number = data.get("number") or data.get("sipUri")
    cells = {**data, "number": number}
    return [_text(cells.get(column)) for column in _TABLE_COLUMNS]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return msgspec.json.encode(value).decode()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _numeric(cell: str) -> bool:
    return cell.replace(".", "", 1).replace(",", "").isdigit()
