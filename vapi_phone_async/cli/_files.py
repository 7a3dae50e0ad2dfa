"""Files the commands read and write: which types they take, `-` for stdout, row counts."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import click

__all__ = ["SHOWN_FAILURES", "check_file_type", "count_records", "opened"]

FILE_TYPES = (".csv", ".jsonl")
SHOWN_FAILURES = 5
"""How many failures a command lists on stderr (all of them go to the failures file)."""


def check_file_type(path: Path, name: str) -> None:
    if str(path) != "-" and path.suffix.lower() not in FILE_TYPES:
        raise click.BadParameter(f"must end in .csv or .jsonl (got {path.name})", param_hint=name)


@contextmanager
def opened(path: Path, mode: str) -> Iterator[IO[str]]:
    if str(path) == "-":
        yield sys.stdout
        return
    with path.open(mode, newline="", encoding="utf-8") as stream:
        yield stream


def count_records(path: Path) -> int:
    """Rows in the file, for the progress bar: one quick pass, nothing kept."""
    with path.open(newline="", encoding="utf-8") as stream:
        if path.suffix.lower() == ".csv":
            return max(sum(1 for _ in csv.reader(stream)) - 1, 0)
        return sum(1 for line in stream if line.strip())
