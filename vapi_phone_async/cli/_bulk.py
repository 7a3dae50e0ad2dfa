"""The commands on many numbers but import: export and bulk-update.

Each command is a thin shell around an async function (`export_numbers`,
`update_matching`) that the demo runs too. bulk-update holds the account's apply lock from
its plan to its end; after a prompt it lists its scope again, and a scope that changed
meanwhile is planned again and asked about again (see `_locking`).
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import IO, Any

import click
import msgspec

from .._validate import convert
from ..bulk import Change, Listing, ListingFingerprint, UpdateItem, compare
from ..client import VapiPhoneClient
from ..errors import FieldError, RequestValidationError, StalePlanError
from ..models import PROVIDERS, UpdatePhoneNumber
from ..pagination import WHOLE_LISTING_PAGE_SIZE, WHOLE_LISTING_PREFETCH
from ._apply import INTERRUPTED, Applied, apply_plan
from ._bodies import update_body
from ._bodies import update_class as _update_class
from ._clock import elapsed
from ._context import Settings, api_options, date_filters, run, show_secrets_option
from ._files import SHOWN_FAILURES, check_file_type, written_whole
from ._locking import confirm_again, locked, plan_again, wait_of, wait_options
from ._output import (
    number_writer,
    print_table,
    progress_bar,
    stderr_is_terminal,
    unreadable_note,
)
from ._params import check_search, choice
from ._prompt import confirm
from ._records import to_wire

__all__ = ["UpdatePlan", "bulk_update", "export", "export_numbers", "plan_updates", "update_bodies"]


# export


async def export_numbers(
    client: VapiPhoneClient, path: Path, *, show_secrets: bool = False, progress: bool = False
) -> int:
    """Write every number to `path` (.csv, .jsonl, .json, or `-` for JSON lines on stdout).

    Whole or not at all: raises `IncompleteListingError`, writing nothing, when the walk
    does not prove it saw every number (a file short of numbers would be synced back as
    deletes or imported as the account)."""
    output = {".csv": "csv", ".json": "json"}.get(path.suffix.lower(), "jsonl")
    written = unreadable = 0
    bar = progress_bar("export", None, enabled=progress)
    with written_whole(path) as stream, bar as tick:
        writer = number_writer(output, stream)
        pager = client.paginate(page_size=WHOLE_LISTING_PAGE_SIZE, prefetch=WHOLE_LISTING_PREFETCH)
        async for page in pager.pages():
            for number in page.results:
                writer.write(to_wire(number, show_secrets=show_secrets))
            written += len(page.results)
            unreadable += page.unreadable
            tick(written, page.metadata.total_items)
        pager.require_complete()
        writer.close()
    if unreadable:
        click.echo(unreadable_note(unreadable, "of the account", "written as they came"), err=True)
    return written


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@show_secrets_option
@api_options()
@click.pass_obj
def export(settings: Settings, file: Path, show_secrets: bool) -> None:
    """Write every phone number to FILE.jsonl, FILE.csv or FILE.json (- for stdout).

    CSV cells a spreadsheet would run as formulas are written with a ' in front, which
    import and sync take off again (see docs/cli.md)."""
    check_file_type(file, "FILE")

    async def body() -> int:
        async with settings.client() as client:
            return await export_numbers(
                client, file, show_secrets=show_secrets, progress=stderr_is_terminal()
            )

    count = run(body())
    if str(file) != "-":
        click.echo(f"exported {count} numbers to {file} in {elapsed():.1f} s")


# bulk-update


@dataclass
class UpdatePlan:
    """The numbers a bulk-update would change, with their changes, and those already as
    wanted."""

    pairs: list[tuple[str, UpdatePhoneNumber]] = field(default_factory=list)
    changes: list[tuple[str, list[Change]]] = field(default_factory=list)
    unchanged: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (id, why)
    basis: ListingFingerprint | None = None  # what the scope listed


async def plan_updates(
    client: VapiPhoneClient,
    bodies: dict[str, UpdatePhoneNumber],
    *,
    search: str | None = None,
    filters: dict[str, Any] | None = None,
) -> UpdatePlan:
    """What applying `bodies[provider]` to every number matching would change: only the
    fields that differ are sent (a nested object whole: Vapi replaces each top-level key
    an update holds), and a number already as wanted is left alone. A number whose object
    would go without a secret the server shows only masked is refused."""
    plan = UpdatePlan()
    seen = Listing()
    pager = client.paginate(
        search=search,
        page_size=WHOLE_LISTING_PAGE_SIZE,
        prefetch=WHOLE_LISTING_PREFETCH,
        **(filters or {}),
    )
    async for page in pager.pages():
        seen.add(page.results)
        for number in page.results:
            body = bodies.get(number.provider)
            if body is None:
                continue
            wanted = msgspec.to_builtins(body)
            comparison = compare(wanted, number, number.provider)
            if not comparison.changes:
                plan.unchanged += 1
                continue
            if comparison.problems:
                plan.refused.append((number.id, "; ".join(map(str, comparison.problems))))
                continue
            values = {"provider": number.provider, **comparison.body}
            plan.pairs.append((number.id, convert(values, type(body))))
            plan.changes.append((number.id, comparison.changes))
    # Updating part of what matches would leave the rest as it was, silently.
    pager.require_complete()
    plan.basis = seen.fingerprint()
    return plan


def update_bodies(
    sets: Sequence[str], unsets: Sequence[str], provider: str | None
) -> dict[str, UpdatePhoneNumber]:
    """The update body for each provider concerned; every field must suit every one."""
    providers = [provider] if provider else list(PROVIDERS)
    try:
        return {name: update_body(_update_class(name), sets, unsets) for name in providers}
    except RequestValidationError as error:
        if provider is None and error.rule.startswith("is not a field"):
            hint = f"{error.rule}; pick the provider with --provider"
            raise RequestValidationError([FieldError(error.field, hint)]) from None
        raise


@click.command("bulk-update")
@click.option(
    "--search",
    metavar="TEXT",
    callback=check_search,
    help="Numbers whose name, number or SIP URI match.",
)
@click.option("--provider", type=choice(PROVIDERS), help="Only numbers of this provider.")
@date_filters
@click.option("--all", "everything", is_flag=True, help="Every number of the account.")
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE", help="Set a field.")
@click.option("--unset", "unsets", multiple=True, metavar="FIELD", help="Clear a field.")
@click.option("--dry-run", is_flag=True, help="Print what would change; change nothing.")
@click.option("--yes", "-y", is_flag=True, help="Change more than one number without asking.")
@wait_options
@click.option("--concurrency", type=click.IntRange(min=1), default=16, show_default=True)
@click.option("--rate-limit", type=click.FloatRange(min=0, min_open=True), help="Requests/s.")
@api_options()
@click.pass_obj
def bulk_update(
    settings: Settings,
    /,
    search: str | None,
    provider: str | None,
    everything: bool,
    sets: tuple[str, ...],
    unsets: tuple[str, ...],
    dry_run: bool,
    yes: bool,
    wait: bool,
    wait_timeout: float | None,
    concurrency: int,
    rate_limit: float | None,
    **dates: str | None,
) -> None:
    """Update the numbers in scope: --set assistantId=... and/or --unset FIELD.

    The scope is --search, --provider, a date filter (--created-at-ge ...), or --all for
    every number; one is needed. Only the fields that differ are sent; more than one
    number changes only after a yes (or --yes). One apply at a time per account: another
    one running makes it exit 75, or wait with --wait.
    """
    if not (sets or unsets):
        raise click.UsageError("nothing to change: give --set or --unset")
    filters = {name: value for name, value in dates.items() if value is not None}
    if not (search or provider or filters or everything):
        raise click.UsageError(
            "bulk-update changes every number in its scope: give --search, --provider, a "
            "date filter (--created-at-ge ...), or --all for every number"
        )
    bodies = update_bodies(sets, unsets, provider)

    async def apply_updates(client: VapiPhoneClient, plan: UpdatePlan) -> Applied[UpdateItem]:
        total = len(plan.pairs)
        with progress_bar("bulk-update", total, enabled=stderr_is_terminal()) as tick:
            run_ = client.bulk_update(
                plan.pairs,
                concurrency=concurrency,
                rate_limit=rate_limit,
                progress=lambda done, _failed, _total: tick(done, total),
            )
            return await apply_plan(run_, plan.pairs)

    async def body() -> tuple[UpdatePlan, Applied[UpdateItem] | None]:
        async with settings.client() as client:

            async def replan() -> UpdatePlan:
                return await plan_updates(client, bodies, search=search, filters=filters)

            if dry_run:
                return await replan(), None
            async with locked(client, wait_of(wait, wait_timeout)):
                plan = await replan()
                for attempt in count():
                    if not plan.pairs:
                        break
                    if attempt:
                        _print_plan(plan, "bulk-update plan, made again", sys.stderr)
                        confirm_again(yes)
                    elif len(plan.pairs) > 1 and not yes:
                        what = f"update {len(plan.pairs)} numbers"
                        confirm(f"This will {what}. Go on?", what=what, yes=yes)
                    if attempt or (len(plan.pairs) > 1 and not yes):
                        # Time passed at the prompt: the scope must still list the same.
                        now = await replan()
                        if now.basis != plan.basis:
                            error = _moved(client, plan, now)
                            plan = await plan_again(error, attempt, _ready(now))
                            continue
                    return plan, await apply_updates(client, plan)
            return plan, None

    plan, applied = run(body())
    for number_id, why in plan.refused[:SHOWN_FAILURES]:
        click.echo(f"  refused: {number_id}: {why}", err=True)
    if applied is None:
        state = "dry run, nothing changed" if dry_run else "nothing to change"
        _print_plan(plan, f"bulk-update plan ({state})", sys.stdout)
        if plan.refused:
            raise click.exceptions.Exit(1)
        return
    summary = applied.summary
    seconds = elapsed()  # the listing and the plan too, not the apply alone
    rate = summary.done / seconds if seconds else 0.0
    state = " (interrupted)" if applied.interrupted else ""
    rows = [("updated", summary.updated), ("unchanged", plan.unchanged)]
    rows += [("refused", len(plan.refused))] if plan.refused else []
    rows += [("failed", summary.failed)]
    numbers = f"{summary.done} number{'s' * (summary.done != 1)}"
    title = f"bulk-update{state}: {numbers} in {seconds:.1f} s ({rate:,.0f}/s)"
    print_table(title, ("result", "numbers"), rows, sys.stdout)
    failed = [o for o in applied.outcomes if o.kind == "failed"]
    for outcome in failed[:SHOWN_FAILURES]:
        click.echo(f"  failed: {outcome.item[0]}: {outcome.reason}", err=True)
    if applied.interrupted:
        click.echo(f"interrupted: {len(applied.not_started)} numbers not updated", err=True)
        raise click.exceptions.Exit(INTERRUPTED)
    if summary.failed or plan.refused:
        raise click.exceptions.Exit(1)


def _print_plan(plan: UpdatePlan, title: str, stream: IO[str]) -> None:
    rows = [("update", len(plan.pairs)), ("unchanged", plan.unchanged)]
    rows += [("refused", len(plan.refused))] if plan.refused else []
    print_table(title, ("action", "numbers"), rows, stream)
    for number_id, changes in plan.changes[: SHOWN_FAILURES * 4]:
        shown = ", ".join(str(change) for change in changes)  # secrets hidden
        stream.write(f"  update {number_id}: {shown}\n")


def _moved(client: VapiPhoneClient, plan: UpdatePlan, now: UpdatePlan) -> StalePlanError:
    planned = plan.basis.count if plan.basis is not None else 0
    seen = now.basis.count if now.basis is not None else 0
    return StalePlanError(client.base_url, planned=planned, now=seen)


def _ready(plan: UpdatePlan) -> Callable[[], Awaitable[UpdatePlan]]:
    async def made() -> UpdatePlan:
        return plan

    return made
