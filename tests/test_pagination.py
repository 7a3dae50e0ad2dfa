"""client.paginate() against FakeVapiServer: what a walk yields, and what it sends.

Walks under concurrent change are in test_pagination_churn.py; prefetch, cancellation and
retries in test_pagination_prefetch.py; the guards against looping servers, with scripted
pages, in test_pagination_guards.py.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from vapi_phone_async import PhoneNumberPage, VapiPhoneClient
from vapi_phone_async.testing import CursorMode, FakeVapiServer

PAGES = "/v2/phone-number"
PLUS_TWO = timezone(timedelta(hours=2))


def ordered_ids(server: FakeVapiServer, order: str = "DESC", **filters: Any) -> list[str]:
    """The ids of the stored numbers that `keep` accepts, in the listing's order."""
    keep: Callable[[dict[str, Any]], bool] = filters.get("keep", lambda number: True)
    numbers = sorted(
        (number for number in server.numbers.values() if keep(number)),
        key=lambda number: (number["createdAt"], number["id"]),
        reverse=order == "DESC",
    )
    return [number["id"] for number in numbers]


def walk_queries(server: FakeVapiServer) -> list[dict[str, str]]:
    return [record.query for record in server.requests("GET", PAGES)]


def moment(number: dict[str, Any], field: str) -> datetime:
    return datetime.fromisoformat(number[field].replace("Z", "+00:00"))


def searched(term: str) -> Callable[[dict[str, Any]], bool]:
    """The API's search: a partial, case-insensitive match of name, number or SIP URI."""

    def matches(number: dict[str, Any]) -> bool:
        fields = (number.get(name) for name in ("name", "number", "sipUri"))
        return any(term.lower() in value.lower() for value in fields if isinstance(value, str))

    return matches


# Every number, once, in order, over any page size and listing size, on a server that pages
# as the live API does (at most 100 numbers an answer, the required metadata only) and on
# one without a cap.

SERVERS = {
    # name: the fake's paging knobs
    "vapi-like": {},
    "capped offsets, full metadata": {"page_offsets": "capped", "full_metadata": True},
    "uncapped": {"page_cap": None, "full_metadata": True},
}


def paging(server: FakeVapiServer, name: str) -> int | None:
    """Set the fake's paging knobs by name; returns its cap."""
    for knob, value in SERVERS[name].items():
        setattr(server, knob, value)
    return server.page_cap


# The cap shows only for pages larger than it; small pages walk every kind of server alike.
SIZES_AND_SERVERS = [
    (1, "vapi-like"),
    (7, "capped offsets, full metadata"),
    *((size, server) for size in (100, 1000) for server in SERVERS),
]


@pytest.mark.parametrize("prefetch", [1, 3])
@pytest.mark.parametrize("count", [0, 1, 999, 1000, 1001])
@pytest.mark.parametrize(("page_size", "server"), SIZES_AND_SERVERS)
async def test_a_walk_yields_every_number_once_in_order_with_a_request_per_page(
    fake_vapi: FakeVapiServer,
    vapi_client: VapiPhoneClient,
    page_size: int,
    count: int,
    prefetch: int,
    server: str,
) -> None:
    cap = paging(fake_vapi, server)
    fake_vapi.seed(count)

    pager = vapi_client.paginate(page_size=page_size, prefetch=prefetch)
    walked = [n.id async for n in pager]

    assert walked == ordered_ids(fake_vapi)
    assert (pager.complete, pager.seen, pager.expected) == (True, count, count)
    queries = walk_queries(fake_vapi)
    answered = page_size if cap is None or count <= cap else min(page_size, cap)
    # Page 1 is asked for at the size wanted; once it shows the server's cap, every page
    # after it at the size answered, each page once, never past the last.
    assert queries[0]["limit"] == str(page_size)
    after = [query for query in queries if query["limit"] == str(answered)]
    pages = max(1, math.ceil(count / answered))
    if answered == page_size:
        # With prefetch, pages 2..prefetch of up to 100 numbers (the API's default) go
        # out with page 1, before anyone knows how many pages there are; larger pages wait
        # for page 1 to show the size answered. Never a request beyond the last page.
        assert len(queries) == max(pages, prefetch if page_size <= 100 else 1)
    else:
        assert sorted(int(query["page"]) for query in after) == list(range(2, pages + 1))
    assert not any("cursor" in query for query in queries)


