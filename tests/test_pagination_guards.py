"""The Pager's guards and argument checks, against scripted pages (no server needed).

The walks themselves (filters, orders, cursors, churn, prefetch) are tested against
FakeVapiServer in test_pagination.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone

import msgspec
import pytest

from vapi_phone_async import VapiPhoneClient, decode_page
from vapi_phone_async.errors import PaginationError, RequestValidationError
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


def page_of(
    items: list[VapiPhoneNumber], page: int, *, cursor: str | None = None
) -> PhoneNumberPage:
    meta = PaginationMeta(items_per_page=len(items), total_items=1000, current_page=page)
    meta.has_next_page = True
    meta.next_cursor = cursor
    return PhoneNumberPage(results=list(items), metadata=meta)


def recorder(
    answer: Callable[[dict[str, str]], PhoneNumberPage],
) -> tuple[Callable[[dict[str, str]], Awaitable[PhoneNumberPage]], list[dict[str, str]]]:
    sent: list[dict[str, str]] = []

    async def fetch(params: dict[str, str]) -> PhoneNumberPage:
        sent.append(params)
        return answer(params)

    return fetch, sent


async def test_a_server_that_returns_the_same_page_twice_stops_the_walk() -> None:
    same = numbers(10)
    fetch, sent = recorder(lambda params: page_of(same, int(params.get("page", "1"))))
    pager = Pager(fetch, {}, page_size=10, max_items=None, prefetch=1, consistent=False)
    with pytest.raises(PaginationError, match="same page twice"):
        await pager.collect()
    assert len(sent) == 2


async def test_a_cursor_that_does_not_move_stops_the_walk() -> None:
    items = numbers(30)

    def answer(params: dict[str, str]) -> PhoneNumberPage:
        if "cursor" not in params:
            return page_of(items[:10], 1, cursor="c1")
        return page_of(items[10:20], 2, cursor="c1")

    fetch, sent = recorder(answer)
    pager = Pager(fetch, {}, page_size=10, max_items=None, prefetch=1, consistent=True)
    with pytest.raises(PaginationError, match="same cursor"):
        await pager.collect()
    assert [p.get("cursor") for p in sent] == [None, "c1"]


async def test_a_cursor_request_sends_the_cursor_and_no_page_number() -> None:
    items = numbers(20)

    def answer(params: dict[str, str]) -> PhoneNumberPage:
        if "cursor" not in params:
            return page_of(items[:10], 1, cursor="next")
        last = page_of(items[10:], 2)
        last.metadata.has_next_page = False
        return last

    fetch, sent = recorder(answer)
    pager = Pager(fetch, {}, page_size=10, max_items=None, prefetch=1, consistent=True)
    assert [n.id for n in await pager.collect()] == [n.id for n in items]
    assert sent[1]["cursor"] == "next" and "page" not in sent[1]


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
        page = page_of(undated[:1] if params.get("limit") == "1" else undated, 1)
        page.metadata.has_next_page = False
        return page

    fetch, _ = recorder(answer)
    pager = Pager(
        fetch, {"sortOrder": sort_order}, page_size=10, max_items=None, prefetch=1, consistent=True
    )
    assert [n.id for n in await pager.collect()] == [n.id for n in undated]


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
