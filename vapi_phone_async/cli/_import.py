"""The import command: a create-only sync of a .csv, .jsonl or .json file (or `-`).

It shares the sync's matching, so an export imported anywhere, once or ten times, creates
and buys nothing it should not: a number that exists (by id, provider and number, or SIP
URI) is skipped, or with --update-existing updated with what differs. Buying a number
needs --allow-purchase. The file is read whole and the failures path checked before
anything is sent; failed rows go to a failures file ready to re-run. An import holds the
account's apply lock from its plan to its end; a plan the account moved away from before
the apply is made again (and shown), as it was never asked about (see `_locking`).
"""

from __future__ import annotations

import dataclasses
import sys
import time
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import click

from ..bulk import BulkSummary, SyncPlan, Unchanged
from ..client import VapiPhoneClient
from ..errors import StalePlanError
from ._apply import INTERRUPTED, apply_plan
from ._clock import elapsed
from ._context import Settings, api_options, run
from ._failures import Failures, failures_path, gather_failures
from ._input import FORMATS, InputFile, read_input
from ._locking import locked, plan_again, wait_of, wait_options
from ._output import FORMATS as OUTPUTS
from ._output import print_table, progress_bar, stderr_is_terminal
from ._params import choice
from ._plan_output import print_plan
from ._plans import RESEND_UNKNOWN_HELP, FilePlan, confirm_risky, plan_file

__all__ = ["ImportReport", "import_", "import_file", "print_import_report"]


@dataclass
class ImportReport:
    """What an import did: the plan, the apply's summary, the time, the failures file."""

    planned: FilePlan
    summary: BulkSummary
    seconds: float
    interrupted: bool = False
    failures_file: Path | None = None
    skipped: int = 0  # rows of numbers that exist, left alone

    @property
    def failed(self) -> int:
        """Rows not done: invalid, failed, or of unknown outcome."""
        return self.planned.invalid + self.summary.failed + self.summary.unknown

    @property
    def rows_read(self) -> int:
        return len(self.planned.source.records)

    def rows(self) -> list[tuple[str, int]]:
        """The summary table of the import."""
        summary = self.summary
        counts = [
            ("created", summary.created + summary.adopted),
            ("bought", summary.bought),
            ("updated", summary.updated),
            ("unchanged", len(self.planned.plan.unchanged) if summary.updated else 0),
            ("skipped", self.skipped),
            ("unknown (may exist)", summary.unknown),
            ("failed", summary.failed + self.planned.invalid),
        ]
        always = ("created", "updated", "skipped", "failed")
        return [(label, count) for label, count in counts if count or label in always]


async def import_file(
    client: VapiPhoneClient,
    source: InputFile,
    *,
    concurrency: int = 16,
    update_existing: bool = False,
    allow_purchase: bool = False,
    resend_unknown: bool = False,
    rate_limit: float | None = None,
    failures_file: Path | None = None,
    progress: bool = False,
    wait: bool | float = False,
) -> ImportReport:
    """Import the rows of `source`: create what is missing (buy, with `allow_purchase`),
    update what differs with `update_existing`; failed rows go to `failures_file`. The
    account's apply lock is held from the plan to the end (`wait` as for `apply_lock`)."""
    failures = Failures(source, failures_path(source, failures_file))
    started = time.perf_counter()

    async def replan() -> tuple[FilePlan, SyncPlan, int]:
        planned = await plan_file(client, source, prune=False, resend_unknown=resend_unknown)
        plan = planned.plan
        if update_existing:
            return planned, plan, 0
        skipped = len(plan.updates) + len(plan.unchanged)
        return planned, dataclasses.replace(plan, updates=[], deletes=[]), skipped

    async with locked(client, wait):
        planned, plan, skipped = await replan()
        for attempt in count():
            if attempt:
                print_plan(planned, "import plan, made again", "table", sys.stderr)
            confirm_risky(plan, yes=True, allow_purchase=allow_purchase)
            actions = plan.actions()
            total = len(actions)
            try:
                with progress_bar("import", total, enabled=progress) as tick:
                    run_ = plan.apply(
                        allow_purchase=allow_purchase,
                        concurrency=concurrency,
                        rate_limit=rate_limit,
                        progress=lambda done, _failed, planned: tick(done, planned),
                    )
                    applied = await apply_plan(run_, actions)
            except StalePlanError as error:
                planned, plan, skipped = await plan_again(error, attempt, replan)
                continue
            break
    gather_failures(planned, applied, failures)
    report = ImportReport(
        planned,
        applied.summary,
        time.perf_counter() - started,
        interrupted=applied.interrupted,
        skipped=skipped,
    )
    report.failures_file = failures.write()
    return report