@pytest.mark.parametrize("server", list(SERVERS))
@pytest.mark.parametrize("prefetch", [1, 3])
@pytest.mark.parametrize("page_size", [7, 1000])
async def test_an_ascending_walk_yields_oldest_first_after_one_probe(
    fake_vapi: FakeVapiServer,
    vapi_client: VapiPhoneClient,
    page_size: int,
    prefetch: int,
    server: str,
) -> None:
    cap = paging(fake_vapi, server)
    fake_vapi.seed(1001, tie_rate=0.3)

    pager = vapi_client.paginate(page_size=page_size, sort_order="ASC", prefetch=prefetch)
    walked = [number.id async for number in pager]

    assert walked == ordered_ids(fake_vapi, "ASC")
    assert pager.complete
    probe, *pages = walk_queries(fake_vapi)
    assert (probe["sortOrder"], probe["limit"]) == ("DESC", "1")  # the newest pins the walk
    answered = page_size if cap is None else min(page_size, cap)
    assert len(pages) >= math.ceil(1001 / answered)
    # At the size asked for: page 1, and the pages read ahead before it showed the cap.
    asked = [query for query in pages if query["limit"] != str(answered)]
    assert all(int(query["page"]) <= prefetch for query in asked)


KNOBS = {
    # the fake's paging, the ways the live API may page
    "vapi-like": {},
    "offsets by the cap, full metadata": {"page_offsets": "capped", "full_metadata": True},
}


@pytest.mark.parametrize("knobs", list(KNOBS))
@pytest.mark.parametrize("consistent", [True, False])
@pytest.mark.parametrize("prefetch", [1, 8])
@pytest.mark.parametrize("page_size", [100, 1000])
async def test_a_walk_of_2500_numbers_sees_each_once_however_the_server_pages(
    fake_vapi: FakeVapiServer,
    vapi_client: VapiPhoneClient,
    page_size: int,
    prefetch: int,
    consistent: bool,
    knobs: str,
) -> None:
    for knob, value in KNOBS[knobs].items():
        setattr(fake_vapi, knob, value)
    fake_vapi.seed(2500)

    pager = vapi_client.paginate(page_size=page_size, prefetch=prefetch, consistent=consistent)
    walked = [number.id async for number in pager]

    assert walked == ordered_ids(fake_vapi)
    assert (pager.complete, pager.seen, pager.expected) == (True, 2500, 2500)


async def test_an_empty_listing_yields_no_page(vapi_client: VapiPhoneClient) -> None:
    assert [page async for page in vapi_client.paginate().pages()] == []
    assert await vapi_client.paginate(sort_order="ASC").collect() == []


