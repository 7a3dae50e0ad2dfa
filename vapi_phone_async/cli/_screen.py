"""Numbers as a table on a terminal: whole ids and numbers at any width, rows drawn page by
page as they arrive.

An id or a number is what a reader copies into the next command, so those two are never
cut: the name wraps, and the other columns leave the table, the least needed first, until
it fits. A value longer than its column folds onto the next line, whole. Column widths
come from the first page; later pages keep them, so the rows of every page line up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import IO

from rich import box
from rich.console import Console
from rich.table import Table

__all__ = ["COLUMN_ORDER", "StreamedTable", "fit_columns"]

COLUMN_ORDER = ("id", "provider", "number", "name", "status", "assistantId", "createdAt")
# The columns in the order they leave a narrow table: last first.
_PRIORITY = ("id", "number", "name", "provider", "status", "createdAt", "assistantId")
_NAME_MIN = 10
_GAP = 3  # what SIMPLE_HEAD puts between two columns, without edges


def fit_columns(widest: Mapping[str, int], width: int) -> dict[str, int]:
    """The columns to show and their widths, in display order, for a terminal `width`
    wide. `widest` is each column's widest cell (its header included)."""
    shown = list(_PRIORITY)
    name_min = min(widest["name"], _NAME_MIN)

    def needed(columns: Sequence[str]) -> int:
        fixed = sum(widest[c] for c in columns if c != "name")
        return fixed + (name_min if "name" in columns else 0) + _GAP * (len(columns) - 1)

    while len(shown) > 2 and needed(shown) > width:
        shown.pop()
    widths = {column: widest[column] for column in shown}
    if "name" in widths:
        room = width - (needed(shown) - name_min)
        widths["name"] = max(name_min, min(widest["name"], room))
    return {column: widths[column] for column in COLUMN_ORDER if column in widths}


class StreamedTable:
    """A table of numbers drawn on `stream` one page at a time (`flush` ends a page)."""

    def __init__(self, stream: IO[str], console: Console | None = None) -> None:
        self.console = console or Console(file=stream)
        self._rows: list[Sequence[str]] = []
        self._widths: dict[str, int] | None = None

    def write(self, cells: Sequence[str]) -> None:
        """One number's cells, in `COLUMN_ORDER`."""
        self._rows.append(cells)

    def flush(self) -> None:
        """Draw the rows written since the last flush (the header with the first ones)."""
        if not self._rows:
            return
        first = self._widths is None
        if self._widths is None:
            widest = {
                column: max(len(column), *(len(row[i]) for row in self._rows))
                for i, column in enumerate(COLUMN_ORDER)
            }
            self._widths = fit_columns(widest, self.console.width)
        shown = [COLUMN_ORDER.index(column) for column in self._widths]
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, show_header=first)
        for column, width in self._widths.items():
            table.add_column(column, width=width, overflow="fold", no_wrap=False)
        for row in self._rows:
            table.add_row(*(row[i] for i in shown))
        self._rows.clear()
        # Wider than the terminal only when the id and number alone are: whole, the lines
        # wrap on the terminal rather than lose a character.
        needed = sum(self._widths.values()) + _GAP * (len(self._widths) - 1)
        self.console.print(table, width=max(self.console.width, needed), crop=False)

    def close(self) -> None:
        self.flush()
