"""The failures file: the rows that did not make it (unreadable, invalid, failed, of
unknown outcome, or not started), as they were written, plus an `error` column, ready to
run again. Never the input file itself.

The file keeps every column of the input (the user's own ones too) in the input's order;
a failures file re-run writes its failures under its own name, replaced only once the run
is over (the input was read whole before anything ran). Where the rows go is decided, and
checked, before anything runs: a `--failures` path that is the input (the same path, a
link to it, the same file) is refused.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import Any

import msgspec

from ..bulk import PlannedAction, PlannedDelete
from ._apply import Applied
from ._input import InputFile, InputFileError
from ._plans import FilePlan

__all__ = ["Failures", "failures_path", "gather_failures"]

ERROR_COLUMN = "error"


def failures_path(source: InputFile, chosen: Path | None) -> Path:
    """Where the failed rows of `source` go: `chosen`, else beside the input as
    `NAME.failures.SUFFIX` (a failures file's failures keep its name). Raises
    `InputFileError` if `chosen` is the input."""
    suffix = ".csv" if source.format == "csv" else ".jsonl"
    if chosen is not None:
        if source.path is not None and _same_file(chosen, source.path):
            raise InputFileError(
                f"--failures {chosen} is the input file: failed rows would overwrite it; "
                "choose another path"
            )
        return chosen
    if source.path is None:
        return Path(f"stdin.failures{suffix}")
    stem = source.path.name.removesuffix(source.path.suffix)
    if stem.endswith(".failures"):
        return source.path  # re-running a failures file: its failures keep its name
    return source.path.with_name(f"{stem}.failures{suffix}")


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve() or (one.exists() and one.samefile(other))
    except OSError:
        return False


class Failures:
    """Failed rows gathered during a run, written at its end (`write`)."""

    def __init__(self, source: InputFile, path: Path) -> None:
        self.source = source
        self.path = path
        self.rows: list[tuple[dict[str, Any], str]] = []

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, raw: dict[str, Any], error: str) -> None:
        """A row as it was read, and why it failed."""
        self.rows.append((raw, error))

    def write(self) -> Path | None:
        """Write the failed rows (nothing, and None, when there are none). A file that
        exists is replaced whole, in one step, so it is never half written."""
        if not self.rows:
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{self.path.name}.", dir=self.path.parent, text=True
        )
        try:
            with os.fdopen(handle, "w", newline="", encoding="utf-8") as stream:
                if self.source.format == "csv":
                    self._write_csv(stream)
                else:
                    self._write_jsonl(stream)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return self.path

    def _write_csv(self, stream: Any) -> None:
        header = list(self.source.header or [])
        extra = sorted({key for raw, _ in self.rows for key in raw} - set(header))
        columns = [*header, *extra]
        if ERROR_COLUMN not in columns:
            columns.append(ERROR_COLUMN)
        writer = csv.DictWriter(stream, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for raw, error in self.rows:
            writer.writerow({**raw, ERROR_COLUMN: error})

    def _write_jsonl(self, stream: Any) -> None:
        encode = msgspec.json.Encoder().encode
        for raw, error in self.rows:
            stream.write(encode({**raw, ERROR_COLUMN: error}).decode() + "\n")


def gather_failures(
    planned: FilePlan, applied: Applied[PlannedAction] | None, failures: Failures
) -> None:
    """Every row not done goes to `failures`: unreadable, invalid, failed, unknown (marked:
    look it up before creating it again), and, after Ctrl+C, not started."""
    records = planned.source.records
    for index, problem in planned.unreadable:
        failures.add(records[index].raw, f"line {records[index].line}: {problem}")
    for invalid in planned.plan.invalid:
        record = records[planned.record(invalid.row)]
        failures.add(record.raw, f"line {record.line}: {invalid.reason}")
    if applied is None:
        return
    for outcome in applied.outcomes:
        row = _row_of(outcome.item)
        if row is None or outcome.kind not in ("failed", "unknown"):
            continue
        record = records[planned.record(row)]
        prefix = "outcome unknown: " if outcome.kind == "unknown" else ""
        failures.add(record.raw, f"{prefix}{outcome.reason}")
    for action in applied.not_started:
        row = _row_of(action)
        if row is not None:
            failures.add(records[planned.record(row)].raw, "not started: the run was interrupted")


def _row_of(action: PlannedAction) -> int | None:
    return None if isinstance(action, PlannedDelete) else action.row
