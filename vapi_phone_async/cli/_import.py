"""The import command: a .csv or .jsonl file in, idempotently; a plan with --dry-run, a
summary table, and the failed rows written to a file that can be re-run."""

from __future__ import annotations

import csv
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import msgspec

from ..bulk import BulkOutcome, BulkSummary, ExistingNumbers
from ..client import VapiPhoneClient
from ..models import CreatePhoneNumber
from ._context import Settings, api_options, run
from ._files import SHOWN_FAILURES, check_file_type, count_records
from ._output import print_table, progress_bar, stderr_is_terminal
from ._records import COLUMNS, Invalid, Row, csv_row, describe, read_bodies

__all__ = ["ImportReport", "import_", "import_file", "plan_import", "print_import_report"]


@dataclass
class ImportReport:
    """What an import did: the bulk summary, the rows that made no body, and the time."""

    summary: BulkSummary
    invalid: int = 0
    seconds: float = 0.0
    failures_file: Path | None = None
    examples: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """Rows not done: failed, invalid, or of unknown outcome."""
        return self.summary.failed + self.invalid + self.summary.unknown

    def rows(self) -> list[tuple[str, int]]:
        """The summary table; rows of unknown outcome show only when there are some."""
        summary = self.summary
        unknown = [("unknown (may exist)", summary.unknown)] if summary.unknown else []
        return [
            ("created", summary.created + summary.adopted),
            ("updated", summary.updated),
            ("skipped", summary.skipped),
            *unknown,
            ("failed", summary.failed + self.invalid),
        ]


async def import_file(
    client: VapiPhoneClient,
    path: Path,
    *,
    concurrency: int = 16,
    update_existing: bool = False,
    rate_limit: float | None = None,
    failures_file: Path | None = None,
    progress: bool = False,
) -> ImportReport:
    """Import the numbers of a .csv or .jsonl file; failed rows go to `failures_file`."""
    failures_file = failures_file or path.with_name(f"{path.stem}.failures{path.suffix}")
    total = count_records(path)
    started = time.perf_counter()
    with ExitStack() as stack:
        stream = stack.enter_context(path.open(newline="", encoding="utf-8"))
        failures = _Failures(failures_file, stack)
        tick = stack.enter_context(progress_bar("import", total, enabled=progress))
        invalid = 0

        def bodies() -> Iterator[CreatePhoneNumber]:
            nonlocal invalid
            for record in read_bodies(path, stream):
                if isinstance(record, Invalid):
                    invalid += 1
                    failures.add(record.data, f"line {record.line}: {describe(record.error)}")
                else:
                    yield record.body

        run_ = client.bulk_import(
            bodies(),
            concurrency=concurrency,
            rate_limit=rate_limit,
            update_existing=update_existing,
            progress=lambda done, _failed, _total: tick(done + invalid, total),
        )
        async for outcome in run_:
            if outcome.kind == "failed":
                failures.add(_wire(outcome), outcome.reason or "failed")
            elif outcome.kind == "unknown":
                # Marked, so nobody re-creates it by hand: re-running the file reconciles.
                failures.add(_wire(outcome), f"outcome unknown: {outcome.reason}")
        tick(run_.summary.done + invalid, total)
    report = ImportReport(run_.summary, invalid, time.perf_counter() - started)
    report.failures_file = failures.path if failures.count else None
    report.examples = failures.examples
    return report


