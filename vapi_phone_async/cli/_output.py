"""What the command line prints: numbers as a table, JSON, JSON lines or CSV, summary
tables and progress bars. Rich tables and bars only on a terminal; plain text otherwise."""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
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
from rich.text import Text

from ._records import COLUMNS, csv_row
from ._screen import COLUMN_ORDER, StreamedTable, new_table

__all__ = [
    "FORMATS",
    "NumberWriter",
    "Ticker",
    "number_writer",
    "print_number",
    "print_table",
    "progress_bar",
    "stderr_is_terminal",
    "unreadable_note",
]

FORMATS = ("table", "json", "jsonl", "csv")
Ticker = Callable[[int, int | None], None]
"""Moves a progress bar: (done, total or None)."""


class NumberWriter(Protocol):
    """Writes numbers (wire mappings) one at a time; `flush()` after each page shows what
    came so far, `close()` finishes the output. A listing that fails is not closed."""

    def write(self, data: Mapping[str, Any]) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...

    def discard(self) -> None:
        """The listing failed: drop what was held back for `close()`."""
        return


def number_writer(output: str, stream: IO[str], console: Console | None = None) -> NumberWriter:
    """The writer for `--output`: `table`, `json`, `jsonl` or `csv`. A table on a terminal
    draws on `console` if given (one a progress bar shares)."""
    if output == "json":
        return _JsonArray(stream)
    if output == "jsonl":
        return _JsonLines(stream)
    if output == "csv":
        return _Csv(stream)
    if stream.isatty():
        return _TerminalTable(stream, console)
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
    """A small table: rich on a terminal (the one style of `new_table`, its title on a
    line of its own), aligned plain text elsewhere."""
    if stream.isatty():
        console = Console(file=stream)
        if title:
            console.print(Text(title), soft_wrap=True)
        table = new_table()
        for i, header in enumerate(headers):
            numeric = i > 0 and all(_numeric(str(row[i])) for row in rows)
            table.add_column(header, justify="right" if numeric else "left", overflow="fold")
        for row in rows:
            table.add_row(*(Text(str(cell)) for cell in row))
        console.print(table)
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
def progress_bar(
    description: str,
    total: int | None,
    *,
    enabled: bool,
    console: Console | None = None,
    transient: bool = False,
) -> Iterator[Ticker]:
    """A progress bar on stderr (or `console`) while the block runs (nothing unless
    `enabled`); a `transient` one is gone once the block ends."""
    if not enabled:
        yield lambda done, total: None
        return
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console or Console(file=sys.stderr),
        transient=transient,
    )
    task = progress.add_task(description, total=total)

    def tick(done: int, new_total: int | None) -> None:
        if new_total is not None:
            progress.update(task, total=new_total)
        progress.update(task, completed=done)

    with progress:
        yield tick


def unreadable_note(count: int, where: str, outcome: str) -> str:
    """What to say of items that could not be identified (no id or provider)."""
    items = "item" if count == 1 else "items"
    return f"{count} {items} {where} could not be read (no id or provider): {outcome}"


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


# Writers. None writes a byte before the first number or `close()`: a listing that fails
# at its first request leaves stdout empty, not holding `[` or a header.


class _JsonLines(NumberWriter):
    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._encode = msgspec.json.Encoder().encode

    def write(self, data: Mapping[str, Any]) -> None:
        self._stream.write(self._encode(data).decode() + "\n")

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        self._stream.flush()


class _JsonArray(NumberWriter):
    """One JSON document, indented as `get --output json` prints one number, and written
    only by `close()`: a listing that fails halfway leaves no half-document on stdout.
    Until then it waits in a spooled file (memory, then disk past 16 MiB), never whole
    in memory."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        # Not a `with`: the spool lives until close().
        self._spool: IO[str] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=16 << 20, mode="w+", encoding="utf-8"
        )
        self._encode = msgspec.json.Encoder().encode
        self._first = True

    def write(self, data: Mapping[str, Any]) -> None:
        self._spool.write("\n" if self._first else ",\n")
        self._first = False
        document = msgspec.json.format(self._encode(data), indent=2).decode()
        self._spool.write("  " + document.replace("\n", "\n  "))

    def flush(self) -> None:
        pass  # the document is written whole, at the end

    def close(self) -> None:
        self._spool.write("]\n" if self._first else "\n]\n")
        self._spool.seek(0)
        self._stream.write("[")
        shutil.copyfileobj(self._spool, self._stream)
        self._spool.close()
        self._stream.flush()

    def discard(self) -> None:
        self._spool.close()


class _Csv(NumberWriter):
    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._writer: csv.DictWriter[str] | None = None

    def write(self, data: Mapping[str, Any]) -> None:
        self._started().writerow(csv_row(data))

    def _started(self) -> csv.DictWriter[str]:
        if self._writer is None:
            self._writer = csv.DictWriter(self._stream, fieldnames=COLUMNS, extrasaction="ignore")
            self._writer.writeheader()
        return self._writer

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        self._started()
        self._stream.flush()


class _PlainTable(NumberWriter):
    """Tab-separated columns with a header: streams, and reads well in `cut` and `awk`."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._started = False

    def write(self, data: Mapping[str, Any]) -> None:
        self._start()
        self._stream.write("\t".join(_table_cells(data)) + "\n")

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self._stream.write("\t".join(COLUMN_ORDER) + "\n")

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        self._start()
        self._stream.flush()


class _TerminalTable(NumberWriter):
    """A table drawn page by page (see `_screen`), ids and numbers whole at any width."""

    def __init__(self, stream: IO[str], console: Console | None) -> None:
        self._table = StreamedTable(stream, console)

    def write(self, data: Mapping[str, Any]) -> None:
        self._table.write(_table_cells(data))

    def flush(self) -> None:
        self._table.flush()

    def close(self) -> None:
        self._table.close()


def _table_cells(data: Mapping[str, Any]) -> list[str]:
    number = data.get("number") or data.get("sipUri")
    return [_text(number if c == "number" else data.get(c)) for c in COLUMN_ORDER]


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
