"""The Pager: every number of `/v2/phone-number` as one `async for`, page by page.

How a walk goes:

- Termination follows each page's metadata: `hasNextPage`, else `currentPage <
  totalPages`, else a short page; an empty page always ends a walk. A server that answers
  the same page twice, or hands back the cursor it was given, stops the walk with
  `PaginationError` instead of looping forever.
- Prefetch: pages 2..`prefetch` are requested together with page 1 (so a walk shorter
  than that asks for a few pages past its end, once); after that, while a page is being
  consumed, up to `prefetch` next pages are already requested (never past the last page
  the server announced, nor beyond what `max_items` needs). Pages still come out strictly
  in order, and at most `prefetch + 1` pages are held at once. A cursor cannot be fetched
  ahead of the page that hands it out, so a walk follows cursors only with `prefetch=1`;
  otherwise it asks for page numbers.
- `consistent=False` is plain offset paging (`page=1, 2, ...`, cursors ignored): under
  concurrent change it can skip or repeat numbers.
- `consistent=True` (the default) sorts by `createdAt` and walks a snapshot of the numbers
  that matched when the walk started. It pins an upper `createdAt` bound (`createdAtLe`
  the newest number at the start: the first number of a DESC walk's first page, or, for
  ASC, of a one-number DESC probe sent first), so numbers created later are outside the
  walk and shift nothing. The rest of the walk is either
  * by cursor, when `prefetch=1` and the server returns `nextCursor`: the server's own
    keyset, which no create or delete can shift; or
  * by page number under the pin, for as long as each page's `totalItems` equals that of
    the segment's first page. When it changes, the pages in flight are dropped and the
    walk goes on by keyset from the last number it yielded: first the rest of that
    number's `createdAt` instant (`createdAtGe` = `createdAtLe` = that instant), then
    what lies beyond it (`createdAtLt`, or `createdAtGt` for ASC), each a new segment.
  Ids already yielded are dropped from every page (by position: the walk remembers the
  last `createdAt` it yielded and the ids yielded at that instant).

  The guarantee: every number that matches the query for the whole walk is yielded
  exactly once, and no id is yielded twice; a number created, deleted or changed to or
  from matching during the walk may or may not be yielded. It rests on what the API
  provides: `createdAt` never changes, the server orders ties in `createdAt` the same way
  on every request, and, on the page-number path, an unchanged `totalItems` under the pin
  means an unchanged set. The last holds while the set under the pin only loses members
  (deletes) or gains them visibly. It can fail only if, between two page requests, one
  number joins the set under the pin (an update that makes it match `search` or an
  `updatedAt*` filter, or a creation committed with a `createdAt` older than the pin)
  while another leaves it: then a number can be skipped. Cursor walks do not depend on it.

- Details of consistent walks. The rest of an instant comes first because a tie wider
  than a page, walked again from `createdAtLe` alone while the set keeps changing, would
  be re-read for ever. A cursor goes with the query of the page that handed it out,
  unchanged. `createdAt` bounds are sent in milliseconds, widened outwards if a value has
  more precision: that can only let in numbers the walk then drops as yielded already.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from types import TracebackType

from ._walk import (
    Position,
    Segment,
    bounded,
    check_not_repeated,
    first_created_at,
    has_more,
    page_ids,
    within,
)
from .errors import PaginationError
from .models import PhoneNumber, PhoneNumberPage

__all__ = ["FetchPage", "Pager"]

FetchPage = Callable[[dict[str, str]], Awaitable[PhoneNumberPage]]


class Pager:
    """An async iterable over the numbers matching a query; made by `client.paginate()`.

    `async for number in pager` yields numbers, `async for page in pager.pages()` yields
    `PhoneNumberPage`s, `await pager.collect()` returns a list. A pager walks once; call
    `client.paginate(...)` again for another walk. Leaving the loop early (`break`, an
    exception, a cancelled task) cancels the page requests in flight and frees their
    connections: at once inside `async with`, else a moment later, when the event loop
    finalizes the abandoned iterator.

        async with client.paginate(search="acme", page_size=500, prefetch=4) as pager:
            async for number in pager:
                if number.name == "Front desk":
                    break
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
        self._params = {**params, "limit": str(page_size)}
        self._page_size = page_size
        self._max_items = max_items
        self._prefetch = prefetch
        self._consistent = consistent
        self._follow_cursors = consistent and prefetch == 1
        self._descending = params.get("sortOrder", "DESC") == "DESC"
        self._started = False
        self._closed = False
        self._wanted = max_items  # how many numbers the consumer still wants, if limited
        self._in_flight: deque[tuple[int, asyncio.Future[PhoneNumberPage]]] = deque()
        self._position = Position(descending=self._descending)

    def __aiter__(self) -> AsyncGenerator[PhoneNumber, None]:
        return self._numbers(self.pages())

    def pages(self) -> AsyncGenerator[PhoneNumberPage, None]:
        """The walk page by page. A consistent walk drops numbers it yielded before from a
        page, and leaves out a page with nothing left; no page yielded is empty."""
        if self._started:
            raise PaginationError("a Pager walks once; call client.paginate() again")
        self._started = True
        return self._limited_pages()

    async def collect(self) -> list[PhoneNumber]:
        """Every number of the walk, in order, as a list (holds them all: mind the size)."""
        return [number async for number in self]

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
            return
        try:
            async with aclosing(self._walk()) as walk:
                async for page in walk:
                    if remaining is not None:
                        if len(page.results) >= remaining:
                            page.results = page.results[:remaining]
                            yield page
                            return
                        remaining = self._wanted = remaining - len(page.results)
                    yield page
                    if self._closed:
                        return
        finally:
            await self._cancel_in_flight()

    async def _walk(self) -> AsyncGenerator[PhoneNumberPage, None]:
        params = dict(self._params)
        pin_from_first_page = self._consistent and self._descending
        if self._consistent and not self._descending:
            probe = await self._fetch({**params, "sortOrder": "DESC", "limit": "1", "page": "1"})
            if not probe.results:
                return  # nothing matched when the walk started
            newest = first_created_at(probe)
            if newest is not None:  # a number without createdAt cannot pin the walk
                params = bounded(params, "createdAtLe", newest)
        segments = deque([Segment(params)])
        read_ahead = not self._follow_cursors
        while segments:
            segment = segments.popleft()
            first_params = {**segment.params, "page": "1"}
            if read_ahead:
                # Pages 2.. go out with page 1, so that a walk waits one round trip, not
                # two, before its requests overlap. They share page 1's query; should
                # the set change before the pin applies, totalItems shows it.
                read_ahead = False
                for number in range(2, self._prefetch + 1):
                    if not self._wants_beyond((number - 1) * self._page_size):
                        break
                    self._start(number, {**segment.params, "page": str(number)})
            first = await self._fetch(first_params)
            if pin_from_first_page:
                # Descending, the first number is the newest: the walk's upper bound.
                pin_from_first_page = False
                newest = first_created_at(first)
                if newest is not None:
                    params = segment.params = bounded(params, "createdAtLe", newest)
            cursor = first.metadata.next_cursor if self._follow_cursors else None
            if not has_more(first, self._page_size):
                await self._cancel_in_flight()  # read ahead past a walk of one page
                rest = _only(first)
            elif cursor:
                # The cursor goes with the query of the page that returned it, unchanged.
                del first_params["page"]
                rest = self._cursor_pages(first_params, first, cursor)
            else:
                rest = self._offset_pages(segment.params, first)
            changed = False
            async with aclosing(rest) as pages:
                async for raw in pages:
                    if raw is None:
                        changed = True
                        break
                    if segment.bounded and not within(segment.params, raw):
                        raise PaginationError(
                            "the server ignored the createdAt bounds the walk went on with; "
                            "stopping instead of looping forever"
                        )
                    page = self._position.unseen(raw) if self._consistent else raw
                    if page.results:
                        yield page
            if changed:
                segments = deque(
                    self._position.segments_from_here(params)
                    if self._position
                    else [Segment(params)]
                )

    async def _cursor_pages(
        self, params: dict[str, str], first: PhoneNumberPage, cursor: str
    ) -> AsyncGenerator[PhoneNumberPage | None, None]:
        """`first`, then the pages after it by cursor; None if the server stops sending one.

        The next page is requested before a page is handed over (one in flight).
        """
        page, previous_ids = first, page_ids(first)
        try:
            while True:  # `page` has more after it, at `cursor`
                if self._wants_beyond(len(page.results)):
                    self._start(0, {**params, "cursor": cursor})
                    await _let_start()
                yield page
                if not self._in_flight:
                    self._start(0, {**params, "cursor": cursor})
                page = await self._in_flight.popleft()[1]
                previous_ids = check_not_repeated(previous_ids, page)
                next_cursor = page.metadata.next_cursor
                if next_cursor == cursor:
                    raise PaginationError(f"the server returned the same cursor twice: {cursor!r}")
                if not has_more(page, self._page_size):
                    yield page
                    return
                if not next_cursor:
                    yield page
                    yield None  # more to come, but no cursor to it: go on by keyset
                    return
                cursor = next_cursor
        finally:
            await self._cancel_in_flight()

    async def _offset_pages(
        self, params: dict[str, str], first: PhoneNumberPage
    ) -> AsyncGenerator[PhoneNumberPage | None, None]:
        """`first`, then pages 2, 3, ...; None when the set changed under a consistent walk.

        Before a page is handed over, up to `prefetch` of the next ones are requested (no
        more than `max_items` needs, none past the last page the server announced).
        """
        baseline = first.metadata.total_items
        last: int | None = None  # the last page, as the server last told; None if unknown
        page, number, next_page = first, 1, 2 + len(self._in_flight)
        previous_ids = page_ids(first)
        size = self._page_size
        try:
            while True:  # `page` is page `number`, and has more after it
                if page.metadata.total_pages is not None:
                    last = page.metadata.total_pages
                if last is not None and last <= number:
                    last = number + 1  # the page says there is more
                ahead = len(page.results)
                while (
                    len(self._in_flight) < self._prefetch
                    and (last is None or next_page <= last)
                    and self._wants_beyond(ahead + len(self._in_flight) * size)
                ):
                    self._start(next_page, {**params, "page": str(next_page)})
                    next_page += 1
                if self._in_flight:
                    await _let_start()
                yield page
                if not self._in_flight:  # the consumer wants more than was read ahead
                    self._start(next_page, {**params, "page": str(next_page)})
                    next_page += 1
                number, task = self._in_flight.popleft()
                page = await task
                if self._consistent and page.metadata.total_items != baseline:
                    # The set under the pin changed, so offsets moved: what is in flight
                    # may skip or repeat numbers. Go on by keyset instead.
                    yield None
                    return
                previous_ids = check_not_repeated(previous_ids, page)
                if not has_more(page, size):
                    yield page
                    return
        finally:
            await self._cancel_in_flight()  # past the end, or of a query the walk has left

    def _start(self, number: int, params: dict[str, str]) -> None:
        self._in_flight.append((number, asyncio.ensure_future(self._fetch(params))))

    def _wants_beyond(self, numbers: int) -> bool:
        """Whether the consumer may want more than `numbers` more numbers (max_items)."""
        return self._wanted is None or numbers < self._wanted


async def _let_start() -> None:
    """Let the page requests just started go out before a page is handed over: a task
    runs only once the loop gets control, and a consumer that works on the page without
    awaiting would otherwise hold the next request back until it is done."""
    await asyncio.sleep(0)


async def _only(page: PhoneNumberPage) -> AsyncGenerator[PhoneNumberPage | None, None]:
    yield page
