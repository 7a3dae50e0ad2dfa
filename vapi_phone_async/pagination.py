"""The Pager: every number of `/v2/phone-number` as one `async for`, page by page.

How a walk goes:

- Only the spec's own parameters are sent: every request names its `page` and its
  `limit`, with `sortOrder` and the `createdAt` filters. A `nextCursor` a page may show
  is never followed: the spec has no `cursor` parameter, and Vapi refuses parameters it
  does not know.
- Page sizes come from the answers. The walk asks for `page_size` numbers a page; the
  live API caps an answer at 100 whatever `limit` asks, so a first page shorter than
  asked whose `totalItems` says more remain shows the cap, and from then on the walk asks
  for pages of the size answered. Pages requested ahead at the larger size are dropped:
  how the server counts their offsets is not known.
- A query ends when it has answered as many numbers as its `totalItems` says (a short
  page is not the last while the count says more remain), or on an empty page. Without
  `totalItems`, `hasNextPage`, `totalPages` or a short page end it.
- Every walk ends with a verdict: `pager.complete` is True only when the walk proved it
  saw every number, each query it made having answered exactly as many numbers as its
  `totalItems`; otherwise `pager.reason` says why not, `seen` and `expected` give the
  counts, a warning is logged, and `pager.require_complete()` raises
  `IncompleteListingError` (sync, import, export and the bulk commands call it before
  they change anything). A walk left early (`break`, `max_items`) is not complete.
- Prefetch: with a page size of at most 100 (the API's default, which every server is
  reported to answer whole), pages 2..`prefetch` are requested together with page 1 (so
  a walk shorter than that asks for a few pages past its end, once); a larger page size
  waits for page 1, which tells the size the server answers. After that, while a page is
  being consumed, up to `prefetch` next pages are already requested (never past the
  count the server announced, nor beyond what `max_items` needs). Pages still come out
  strictly in order, and at most `prefetch + 1` pages are held at once.
- `consistent=False` is plain offset paging (`page=1, 2, ...`): under concurrent change
  it can skip or repeat numbers, and its verdict only says that the counts agreed and
  `totalItems` did not change. A server that answers the same page twice stops it with
  `PaginationError` instead of looping forever.
- `consistent=True` (the default) sorts by `createdAt` and walks a snapshot of the numbers
  that matched when the walk started. It pins an upper `createdAt` bound (`createdAtLe`
  the newest number at the start: the first number of a DESC walk's first page, or, for
  ASC, of a one-number DESC probe sent first), so numbers created later are outside the
  walk and shift nothing. It goes on by page number under the pin for as long as each
  page is what the offsets promise: the same `totalItems` as the query's first page, as
  many numbers as remain up to the page size, not the previous page again. When a page
  is not, it is dropped with the pages in flight, and the walk goes on by keyset from the
  last number it yielded: first the rest of that number's `createdAt` instant
  (`createdAtGe` = `createdAtLe` = that instant), then what lies beyond it
  (`createdAtLt`, or `createdAtGt` for ASC), each a new query from page 1. A keyset that
  gets no further three times in a row ends the walk, incomplete.

  The guarantee: every number that matches the query for the whole walk is yielded
  exactly once, and no id is yielded twice; a number created, deleted or changed to or
  from matching during the walk may or may not be yielded. It rests on what the API
  provides: `createdAt` never changes, the server orders ties in `createdAt` the same way
  on every request, and, on the page-number path, an unchanged `totalItems` under the pin
  means an unchanged set. The last holds while the set under the pin only loses members
  (deletes) or gains them visibly. It can fail only if, between two page requests, one
  number joins the set under the pin (an update that makes it match `search` or an
  `updatedAt*` filter, or a creation committed with a `createdAt` older than the pin)
  while another leaves it: then a number can be skipped.

- `createdAt` bounds are sent in milliseconds, widened outwards if a value has more
  precision: that can only let in numbers the walk then drops as yielded already. The
  rest of an instant comes first because a tie wider than a page, walked again from
  `createdAtLe` alone while the set keeps changing, would be re-read for ever.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from contextlib import aclosing
from types import TracebackType

from ._logs import logger
from ._walk import (
    Position,
    Segment,
    answered_size,
    astray,
    bounded,
    first_created_at,
    more_after,
    page_ids,
    shortfall,
    within,
)
from .errors import IncompleteListingError, PaginationError
from .models import PhoneNumber, PhoneNumberPage

__all__ = ["WHOLE_LISTING_PAGE_SIZE", "WHOLE_LISTING_PREFETCH", "FetchPage", "Pager"]

FetchPage = Callable[[dict[str, str]], Awaitable[PhoneNumberPage]]

WHOLE_LISTING_PAGE_SIZE = 1000
"""The page size of the walks that read the whole account (sync, import, export, bulk
commands): the spec's most, so that a server honouring it is walked in few requests; a
capped one shows its cap on the first page."""
WHOLE_LISTING_PREFETCH = 4
"""Their page requests in flight: at the live API's 100 numbers a page, a walk of 10,000
numbers is a hundred round trips, which would otherwise follow one another."""

# The most numbers a page may ask for and still be read ahead with page 1: the API's
# default page size, which no server is reported to cut (pages asked at a larger size
# would be dropped when page 1 shows a cap).
_WHOLE_PAGE = 100

# Going on by keyset from the last number yielded gets further on a server that honours
# the createdAt filters and counts right; one that does not must not be asked for ever.
# (A listing that changed under the walk is walked again however often it changes.)
_MAX_STALLS = 3


class Pager:
    """An async iterable over the numbers matching a query; made by `client.list()`.

    `async for number in pager` yields numbers, `async for page in pager.pages()` yields
    `PhoneNumberPage`s, `await pager.collect()` returns a list, and `await pager` is the
    query's first page alone (one request, as `page_size` asks). A pager walks once; call
    `client.list(...)` again for another walk. Leaving the loop early (`break`, an
    exception, a cancelled task) cancels the page requests in flight and frees their
    connections: at once inside `async with`, else a moment later, when the event loop
    finalizes the abandoned iterator.

    After the walk, `complete` says whether it proved it saw every number (`seen` of
    `expected`, `reason` when not); `require_complete()` raises if it did not:

        async with client.list(search="acme", page_size=500, prefetch=4) as pager:
            async for number in pager:
                ...
        pager.require_complete()  # IncompleteListingError: the listing ended early
    """

    def __init__(
        self,
        fetch: FetchPage,
        params: dict[str, str],
        *,
        page_size: int,
        max_items: int | None,
        prefetch: int,
        consistent: bool,
    ) -> None:
        self._fetch = fetch
        self._params = dict(params)
        self._size = page_size  # what the walk asks for; lowered to what the server answers
        self._max_items = max_items
        self._prefetch = prefetch
        self._consistent = consistent
        self._descending = params.get("sortOrder", "DESC") == "DESC"
        self._started = False
        self._closed = False
        self._wanted = max_items  # how many numbers the consumer still wants, if limited
        self._in_flight: deque[tuple[int, asyncio.Future[PhoneNumberPage]]] = deque()
        self._position = Position(descending=self._descending)
        self.seen = 0
        """Numbers yielded so far."""
        self.expected: int | None = None
        """How many numbers the server said match, when the walk started (`totalItems`)."""
        self.complete = False
        """Whether the walk ended having proved it saw every number."""
        self.reason: str | None = "the walk has not reached its end"
        """Why the walk is not complete (None when it is)."""

    def __aiter__(self) -> AsyncGenerator[PhoneNumber, None]:
        return self._numbers(self.pages())

    def __await__(self) -> Generator[object, None, PhoneNumberPage]:
        return self.first_page().__await__()

    async def first_page(self) -> PhoneNumberPage:
        """The query's first page (at most `max_items` numbers), one request; not a walk."""
        page = await self._fetch(self._query(self._params, 1))
        if self._max_items is not None and len(page.results) > self._max_items:
            page.results = page.results[: self._max_items]
        return page

    def pages(self) -> AsyncGenerator[PhoneNumberPage, None]:
        """The walk page by page. A consistent walk drops numbers it yielded before from a
        page, and leaves out a page with nothing left; no page yielded is empty."""
        if self._started:
            raise PaginationError("a Pager walks once; call client.list() again")
        self._started = True
        return self._limited_pages()

    async def collect(self) -> list[PhoneNumber]:
        """Every number of the walk, in order, as a list (holds them all: mind the size)."""
        return [number async for number in self]

    def require_complete(self) -> None:
        """Raise `IncompleteListingError` unless the walk ended having proved that it saw
        every number (call it after the walk)."""
        if not self.complete:
            raise IncompleteListingError(self.seen, self.expected, self.reason or "")

    async def aclose(self) -> None:
        """End the walk: cancel the page requests in flight and wait until they let go.

        The walk's iterator then ends at its next step. A loop left early does this by
        itself once the event loop finalizes the abandoned iterator; `async with` (or this
        call) does it at once.
        """
        # The iterator is left alone: the event loop may be closing it at this very
        # moment, and an async generator cannot be closed twice at once.
        self._closed = True
        await self._cancel_in_flight()

    async def __aenter__(self) -> Pager:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _cancel_in_flight(self) -> None:
        tasks = [task for _, task in self._in_flight]
        self._in_flight.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @staticmethod
    async def _numbers(
        pages: AsyncGenerator[PhoneNumberPage, None],
    ) -> AsyncGenerator[PhoneNumber, None]:
        # aclosing: closing this generator closes the walk at once, not when the garbage
        # collector finds each nested generator.
        async with aclosing(pages):
            async for page in pages:
                for number in page.results:
                    yield number

    async def _limited_pages(self) -> AsyncGenerator[PhoneNumberPage, None]:
        remaining = self._wanted = self._max_items
        if remaining == 0 or self._closed:
            self.reason = "the walk was asked for no numbers (max_items=0)"
            return
        try:
            async with aclosing(self._walk()) as walk:
                async for page in walk:
                    if remaining is not None:
                        if len(page.results) >= remaining:
                            page.results = page.results[:remaining]
                            self.seen += remaining
                            self.reason = f"the walk stopped at max_items={self._max_items}"
                            yield page
                            return
                        remaining = self._wanted = remaining - len(page.results)
                    self.seen += len(page.results)
                    yield page
                    if self._closed:
                        return
        finally:
            await self._cancel_in_flight()

    async def _walk(self) -> AsyncGenerator[PhoneNumberPage, None]:
        params = dict(self._params)
        if self._consistent and not self._descending:
            probe = await self._fetch({**params, "sortOrder": "DESC", "limit": "1", "page": "1"})
            if not probe.results:  # nothing matched when the walk started
                self.expected = probe.metadata.total_items
                self._end(shortfall(probe, 0))
                return
            newest = first_created_at(probe)
            if newest is not None:  # a number without createdAt cannot pin the walk
                params = bounded(params, "createdAtLe", newest)
        first = Segment(params)
        segments = deque([first])
        stalls, seen_at_stall = 0, -1
        while segments:
            segment = segments.popleft()
            async with aclosing(self._query_pages(segment, first=segment is first)) as pages:
                async for raw in pages:
                    if segment.bounded and not within(segment.params, raw):
                        raise PaginationError(
                            "the server ignored the createdAt bounds the walk went on with; "
                            "stopping instead of looping forever"
                        )
                    page = self._position.unseen(raw) if self._consistent else raw
                    if page.results:
                        yield page
            if segment is first:
                params = segment.params  # with the pin of a DESC walk
            if segment.gap is None:
                continue
            if not segment.astray:
                self._end(segment.gap)
                return
            if not segment.changed:  # a set that keeps changing is walked again, as it must
                stalls = stalls + 1 if self.seen == seen_at_stall else 1
                seen_at_stall = self.seen
            if stalls >= _MAX_STALLS:
                self._end(f"{segment.gap}, and going on from the last number seen got no further")
                return
            logger.debug("walk of /v2/phone-number goes on by createdAt: %s", segment.gap)
            segments = deque(self._position.segments_from_here(params))
        self._end(None)

    async def _query_pages(
        self, segment: Segment, *, first: bool
    ) -> AsyncGenerator[PhoneNumberPage, None]:
        """The pages of one query, page 1 first, then 2, 3, ... at the size answered.

        Sets `segment.gap` when the pages do not prove the query answered all its numbers,
        and `segment.astray` when a consistent walk should go on by keyset instead (a page
        that breaks what the offsets promise is then dropped, not yielded).
        """
        try:
            if first and self._size <= _WHOLE_PAGE:
                # Pages 2.. go out with page 1, so that a walk waits one round trip, not
                # two, before its requests overlap. They share page 1's query; should
                # the set change before the pin applies, totalItems shows it.
                for number in range(2, self._prefetch + 1):
                    if not self._wants_beyond((number - 1) * self._size):
                        break
                    self._start(number, segment.params)
            page = await self._fetch(self._query(segment.params, 1))
            if first:
                self.expected = page.metadata.total_items
                newest = first_created_at(page)
                if self._consistent and self._descending and newest is not None:
                    # Descending, the first number is the newest: the walk's upper bound.
                    segment.params = bounded(segment.params, "createdAtLe", newest)
            size = answered_size(page, self._size)
            if size != self._size:
                # The server caps its pages. Pages asked for at the larger size may count
                # their offsets either way: ask for them again at the size answered.
                self._size = size
                await self._cancel_in_flight()
            baseline = page.metadata.total_items
            received, previous = len(page.results), page_ids(page)
            next_page = 2 + len(self._in_flight)
            changed = False
            while more_after(page, received, size):
                while (
                    len(self._in_flight) < self._prefetch
                    and (baseline is None or (next_page - 1) * size < baseline)
                    and self._wants_beyond(len(page.results) + len(self._in_flight) * size)
                ):
                    self._start(next_page, segment.params)
                    next_page += 1
                if self._in_flight:
                    await _let_start()
                yield page
                if not self._in_flight:  # the consumer wants more than was read ahead
                    self._start(next_page, segment.params)
                    next_page += 1
                number, task = self._in_flight.popleft()
                page = await task
                ids = page_ids(page)
                broken = astray(page, number, baseline, received, size, same=ids == previous)
                changed = changed or page.metadata.total_items != baseline
                if broken is not None:
                    if self._consistent:
                        segment.gap, segment.astray, segment.changed = broken, True, changed
                        return
                    if ids and ids == previous:
                        raise PaginationError(f"{broken}; stopping instead of looping forever")
                received, previous = received + len(page.results), ids
            segment.gap = shortfall(page, received)
            if changed and segment.gap is None:
                segment.gap = "the listing changed during the walk (totalItems moved)"
            # Without totalItems no query can prove itself: going on by keyset cannot help.
            segment.astray = (
                self._consistent
                and segment.gap is not None
                and page.metadata.total_items is not None
            )
            yield page
        finally:
            await self._cancel_in_flight()  # past the end, or of a query the walk has left

    def _query(self, params: dict[str, str], page: int) -> dict[str, str]:
        return {**params, "limit": str(self._size), "page": str(page)}

    def _start(self, number: int, params: dict[str, str]) -> None:
        task = asyncio.ensure_future(self._fetch(self._query(params, number)))
        self._in_flight.append((number, task))

    def _wants_beyond(self, numbers: int) -> bool:
        """Whether the consumer may want more than `numbers` more numbers (max_items)."""
        return self._wanted is None or numbers < self._wanted

    def _end(self, gap: str | None) -> None:
        self.complete, self.reason = gap is None, gap
        if gap is not None:
            logger.warning(
                "the listing of /v2/phone-number is incomplete (%d of %s numbers seen): %s",
                self.seen,
                "?" if self.expected is None else self.expected,
                gap,
            )


async def _let_start() -> None:
    """Let the page requests just started go out before a page is handed over: a task
    runs only once the loop gets control, and a consumer that works on the page without
    awaiting would otherwise hold the next request back until it is done."""
    await asyncio.sleep(0)
