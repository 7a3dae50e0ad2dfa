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
from vapi_phone_async.errors import PaginationError
from vapi_phone_async.testing import FakeVapiServer

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


# Every number, once, in order, over any page size and listing size.

MODES = {
    # mode: (server hands out cursors, prefetch)
    "cursors": (True, 1),
    "page numbers": (False, 1),
    "prefetch 3": (True, 3),
}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("count", [0, 1, 999, 1000, 1001])
@pytest.mark.parametrize("page_size", [1, 7, 100, 1000])
async def test_a_walk_yields_every_number_once_in_order_with_a_request_per_page(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, page_size: int, count: int, mode: str
) -> None:
    cursors, prefetch = MODES[mode]
    fake_vapi.cursors = cursors
    fake_vapi.seed(count)

    walked = [n.id async for n in vapi_client.paginate(page_size=page_size, prefetch=prefetch)]

    assert walked == ordered_ids(fake_vapi)
    queries = walk_queries(fake_vapi)
    pages = max(1, math.ceil(count / page_size))
    # With prefetch, pages 2..prefetch go out with page 1 (before anyone knows how many
    # pages there are); past those, never a request beyond the last page.
    assert len(queries) == max(pages, prefetch)
    assert all(query["limit"] == str(page_size) for query in queries)
    if mode == "cursors":
        assert all("cursor" in query and "page" not in query for query in queries[1:])
    else:  # page numbers, each once, never past the last page
        assert sorted(int(query["page"]) for query in queries) == list(range(1, len(queries) + 1))
        assert not any("cursor" in query for query in queries)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("page_size", [7, 1000])
async def test_an_ascending_walk_yields_oldest_first_after_one_probe(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, page_size: int, mode: str
) -> None:
    cursors, prefetch = MODES[mode]
    fake_vapi.cursors = cursors
    fake_vapi.seed(1001, tie_rate=0.3)

    pager = vapi_client.paginate(page_size=page_size, sort_order="ASC", prefetch=prefetch)
    walked = [number.id async for number in pager]

    assert walked == ordered_ids(fake_vapi, "ASC")
    probe, *pages = walk_queries(fake_vapi)
    assert (probe["sortOrder"], probe["limit"]) == ("DESC", "1")  # the newest pins the walk
    assert len(pages) == max(math.ceil(1001 / page_size), prefetch)


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


# Cursors.


async def test_a_cursor_goes_with_the_query_of_the_page_that_handed_it_out(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.cursors = True
    fake_vapi.seed(30)
    since = moment(min(fake_vapi.numbers.values(), key=lambda n: n["updatedAt"]), "updatedAt")

    pager = vapi_client.paginate(page_size=4, sort_order="ASC", updated_at_ge=since, search="1")
    walked = [number.id async for number in pager]

    _, first, *following = walk_queries(fake_vapi)
    assert following and "cursor" not in first
    for query in following:
        assert {**query, "page": "1", "cursor": ""} == {**first, "cursor": ""}
    assert len({query["cursor"] for query in following}) == len(following)
    assert walked == ordered_ids(fake_vapi, "ASC", keep=searched("1"))


async def test_a_server_without_cursors_is_walked_by_page_number(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.cursors = False
    fake_vapi.seed(20)

    assert [n.id async for n in vapi_client.paginate(page_size=6)] == ordered_ids(fake_vapi)
    assert [query["page"] for query in walk_queries(fake_vapi)] == ["1", "2", "3", "4"]


async def test_a_server_that_ignores_the_cursor_it_handed_out_stops_the_walk(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.cursors = True
    fake_vapi.seed(20)
    pages = vapi_client.paginate(page_size=5).pages()
    first = await anext(pages)
    assert first.metadata.next_cursor
    fake_vapi.cursors = "ignored"  # from now on `cursor` is ignored: page 1 comes back

    with pytest.raises(PaginationError, match="same page twice"):
        await anext(pages)
    assert len(walk_queries(fake_vapi)) == 2
