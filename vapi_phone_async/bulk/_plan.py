"""A sync's plan: what would make the account look like the desired rows, as data to read.

`plan_sync` walks the account once, then settles each desired row against it (see
`_match` for how a row finds its number):

- a row that finds no number is a **create**, or a **purchase** when it is a Vapi number
  without a `sipUri` (buying costs money: `apply` needs `allow_purchase=True`);
- a row that finds its number is an **update** of the fields that differ, with the diff,
  or **unchanged**; only fields an update can set are compared (not what the server
  assigns, nor a Vapi number's `number`), a `<set>` placeholder (a secret an export hid)
  stands for the live value, and a nested object is compared by the fields the row gives
  and sent whole (see `_diff`); a `number` written differently from the live one (a lost
  `+`) is the same number, with a warning, and another `number` or `sipUri` for a matched
  number is invalid unless `allow_number_change=True`;
- with `prune=True`, a live number no row stands for is a **delete**;
- a row that cannot be settled is **invalid**, with its reason: not a phone number, an
  ambiguous match, a second row for the same number, a body that breaks the spec's rules.
  An invalid row that names a live number (by id or key) still keeps it from a prune.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from contextlib import aclosing
from itertools import islice

from .._gc import collector_paused, heap_set_aside
from ..models import PhoneNumberPage
from ..pagination import WHOLE_LISTING_PAGE_SIZE, WHOLE_LISTING_PREFETCH
from ._basis import Listing
from ._calls import PhoneNumberCalls
from ._planner import Desired, Planner
from ._sync import SyncPlan

__all__ = ["plan_sync"]


async def plan_sync(
    client: PhoneNumberCalls,
    desired: Iterable[Desired] | AsyncIterable[Desired],
    *,
    prune: bool = False,
    strict: bool = True,
    resend_unknown: bool = False,
    allow_number_change: bool = False,
) -> SyncPlan:
    """The plan that makes the account look like `desired` (see the module docstring).

    `desired` holds wire mappings (rows of a file, exported numbers) or create bodies.
    The rows of `rows.read` carry their line in the file to the plan's entries
    (`InvalidRow.line`). `strict=False` reads the text of other mappings as the cells of
    a CSV (`csv.DictReader` rows): an empty cell is a field left out, `null` clears,
    JSON cells are JSON, `true` and `20` are typed where the field takes them (see
    `rows.read_cells`); by default a text where another type is due is invalid.
    `resend_unknown=True` also compares and sends the fields of a row this version does
    not model (as `extra_body`, nested ones with their object); by default they are left
    out: Vapi refuses a property a create does not take, and a field a number shows may
    be one. `allow_number_change=True` lets a row change the `number` or `sipUri` of the
    number it stands for (by its `id`).
    Raises `IncompleteListingError` when the walk of the account does not prove it saw
    every number: a plan is never made from part of the account.
    """
    planner = Planner(
        strict=strict,
        prune=prune,
        resend_unknown=resend_unknown,
        allow_number_change=allow_number_change,
    )
    # The process's other objects are left out of the collector's passes meanwhile: the
    # full collections a large account's numbers trigger would walk them all.
    with heap_set_aside():
        return await _walk_and_settle(client, planner, desired)


async def _walk_and_settle(
    client: PhoneNumberCalls, planner: Planner, desired: Iterable[Desired] | AsyncIterable[Desired]
) -> SyncPlan:
    """The plan of `planner` with the rows of `desired`, against the account walked once."""
    # The walk runs in a task of its own from the start, a few pages ahead: the pages
    # come while the rows are read and while each page is compared with its rows, so
    # neither costs the walk time.
    seen = Listing()  # what the plan rests on: apply checks the account still lists it
    pager = client.paginate(page_size=WHOLE_LISTING_PAGE_SIZE, prefetch=WHOLE_LISTING_PREFETCH)
    ready: asyncio.Queue[PhoneNumberPage | None] = asyncio.Queue(WHOLE_LISTING_PREFETCH)
    async with aclosing(pager.pages()) as pages:
        walk = asyncio.ensure_future(_walk_ahead(pages, ready))
        try:
            await _take_all(planner, desired)
            while (page := await _next_page(ready, walk)) is not None:
                with collector_paused():
                    planner.meet(page.results)
                    seen.add(page.results)
        finally:
            if not walk.done():  # reading the rows failed, or the plan was cancelled
                walk.cancel()
            await asyncio.gather(walk, return_exceptions=True)
    # A number the walk missed would be planned as a create (or, pruning, not deleted
    # while it should be): no plan rests on a listing that did not prove itself whole.
    pager.require_complete()
    with collector_paused():
        plan = planner.settle()
    plan.client = client
    plan.basis = seen.fingerprint()
    return plan


async def _walk_ahead(
    pages: AsyncIterator[PhoneNumberPage], ready: asyncio.Queue[PhoneNumberPage | None]
) -> None:
    """Every page into `ready` as it comes (at most its size ahead), then None."""
    async for page in pages:
        await ready.put(page)
    await ready.put(None)


async def _next_page(
    ready: asyncio.Queue[PhoneNumberPage | None], walk: asyncio.Future[None]
) -> PhoneNumberPage | None:
    """The next page the walk put in `ready` (None: the last was), or the walk's error."""
    if ready.empty():
        getting = asyncio.ensure_future(ready.get())
        try:
            await asyncio.wait((getting, walk), return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not getting.done():
                getting.cancel()
        if getting.done() and not getting.cancelled():
            return getting.result()
        walk.result()  # the walk ended without its None: it failed, and this raises why
    return ready.get_nowait()


async def _take_all(planner: Planner, desired: Iterable[Desired] | AsyncIterable[Desired]) -> None:
    """Every desired row into `planner`, letting the event loop run now and then (the first
    page request goes out meanwhile)."""
    if isinstance(desired, AsyncIterable):
        async for item in desired:
            planner.take(item)
        return
    items = iter(desired)
    while True:
        await asyncio.sleep(0)
        before = planner.taken
        with collector_paused():
            for item in islice(items, _ROWS_BETWEEN_YIELDS):
                planner.take(item)
        if planner.taken - before < _ROWS_BETWEEN_YIELDS:
            return


_ROWS_BETWEEN_YIELDS = 1000
