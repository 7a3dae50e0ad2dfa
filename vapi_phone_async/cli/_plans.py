"""What `import` and `sync` share: a file's rows planned as a sync, the plan shown, and an
apply that Ctrl+C stops cleanly.

Ctrl+C during an apply takes no more actions; those in flight finish (a second Ctrl+C
cuts them short: their outcome is unknown). Then the summary says what was done, the rows
not done go to the failures file, and the command exits 130.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Generic, TypeVar

import click
import msgspec

from ..bulk import (
    BulkOutcome,
    BulkRun,
    BulkSummary,
    Change,
    PlannedAction,
    PlannedCreate,
    PlannedDelete,
    SyncPlan,
)
from ..client import VapiPhoneClient
from ._failures import Failures
from ._files import SHOWN_FAILURES
from ._input import InputFile
from ._notes import note_entries, notes
from ._output import print_table, unreadable_note

RESEND_UNKNOWN_HELP = (
    "Also send the fields of a row this version does not know (a newer Vapi's): Vapi "
    "refuses a property it does not take, so only when the file holds such fields."
)
"""The help of --resend-unknown, on import and sync."""

__all__ = [
    "INTERRUPTED",
    "RESEND_UNKNOWN_HELP",
    "Applied",
    "FilePlan",
    "apply_plan",
    "confirm_risky",
    "gather_failures",
    "plan_file",
    "print_plan",
    "summary_rows",
]

INTERRUPTED = 130
T = TypeVar("T")


@dataclass
class FilePlan:
    """A file's sync plan, with the line of each planned row and the unreadable rows."""

    source: InputFile
    plan: SyncPlan
    unreadable: list[tuple[int, str]] = field(default_factory=list)  # (record, problem)
    lines: list[int] = field(default_factory=list)  # the record of each planned row

    def record(self, row: int) -> int:
        """The index in `source.records` of planned row `row`."""
        return self.lines[row]

    @property
    def invalid(self) -> int:
        """Rows that make nothing: unreadable or invalid."""
        return len(self.unreadable) + len(self.plan.invalid)


async def plan_file(
    client: VapiPhoneClient,
    source: InputFile,
    *,
    prune: bool,
    resend_unknown: bool = False,
    allow_number_change: bool = False,
) -> FilePlan:
    """Plan the sync of `source`'s rows (its unreadable rows are set apart);
    `resend_unknown` and `allow_number_change` as for `client.plan_sync`."""
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    unreadable: list[tuple[int, str]] = []
    for index, record in enumerate(source.records):
        if record.data is None:
            unreadable.append((index, record.problem or "unreadable"))
        else:
            rows.append(record.data)
            lines.append(index)
    plan = await client.plan_sync(
        rows,
        prune=prune,
        resend_unknown=resend_unknown,
        allow_number_change=allow_number_change,
    )
    return FilePlan(source, plan, unreadable, lines)


# Showing a plan.

_LABELS = (
    ("creates", "create"),
    ("purchases", "buy (a purchase)"),
    ("updates", "update"),
    ("deletes", "delete"),
    ("unchanged", "unchanged"),
    ("invalid", "invalid row"),
)


def print_plan(
    planned: FilePlan,
    title: str,
    output: str,
    stream: IO[str],
    *,
    labels: dict[str, str] | None = None,
    details: int = SHOWN_FAILURES * 4,
) -> None:
    """The plan as a table (or plain text off a terminal), or as JSON or JSON lines.
    `labels` renames rows of the table (an import calls unchanged ones "skip (exists)");
    `details` is how many actions are listed below it."""
    entries = list(_entries(planned))
    records = planned.source.records

    def line(row: int) -> int:
        return records[planned.record(row)].line

    if output in ("json", "jsonl"):
        encode = msgspec.json.Encoder().encode
        if output == "jsonl":
            for entry in entries:
                stream.write(encode(entry).decode() + "\n")
            for note in notes(planned.plan, line):  # the lines hold actions only
                sys.stderr.write(note + "\n")
        else:
            counts = {**planned.plan.counts(), "invalid": planned.invalid}
            document = {"counts": counts, "actions": entries, **note_entries(planned.plan, line)}
            stream.write(msgspec.json.format(encode(document), indent=2).decode() + "\n")
        return
    counts = {**planned.plan.counts(), "invalid": planned.invalid}
    names = {**dict(_LABELS), **(labels or {})}
    rows = [(names[key], counts[key]) for key, _ in _LABELS]
    print_table(title, ("action", "numbers"), rows, stream)
    purchases = counts["purchases"]
    if purchases:
        stream.write(f"would buy {purchases} number{'s' * (purchases != 1)} from Vapi\n")
    if planned.plan.unreadable:
        stream.write(
            unreadable_note(planned.plan.unreadable, "of the account", "left as they are") + "\n"
        )
    for note in notes(planned.plan, line):
        stream.write(note + "\n")
    shown = [entry for entry in entries if entry["action"] != "unchanged"]
    for entry in shown[:details]:
        stream.write(f"  {_line(entry)}\n")
    if len(shown) > details:
        stream.write(f"  ... and {len(shown) - details} more (--output jsonl lists them all)\n")


