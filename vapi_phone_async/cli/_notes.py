"""What a plan says beside its actions: its warnings, and the secrets it does not copy.

Both change nothing and leave the exit status alone; the table shows them under the
counts, and JSON output holds them as `warnings` and `secretsNotCopied`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..bulk import SyncPlan
from ._files import SHOWN_FAILURES

__all__ = ["note_entries", "notes"]


def notes(plan: SyncPlan, line: Callable[[int], int], shown: int = SHOWN_FAILURES) -> list[str]:
    """The lines to print for `plan`'s warnings and secrets not copied; `line` gives a
    row's line in the file."""
    out: list[str] = []
    if plan.warnings:
        count = len(plan.warnings)
        out.append(f"{count} warning{'s' * (count != 1)} (nothing is done for them):")
        out.extend(f"  line {line(w.row)}: {w.message}" for w in plan.warnings[:shown])
        if count > shown:
            out.append(f"  ... and {count - shown} more")
    if plan.secrets_not_copied:
        count = len(plan.secrets_not_copied)
        fields: dict[int, list[str]] = {}
        for secret in plan.secrets_not_copied:
            fields.setdefault(line(secret.row), []).append(secret.field)
        where = [f"line {at} ({', '.join(names)})" for at, names in fields.items()]
        rest = len(where) - shown
        more = f"; and {rest} more line{'s' * (rest != 1)}" if rest > 0 else ""
        out.append(
            f"{count} secret{'s' * (count != 1)} not copied (the file holds "
            f"{'them' if count != 1 else 'it'} hidden, as <set>): "
            + "; ".join(where[:shown])
            + more
        )
        out.append("  export with --show-secrets to copy them")
    return out


def note_entries(plan: SyncPlan, line: Callable[[int], int]) -> dict[str, Any]:
    """The warnings and secrets not copied, for JSON output."""
    return {
        "warnings": [{"line": line(w.row), "message": w.message} for w in plan.warnings],
        "secretsNotCopied": [
            {"line": line(s.row), "field": s.field, **({"id": s.id} if s.id else {})}
            for s in plan.secrets_not_copied
        ],
    }
