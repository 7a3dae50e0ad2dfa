"""The commands on many numbers but import: export and bulk-update.

Each command is a thin shell around an async function (`export_numbers`,
`update_matching`) that the demo runs too.
"""

from __future__ import annotations

import sys
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import click

from ..bulk import BulkSummary
from ..client import VapiPhoneClient
from ..errors import FieldError, RequestValidationError
from ..models import PROVIDERS, UpdatePhoneNumber
from ._context import Settings, api_options, run, show_secrets_option
from ._files import SHOWN_FAILURES, check_file_type, opened
from ._output import number_writer, print_table, progress_bar, stderr_is_terminal
from ._records import to_wire, update_body
from ._records import update_class as _update_class

__all__ = ["bulk_update", "export", "export_numbers", "update_bodies", "update_matching"]


# export


async def export_numbers(
    client: VapiPhoneClient, path: Path, *, show_secrets: bool = False, progress: bool = False
) -> int:
    """Write every number to `path` (.csv, .jsonl, or `-` for JSON lines on stdout)."""
    output = "csv" if path.suffix.lower() == ".csv" else "jsonl"
    written = 0
    with opened(path, "w") as stream, progress_bar("export", None, enabled=progress) as tick:
        writer = number_writer(output, stream)
        async for page in client.paginate(page_size=1000).pages():
            for number in page.results:
                writer.write(to_wire(number, show_secrets=show_secrets))
            written += len(page.results)
            tick(written, page.metadata.total_items)
        writer.close()
    return written


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@show_secrets_option
@api_options()
@click.pass_obj
def export(settings: Settings, file: Path, show_secrets: bool) -> None:
    """Write every phone number to FILE.jsonl or FILE.csv (or - for stdout)."""
    check_file_type(file, "FILE")

    async def body() -> int:
        async with settings.client() as client:
            return await export_numbers(
                client, file, show_secrets=show_secrets, progress=stderr_is_terminal()
            )

    started = time.perf_counter()
    count = run(body())
    if str(file) != "-":
        click.echo(f"exported {count} numbers to {file} in {time.perf_counter() - started:.1f} s")


# bulk-update


async def update_matching(
    client: VapiPhoneClient,
    bodies: dict[str, UpdatePhoneNumber],
    *,
    search: str | None = None,
    concurrency: int = 16,
    rate_limit: float | None = None,
    progress: bool = False,
    limit: int | None = None,
) -> tuple[BulkSummary, float, list[str]]:
    """Apply `bodies[provider]` to every number matching `search` (and of those providers).

    Returns the summary, the seconds it took, and a few failure reasons.
    """
    expected: int | None = None

    async def pairs() -> AsyncIterator[tuple[str, UpdatePhoneNumber]]:
        nonlocal expected
        async for page in client.paginate(search=search, page_size=1000, max_items=limit).pages():
            if expected is None:
                expected = page.metadata.total_items
            for number in page.results:
                body = bodies.get(to_wire(number)["provider"])
                if body is not None:
                    yield number.id, body

    failures: list[str] = []
    started = time.perf_counter()
    with progress_bar("bulk-update", None, enabled=progress) as tick:
        run_ = client.bulk_update(
            pairs(),
            concurrency=concurrency,
            rate_limit=rate_limit,
            progress=lambda done, _failed, _total: tick(done, expected),
        )
        async for outcome in run_:
            if outcome.kind == "failed" and len(failures) < SHOWN_FAILURES:
                failures.append(f"{outcome.item[0]}: {outcome.reason}")
    return run_.summary, time.perf_counter() - started, failures


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
@click.option("--search", metavar="TEXT", help="Numbers whose name, number or SIP URI match.")
@click.option("--provider", type=click.Choice(PROVIDERS), help="Only numbers of this provider.")
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE", help="Set a field.")
@click.option("--unset", "unsets", multiple=True, metavar="FIELD", help="Clear a field.")
@click.option("--concurrency", type=click.IntRange(min=1), default=16, show_default=True)
@click.option("--rate-limit", type=click.FloatRange(min=0, min_open=True), help="Requests/s.")
@api_options()
@click.pass_obj
def bulk_update(
    settings: Settings,
    search: str | None,
    provider: str | None,
    sets: tuple[str, ...],
    unsets: tuple[str, ...],
    concurrency: int,
    rate_limit: float | None,
) -> None:
    """Update every number matching --search: --set assistantId=... and/or --unset FIELD."""
    if not (sets or unsets):
        raise click.UsageError("nothing to change: give --set or --unset")
    bodies = update_bodies(sets, unsets, provider)

    async def body() -> tuple[BulkSummary, float, list[str]]:
        async with settings.client() as client:
            return await update_matching(
                client,
                bodies,
                search=search,
                concurrency=concurrency,
                rate_limit=rate_limit,
                progress=stderr_is_terminal(),
            )

    summary, seconds, failures = run(body())
    rate = summary.done / seconds if seconds else 0.0
    rows = [("updated", summary.updated), ("failed", summary.failed)]
    title = f"bulk-update: {summary.done} numbers in {seconds:.1f} s ({rate:,.0f}/s)"
    print_table(title, ("result", "numbers"), rows, sys.stdout)
    for failure in failures:
        click.echo(f"  failed: {failure}", err=True)
    if summary.failed:
        raise click.exceptions.Exit(1)
