"""Prefetch, leaving a walk early, and failed page requests.

Up to `prefetch` page requests are in flight while numbers still come out in order; a
walk left early (`break`, a cancelled task, an error) cancels its requests and gives its
connections back; every page request is retried like any other call.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from vapi_phone_async import BackoffPlan, PhoneNumberPage, VapiPhoneClient
from vapi_phone_async.errors import BadRequestError, InternalServerError
from vapi_phone_async.models import PaginationMeta, VapiPhoneNumber
from vapi_phone_async.pagination import Pager
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer
from vapi_phone_async.transports import Request

from .helpers import MakeClient, Wiretap

PAGES = "/v2/phone-number"
NO_WAIT = BackoffPlan(type="fixed", max_retries=3, base_delay_seconds=0)

Fetch = Callable[[dict[str, str]], Awaitable[PhoneNumberPage]]


def tapped(make_client: MakeClient, server: FakeVapiServer, **options: Any) -> VapiPhoneClient:
    """A client on `server` whose requests in flight are counted (`acquired`)."""
    return make_client(base_url=server.url, transport=Wiretap(server.url), **options)


def acquired(client: VapiPhoneClient) -> int:
    """Requests of the client in flight right now (each holds a connection)."""
    transport = client.transport
    assert isinstance(transport, Wiretap)
    return transport.in_flight


async def settle(client: VapiPhoneClient) -> None:
    """Let the event loop finalise an abandoned walk (a few turns; bounded, not timed)."""
    for _ in range(50):
        if not acquired(client):
            return
        await asyncio.sleep(0)


def newest_first(server: FakeVapiServer) -> list[str]:
    numbers = sorted(server.numbers.values(), key=lambda n: (n["createdAt"], n["id"]))
    return [number["id"] for number in reversed(numbers)]


def page_requests(server: FakeVapiServer) -> list[dict[str, str]]:
    return [record.query for record in server.requests("GET", PAGES)]


# In flight, in order, bounded.


@pytest.mark.parametrize("prefetch", [2, 5])
async def test_prefetch_keeps_that_many_requests_in_flight_and_still_yields_in_order(
    fake_vapi: FakeVapiServer, make_client: MakeClient, prefetch: int
) -> None:
    fake_vapi.seed(100)
    last_of_batch_sent = asyncio.Event()

    async def hold_page_2(request: Request) -> None:
        page = (request.query or {}).get("page")
        if page == str(1 + prefetch):
            last_of_batch_sent.set()
        if page == "2":  # the first page ahead is answered last of its batch
            await last_of_batch_sent.wait()

    wiretap = Wiretap(fake_vapi.url, before=hold_page_2)
    async with make_client(transport=wiretap) as client:
        walked = [n.id async for n in client.paginate(page_size=10, prefetch=prefetch)]

    assert walked == newest_first(fake_vapi)
    assert wiretap.most == prefetch
    assert len(page_requests(fake_vapi)) == 10


def scripted_pages(count: int, *, page_size: int) -> tuple[Fetch, list[int]]:
    """Pages with no totalPages or hasNextPage: a walk ends only at a short page."""
    fetched: list[int] = []

    async def fetch(params: dict[str, str]) -> PhoneNumberPage:
        page = int(params["page"])
        fetched.append(page)
        ids = range((page - 1) * page_size, min(page * page_size, count))
        results = [VapiPhoneNumber(id=f"id-{i}") for i in ids]
        meta = PaginationMeta(items_per_page=page_size, total_items=count, current_page=page)
        return PhoneNumberPage(results=list(results), metadata=meta)

    return fetch, fetched


@pytest.mark.parametrize("prefetch", [1, 3, 8])
async def test_a_walk_holds_at_most_prefetch_plus_one_pages(prefetch: int) -> None:
    fetch, fetched = scripted_pages(1000, page_size=10)
    pager = Pager(fetch, {}, page_size=10, max_items=None, prefetch=prefetch, consistent=False)
    held = []
    finished = 0
    async for _ in pager.pages():
        held.append(len(fetched) - finished)
        for _ in range(5):  # a slow consumer: the requests ahead all complete meanwhile
            await asyncio.sleep(0)
        finished += 1

    assert finished == 100
    assert max(held) <= prefetch + 1


@pytest.mark.parametrize("prefetch", [1, 3, 8])
async def test_without_a_page_count_prefetch_goes_past_the_short_page_only_in_flight(
    prefetch: int,
) -> None:
    fetch, fetched = scripted_pages(95, page_size=10)
    pager = Pager(fetch, {}, page_size=10, max_items=None, prefetch=prefetch, consistent=False)

    assert len(await pager.collect()) == 95
    assert max(fetched) <= 10 + prefetch - 1  # page 10 is short: the rest were in flight


# Leaving early.


@pytest.mark.parametrize("cursors", [True, False], ids=["cursors", "no-cursors"])
@pytest.mark.parametrize("prefetch", [1, 2, 8])
async def test_breaking_out_of_a_walk_cancels_its_requests_and_frees_the_connections(
    make_client: MakeClient, prefetch: int, cursors: bool
) -> None:
    async with FakeVapiServer(api_key=TEST_API_KEY, cursors=cursors, latency=0.05) as server:
        server.seed(1000)
        async with tapped(make_client, server) as client:
            seen, busy = 0, 0
            async for _ in client.paginate(page_size=5, prefetch=prefetch):
                await asyncio.sleep(0)  # the loop's own work: the requests ahead go out
                seen += 1
                busy = max(busy, acquired(client))
                if seen == 10:
                    break
            await settle(client)

            assert busy > 0  # requests were in flight when the loop was left
            assert acquired(client) == 0
            assert len(page_requests(server)) <= 2 + prefetch


async def test_leaving_an_async_with_block_cancels_the_requests_at_once(
    make_client: MakeClient,
) -> None:
    async with FakeVapiServer(api_key=TEST_API_KEY, cursors=False, latency=0.05) as server:
        server.seed(1000)
        async with tapped(make_client, server) as client:
            async with client.paginate(page_size=5, prefetch=4) as pager:
                async for number in pager:
                    await asyncio.sleep(0)
                    if number.id == newest_first(server)[9]:
                        assert acquired(client) > 0
                        break

            assert acquired(client) == 0  # no turn of the event loop needed
            assert len(page_requests(server)) <= 2 + 4


async def test_closing_the_iterator_cancels_the_requests_at_once(make_client: MakeClient) -> None:
    async with FakeVapiServer(api_key=TEST_API_KEY, cursors=False, latency=0.05) as server:
        server.seed(1000)
        async with tapped(make_client, server) as client:
            numbers = aiter(client.paginate(page_size=5, prefetch=4))
            for _ in range(10):
                await anext(numbers)
                await asyncio.sleep(0)
            assert acquired(client) > 0

            await numbers.aclose()

            assert acquired(client) == 0
            assert len(page_requests(server)) <= 2 + 4


async def test_cancelling_the_walking_task_cancels_its_requests(make_client: MakeClient) -> None:
    async with FakeVapiServer(api_key=TEST_API_KEY, cursors=False, latency=0.05) as server:
        server.seed(1000)
        async with tapped(make_client, server) as client:
            tenth = asyncio.Event()
            seen = 0

            async def walk() -> None:
                nonlocal seen
                async for _ in client.paginate(page_size=5, prefetch=4):
                    # Counted when taken: taking the 11th number (before the sleep below,
                    # where the cancellation lands) asks for its page's successor too.
                    seen += 1
                    if seen == 10:
                        tenth.set()
                    await asyncio.sleep(0)

            walker = asyncio.create_task(walk())
            await tenth.wait()
            assert acquired(client) > 0
            walker.cancel()
            with pytest.raises(asyncio.CancelledError):
                await walker
            await settle(client)

            assert acquired(client) == 0
            await asyncio.sleep(0.2)  # any request still on its way has reached the fake
            # The pages of the numbers taken, and at most `prefetch` more.
            assert len(page_requests(server)) <= math.ceil(seen / 5) + 4


async def test_aclose_ends_the_walk_at_its_next_step(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    fake_vapi.seed(100)
    async with tapped(make_client, fake_vapi) as client:
        pager = client.paginate(page_size=10, prefetch=4)
        seen = []

        async for page in pager.pages():
            seen.append(page)
            await pager.aclose()

        assert len(seen) == 1
        assert acquired(client) == 0


# Failed page requests.


@pytest.mark.parametrize("prefetch", [1, 4])
async def test_a_503_on_a_page_is_retried_and_the_walk_completes(
    make_client: MakeClient, prefetch: int
) -> None:
    async with FakeVapiServer(api_key=TEST_API_KEY, cursors=False) as server:
        server.seed(100)
        async with tapped(make_client, server, backoff=NO_WAIT) as client:
            walked = []
            async for page in client.paginate(page_size=10, prefetch=prefetch).pages():
                walked += [number.id for number in page.results]
                if page.metadata.current_page == 2:
                    server.inject_fault("GET", PAGES, status=503)  # a page request to come

            assert walked == newest_first(server)
            records = server.requests("GET", PAGES)
            assert [record.status for record in records].count(503) == 1
            failed = next(record for record in records if record.status == 503)
            retried = [record for record in records if record.query == failed.query]
            assert [record.status for record in retried] == [503, 200]


async def test_a_page_that_keeps_failing_ends_the_walk_with_the_error(
    make_client: MakeClient,
) -> None:
    async with FakeVapiServer(api_key=TEST_API_KEY, cursors=False) as server:
        server.seed(100)
        async with tapped(make_client, server, backoff=NO_WAIT) as client:
            server.inject_fault("GET", PAGES, status=503, times=4)  # one try and 3 retries

            with pytest.raises(InternalServerError):
                await client.paginate(page_size=10).collect()
            assert len(page_requests(server)) == 4


async def test_a_page_request_the_server_rejects_is_not_retried(make_client: MakeClient) -> None:
    async with FakeVapiServer(api_key=TEST_API_KEY, cursors=False) as server:
        server.seed(100)
        async with tapped(make_client, server, backoff=NO_WAIT) as client:
            pages = client.paginate(page_size=10, prefetch=4).pages()
            await anext(pages)
            server.inject_fault("GET", PAGES, status=400)

            with pytest.raises(BadRequestError):
                async for _ in pages:
                    pass
            assert acquired(client) == 0
            assert [record.status for record in server.requests("GET", PAGES)].count(400) == 1


@pytest.mark.parametrize("cursors", [True, False])
async def test_the_next_page_is_requested_before_a_page_is_handed_over(cursors: bool) -> None:
    # A consumer that works on a page without awaiting (a sync's planner, an export's
    # writer) must not hold the next request back: it goes out first.
    from datetime import datetime, timedelta, timezone

    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    items = [
        VapiPhoneNumber(id=f"id-{i:03d}", created_at=start - timedelta(seconds=i))
        for i in range(30)
    ]
    sent: list[dict[str, str]] = []

    async def fetch(params: dict[str, str]) -> PhoneNumberPage:
        sent.append(params)
        index = len(sent) - 1
        meta = PaginationMeta(items_per_page=10, total_items=30, current_page=index + 1)
        meta.has_next_page = index < 2
        meta.next_cursor = f"c{index + 1}" if cursors and index < 2 else None
        return PhoneNumberPage(results=items[index * 10 : index * 10 + 10], metadata=meta)

    pager = Pager(fetch, {}, page_size=10, max_items=None, prefetch=1, consistent=cursors)
    requested_when_handed = []
    async for _page in pager.pages():
        requested_when_handed.append(len(sent))  # no await: the consumer works at once

    assert requested_when_handed == [2, 3, 3]