async def plan_import(
    client: VapiPhoneClient, path: Path, *, update_existing: bool = False
) -> tuple[Counter[str], list[str]]:
    """What importing `path` would do, by action, and the rows that make no body."""
    existing = ExistingNumbers()
    await existing.load(client)
    plan: Counter[str] = Counter()
    problems: list[str] = []
    with path.open(newline="", encoding="utf-8") as stream:
        for index, record in enumerate(read_bodies(path, stream)):
            if isinstance(record, Row):
                plan[existing.plan(record.body, index, update_existing=update_existing)] += 1
            else:
                plan["invalid"] += 1
                problems.append(f"line {record.line}: {describe(record.error)}")
    return plan, problems


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--concurrency", type=click.IntRange(min=1), default=16, show_default=True)
@click.option("--rate-limit", type=click.FloatRange(min=0, min_open=True), help="Requests/s.")
@click.option("--dry-run", is_flag=True, help="Print what would be done; change nothing.")
@click.option("--update-existing", is_flag=True, help="Update numbers that exist already.")
@click.option(
    "--failures",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where failed rows go (default: FILE.failures.csv / .jsonl), ready to re-run.",
)
@api_options()
@click.pass_obj
def import_(
    settings: Settings,
    file: Path,
    concurrency: int,
    rate_limit: float | None,
    dry_run: bool,
    update_existing: bool,
    failures: Path | None,
) -> None:
    """Create the numbers of FILE.csv or FILE.jsonl that do not exist yet.

    Numbers are matched by provider and number, so running an import twice creates
    nothing the second time; existing ones are skipped, or updated with
    --update-existing. An exported file imports as it is.
    """
    check_file_type(file, "FILE")

    async def body() -> ImportReport | None:
        async with settings.client() as client:
            if dry_run:
                plan, problems = await plan_import(client, file, update_existing=update_existing)
                _print_plan(plan, problems)
                return None
            return await import_file(
                client,
                file,
                concurrency=concurrency,
                update_existing=update_existing,
                rate_limit=rate_limit,
                failures_file=failures,
                progress=stderr_is_terminal(),
            )

    report = run(body())
    if report is None:
        return
    print_import_report(report)
    if report.failed:
        raise click.exceptions.Exit(1)


def print_import_report(report: ImportReport) -> None:
    done = report.summary.done + report.invalid
    rate = done / report.seconds if report.seconds else 0.0
    print_table(
        f"import: {done} rows in {report.seconds:.1f} s ({rate:,.0f} rows/s)",
        ("result", "numbers"),
        report.rows(),
        sys.stdout,
    )
    for example in report.examples:
        click.echo(f"  failed: {example}", err=True)
    if report.failures_file is not None:
        click.echo(
            f"failed rows written to {report.failures_file} (re-run it to retry them; rows "
            "of unknown outcome are looked up first, never created twice)"
        )


def _print_plan(plan: Counter[str], problems: Sequence[str]) -> None:
    labels = {
        "create": "create",
        "update": "update (exists)",
        "exists": "skip (exists)",
        "duplicate": "skip (duplicate in file)",
        "invalid": "invalid row",
    }
    rows = [(label, plan[key]) for key, label in labels.items()]
    print_table("import plan (dry run, nothing changed)", ("action", "numbers"), rows, sys.stdout)
    for problem in problems[:SHOWN_FAILURES]:
        click.echo(f"  invalid: {problem}", err=True)


class _Failures:
    """Failed rows, written as they come in the input's own format, plus an error field."""

    def __init__(self, path: Path, stack: ExitStack) -> None:
        self.path = path
        self.count = 0
        self.examples: list[str] = []
        self._stack = stack
        self._write: Any = None

    def add(self, data: dict[str, Any], error: str) -> None:
        self.count += 1
        if len(self.examples) < SHOWN_FAILURES:
            self.examples.append(error)
        if self._write is None:
            self._write = self._open()
        self._write(data, error)

    def _open(self) -> Any:
        stream = self._stack.enter_context(self.path.open("w", newline="", encoding="utf-8"))
        if self.path.suffix.lower() == ".csv":
            writer = csv.DictWriter(stream, fieldnames=(*COLUMNS, "error"), extrasaction="ignore")
            writer.writeheader()
            return lambda data, error: writer.writerow({**csv_row(data), "error": error})
        encode = msgspec.json.Encoder().encode
        return lambda data, error: stream.write(encode({**data, "error": error}).decode() + "\n")


def _wire(outcome: BulkOutcome[CreatePhoneNumber]) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(outcome.item)
    return data
