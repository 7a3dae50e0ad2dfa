"""The sync command: make the account look like a file of numbers, plan first.

`vapi-phone sync FILE` prints the plan and changes nothing; `--apply` does it. Deletes
(with `--prune`) and purchases need `--yes`, or a yes at a prompt that states their
counts; purchases also `--allow-purchase`. An apply holds the account's apply lock from
its plan to its end (see `_locking`).
"""

from __future__ import annotations

import sys
from itertools import count
from pathlib import Path

import click

from ..bulk import PlannedAction
from ..errors import StalePlanError
from ._apply import INTERRUPTED, Applied, apply_plan, summary_rows
from ._clock import elapsed
from ._context import Settings, api_options, run
from ._failures import Failures, failures_path, gather_failures
from ._import import print_failures
from ._input import FORMATS, read_input
from ._locking import confirm_again, locked, plan_again, wait_of, wait_options
from ._output import FORMATS as OUTPUTS
from ._output import print_table, progress_bar, stderr_is_terminal
from ._params import choice
from ._plan_output import print_plan
from ._plans import RESEND_UNKNOWN_HELP, FilePlan, confirm_risky, plan_file

__all__ = ["sync"]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


@click.command()
@click.argument("file", metavar="FILE|-")
@click.option("--format", "file_format", type=choice(FORMATS), help="csv, jsonl or json.")
@click.option("--apply", "apply_", is_flag=True, help="Do the plan (without: print it only).")
@click.option("--prune", is_flag=True, help="Delete the numbers no row of FILE stands for.")
@click.option("--allow-purchase", is_flag=True, help="Buy the Vapi numbers the file asks for.")
@click.option("--resend-unknown", is_flag=True, help=RESEND_UNKNOWN_HELP)
@click.option(
    "--allow-number-change",
    is_flag=True,
    help="Let a row change the number or SIP URI of the number its id names.",
)
@click.option("--yes", "-y", is_flag=True, help="Delete and buy without asking first.")
@wait_options
@click.option("--output", "-o", type=choice(OUTPUTS), default="table", help="Plan format.")
@click.option("--concurrency", type=click.IntRange(min=1), default=16, show_default=True)
@click.option("--rate-limit", type=click.FloatRange(min=0, min_open=True), help="Requests/s.")
@click.option(
    "--failures",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where rows not done go (default: FILE.failures.csv / .jsonl), ready to re-run.",
)
@api_options()
@click.pass_obj
def sync(
    settings: Settings,
    file: str,
    file_format: str | None,
    apply_: bool,
    prune: bool,
    allow_purchase: bool,
    resend_unknown: bool,
    allow_number_change: bool,
    yes: bool,
    wait: bool,
    wait_timeout: float | None,
    output: str,
    concurrency: int,
    rate_limit: float | None,
    failures: Path | None,
) -> None:
    """Make the account look like FILE (.csv, .jsonl or .json; - reads standard input).

    A row finds its number by id, else by provider and number, or SIP URI; the plan lists
    what would be created, bought, updated (the fields that differ), deleted (--prune)
    and left as it is, and the rows that cannot be done and why. A number written
    differently (a + lost in a spreadsheet) is the same number; another number for a
    matched one needs --allow-number-change. Nothing changes without --apply. One apply
    at a time per account: another one running makes it exit 75, or wait with --wait; a
    plan the account moved away from is made again and asked about.
    """
    source = read_input(file, file_format)  # type: ignore[arg-type]
    where = failures_path(source, failures)  # refused now, before anything is sent

    async def apply_planned(planned: FilePlan) -> Applied[PlannedAction]:
        actions = planned.plan.actions()
        with progress_bar("sync", len(actions), enabled=stderr_is_terminal()) as tick:
            run_ = planned.plan.apply(
                allow_purchase=allow_purchase,
                concurrency=concurrency,
                rate_limit=rate_limit,
                progress=lambda done, _failed, _total: tick(done, len(actions)),
            )
            return await apply_plan(run_, actions)

    async def body() -> tuple[FilePlan, Applied[PlannedAction] | None]:
        async with settings.client() as client:

            async def replan() -> FilePlan:
                return await plan_file(
                    client,
                    source,
                    prune=prune,
                    resend_unknown=resend_unknown,
                    allow_number_change=allow_number_change,
                )

            if not apply_:
                return await replan(), None
            async with locked(client, wait_of(wait, wait_timeout)):
                planned = await replan()
                for attempt in count():
                    if planned.plan.empty:
                        break
                    title = f"sync plan for {file}"
                    print_plan(planned, title, "table", sys.stderr, prune_hint=not prune)
                    confirm_risky(planned.plan, yes=yes, allow_purchase=allow_purchase)
                    if attempt:
                        confirm_again(yes)
                    try:
                        applied = await apply_planned(planned)
                    except StalePlanError as error:
                        planned = await plan_again(error, attempt, replan)
                        continue
                    return planned, applied
            return planned, None

    planned, applied = run(body())
    if applied is None:
        state = "nothing to do" if planned.plan.empty else "nothing changed; --apply does it"
        title = f"sync plan for {file} ({state})"
        print_plan(planned, title, output, sys.stdout, prune_hint=not prune)
        if planned.invalid:
            raise click.exceptions.Exit(1)
        return
    recorder = Failures(source, where)
    gather_failures(planned, applied, recorder)
    state = " (interrupted)" if applied.interrupted else ""
    print_table(
        f"sync{state}: {_plural(len(applied.outcomes), 'change')} in {elapsed():.1f} s",
        ("result", "numbers"),
        summary_rows(applied.summary, unchanged=len(planned.plan.unchanged)),
        sys.stdout,
    )
    print_failures(recorder.write(), applied.interrupted)
    if applied.interrupted:
        raise click.exceptions.Exit(INTERRUPTED)
    if recorder.rows:
        raise click.exceptions.Exit(1)
