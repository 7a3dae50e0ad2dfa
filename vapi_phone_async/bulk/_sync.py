"""A sync plan as data to read, and its `apply`: one bulk run doing exactly the plan.

See `_plan` for how a plan is made. `apply` sends the creates (a create whose answer is
lost is looked up, adopted or reported unknown, never sent twice blindly), the purchases
(only with `allow_purchase=True`), the updates (the changed fields, a nested object whole)
and the deletes, with one `BulkOutcome` per planned action. It holds the account's apply
lock for the whole run and first checks, under it, that the account is still as the plan
saw it (`_basis`): a stale plan is refused, never applied blind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeAlias

import msgspec

from ..errors import FieldError, NotFoundError, RequestValidationError, VapiError
from ..models import CreatePhoneNumber, PhoneNumber, UpdatePhoneNumber
from ._basis import ListingFingerprint, unchanged_under_lock
from ._calls import PhoneNumberCalls
from ._diff import Change
from ._import import create_reconciled
from ._lock import wait_timeout
from ._match import Key
from ._outcomes import (
    BulkOutcome,
    BulkResult,
    Progress,
    check_options,
    failed,
    skipped,
    succeeded,
)
from ._run import BulkRun

__all__ = [
    "InvalidRow",
    "PlanWarning",
    "PlannedAction",
    "PlannedCreate",
    "PlannedDelete",
    "PlannedUpdate",
    "SecretNotCopied",
    "SyncOutcome",
    "SyncPlan",
    "SyncResult",
    "Unchanged",
]


class PlannedCreate(msgspec.Struct, frozen=True):
    """Row `row` creates a number with `body`; `purchase` when that buys one from Vapi.
    `keys` find it again if the answer to its create is lost."""

    row: int
    body: CreatePhoneNumber
    keys: tuple[Key, ...]
    purchase: bool = False
    extra: dict[str, Any] = msgspec.field(default_factory=dict)
    """Fields this version does not model, sent as `extra_body` (`resend_unknown=True`)."""
    line: int | None = None
    """The row's line in its file (a `rows.Row`'s), or None."""


class PlannedUpdate(msgspec.Struct, frozen=True):
    """Row `row` changes the number `id` (now `number`) with `body`: the `changes` only,
    a nested object whole (the live one with the row's values merged in)."""

    row: int
    id: str
    number: PhoneNumber
    body: UpdatePhoneNumber
    changes: tuple[Change, ...]
    extra: dict[str, Any] = msgspec.field(default_factory=dict)
    """Fields this version does not model, sent as `extra_body` (`resend_unknown=True`)."""
    line: int | None = None
    """The row's line in its file (a `rows.Row`'s), or None."""


class PlannedDelete(msgspec.Struct, frozen=True):
    """With `prune=True`: the number `id`, which no row stands for, goes."""

    id: str
    number: PhoneNumber


class Unchanged(msgspec.Struct, frozen=True):
    """Row `row` stands for the number `id`, which is as the row wants it."""

    row: int
    id: str
    line: int | None = None


class InvalidRow(msgspec.Struct, frozen=True):
    """Row `row` (its index in the rows given, from 0) cannot be settled: `reason` says
    why; nothing is done with it. `line` is its line in its file, for a `rows.Row`."""

    row: int
    reason: str
    data: Any = None
    line: int | None = None

    def __repr__(self) -> str:
        where = f", line={self.line}" if self.line is not None else ""
        return f"InvalidRow(row={self.row}{where}, reason={self.reason!r})"


class SecretNotCopied(msgspec.Struct, frozen=True):
    """A secret row `row` holds hidden (`<set>`: exported without `--show-secrets`) that
    its number does not have (`id`), or that its create leaves out (`id` None): `field`,
    by wire path (`server.secret`, `server.headers.X-Api-Key`). Nothing is sent for it;
    export with `--show-secrets` to copy it."""

    row: int
    field: str
    id: str | None = None
    line: int | None = None


class PlanWarning(msgspec.Struct, frozen=True):
    """Something about row `row` to know, which changes nothing: `message` says what."""

    row: int
    message: str
    id: str | None = None
    line: int | None = None


@dataclass
class SyncPlan:
    """What a sync would do; nothing has been changed yet. `await plan.apply()` does it.

    The lists are in row order. `changes` counts what `apply` would send; a plan with
    none is `empty` (its invalid rows, if any, change nothing). `warnings` change nothing
    either (a number written differently from the account's, say); `secrets_not_copied`
    lists the hidden secrets of the rows (`<set>`) the account's numbers do not have.
    """

    creates: list[PlannedCreate] = field(default_factory=list)
    purchases: list[PlannedCreate] = field(default_factory=list)
    updates: list[PlannedUpdate] = field(default_factory=list)
    deletes: list[PlannedDelete] = field(default_factory=list)
    unchanged: list[Unchanged] = field(default_factory=list)
    invalid: list[InvalidRow] = field(default_factory=list)
    warnings: list[PlanWarning] = field(default_factory=list)
    secrets_not_copied: list[SecretNotCopied] = field(default_factory=list)
    live: int = 0  # numbers in the account when planned
    left_out: int = 0
    """Numbers of the account no row stands for: `deletes` with `prune=True`, else left as
    they are."""
    unreadable: int = 0
    """Items the account listed that could not be identified (no id or provider): never
    matched, updated or deleted, and no row may create a number one of them shows."""
    client: PhoneNumberCalls | None = field(default=None, repr=False, compare=False)
    basis: ListingFingerprint | None = field(default=None, repr=False, compare=False)
    """The listing the plan rests on; `apply` refuses to run when the account differs."""

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}={count}" for name, count in self.counts().items())
        return f"SyncPlan({counts})"

    def counts(self) -> dict[str, int]:
        """How many of each: creates, purchases, updates, deletes, unchanged, invalid."""
        return {
            "creates": len(self.creates),
            "purchases": len(self.purchases),
            "updates": len(self.updates),
            "deletes": len(self.deletes),
            "unchanged": len(self.unchanged),
            "invalid": len(self.invalid),
        }

    @property
    def changes(self) -> int:
        """Requests `apply` would send."""
        return len(self.creates) + len(self.purchases) + len(self.updates) + len(self.deletes)

    def actions(self) -> list[PlannedAction]:
        """What `apply` does, in its order: creates, purchases, updates, deletes."""
        return [*self.creates, *self.purchases, *self.updates, *self.deletes]

    @property
    def empty(self) -> bool:
        """Whether applying the plan would change nothing."""
        return self.changes == 0

    def apply(
        self,
        *,
        allow_purchase: bool = False,
        concurrency: int = 16,
        rate_limit: float | None = None,
        fail_fast: bool = False,
        progress: Progress | None = None,
        wait: bool | float = False,
    ) -> BulkRun[PlannedAction]:
        """Do the plan: creates, purchases, updates, deletes, one outcome per action.

        `allow_purchase=True` is needed when the plan buys numbers (it raises
        `RequestValidationError` before anything is sent otherwise). Other options as for
        `bulk_update`. A delete that finds its number gone already is `skipped`.

        The run holds the account's apply lock (`client.apply_lock`) from its start to its
        end. When another apply holds it, the run waits for it if `wait` says so (True:
        as long as it takes; a number: that many seconds), else raises `ApplyLockedError`
        when it starts. Under the lock it walks the account once more, and raises
        `StalePlanError` before sending anything when a number was created, deleted or
        changed since the plan: plan again (under `client.apply_lock()`, to keep other
        applies out meanwhile) and apply the new plan.
        """
        if self.client is None:
            raise RuntimeError("a SyncPlan applies through the client that made it")
        if self.purchases and not allow_purchase:
            count = len(self.purchases)
            rule = (
                f"the plan buys {count} number{'s' * (count != 1)} from Vapi, which costs "
                "money: pass allow_purchase=True to buy them"
            )
            raise RequestValidationError([FieldError("allow_purchase", rule)])
        check_options(concurrency, rate_limit)
        wait_timeout(wait)  # a bad `wait` is refused now, not when the run starts
        calls = self.client.with_options(rate_limit=rate_limit)
        actions = self.actions()

        async def do(index: int, action: PlannedAction) -> BulkOutcome[PlannedAction]:
            try:
                if isinstance(action, PlannedCreate):
                    return await create_reconciled(
                        calls,
                        index,
                        action,
                        action.body,
                        action.keys,
                        allow_purchase=allow_purchase,
                        extra_body=action.extra or None,
                    )
                if isinstance(action, PlannedUpdate):
                    number = await calls.update(
                        action.id, action.body, extra_body=action.extra or None
                    )
                    return succeeded(index, action, number, "updated")
                try:
                    gone = await calls.delete(action.id)
                except NotFoundError:
                    return skipped(index, action, "already gone")
                return succeeded(index, action, gone, "deleted")
            except VapiError as error:
                return failed(index, action, error)

        # Nothing to do sends nothing: no lock, no second walk.
        guard = partial(unchanged_under_lock, self.client, self.basis, wait) if actions else None
        return BulkRun(
            actions,
            do,
            concurrency=concurrency,
            fail_fast=fail_fast,
            progress=progress,
            guard=guard,
        )


PlannedAction = PlannedCreate | PlannedUpdate | PlannedDelete
"""One action of a plan, the item of each outcome of `SyncPlan.apply`."""
SyncResult: TypeAlias = BulkResult[PlannedAction]
"""What `await plan.apply()` returns: one outcome per planned action, in plan order, and
their summary (a `BulkResult` of `PlannedAction`s), for a worker's annotations."""
SyncOutcome: TypeAlias = BulkOutcome[PlannedAction]
"""One outcome of an apply: an item of `SyncResult.outcomes`, or of `async for outcome in
plan.apply()` (a `BulkOutcome` of a `PlannedAction`)."""
