"""The bulk operations: update, delete and import many numbers, one outcome per item.

Each takes the client (anything with its public calls, `PhoneNumberCalls`) and makes
every request through a view of it (`client.with_options(rate_limit=...)`): the client's
one retry engine, its 429 pause, adaptive rate and retry budget apply to every item, and
the run's `rate_limit` is one more token bucket on top.

`bulk_import` holds the account's apply lock for its whole run (it lists what exists,
then creates what does not: two at once would both create). `bulk_update` and
`bulk_delete` act on the ids they are given and take no lock; to keep other applies out
while deriving them from a listing, hold `client.apply_lock()` around both.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from functools import partial

from ..errors import FieldError, NotFoundError, RequestValidationError, VapiError
from ..models import CreatePhoneNumber, UpdatePhoneNumber
from ._calls import PhoneNumberCalls
from ._import import Importer, Lookup
from ._lock import wait_timeout
from ._outcomes import BulkOutcome, Progress, check_options, failed, skipped, succeeded
from ._run import BulkRun

__all__ = ["UpdateItem", "bulk_delete", "bulk_import", "bulk_update"]

UpdateItem = tuple[str, UpdatePhoneNumber]
"""An item of `bulk_update`: the id of a number and the update to apply to it."""


def bulk_update(
    client: PhoneNumberCalls,
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
    per second (None: no limit but the client's). `progress(done, failed, total)` is
    called after each outcome; `total` defaults to `len(pairs)` when it has one. Raises
    `RequestValidationError` at once for a bad `concurrency` or `rate_limit`.
    """
    check_options(concurrency, rate_limit)
    calls = client.with_options(rate_limit=rate_limit)

    async def update(index: int, item: UpdateItem) -> BulkOutcome[UpdateItem]:
        try:
            number_id, body = _pair(item)
            number = await calls.update(number_id, body)
        except VapiError as error:
            return failed(index, item, error)
        return succeeded(index, item, number, "updated")

    return BulkRun(
        pairs, update, concurrency=concurrency, fail_fast=fail_fast, progress=progress, total=total
    )


def bulk_delete(
    client: PhoneNumberCalls,
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
    re-send (a retry, or aiohttp's silent re-send on a reset connection) finds the number
    gone after a send that may have deleted it, the outcome is `deleted` with
    `number=None`, as `client.delete` returns None then. Options as for `bulk_update`.
    """
    check_options(concurrency, rate_limit)
    calls = client.with_options(rate_limit=rate_limit)

    async def delete(index: int, number_id: str) -> BulkOutcome[str]:
        try:
            number = await calls.delete(number_id)
        except NotFoundError:
            return skipped(index, number_id, "not found")
        except VapiError as error:
            return failed(index, number_id, error)
        return succeeded(index, number_id, number, "deleted")

    return BulkRun(
        ids, delete, concurrency=concurrency, fail_fast=fail_fast, progress=progress, total=total
    )


def bulk_import(
    client: PhoneNumberCalls,
    bodies: Iterable[CreatePhoneNumber] | AsyncIterable[CreatePhoneNumber],
    *,
    concurrency: int = 16,
    rate_limit: float | None = None,
    fail_fast: bool = False,
    progress: Progress | None = None,
    total: int | None = None,
    update_existing: bool = False,
    lookup: Lookup = "walk",
    allow_purchase: bool = False,
    wait: bool | float = False,
) -> BulkRun[CreatePhoneNumber]:
    """Create numbers that do not exist yet; running the same import twice creates nothing.

    A number that exists already (same provider and number) is `skipped`, or, when
    `update_existing=True`, `updated` with the fields of the body that differ (and
    `skipped` as `unchanged` when none does); a number appearing twice in the input is
    skipped the second time. A body that buys a number (a Vapi number without a SIP URI)
    fails unsent unless `allow_purchase=True`. A create whose answer was lost is looked up
    and `adopted` if it took effect, never sent twice blindly; if the lookup fails too,
    the item is `unknown` (it may exist: run the import again to reconcile it). `lookup`
    is how existing numbers are found: `"walk"` (one listing of every number before the
    first create) or `"search"` (one search per item); see `Importer` for the trade-off.
    The run holds the account's apply lock from its start to its end; `wait` as for
    `SyncPlan.apply` (by default another apply running makes it raise `ApplyLockedError`
    when it starts, nothing sent). Other options as for `bulk_update`.
    """
    check_options(concurrency, rate_limit)
    wait_timeout(wait)
    if lookup not in ("walk", "search"):
        raise RequestValidationError(
            [FieldError("lookup", f"must be 'walk' or 'search' (got {lookup!r})")]
        )
    calls = client.with_options(rate_limit=rate_limit)
    importer = Importer(
        calls,
        update_existing=update_existing,
        lookup=lookup,
        allow_purchase=allow_purchase,
    )
    return BulkRun(
        bodies,
        importer,
        concurrency=concurrency,
        fail_fast=fail_fast,
        progress=progress,
        total=total,
        setup=importer.setup,
        guard=partial(client.apply_lock, wait=wait),
    )


def _pair(item: object) -> UpdateItem:
    """An item of `bulk_update` as (id, body); the id and body are checked by the call."""
    if isinstance(item, tuple | list) and len(item) == 2:
        number_id, body = item
        return number_id, body
    got = type(item).__name__
    raise RequestValidationError(
        [FieldError("item", f"must be a (phone_number_id, update body) pair (got {got})")]
    )
