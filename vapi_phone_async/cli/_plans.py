"""What `import` and `sync` share before they change anything: a file's rows planned as a
sync, and the confirmation a risky plan (a purchase, a delete) needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import click

from ..bulk import SyncPlan
from ..client import VapiPhoneClient
from ._input import InputFile
from ._prompt import confirm

__all__ = ["RESEND_UNKNOWN_HELP", "FilePlan", "confirm_risky", "plan_file"]

RESEND_UNKNOWN_HELP = (
    "Also send the fields of a row this version does not know (a newer Vapi's): Vapi "
    "refuses a property it does not take, so only when the file holds such fields."
)
"""The help of --resend-unknown, on import and sync."""


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


def confirm_risky(plan: SyncPlan, *, yes: bool, allow_purchase: bool) -> None:
    """Purchases need --allow-purchase; purchases and deletes need --yes or a yes at the
    prompt, which states their counts (see `_prompt`)."""
    bought, deleted = len(plan.purchases), len(plan.deletes)
    if bought and not allow_purchase:
        raise click.UsageError(
            f"the plan buys {bought} number{'s' * (bought != 1)} from Vapi, which costs money: "
            "add --allow-purchase to buy them"
        )
    if not (bought or deleted):
        return
    what = " and ".join(
        part
        for part in (
            f"buy {bought} number{'s' * (bought != 1)}" if bought else "",
            f"delete {deleted} number{'s' * (deleted != 1)}" if deleted else "",
        )
        if part
    )
    confirm(f"This will {what}. Go on?", what=what, yes=yes)