async def test_pages_yields_the_server_pages_and_collect_the_numbers(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.seed(250)

    pages = [page async for page in vapi_client.paginate(page_size=100).pages()]
    collected = await vapi_client.paginate(page_size=100).collect()

    assert all(isinstance(page, PhoneNumberPage) for page in pages)
    assert [len(page.results) for page in pages] == [100, 100, 50]
    assert [page.metadata.current_page for page in pages] == [1, 2, 3]
    assert [n.id for page in pages for n in page.results] == [n.id for n in collected]
    assert [n.id for n in collected] == ordered_ids(fake_vapi)


async def test_awaiting_a_pager_is_its_first_page_in_one_request(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.seed(250)

    page = await vapi_client.paginate(page_size=100, sort_order="ASC")
    limited = await vapi_client.paginate(page_size=100, max_items=7)

    assert isinstance(page, PhoneNumberPage)
    assert [n.id for n in page.results] == ordered_ids(fake_vapi, "ASC")[:100]
    assert page.metadata.total_items == 250 and page.metadata.current_page == 1
    assert len(limited.results) == 7
    assert [(q["page"], q["limit"]) for q in walk_queries(fake_vapi)] == [("1", "100")] * 2


async def test_a_pager_awaited_for_its_first_page_can_still_walk(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.seed(30)
    pager = vapi_client.paginate(page_size=10)

    first = await pager
    walked = await pager.collect()

    assert [n.id for n in first.results] == [n.id for n in walked[:10]]
    assert len(walked) == 30 and pager.complete


@pytest.mark.parametrize("prefetch", [1, 3])
@pytest.mark.parametrize("max_items", [0, 1, 25, 30, 1000])
async def test_max_items_ends_the_walk_after_that_many_numbers_and_pages(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, max_items: int, prefetch: int
) -> None:
    fake_vapi.seed(100)

    pager = vapi_client.paginate(page_size=10, max_items=max_items, prefetch=prefetch)

    assert [n.id for n in await pager.collect()] == ordered_ids(fake_vapi)[:max_items]
    # Prefetch reads ahead only as far as the numbers still wanted.
    assert len(walk_queries(fake_vapi)) == math.ceil(min(max_items, 100) / 10)


# Filters, orders and search select what the server selects, sent in the API's form.

COMPARISONS = {"Gt": operator.gt, "Lt": operator.lt, "Ge": operator.ge, "Le": operator.le}
DATE_FILTERS = [
    (field, comparison) for field in ("createdAt", "updatedAt") for comparison in COMPARISONS
]


@pytest.mark.parametrize("order", ["DESC", "ASC"])
@pytest.mark.parametrize(("field", "comparison"), DATE_FILTERS)
async def test_each_date_filter_selects_the_numbers_on_its_side_of_the_instant(
    fake_vapi: FakeVapiServer,
    vapi_client: VapiPhoneClient,
    field: str,
    comparison: str,
    order: str,
) -> None:
    fake_vapi.seed(120, tie_rate=0.3)
    # An instant some numbers have exactly (so Ge and Gt differ), in another time zone.
    middle = sorted(fake_vapi.numbers.values(), key=lambda n: n[field])[60]
    instant = moment(middle, field).astimezone(PLUS_TWO)
    argument = ("created_at_" if field == "createdAt" else "updated_at_") + comparison.lower()
    compare = COMPARISONS[comparison]

    pager = vapi_client.paginate(page_size=7, sort_order=order, **{argument: instant})
    walked = [number.id async for number in pager]

    expected = ordered_ids(fake_vapi, order, keep=lambda n: compare(moment(n, field), instant))
    assert walked == expected
    assert 0 < len(expected) < 120
    sent = {query[field + comparison] for query in walk_queries(fake_vapi)}
    assert sent == {middle[field]}  # UTC, milliseconds, Z: as the server wrote it


@pytest.mark.parametrize("order", ["DESC", "ASC"])
@pytest.mark.parametrize("term", ["acme SUPPORT", "+1", "sip:", "no such number"])
async def test_search_matches_name_number_or_sip_uri_partially_ignoring_case(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, term: str, order: str
) -> None:
    fake_vapi.seed(300)

    walked = [n.id async for n in vapi_client.paginate(search=term, sort_order=order)]

    assert walked == ordered_ids(fake_vapi, order, keep=searched(term))
    assert all(query["search"] == term for query in walk_queries(fake_vapi))


async def test_filters_combine_with_search_and_order(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.seed(400)
    numbers = sorted(fake_vapi.numbers.values(), key=lambda n: n["createdAt"])
    low, high = moment(numbers[100], "createdAt"), moment(numbers[300], "createdAt")

    def matches(number: dict[str, Any]) -> bool:
        return low <= moment(number, "createdAt") < high and searched("Acme")(number)

    pager = vapi_client.paginate(
        search="Acme", sort_order="ASC", created_at_ge=low, created_at_lt=high, page_size=3
    )

    assert [number.id async for number in pager] == ordered_ids(fake_vapi, "ASC", keep=matches)


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        (datetime(2025, 3, 9, 22, 16, 58, 146999, tzinfo=PLUS_TWO), "2025-03-09T20:16:58.146Z"),
        ("2025-03-09T22:16:58+02:00", "2025-03-09T20:16:58.000Z"),
        ("2025-03-09T20:16:58.146Z", "2025-03-09T20:16:58.146Z"),
    ],
)
async def test_dates_are_sent_as_utc_with_milliseconds_and_z(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, given: datetime | str, sent: str
) -> None:
    await vapi_client.paginate(updated_at_gt=given, created_at_lt=given).collect()

    (query,) = walk_queries(fake_vapi)
    assert query["updatedAtGt"] == query["createdAtLt"] == sent


async def test_a_plain_walk_sends_the_callers_sort_by(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.seed(10)

    pager = vapi_client.paginate(sort_by="createdAt", consistent=False, page_size=4)

    assert [n.id async for n in pager] == ordered_ids(fake_vapi)
    assert [query.get("sortBy") for query in walk_queries(fake_vapi)] == ["createdAt"] * 3


# Cursors: never sent, whatever a page shows.


@pytest.mark.parametrize("cursors", [False, True, "shown-only", "ignored"])
async def test_a_walk_never_sends_a_cursor_even_when_pages_show_one(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, cursors: CursorMode
) -> None:
    # "shown-only": pages show nextCursor and the server refuses `cursor`, as Vapi refuses
    # a parameter it does not know; the walk sees every number all the same.
    fake_vapi.cursors = cursors
    fake_vapi.seed(20)

    pages = [page async for page in vapi_client.paginate(page_size=6).pages()]

    assert bool(pages[0].metadata.next_cursor) is (cursors is not False)
    assert [n.id for page in pages for n in page.results] == ordered_ids(fake_vapi)
    assert [query["page"] for query in walk_queries(fake_vapi)] == ["1", "2", "3", "4"]
