"""What a bulk run reports: one BulkOutcome per item, their BulkSummary, and the
BulkResult of a run awaited to its end."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from .._rules import amount, count, raise_for
from ..models import PhoneNumber

__all__ = [
    "Action",
    "BulkOutcome",
    "BulkResult",
    "BulkSummary",
    "OutcomeKind",
    "Progress",
    "check_options",
    "failed",
    "skipped",
    "succeeded",
    "summarize",
    "unknown",
]

T = TypeVar("T")
OutcomeKind = Literal["succeeded", "failed", "skipped", "unknown"]
Action = Literal["created", "bought", "adopted", "updated", "deleted", "unchanged"]
Progress = Callable[[int, int, int | None], None]
"""Called after each outcome with (done, failed, total): `done` counts every outcome so
far (failed and skipped ones too); `total` is None when the input's length is unknown."""


@dataclass(frozen=True)
class BulkOutcome(Generic[T]):
    """What happened to one item of a bulk run.

    `kind` is `succeeded` (with `number`, the phone number as the server returned it, and
    `action`: `created`, `bought` (a number bought from Vapi), `adopted` (a create whose
    answer was lost, found on the server), `updated` or `deleted`), `failed` (with
    `error`, and `reason`, its message), `skipped` (with `reason`; `action` is `unchanged`
    when the number already is as wanted), or `unknown`: a create that may have happened
    but could not be confirmed (with `error` and `reason`). An unknown item may exist on
    the server: run the import again to reconcile it, never a plain create, which could
    buy it twice.
    `index` is the item's position in the input, `item` the input item itself. A delete
    that finds the number already gone is skipped.
    """

    kind: OutcomeKind
    index: int
    item: T
    number: PhoneNumber | None = None
    action: Action | None = None
    error: BaseException | None = None
    reason: str | None = None


def succeeded(index: int, item: T, number: PhoneNumber | None, action: Action) -> BulkOutcome[T]:
    """A `succeeded` outcome."""
    return BulkOutcome("succeeded", index, item, number=number, action=action)


def failed(index: int, item: T, error: BaseException) -> BulkOutcome[T]:
    """A `failed` outcome; the reason is the error's one-line message."""
    return BulkOutcome(
        "failed", index, item, error=error, reason=str(error) or type(error).__name__
    )


def skipped(index: int, item: T, reason: str, action: Action | None = None) -> BulkOutcome[T]:
    """A `skipped` outcome (`action="unchanged"`: nothing to do, the number is as wanted)."""
    return BulkOutcome("skipped", index, item, action=action, reason=reason)


UNKNOWN_REASON = "may exist; run the import again to reconcile"


def unknown(index: int, item: T, error: BaseException, detail: str | None = None) -> BulkOutcome[T]:
    """An `unknown` outcome: a create that may have happened (`error`, its
    `OutcomeUnknownError`) and could not be confirmed (`detail`: why not)."""
    why = f"{error}; {detail}" if detail else str(error)
    return BulkOutcome("unknown", index, item, error=error, reason=f"{UNKNOWN_REASON}: {why}")


@dataclass
class BulkSummary:
    """Counts of a run's outcomes: by kind, and by action (`unchanged` counts skipped
    outcomes whose number was already as wanted)."""

    total: int | None = None
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    unknown: int = 0
    created: int = 0
    bought: int = 0
    adopted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def done(self) -> int:
        """Items with an outcome."""
        return self.succeeded + self.failed + self.skipped + self.unknown

    def add(self, outcome: BulkOutcome[Any]) -> None:
        """Count one more outcome."""
        if outcome.kind == "succeeded":
            self.succeeded += 1
        elif outcome.kind == "failed":
            self.failed += 1
        elif outcome.kind == "unknown":
            self.unknown += 1
        else:
            self.skipped += 1
        if outcome.action is not None:
            setattr(self, outcome.action, getattr(self, outcome.action) + 1)


def summarize(outcomes: Iterable[BulkOutcome[Any]]) -> BulkSummary:
    """The summary of outcomes collected elsewhere (say, from `async for`); their number
    is the total."""
    summary = BulkSummary(total=0)
    for outcome in outcomes:
        summary.add(outcome)
    summary.total = summary.done
    return summary


@dataclass
class BulkResult(Generic[T]):
    """A finished run: every outcome in input order, their summary, and whether the run
    stopped before the end of its input (`cancel()`, `fail_fast`)."""

    outcomes: list[BulkOutcome[T]]
    summary: BulkSummary
    stopped_early: bool = False
    failures: list[BulkOutcome[T]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.failures = [outcome for outcome in self.outcomes if outcome.kind == "failed"]


def check_options(concurrency: int, rate_limit: float | None) -> None:
    """Raise `RequestValidationError` for a concurrency or rate limit that cannot work."""
    raise_for(
        count("concurrency", concurrency) + amount("rate_limit", rate_limit, allow_zero=False)
    )
