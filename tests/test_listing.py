"""One way to list (`_listing.py`): `client.list()` walks every page and is awaitable for
the first one; `list_recent()` is the v1 endpoint; the old `list(limit=...)` and the old
use of `await client.list()` as a list keep working for a release, with a warning."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from vapi_phone_async import BackoffPlan, MockTransport, Pager, PhoneNumberPage, VapiPhoneClient
from vapi_phone_async.errors import InternalServerError, RequestValidationError
from vapi_phone_async.testing import FakeVapiServer
from vapi_phone_async.transports import Answer, Request

NO_RETRIES = BackoffPlan(type="fixed", max_retries=0, base_delay_seconds=0)


@pytest.fixture
def no_warnings() -> Iterator[None]:
    """Any warning fails the test: the new forms warn about nothing."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def paths(server: FakeVapiServer) -> list[str]:
    return [record.path for record in server.request_log]


async def test_async_for_over_list_walks_every_page(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, no_warnings: None
) -> None:
    fake_vapi.seed(250)
    listing = vapi_client.list(page_size=100)
    assert isinstance(listing, Pager)

    ids = [number.id async for number in listing]

    assert sorted(ids) == sorted(fake_vapi.numbers) and listing.complete
    assert paths(fake_vapi) == ["/v2/phone-number"] * 3


async def test_await_list_is_the_first_page_alone(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, no_warnings: None
) -> None:
    fake_vapi.seed(250)
    page = await vapi_client.list(page_size=100)

    assert isinstance(page, PhoneNumberPage)
    assert len(page.results) == 100 and page.metadata.total_items == 250
    assert paths(fake_vapi) == ["/v2/phone-number"]


async def test_list_takes_the_filters_of_paginate_and_walks_the_same(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, no_warnings: None
) -> None:
    fake_vapi.seed(60)
    filters = {"search": "acme", "sort_order": "ASC", "max_items": 7, "page_size": 3}
    listed = [n.id async for n in vapi_client.list(**filters)]  # type: ignore[arg-type]
    walked = [n.id async for n in vapi_client.paginate(**filters)]  # type: ignore[arg-type]

    assert listed == walked and 0 < len(listed) <= 7
    (first, *_) = fake_vapi.requests("GET", "/v2/phone-number")
    assert first.query["search"] == "acme"


async def test_a_listings_timeout_backoff_and_deadline_apply_to_each_page(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.seed(5)
    fake_vapi.inject_fault("GET", "/v2/phone-number", status=503, times=1)
    with pytest.raises(InternalServerError):
        await vapi_client.list(backoff=NO_RETRIES)  # the client's own plan would retry
    fake_vapi.inject_fault("GET", "/v2/phone-number", status=503, times=1)
    assert len([n async for n in vapi_client.list(timeout=5, deadline=None)]) == 5
    with pytest.raises(RequestValidationError, match="deadline"):
        vapi_client.list(deadline=-1)


async def test_list_recent_is_the_v1_listing_in_one_request(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, no_warnings: None
) -> None:
    fake_vapi.seed(30)
    numbers = await vapi_client.list_recent(limit=10)

    assert isinstance(numbers, list) and len(numbers) == 10
    (request,) = fake_vapi.request_log
    assert (request.path, request.query) == ("/phone-number", {"limit": "10"})


async def test_the_old_list_with_limit_still_answers_v1s_list_and_warns(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.seed(30)
    with pytest.warns(DeprecationWarning, match=r"client\.list_recent\(limit=\.\.\.\)") as said:
        numbers = await vapi_client.list(limit=5)

    assert said[0].filename == __file__  # the warning points at the caller's line
    assert isinstance(numbers, list) and len(numbers) == 5
    assert paths(fake_vapi) == ["/phone-number"]


async def test_limit_with_an_argument_of_the_walk_is_refused(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        vapi_client.list(limit=5, search="acme", page_size=10)  # type: ignore[call-overload]

    assert caught.value.field == "limit"
    assert "takes no search, page_size: call list_recent()" in caught.value.rule
    assert fake_vapi.request_log == []


async def test_the_first_page_used_as_the_old_list_warns_and_acts_on_its_results(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.seed(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        page = await vapi_client.list()
        results = page.results  # the new way: no warning
        assert repr(page).startswith("PhoneNumberPage(results=[")

    uses = {
        "iterated": lambda: [n.id for n in page],  # type: ignore[attr-defined]
        "unpacked": lambda: [n.id for n in (lambda a, b, c: (a, b, c))(*page)],  # type: ignore[misc]
        "measured": lambda: len(page),  # type: ignore[arg-type]
        "indexed": lambda: page[0].id,  # type: ignore[index]
        "truth": lambda: bool(page),
        "compared": lambda: page == results,
    }
    for use, act in uses.items():
        with pytest.warns(DeprecationWarning, match=r"page\.results") as said:
            value = act()
        assert said[0].filename == __file__, use
        assert (
            value
            == {
                "iterated": [n.id for n in results],
                "unpacked": [n.id for n in results],
                "measured": 3,
                "indexed": results[0].id,
                "truth": True,
                "compared": True,
            }[use]
        ), use


async def test_paginates_first_page_is_a_plain_page(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.seed(3)
    page = await vapi_client.paginate()
    assert type(page) is PhoneNumberPage
    with pytest.raises(TypeError):
        iter(page)  # type: ignore[call-overload]


async def test_the_first_page_keeps_the_fields_this_version_does_not_know() -> None:
    def handler(request: Request) -> Answer:
        page = {"results": [], "metadata": {"totalItems": 0}, "region": "eu"}
        return Answer.json(200, page)

    async with VapiPhoneClient(api_key="k", transport=MockTransport(handler)) as client:
        page = await client.list()
    assert dict(page.unknown_fields) == {"region": "eu"}


async def test_raw_list_is_the_raw_list_recent_under_its_old_name(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.seed(4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        recent = await vapi_client.with_raw_response.list_recent(limit=2)
    with pytest.warns(DeprecationWarning, match=r"with_raw_response\.list_recent\(\)"):
        old = await vapi_client.with_raw_response.list(limit=2)

    assert recent.status == old.status == 200
    assert [n.id for n in recent.value] == [n.id for n in old.value]
