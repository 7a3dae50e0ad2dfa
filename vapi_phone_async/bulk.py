"""Bulk operations: update, delete and import many numbers with per-item outcomes.

Each function takes an iterable or async iterable (consumed lazily: a generator of
100,000 items is never listed) and returns a `BulkRun`:

    async for outcome in client.bulk_update(pairs, concurrency=16):   # completion order
        ...
    result = await client.bulk_import(bodies)                         # input order
    print(result.summary.created, result.summary.skipped, len(result.failures))

Every item taken gets exactly one `BulkOutcome`: `succeeded`, `failed` or `skipped`. One
item's failure never stops the others unless `fail_fast=True`. Requests are retried under
the client's BackoffPlan, at most `rate_limit` requests start per second, and a 429 pauses
the whole run rather than failing items (see `_bulk_pacing`). Cancellation is described
in `BulkRun`: nothing taken is forgotten, no connection stays acquired.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from typing import TYPE_CHECKING

from ._bulk_import import ONE_ATTEMPT as _ONE_ATTEMPT
from ._bulk_import import Importer as _Importer
from ._bulk_import import Lookup
from ._bulk_outcomes import (
    Action,
    BulkCancelledError,
    BulkOutcome,
    BulkResult,
    BulkSummary,
    OutcomeKind,
    Progress,
    summarize,
)
from ._bulk_outcomes import check_options as _check_options
from ._bulk_outcomes import failed as _failed
from ._bulk_outcomes import skipped as _skipped
from ._bulk_outcomes import succeeded as _succeeded
from ._bulk_pacing import Pacer as _Pacer
from ._bulk_run import BulkRun
from .errors import (
    APIConnectionError,
    FieldError,
    InternalServerError,
    NotFoundError,
    RequestValidationError,
    VapiError,
)
from .models import CreatePhoneNumber, UpdatePhoneNumber

if TYPE_CHECKING:
    from .client import VapiPhoneClient

__all__ = [
    "Action",
    "BulkCancelledError",
    "BulkOutcome",
    "BulkResult",
    "BulkRun",
    "BulkSummary",
    "Lookup",
    "OutcomeKind",
    "Progress",
    "UpdateItem",
    "bulk_delete",
    "bulk_import",
    "bulk_update",
    "summarize",
]

UpdateItem = tuple[str, UpdatePhoneNumber]
"""An item of `bulk_update`: the id of a number and the update to apply to it."""


def bulk_update(
    client: VapiPhoneClient,
    pairs: Iterable[UpdateItem] | AsyncIterable[UpdateItem],
    *,
    concurrency: int = 16,
    rate_limit: float | None = None,
    fail_fast: bool = False,
    progress: Progress | None = None,
    total: int | None = None,
) -> BulkRun[UpdateItem]:
    """Apply `(phone_number_id, UpdatePhoneNumber)` pairs; each success is `updated`.

    `concurrency` is how many requests may be in flight, `rate_limit` how many may start
    per second (None: no limit). `progress(done, failed, total)` is called after each
    outcome; `total` defaults to `len(pairs)` when it has one. Raises
    `RequestValidationError` at once for a bad `concurrency` or `rate_limit`.
    """
    pacer = _pacer(client, concurrency, rate_limit)

    async def update(index: int, item: UpdateItem) -> BulkOutcome[UpdateItem]:
        number_id, body = item
        try:
            number = await pacer.call(
                "PATCH", lambda: client.update(number_id, body, backoff=_ONE_ATTEMPT)
            )
        except VapiError as error:
            return _failed(index, item, error)
        return _succeeded(index, item, number, "updated")

    return BulkRun(
        pairs,
        update,
        concurrency=concurrency,
        fail_fast=fail_fast,
        progress=progress,
        total=total,
    )


def bulk_delete(
    client: VapiPhoneClient,
    ids: Iterable[str] | AsyncIterable[str],
    *,
    concurrency: int = 16,
    rate_limit: float | None = None,
    fail_fast: bool = False,
    progress: Progress | None = None,
    total: int | None = None,
) -> BulkRun[str]:
    """Delete numbers by id; each success is `deleted` with the number as it was.

    A number that was not there is `skipped` ("not found"): the goal is reached. When a
    re-send (a retry, or aiohttp's silent re-send on a reset keep-alive connection) finds
    the number gone after a send that may have deleted it, the outcome is `deleted` with
    `number=None`. Options as for `bulk_update`.
    """
    pacer = _pacer(client, concurrency, rate_limit)

    async def delete(index: int, number_id: str) -> BulkOutcome[str]:
        may_have_acted = False

        async def attempt() -> BulkOutcome[str]:
            nonlocal may_have_acted
            try:
                number = await client.delete(number_id, backoff=_ONE_ATTEMPT)
            except NotFoundError:
                if may_have_acted:
                    return _succeeded(index, number_id, None, "deleted")
                return _skipped(index, number_id, "not found")
            except (APIConnectionError, InternalServerError) as error:
                if not isinstance(error, APIConnectionError) or not error.connect_failed:
                    may_have_acted = True
                raise
            return _succeeded(index, number_id, number, "deleted")

        try:
            return await pacer.call("DELETE", attempt)
        except VapiError as error:
            return _failed(index, number_id, error)

    return BulkRun(
        ids,
        delete,
        concurrency=concurrency,
        fail_fast=fail_fast,
        progress=progress,
        total=total,
    )


def bulk_import(
    client: VapiPhoneClient,
    bodies: Iterable[CreatePhoneNumber] | AsyncIterable[CreatePhoneNumber],
    *,
    concurrency: int = 16,
    rate_limit: float | None = None,
    fail_fast: bool = False,
    progress: Progress | None = None,
    total: int | None = None,
    update_existing: bool = False,
    lookup: Lookup = "walk",
) -> BulkRun[CreatePhoneNumber]:
    """Create numbers that do not exist yet; running the same import twice creates nothing.

    A number that exists already (same provider and number) is `skipped`, or `updated`
    with the fields the body sets when `update_existing=True`; a number appearing twice
    in the input is skipped the second time. A create whose answer was lost is looked up
    and `adopted` if it took effect, never sent twice blindly. `lookup` is how existing
    numbers are found: `"walk"` (one listing of every number before the first create) or
    `"search"` (one search per item); see `_bulk_import` for the trade-off. Other options
    as for `bulk_update`.
    """
    pacer = _pacer(client, concurrency, rate_limit)
    if lookup not in ("walk", "search"):
        raise RequestValidationError(
            [FieldError("lookup", f"must be 'walk' or 'search' (got {lookup!r})")]
        )
    importer = _Importer(
        client,
        pacer,
        update_existing=update_existing,
        lookup=lookup,
        max_creates=client._settings.plan.max_retries + 1,
    )
    return BulkRun(
        bodies,
        importer,
        concurrency=concurrency,
        fail_fast=fail_fast,
        progress=progress,
        total=total,
        setup=importer.setup,
    )


def _pacer(client: VapiPhoneClient, concurrency: int, rate_limit: float | None) -> _Pacer:
    _check_options(concurrency, rate_limit)
    # The client's own retry settings and sleep: bulk retries follow the same BackoffPlan.
    return _Pacer(client._settings, client._sleep, rate_limit=rate_limit)
