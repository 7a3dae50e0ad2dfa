"""The Pager: every number of `/v2/phone-number` as one `async for`, page by page.

How a walk goes:

- `consistent=True` (the default) sorts by `createdAt` and is a snapshot of the numbers
  that existed when the walk started. The walk pins an upper `createdAt` bound (the newest
  number at the start), so numbers created later are not seen and shift nothing. Pages are
  fetched by offset under that bound while the server's `totalItems` stays what it was;
  when it changes (numbers were deleted), the in-flight pages are dropped and the walk
  goes on by keyset from the last number it yielded (`createdAtLe`/`createdAtGe` that
  number's `createdAt`, the ids already yielded at that instant skipped), so a deletion
  never makes another number skipped and no id is yielded twice. Guarantee: every number
  that exists for the whole walk is yielded exactly once; a number created or deleted
  during the walk may or may not be.
- `consistent=False` is plain offset paging (`page=1, 2, ...`): under concurrent change it
  can skip or repeat numbers.
- With `prefetch=1` and a server that returns `nextCursor`, pages are followed by cursor
  (the server's own keyset). With `prefetch=N > 1`, up to N page requests are in flight at
  once (a cursor cannot be fetched ahead, so page numbers are used); items still come out
  strictly in order, and at most about N + 1 pages are held in memory.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

from ._validate import format_datetime
from .errors import PaginationError
from .models import PaginationMeta, PhoneNumber, PhoneNumberPage

__all__ = ["Pager"]

FetchPage = Callable[[dict[str, str]], Awaitable[PhoneNumberPage]]


class Pager:
    """An async iterable over the numbers matching a query; made by `client.paginate()`.

    `async for number in pager` yields numbers, `async for page in pager.pages()` yields
    `PhoneNumberPage`s, `await pager.collect()` returns a list. A pager walks once; call
    `client.paginate(...)` again for another walk.

        async for number in client.paginate(search="acme", page_size=500):
            print(number.id)
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
        self._descending = params.get("sortOrder", "DESC") == "DESC"
        self._started = False
        self._in_flight: deque[asyncio.Task[PhoneNumberPage]] = deque()
        # The keyset position: the newest (DESC) or oldest (ASC) createdAt yielded so far,
        # and the ids yielded at exactly that instant.
        self._edge: datetime | None = None
        self._edge_ids: set[str] = set()

    def __aiter__(self) -> AsyncIterator[PhoneNumber]:
        return self._items()

    def pages(self) -> AsyncIterator[PhoneNumberPage]:
        """The walk page by page; each page holds only numbers not yielded before."""
        if self._started:
            raise PaginationError("a Pager walks once; call client.paginate() again")
        self._started = True
        return self._limited_pages()

    async def collect(self) -> list[PhoneNumber]:
        """Every number of the walk, in order, as a list (holds them all: mind the size)."""
        return [number async for number in self]

    async def aclose(self) -> None:
        """Cancel the page requests still in flight and wait until they have let go."""
        tasks = list(self._in_flight)
        self._in_flight.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _items(self) -> AsyncIterator[PhoneNumber]:
        async for page in self.pages():
            for number in page.results:
                yield number

    async def _limited_pages(self) -> AsyncIterator[PhoneNumberPage]:
        remaining = self._max_items
        if remaining == 0:
            return
        try:
            async for page in self._walk():
                if remaining is not None:
                    if len(page.results) >= remaining:
                        page.results = page.results[:remaining]
                        yield page
                        return
                    remaining -= len(page.results)
                yield page
        finally:
            await self.aclose()

    async def _walk(self) -> AsyncIterator[PhoneNumberPage]:
        params = dict(self._params)
        pinned = not self._consistent
        if not pinned and not self._descending:
            newest = await self._newest_created_at(params)
            if newest is None:
                return
            params = _tighten(params, "createdAtLe", newest, keep_min=True)
            pinned = True
        while True:
            first_params = {**params, "page": "1"}
            first = await self._fetch(first_params)
            first_ids = _ids(first)
            first_more = _has_more(first, self._page_size)  # before _unseen trims the page
            if not pinned:
                # Descending, the first number is the newest: nothing older can appear later.
                pin = _first_created_at(first)
                if pin is not None:
                    params = _tighten(params, "createdAtLe", pin, keep_min=True)
                pinned = True
            yield self._unseen(first)
            cursor = first.metadata.next_cursor
            if cursor and self._prefetch == 1:
                del first_params["page"]
                async for cursor_page in self._follow_cursor(first_params, first_ids, cursor):
                    yield cursor_page
                return
            changed = False
            if not first_more:
                return
            async for offset_page in self._offset_pages(params, first.metadata, first_ids):
                if offset_page is None:
                    changed = True
                    break
                yield offset_page
            if not changed:
                return
            params = self._keyset_params(params)

    async def _follow_cursor(
        self, params: dict[str, str], previous_ids: list[str], cursor: str
    ) -> AsyncIterator[PhoneNumberPage]:
        while cursor:
            page = await self._fetch({**params, "cursor": cursor})
            previous_ids = _check_not_repeated(previous_ids, page)
            next_cursor = page.metadata.next_cursor or ""
            if next_cursor == cursor:
                raise PaginationError(f"the server returned the same cursor twice: {cursor!r}")
            more = bool(page.results)  # an empty page ends the walk, whatever the cursor
            yield self._unseen(page)
            cursor = next_cursor if more else ""

    async def _offset_pages(
        self, params: dict[str, str], first: PaginationMeta, previous_ids: list[str]
    ) -> AsyncIterator[PhoneNumberPage | None]:
        """Pages 2, 3, ... with up to `prefetch` in flight; None when the set changed."""
        total_pages = first.total_pages
        baseline = first.total_items
        next_page = 2
        while True:
            while len(self._in_flight) < self._prefetch and (
                total_pages is None or next_page <= total_pages
            ):
                request = {**params, "page": str(next_page)}
                self._in_flight.append(asyncio.ensure_future(self._fetch(request)))
                next_page += 1
            if not self._in_flight:
                return
            page = await self._in_flight.popleft()
            if self._consistent and page.metadata.total_items != baseline:
                # Numbers were deleted under the bound, so offsets moved: drop what is in
                # flight and go on by keyset from the last number yielded.
                await self.aclose()
                yield None
                return
            previous_ids = _check_not_repeated(previous_ids, page)
            more = _has_more(page, self._page_size)  # before _unseen trims the page
            yield self._unseen(page)
            if not more:
                return

    async def _newest_created_at(self, params: dict[str, str]) -> datetime | None:
        probe = await self._fetch({**params, "sortOrder": "DESC", "limit": "1", "page": "1"})
        return _first_created_at(probe)

    def _keyset_params(self, params: dict[str, str]) -> dict[str, str]:
        if self._edge is None:
            return params
        name = "createdAtLe" if self._descending else "createdAtGe"
        return _tighten(params, name, self._edge, keep_min=self._descending)

    def _unseen(self, page: PhoneNumberPage) -> PhoneNumberPage:
        """The page without numbers the walk has passed already (consistent walks only)."""
        if not self._consistent:
            return page
        fresh = [number for number in page.results if self._advance(number)]
        if len(fresh) != len(page.results):
            page.results = fresh
        return page

    def _advance(self, number: PhoneNumber) -> bool:
        created_at = getattr(number, "created_at", None)
        if not isinstance(created_at, datetime):
            return True
        if self._edge is not None and created_at == self._edge:
            if number.id in self._edge_ids:
                return False
            self._edge_ids.add(number.id)
            return True
        if self._edge is not None and (created_at > self._edge) == self._descending:
            return False  # behind the walk's position: yielded already
        self._edge, self._edge_ids = created_at, {number.id}
        return True


