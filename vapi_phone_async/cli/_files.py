"""Files the commands read and write: which types they take, `-` for stdout, row counts."""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import click

__all__ = ["SHOWN_FAILURES", "check_file_type", "count_records", "written_whole"]

FILE_TYPES = (".csv", ".jsonl", ".json")
SHOWN_FAILURES = 5
"""How many failures a command lists on stderr (all of them go to the failures file)."""


def check_file_type(path: Path, name: str) -> None:
    if str(path) != "-" and path.suffix.lower() not in FILE_TYPES:
        raise click.BadParameter(
            f"must end in .csv, .jsonl or .json (got {path.name})", param_hint=name
        )


@contextmanager
def written_whole(path: Path) -> Iterator[IO[str]]:
    """A stream whose text reaches `path` (or stdout, for `-`) only if the block ends
    without an error: a file is written beside it and renamed over it, stdout gets a
    spooled copy. On an error nothing is written and an existing file stays as it was."""
    if str(path) == "-":
        # Up to 16 MiB in memory, then on disk: an export of any size, written once.
        with tempfile.SpooledTemporaryFile(16 << 20, "w+", newline="", encoding="utf-8") as spool:
            yield spool
            spool.seek(0)
            shutil.copyfileobj(spool, sys.stdout)
        return
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as stream:
            yield stream
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        raise


def count_records(path: Path) -> int:
    """Rows in the file, for the progress bar: one quick pass, nothing kept."""
    with path.open(newline="", encoding="utf-8") as stream:
        if path.suffix.lower() == ".csv":
            return max(sum(1 for _ in csv.reader(stream)) - 1, 0)
        return sum(1 for line in stream if line.strip())