def _entries(planned: FilePlan) -> list[dict[str, Any]]:
    plan, records = planned.plan, planned.source.records
    entries: list[dict[str, Any]] = []

    def line(row: int) -> int:
        return records[planned.record(row)].line

    for create in plan.creates:
        entries.append({"action": "create", "line": line(create.row), **_key(create)})
    for create in plan.purchases:
        entries.append({"action": "buy", "line": line(create.row), **_key(create)})
    for update in plan.updates:
        changes = {
            change.field: dict(zip(("from", "to"), change.shown(), strict=True))
            for change in update.changes
        }
        entries.append(
            {"action": "update", "line": line(update.row), "id": update.id, "changes": changes}
        )
    for delete in plan.deletes:
        entries.append({"action": "delete", "id": delete.id, **_number_key(delete)})
    for unchanged in plan.unchanged:
        entries.append({"action": "unchanged", "line": line(unchanged.row), "id": unchanged.id})
    for invalid in plan.invalid:
        entries.append({"action": "invalid", "line": line(invalid.row), "reason": invalid.reason})
    for index, problem in planned.unreadable:
        entries.append({"action": "invalid", "line": records[index].line, "reason": problem})
    return sorted(entries, key=lambda entry: entry.get("line", 0))


def _key(create: PlannedCreate) -> dict[str, Any]:
    return {"number": create.keys[0][1]} if create.keys else {}


def _number_key(delete: PlannedDelete) -> dict[str, Any]:
    data = (
        msgspec.to_builtins(delete.number) if not isinstance(delete.number, dict) else delete.number
    )
    shown = data.get("number") or data.get("sipUri")
    return {"number": shown} if shown else {}


def _line(entry: dict[str, Any]) -> str:
    where = f"line {entry['line']}: " if "line" in entry else ""
    action = entry["action"]
    if action == "update":
        changes = ", ".join(
            str(Change(name, change["from"], change["to"]))
            for name, change in entry["changes"].items()
        )
        return f"{where}update {entry['id']}: {changes}"
    if action == "invalid":
        return f"{where}invalid: {entry['reason']}"
    target = entry.get("number") or entry.get("id", "")
    return f"{where}{action} {target}".rstrip()


def confirm_risky(plan: SyncPlan, *, yes: bool, allow_purchase: bool) -> None:
    """Purchases need --allow-purchase; purchases and deletes need --yes or a yes at the
    prompt, which states their counts. Raises a usage error (exit 2) otherwise."""
    bought, deleted = len(plan.purchases), len(plan.deletes)
    if bought and not allow_purchase:
        raise click.UsageError(
            f"the plan buys {bought} number{'s' * (bought != 1)} from Vapi, which costs money: "
            "add --allow-purchase to buy them"
        )
    if not (bought or deleted) or yes:
        return
    what = " and ".join(
        part
        for part in (
            f"buy {bought} number{'s' * (bought != 1)}" if bought else "",
            f"delete {deleted} number{'s' * (deleted != 1)}" if deleted else "",
        )
        if part
    )
    if not sys.stdin.isatty():
        raise click.UsageError(f"the plan would {what}: add --yes to do it without a prompt")
    click.confirm(f"This will {what}. Go on?", abort=True, err=True)


# Applying a plan.


@dataclass
class Applied(Generic[T]):
    """An apply's outcomes, its summary, and whether Ctrl+C stopped it."""

    outcomes: list[BulkOutcome[T]]
    summary: BulkSummary
    interrupted: bool
    not_started: list[T]


async def apply_plan(run: BulkRun[T], actions: Sequence[T]) -> Applied[T]:
    """Run `run` (made from `actions`) to its end; Ctrl+C stops it cleanly (see the module
    docstring)."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    presses = 0

    def interrupt() -> None:
        nonlocal presses
        presses += 1
        if presses == 1:
            click.echo(
                "stopping: no more changes; those in flight finish (Ctrl+C again to cut)", err=True
            )
            run.cancel()
        elif task is not None:
            task.cancel()

    handled = _on_sigint(loop, interrupt)
    outcomes: list[BulkOutcome[T]] = []
    try:
        async for outcome in run:
            outcomes.append(outcome)
    except asyncio.CancelledError:
        if presses < 2:
            raise
        outcomes.extend(run.undelivered)
    finally:
        if handled:
            loop.remove_signal_handler(signal.SIGINT)
    done = {outcome.index for outcome in outcomes}
    not_started = [action for index, action in enumerate(actions) if index not in done]
    return Applied(outcomes, run.summary, presses > 0, not_started)


def _on_sigint(loop: asyncio.AbstractEventLoop, callback: Any) -> bool:
    try:
        loop.add_signal_handler(signal.SIGINT, callback)
    except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
        return False
    return True


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


def summary_rows(summary: BulkSummary, *, unchanged: int = 0) -> list[tuple[str, int]]:
    """What a run did, as rows of a table: created, bought, updated, deleted, ..."""
    rows = [
        ("created", summary.created + summary.adopted),
        ("bought", summary.bought),
        ("updated", summary.updated),
        ("deleted", summary.deleted),
        ("unchanged", unchanged + summary.unchanged),
        ("unknown (may exist)", summary.unknown),
        ("failed", summary.failed),
    ]
    return [(label, count) for label, count in rows if count or label in ("created", "failed")]