def _first_created_at(page: PhoneNumberPage) -> datetime | None:
    if not page.results:
        return None
    created_at: Any = getattr(page.results[0], "created_at", None)
    return created_at if isinstance(created_at, datetime) else None


def _tighten(
    params: dict[str, str], name: str, bound: datetime, *, keep_min: bool
) -> dict[str, str]:
    """`params` with `name` set to `bound`, or to the caller's own bound if tighter."""
    value = format_datetime(name, bound)
    current = params.get(name)
    if current is not None:
        value = min(current, value) if keep_min else max(current, value)
    return {**params, name: value}


def _ids(page: PhoneNumberPage) -> list[str]:
    return [number.id for number in page.results]


def _has_more(page: PhoneNumberPage, page_size: int) -> bool:
    meta = page.metadata
    if not page.results:  # whatever the metadata claims, an empty page ends the walk
        return False
    if meta.has_next_page is not None:
        return meta.has_next_page
    if meta.total_pages is not None:
        return meta.current_page < meta.total_pages
    return len(page.results) >= page_size


def _check_not_repeated(previous_ids: list[str], page: PhoneNumberPage) -> list[str]:
    """The page's ids; raises if they are the previous page's again (a server looping)."""
    ids = _ids(page)
    if ids and ids == previous_ids:
        raise PaginationError(
            f"the server returned the same page twice (page {page.metadata.current_page}); "
            "stopping instead of looping forever"
        )
    return ids
