"""Tables on a terminal: one style for every table the commands draw, and the table of
numbers, one line a number, drawn page by page as they arrive.

An id or a phone number is what a reader copies into the next command, so those are never
cut. The name is always there: it is cut at the end (`…`) when the row is short of room.
A SIP URI stands where a number would, shortened in the middle (`sip:front…@sip.vapi.ai`)
to no less than `_NUMBER_LEAST` characters. Every column is as wide as its widest cell;
the other columns (provider, status, creation date, assistant) join the table in that
order while they fit. Widths come from the first page; later pages keep them, so the rows
of every page line up (a longer id or number there folds onto a second line, whole).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import IO

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

__all__ = ["COLUMN_ORDER", "StreamedTable", "fit_columns", "new_table", "shortened"]

COLUMN_ORDER = ("id", "provider", "number", "name", "status", "assistantId", "createdAt")
_ALWAYS = ("id", "number", "name")
_OPTIONAL = ("provider", "status", "createdAt", "assistantId")  # in the order they join
_NAME_LEAST = 12
_NUMBER_LEAST = 20  # a SIP URI is shortened to no less
GAP = 2
"""The spaces between two columns of `new_table`."""
ELLIPSIS = "…"


def new_table(*, show_header: bool = True) -> Table:
    """An empty table in the one style of the command line: a header over a rule, two
    spaces between columns, no frame."""
    return Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        show_header=show_header,
    )


def fit_columns(
    widest: Mapping[str, int], width: int, least: Mapping[str, int] | None = None
) -> dict[str, int]:
    """The columns to show and their widths, in display order, for a terminal `width`
    wide. `widest` is each column's widest cell (its header included); `least` how narrow
    a column may get (the name, a column of SIP URIs; others: as wide as their widest)."""
    least = {**widest, **(least or {})}
    shown = list(_ALWAYS)
    needed = sum(least[column] for column in shown) + GAP * (len(shown) - 1)
    for column in _OPTIONAL:
        if needed + GAP + widest[column] > width:
            break  # the columns leave least needed first: none after one that does not fit
        shown.append(column)
        needed += GAP + widest[column]
    widths = {column: least[column] for column in shown}
    spare = width - needed
    for column in ("name", "number"):  # room left goes to the name, then to SIP URIs
        grow = max(0, min(spare, widest[column] - widths[column]))
        widths[column] += grow
        spare -= grow
    return {column: widths[column] for column in COLUMN_ORDER if column in widths}


def shortened(text: str, width: int) -> str:
    """`text` cut in the middle to `width` characters, with `…` where it was cut."""
    if len(text) <= width:
        return text
    keep = max(width - 1, 0)
    head = (keep + 1) // 2
    tail = keep - head
    return text[:head] + ELLIPSIS + (text[-tail:] if tail else "")


def _uri(cell: str) -> bool:
    """Whether a cell of the number column is a SIP URI, which may be shortened, rather
    than a phone number, which never is."""
    return ":" in cell or "@" in cell


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
            widest, least = self._measure()
            self._widths = fit_columns(widest, self.console.width, least)
        widths = self._widths
        shown = [COLUMN_ORDER.index(column) for column in widths]
        table = new_table(show_header=first)
        for column, width in widths.items():
            cut = column == "name"
            table.add_column(
                column, width=width, no_wrap=cut, overflow="ellipsis" if cut else "fold"
            )
        number = COLUMN_ORDER.index("number")
        for row in self._rows:
            cells = [row[i] for i in shown]
            if _uri(row[number]):
                cells[shown.index(number)] = shortened(row[number], widths["number"])
            table.add_row(*(Text(cell) for cell in cells))
        self._rows.clear()
        # Wider than the terminal only when the id, number and name alone are: the lines
        # wrap on the terminal rather than lose a character of an id.
        needed = sum(widths.values()) + GAP * (len(widths) - 1)
        self.console.print(table, width=max(self.console.width, needed), crop=False)

    def _measure(self) -> tuple[dict[str, int], dict[str, int]]:
        widest = {
            column: max(cell_len(column), *(cell_len(row[i]) for row in self._rows))
            for i, column in enumerate(COLUMN_ORDER)
        }
        number = COLUMN_ORDER.index("number")
        phones = [cell_len(r[number]) for r in self._rows if not _uri(r[number])]
        uris = [cell_len(r[number]) for r in self._rows if _uri(r[number])]
        least_number = max(cell_len("number"), *phones, min(max(uris, default=0), _NUMBER_LEAST))
        least = {"name": min(widest["name"], _NAME_LEAST), "number": least_number}
        return widest, least

    def close(self) -> None:
        self.flush()
