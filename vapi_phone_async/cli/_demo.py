"""`demo`: the real commands run against the bundled FakeVapiServer, with no key and no
network needed.

It runs the real commands' code against a fake started in-process: it exports
every number, bulk-updates a thousand, imports a CSV of 500 (half of them present
already) twice, syncs a file of a thousand numbers (a hundred renamed, ten new) and
shows its plan, syncs it again (nothing to do), and ends with a table of what it did and
how fast.
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import msgspec

from ..client import VapiPhoneClient
from ..models import UpdatePhoneNumber
from ._bodies import update_class
from ._bulk import export_numbers
from ._context import run
from ._import import ImportReport, import_file
from ._input import read_input
from ._output import print_table, progress_bar, stderr_is_terminal
from ._plan_output import print_plan
from ._plans import plan_file
from ._records import COLUMNS, csv_row

__all__ = ["demo"]

# The fake's own key: a demo needs none from the user, and never sees theirs.
_DEMO_KEY = "demo-key"
_UPDATES = 1_000
_IMPORTS = 500


@dataclass
class _Step:
    name: str
    numbers: int
    seconds: float
    note: str = ""


@click.command()
@click.option("--numbers", type=click.IntRange(min=1), default=10_000, show_default=True)
@click.option("--concurrency", type=click.IntRange(min=1), default=32, show_default=True)
@click.option("--latency", type=click.FloatRange(min=0), default=0.0, help="Seconds per answer.")
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the exported and imported files in this directory.",
)
def demo(numbers: int, concurrency: int, latency: float, keep: Path | None) -> None:
    """Run export, bulk-update and import against an in-process fake server."""
    with tempfile.TemporaryDirectory(prefix="vapi-phone-demo-") as scratch:
        folder = keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        steps = run(_demo(numbers, concurrency, latency, folder))
    rows = [
        (step.name, step.numbers, f"{step.seconds:.2f}", _rate(step), step.note) for step in steps
    ]
    print_table(
        "vapi-phone demo: what it did, and how fast",
        ("step", "numbers", "seconds", "numbers/s", "result"),
        rows,
        sys.stdout,
    )


async def _demo(numbers: int, concurrency: int, latency: float, folder: Path) -> list[_Step]:
    progress = stderr_is_terminal()
    steps: list[_Step] = []

    def done(step: _Step) -> None:
        steps.append(step)
        if not progress:  # on a terminal the progress bars said it already
            click.echo(f"{step.name}: {step.numbers} numbers in {step.seconds:.2f} s", err=True)

    from ..testing import FakeVapiServer  # only here: other commands need no aiohttp.web

    started = time.perf_counter()
    async with FakeVapiServer(api_key=_DEMO_KEY, latency=latency) as server:
        server.seed(numbers)
        done(_Step("start fake server and seed", numbers, time.perf_counter() - started))
        async with VapiPhoneClient(api_key=_DEMO_KEY, base_url=server.url) as client:
            exported = folder / "numbers.jsonl"
            started = time.perf_counter()
            count = await export_numbers(client, exported, progress=progress)
            done(_Step("export to numbers.jsonl", count, time.perf_counter() - started))

            done(await _update_some(client, exported, concurrency, progress))

            csv_file = folder / "import.csv"
            _write_import_csv(exported, csv_file)
            for name in ("import import.csv", "import it again"):
                report = await import_file(
                    client, read_input(str(csv_file)), concurrency=concurrency, progress=progress
                )
                done(_import_step(name, report))

            current = folder / "current.jsonl"  # as the account is now, after the above
            await export_numbers(client, current)
            desired = folder / "desired.jsonl"
            _write_desired(current, desired)
            for name in ("sync desired.jsonl --apply", "sync it again"):
                started = time.perf_counter()
                planned = await plan_file(client, read_input(str(desired)), prune=False)
                plan = planned.plan
                if not plan.empty:
                    title = f"sync plan for {desired.name}"
                    print_plan(planned, title, "table", sys.stderr, details=3)
                    await plan.apply(concurrency=concurrency)
                counts = plan.counts()
                note = ", ".join(
                    f"{counts[key]} {key}" for key in ("creates", "updates", "unchanged")
                )
                done(_Step(name, len(planned.source.records), time.perf_counter() - started, note))
    return steps


async def _update_some(
    client: VapiPhoneClient, exported: Path, concurrency: int, progress: bool
) -> _Step:
    """Give the first thousand exported numbers a new assistant, with one bulk update."""
    assistant = str(uuid.uuid4())
    bodies: dict[str, UpdatePhoneNumber] = {}

    def pairs() -> Iterator[tuple[str, UpdatePhoneNumber]]:
        for data in _exported(exported, _UPDATES):
            provider = data["provider"]
            if provider not in bodies:
                bodies[provider] = update_class(provider)(assistant_id=assistant)
            yield data["id"], bodies[provider]

    started = time.perf_counter()
    with progress_bar("bulk-update", _UPDATES, enabled=progress) as tick:
        result = await client.bulk_update(
            pairs(),
            concurrency=concurrency,
            progress=lambda done, _failed, _total: tick(done, _UPDATES),
        )
    summary = result.summary
    note = f"{summary.updated} updated, {summary.failed} failed"
    return _Step("bulk-update assistantId", summary.done, time.perf_counter() - started, note)


def _write_import_csv(exported: Path, target: Path) -> None:
    """A CSV of 500 numbers: every other one exported already, the others new."""
    present = list(_exported(exported, _IMPORTS // 2, skip_vapi=True))
    # Area code 999 is one the fake never seeds, so these numbers are all new.
    new = [
        {
            "provider": "twilio",
            "number": f"+1999{i:07d}",
            "name": f"Demo import {i}",
            "twilioAccountSid": "AC" + "d" * 32,
        }
        for i in range(_IMPORTS - len(present))
    ]
    with target.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for pair in zip(present, new, strict=False):
            writer.writerows(csv_row(data) for data in pair)
        writer.writerows(csv_row(data) for data in new[len(present) :])


def _write_desired(exported: Path, target: Path) -> None:
    """What a source of truth might say: a thousand exported numbers, one in ten renamed,
    and ten new ones."""
    encode = msgspec.json.Encoder().encode
    with target.open("w", encoding="utf-8") as stream:
        for index, data in enumerate(_exported(exported, _UPDATES, skip_vapi=True)):
            if index % 10 == 0:
                data = {**data, "name": f"Synced {index}"}
            stream.write(encode(data).decode() + "\n")
        for index in range(10):
            new = {"provider": "vonage", "number": f"+1998{index:07d}", "credentialId": "c"}
            stream.write(encode(new).decode() + "\n")


def _exported(path: Path, limit: int, *, skip_vapi: bool = False) -> Iterator[dict[str, str]]:
    """The first `limit` numbers of an export, read lazily. `skip_vapi` leaves out Vapi
    numbers: their SIP password is hidden in an export, so they do not import as they are."""
    decode = msgspec.json.Decoder().decode
    count = 0
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            data = decode(line)
            if skip_vapi and data["provider"] == "vapi":
                continue
            yield data
            count += 1
            if count == limit:
                return


def _import_step(name: str, report: ImportReport) -> _Step:
    counts = ", ".join(f"{count} {result}" for result, count in report.rows())
    return _Step(name, report.rows_read, report.seconds, counts)


def _rate(step: _Step) -> str:
    return f"{step.numbers / step.seconds:,.0f}" if step.seconds else "-"