@click.command("import")
@click.argument("file", metavar="FILE|-")
@click.option("--format", "file_format", type=choice(FORMATS), help="csv, jsonl or json.")
@click.option("--concurrency", type=click.IntRange(min=1), default=16, show_default=True)
@click.option("--rate-limit", type=click.FloatRange(min=0, min_open=True), help="Requests/s.")
@click.option("--dry-run", is_flag=True, help="Print what would be done; change nothing.")
@click.option("--update-existing", is_flag=True, help="Update numbers that exist already.")
@click.option("--allow-purchase", is_flag=True, help="Buy the Vapi numbers the file asks for.")
@click.option("--resend-unknown", is_flag=True, help=RESEND_UNKNOWN_HELP)
@wait_options
@click.option("--output", "-o", type=choice(OUTPUTS), default="table", help="Dry-run format.")
@click.option(
    "--failures",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where failed rows go (default: FILE.failures.csv / .jsonl), ready to re-run.",
)
@api_options()
@click.pass_obj
def import_(
    settings: Settings,
    file: str,
    file_format: str | None,
    concurrency: int,
    rate_limit: float | None,
    dry_run: bool,
    update_existing: bool,
    allow_purchase: bool,
    resend_unknown: bool,
    wait: bool,
    wait_timeout: float | None,
    output: str,
    failures: Path | None,
) -> None:
    """Create the numbers of FILE (.csv, .jsonl or .json; - reads stdin) that do not exist.

    Numbers are matched by id, or provider and number, or SIP URI, so running an import
    twice creates nothing the second time, and an export imports as it is. Existing ones
    are skipped, or with --update-existing updated with the fields that differ. A Vapi
    number without a SIP URI is bought: that needs --allow-purchase. One import or sync
    at a time per account: another one running makes it exit 75, or wait with --wait.
    """
    source = read_input(file, file_format)  # type: ignore[arg-type]
    failures_path(source, failures)  # refused now, before anything is sent

    async def body() -> ImportReport | FilePlan:
        async with settings.client() as client:
            if dry_run:
                return await plan_file(client, source, prune=False, resend_unknown=resend_unknown)
            return await import_file(
                client,
                source,
                concurrency=concurrency,
                update_existing=update_existing,
                allow_purchase=allow_purchase,
                resend_unknown=resend_unknown,
                rate_limit=rate_limit,
                failures_file=failures,
                progress=stderr_is_terminal(),
                wait=wait_of(wait, wait_timeout),
            )

    result = run(body())
    if isinstance(result, FilePlan):
        labels = None
        if not update_existing:  # an import leaves a number that exists as it is
            existing = [Unchanged(u.row, u.id) for u in result.plan.updates]
            result.plan = dataclasses.replace(
                result.plan, updates=[], unchanged=[*result.plan.unchanged, *existing]
            )
            labels = {"unchanged": "skip (exists)"}
        title = f"import plan for {file} (dry run, nothing changed)"
        print_plan(result, title, output, sys.stdout, labels=labels)
        if result.invalid:
            raise click.exceptions.Exit(1)
        return
    result.seconds = elapsed()  # reading the file and the plan too
    print_import_report(result)
    if result.interrupted:
        raise click.exceptions.Exit(INTERRUPTED)
    if result.failed:
        raise click.exceptions.Exit(1)


def print_import_report(report: ImportReport) -> None:
    """The summary table, the first failures, and where the failures file is."""
    rate = report.rows_read / report.seconds if report.seconds else 0.0
    state = " (interrupted)" if report.interrupted else ""
    print_table(
        f"import{state}: {report.rows_read} row{'s' * (report.rows_read != 1)} in "
        f"{report.seconds:.1f} s ({rate:,.0f} rows/s)",
        ("result", "numbers"),
        report.rows(),
        sys.stdout,
    )
    print_failures(report.failures_file, report.interrupted)


def print_failures(path: Path | None, interrupted: bool) -> None:
    """Where the rows not done went."""
    if path is None:
        return
    what = "rows not done" if interrupted else "failed rows"
    click.echo(
        f"{what} written to {path} (re-run it: rows of unknown outcome are looked up "
        "first, never created twice)"
    )
