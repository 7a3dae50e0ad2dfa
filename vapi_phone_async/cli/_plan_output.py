"""A sync plan shown: a table of counts (plain text off a terminal) with its notes and
its first actions, or every action as JSON or JSON lines."""

from __future__ import annotations

import sys
from typing import IO, Any

import msgspec

from ..bulk import Change, PlannedCreate, PlannedDelete
from ._files import SHOWN_FAILURES
from ._notes import note_entries, notes
from ._output import print_table, unreadable_note
from ._plans import FilePlan

__all__ = ["print_plan"]

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
    prune_hint: bool = False,
) -> None:
    """The plan as a table (or plain text off a terminal), or as JSON or JSON lines.
    `labels` renames rows of the table (an import calls unchanged ones "skip (exists)");
    `details` is how many actions are listed below it; `prune_hint` says how many numbers
    of the account the file leaves out, and that --prune deletes them."""
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
    left_out = planned.plan.left_out
    if prune_hint and left_out and not planned.plan.deletes:
        numbers = f"{left_out} number{'s' * (left_out != 1)} {'are' if left_out != 1 else 'is'}"
        stream.write(f"{numbers} not in the file; --prune deletes them\n")
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
    if action == "delete":  # the id to act on, the number to recognise it by
        number = f" ({entry['number']})" if entry.get("number") else ""
        return f"{where}delete {entry['id']}{number}"
    target = entry.get("number") or entry.get("id", "")
    return f"{where}{action} {target}".rstrip()
