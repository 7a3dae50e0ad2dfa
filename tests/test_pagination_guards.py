"""The Pager's guards, its verdict and argument checks, against scripted pages (no server
needed): servers that cap, miscount, repeat or forget pages.

The walks themselves (filters, orders, churn, prefetch) are tested against
FakeVapiServer in test_pagination.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone

import msgspec
import pytest

from vapi_phone_async import VapiPhoneClient, decode_page
from vapi_phone_async.errors import (
    IncompleteListingError,
    PaginationError,
    RequestValidationError,
)
from vapi_phone_async.models import (
    PaginationMeta,
    PhoneNumberPage,
    UnknownPhoneNumber,
    VapiPhoneNumber,
)
from vapi_phone_async.pagination import Pager

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def numbers(count: int) -> list[VapiPhoneNumber]:
    return [
        VapiPhoneNumber(id=f"id-{i:04d}", created_at=START - timedelta(seconds=i))
        for i in range(count)
    ]


def page_of(items: list[VapiPhoneNumber], page: int, *, total: int = 1000) -> PhoneNumberPage:
    meta = PaginationMeta(items_per_page=len(items), total_items=total, current_page=page)
    meta.has_next_page = True
    return PhoneNumberPage(results=list(items), metadata=meta)


def offset_pages(
    items: list[VapiPhoneNumber], *, cap: int | None = None
) -> Callable[[dict[str, str]], PhoneNumberPage]:
    """A server over `items` (newest first) that pages by offset, capped at `cap`."""

    def answer(params: dict[str, str]) -> PhoneNumberPage:
        limit, page = int(params["limit"]), int(params["page"])
        taken = limit if cap is None else min(limit, cap)
        start = (page - 1) * limit
        return page_of(items[start : start + taken], page, total=len(items))

    return answer


def recorder(
    answer: Callable[[dict[str, str]], PhoneNumberPage],
) -> tuple[Callable[[dict[str, str]], Awaitable[PhoneNumberPage]], list[dict[str, str]]]:
    sent: list[dict[str, str]] = []

    async def fetch(params: dict[str, str]) -> PhoneNumberPage:
        sent.append(params)
        return answer(params)

    return fetch, sent


async def test_a_server_that_returns_the_same_page_twice_stops_an_offset_walk() -> None:
    same = numbers(10)
    fetch, sent = recorder(lambda params: page_of(same, int(params.get("page", "1"))))
    pager = Pager(fetch, {}, page_size=10, max_items=None, prefetch=1, consistent=False)
    with pytest.raises(PaginationError, match="same numbers as page 1"):
        await pager.collect()
    assert len(sent) == 2


# The verdict: complete only when the counts prove it.


@pytest.mark.parametrize("consistent", [True, False])
@pytest.mark.parametrize("prefetch", [1, 8])
async def test_a_capped_server_is_walked_at_the_size_it_answers(
    consistent: bool, prefetch: int
) -> None:
    # Page 2 of `limit=1000` would start at the 1,001st number on this server: the walk
    # must ask for pages of the 100 it answers.
    items = numbers(2500)
    fetch, sent = recorder(offset_pages(items, cap=100))
    pager = Pager(
        fetch, {}, page_size=1000, max_items=None, prefetch=prefetch, consistent=consistent
    )

    assert [n.id for n in await pager.collect()] == [n.id for n in items]
    assert (pager.complete, pager.seen, pager.expected, pager.reason) == (True, 2500, 2500, None)
    assert all(query["limit"] == "100" for query in sent if int(query["page"]) > prefetch)


async def test_a_listing_the_server_cuts_short_is_incomplete_and_says_so() -> None:
    # totalItems says 250, but the server answers nothing past the first 100.
    items = numbers(250)

    def answer(params: dict[str, str]) -> PhoneNumberPage:
        page = int(params["page"])
        return page_of(items[:100] if page == 1 else [], page, total=250)

    fetch, _ = recorder(answer)
    pager = Pager(fetch, {}, page_size=1000, max_items=None, prefetch=1, consistent=False)

    assert len(await pager.collect()) == 100
    assert not pager.complete
    with pytest.raises(IncompleteListingError) as caught:
        pager.require_complete()
    assert (caught.value.seen, caught.value.expected) == (100, 250)
    assert "100 of 250 numbers seen" in str(caught.value)


async def test_a_consistent_walk_gets_past_pages_that_break_their_offsets_by_keyset() -> None:
    # Page 3 comes back short though the count says more: the walk drops it, goes on
    # from the last number it yielded by createdAt, and still proves itself complete.
    items = numbers(50)

    def answer(params: dict[str, str]) -> PhoneNumberPage:
        chosen = [
            n
            for n in items
            if "createdAtLt" not in params
            or n.created_at.isoformat().replace("+00:00", ".000Z") < params["createdAtLt"]
        ]
        chosen = [
            n
            for n in chosen
            if "createdAtLe" not in params
            or n.created_at.isoformat().replace("+00:00", ".000Z") <= params["createdAtLe"]
        ]
        if "createdAtGe" in params:
            chosen = [
                n
                for n in chosen
                if n.created_at.isoformat().replace("+00:00", ".000Z") >= params["createdAtGe"]
            ]
        page, limit = int(params["page"]), int(params["limit"])
        results = chosen[(page - 1) * limit : page * limit]
        if page == 3 and "createdAtLt" not in params:
            results = results[:4]
        return page_of(results, page, total=len(chosen))

    fetch, sent = recorder(answer)
    pager = Pager(fetch, {}, page_size=10, max_items=None, prefetch=1, consistent=True)

    assert [n.id for n in await pager.collect()] == [n.id for n in items]
    assert pager.complete
    assert any("createdAtLt" in query for query in sent)


async def test_a_server_that_counts_numbers_it_never_answers_ends_the_walk_incomplete() -> None:
    # The count includes 5 numbers no page ever holds: keyset from the last number gets
    # nowhere, so the walk stops after a few tries instead of asking for ever.
    items = numbers(20)

    def answer(params: dict[str, str]) -> PhoneNumberPage:
        page = int(params["page"])
        if "createdAtLt" in params or "createdAtGe" in params:  # going on by keyset
            return page_of([], page, total=5)
        return page_of(items[(page - 1) * 10 :][:10], page, total=25)

    fetch, sent = recorder(answer)
    pager = Pager(fetch, {}, page_size=10, max_items=None, prefetch=1, consistent=True)

    assert [n.id for n in await pager.collect()] == [n.id for n in items]
    assert not pager.complete and pager.reason is not None
    assert "got no further" in pager.reason
    assert len(sent) < 20


async def test_a_walk_without_total_items_cannot_prove_itself() -> None:
    items = numbers(5)

    def answer(params: dict[str, str]) -> PhoneNumberPage:
        page = page_of(items, 1)
        page.metadata.total_items = None
        page.metadata.has_next_page = False
        return page

    fetch, _ = recorder(answer)
    pager = Pager(fetch, {}, page_size=10, max_items=None, prefetch=1, consistent=True)

    assert len(await pager.collect()) == 5
    assert not pager.complete and "no totalItems" in (pager.reason or "")


async def test_a_walk_left_early_is_not_complete() -> None:
    items = numbers(30)
    fetch, _ = recorder(offset_pages(items))
    pager = Pager(fetch, {}, page_size=10, max_items=15, prefetch=1, consistent=False)

    assert len(await pager.collect()) == 15
    assert not pager.complete and "max_items" in (pager.reason or "")


async def test_max_items_stops_early_and_trims_the_last_page() -> None:
    items = numbers(100)
    fetch, sent = recorder(
        lambda p: page_of(items[(int(p["page"]) - 1) * 10 : int(p["page"]) * 10], int(p["page"]))
    )
    pager = Pager(fetch, {}, page_size=10, max_items=25, prefetch=1, consistent=False)
    assert [n.id for n in await pager.collect()] == [n.id for n in items[:25]]
    assert len(sent) == 3


async def test_a_pager_walks_once() -> None:
    fetch, _ = recorder(lambda p: page_of([], 1))
    pager = Pager(fetch, {}, page_size=10, max_items=None, prefetch=1, consistent=False)
    await pager.collect()
    with pytest.raises(PaginationError, match="walks once"):
        await pager.collect()


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"page_size": 0}, "page_size"),
        ({"page_size": 1001}, "page_size"),
        ({"page_size": "10"}, "page_size"),
        ({"max_items": 2.5}, "max_items"),
        ({"search": "x" * 101}, "search"),
        ({"sort_order": "UP"}, "sortOrder"),
        ({"sort_by": "name", "consistent": False}, "sortBy"),
        ({"sort_by": "cost"}, "sort_by"),
        ({"prefetch": 0}, "prefetch"),
        ({"max_items": -1}, "max_items"),
        ({"created_at_gt": datetime(2026, 1, 1)}, "createdAtGt"),
        ({"updated_at_le": "yesterday"}, "updatedAtLe"),
    ],
)
async def test_bad_arguments_fail_before_any_request(
    arguments: dict[str, object], field: str
) -> None:
    # Port 9 on loopback: nothing listens there, so any request would fail loudly instead.
    async with VapiPhoneClient(api_key="k", base_url="http://127.0.0.1:9") as client:
        with pytest.raises(RequestValidationError) as caught:
            client.paginate(**arguments)  # type: ignore[arg-type]
        assert field in {error.path for error in caught.value.errors}


async def test_a_server_that_ignores_createdat_bounds_stops_a_walk_it_would_loop() -> None:
    # totalItems changes on every request, so the walk goes on from its position with
    # createdAt bounds; a server that ignores them would answer page 1 for ever.
    items = numbers(30)
    served = 0

    def answer(params: dict[str, str]) -> PhoneNumberPage:
        nonlocal served
        served += 1
        assert served < 50, "the walk loops"
        page = int(params.get("page", "1"))
        result = page_of(items[(page - 1) * 10 : page * 10], page)
        result.metadata.total_items = 1000 + served
        return result

    fetch, _ = recorder(answer)
    pager = Pager(fetch, {}, page_size=10, max_items=None, prefetch=1, consistent=True)
    with pytest.raises(PaginationError, match="ignored the createdAt bounds"):
        await pager.collect()


@pytest.mark.parametrize("sort_order", ["ASC", "DESC"])
async def test_numbers_without_created_at_are_still_walked_once(sort_order: str) -> None:
    # Real responses have come without spec-required fields; such a number cannot pin or
    # order a walk, but must not empty it either.
    undated = [VapiPhoneNumber(id=f"undated-{i}") for i in range(3)]

    def answer(params: dict[str, str]) -> PhoneNumberPage:
        probe = params.get("limit") == "1"
        return page_of(undated[:1] if probe else undated, 1, total=len(undated))

    fetch, _ = recorder(answer)
    pager = Pager(
        fetch, {"sortOrder": sort_order}, page_size=10, max_items=None, prefetch=1, consistent=True
    )
    assert [n.id for n in await pager.collect()] == [n.id for n in undated]
    assert pager.complete


async def test_items_without_an_id_are_never_taken_for_one_another() -> None:
    # Two items that cannot be read (no id), each once, on pages that a consistent walk
    # dedupes by id: both come out, and the same page is not mistaken for a repeat.
    body = {
        "results": [
            {"provider": "twilio", "id": "a", "createdAt": "2025-01-01T00:00:03Z"},
            {"name": "no id, first", "createdAt": "2025-01-01T00:00:02Z"},
            {"name": "no id, second", "createdAt": "2025-01-01T00:00:02Z"},
            None,
        ],
        "metadata": {"itemsPerPage": 10, "totalItems": 4, "currentPage": 1},
    }
    page = decode_page(msgspec.json.encode(body))
    fetch, _ = recorder(lambda params: page)
    pager = Pager(fetch, {}, page_size=10, max_items=None, prefetch=1, consistent=True)

    walked = await pager.collect()

    assert [n.get("name") if isinstance(n, UnknownPhoneNumber) else n.id for n in walked] == [
        "a",
        "no id, first",
        "no id, second",
        None,
    ]
