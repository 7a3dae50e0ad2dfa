"""Applying a plan, which Ctrl+C stops cleanly, and what the apply did.

Ctrl+C during an apply takes no more actions; those in flight finish (a second Ctrl+C
cuts them short: their outcome is unknown). Then the summary says what was done, the rows
not done go to the failures file, and the command exits 130.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import click

from ..bulk import BulkOutcome, BulkRun, BulkSummary

__all__ = ["INTERRUPTED", "Applied", "apply_plan", "summary_rows"]

INTERRUPTED = 130
T = TypeVar("T")


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
