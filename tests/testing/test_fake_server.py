"""FakeVapiServer: the six operations, seeding, and the request log, over real HTTP."""

from __future__ import annotations

import operator
import re
import uuid
from collections.abc import Callable
from typing import Any

import aiohttp
import msgspec
import pytest

from vapi_phone_async.models import KnownPhoneNumber, PhoneNumberPage
from vapi_phone_async.testing import DEFAULT_ORG_ID, FakeVapiServer

ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
E164 = re.compile(r"^\+[1-9]\d{1,14}$")

CREATE_BODIES: dict[str, dict[str, Any]] = {
    "byo-phone-number": {
        "provider": "byo-phone-number",
        "number": "+14155550100",
        "credentialId": "cred-byo",
        "name": "BYO line",
    },
    "twilio": {
        "provider": "twilio",
        "number": "+14155550101",
        "twilioAccountSid": "AC123",
        "twilioAuthToken": "secret-token",
        "name": "Twilio line",
        "assistantId": "asst-1",
    },
    "vonage": {"provider": "vonage", "number": "+14155550102", "credentialId": "cred-vonage"},
    "vapi": {"provider": "vapi", "name": "Vapi line", "numberDesiredAreaCode": "415"},
    "telnyx": {"provider": "telnyx", "number": "+14155550103", "credentialId": "cred-telnyx"},
}


async def post(http: aiohttp.ClientSession, body: Any) -> dict[str, Any]:
    async with http.post("/phone-number", json=body) as response:
        assert response.status == 201, await response.text()
        result: dict[str, Any] = await response.json()
        return result


async def get_json(http: aiohttp.ClientSession, path: str, **params: Any) -> Any:
    query = {key: str(value) for key, value in params.items()}
    async with http.get(path, params=query) as response:
        assert response.status == 200, await response.text()
        return await response.json()


def newest_first(numbers: Any) -> list[dict[str, Any]]:
    return sorted(numbers, key=lambda n: (n["createdAt"], n["id"]), reverse=True)


# Create, get, update, delete.


@pytest.mark.parametrize("provider", list(CREATE_BODIES))
async def test_create_assigns_the_server_fields_and_keeps_the_body(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession, provider: str
) -> None:
    body = CREATE_BODIES[provider]
    async with fake_http.post("/phone-number", json=body) as response:
        assert response.status == 201
        number = await response.json()
    assert uuid.UUID(number["id"]).version == 4
    assert number["orgId"] == DEFAULT_ORG_ID
    assert ISO_MS.match(number["createdAt"])
    assert number["updatedAt"] == number["createdAt"]
    assert number["status"] == "active"
    assert {key: number[key] for key in body} == body
    assert fake_vapi.numbers[number["id"]] == number


async def test_create_vapi_assigns_a_number_in_the_desired_area_code(
    fake_http: aiohttp.ClientSession,
) -> None:
    assigned = await post(fake_http, {"provider": "vapi", "numberDesiredAreaCode": "212"})
    anywhere = await post(fake_http, {"provider": "vapi"})
    sip = await post(fake_http, {"provider": "vapi", "sipUri": "sip:desk@example.sip.vapi.ai"})
    assert E164.match(assigned["number"]) and assigned["number"].startswith("+1212")
    assert E164.match(anywhere["number"])
    assert "number" not in sip  # a SIP URI number gets no PSTN number


async def test_created_numbers_have_increasing_created_at(fake_http: aiohttp.ClientSession) -> None:
    created = [await post(fake_http, CREATE_BODIES["vonage"]) for _ in range(5)]
    stamps = [number["createdAt"] for number in created]
    assert stamps == sorted(stamps) and len(set(stamps)) == 5


async def test_create_refuses_a_property_the_spec_does_not_have_as_vapi_does(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    """Changed in issue 12: the fake stored and echoed unknown properties; Vapi refuses them."""
    body = {**CREATE_BODIES["telnyx"], "futureField": {"nested": [1, 2]}}
    async with fake_http.post("/phone-number", json=body) as response:
        assert response.status == 400
        assert await response.json() == {
            "message": ["property futureField should not exist"],
            "error": "Bad Request",
            "statusCode": 400,
        }
    assert not fake_vapi.numbers


async def test_a_nested_unknown_property_is_named_with_its_parent(
    fake_http: aiohttp.ClientSession,
) -> None:
    body = {**CREATE_BODIES["telnyx"], "server": {"url": "https://x", "region": "eu"}}
    async with fake_http.post("/phone-number", json=body) as response:
        assert (await response.json())["message"] == ["server.property region should not exist"]


async def test_inserted_numbers_keep_fields_the_spec_does_not_have(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    """What a newer API sends: insert() stores it as given, and every read returns it."""
    number = fake_vapi.insert({**CREATE_BODIES["telnyx"], "futureField": {"nested": [1, 2]}})
    assert (await get_json(fake_http, f"/phone-number/{number['id']}"))["futureField"] == {
        "nested": [1, 2]
    }


@pytest.mark.parametrize(
    "body",
    [
        {"provider": "twilio", "number": "14155550100", "twilioAccountSid": "AC1"},
        {"provider": "vonage", "number": "4155550100", "credentialId": "c"},
        {
            "provider": "byo-phone-number",
            "number": "+14155550100",
            "credentialId": "c",
            "serverUrl": "https://x",
            "serverUrlSecret": "s",
        },
        {
            "provider": "vapi",
            "fallbackDestination": {"type": "sip", "sipUri": "sip:a@b", "name": "Desk"},
        },
        {"provider": "vapi", "server": {"url": "https://x", "secret": "s"}},
    ],
    ids=["twilio digits", "vonage digits", "serverUrl", "destination name", "server secret"],
)
async def test_create_takes_what_the_api_takes_beyond_the_spec(
    fake_http: aiohttp.ClientSession, body: dict[str, Any]
) -> None:
    await post(fake_http, body)


async def test_get_returns_the_stored_number(fake_http: aiohttp.ClientSession) -> None:
    number = await post(fake_http, CREATE_BODIES["twilio"])
    assert await get_json(fake_http, f"/phone-number/{number['id']}") == number


async def test_update_merges_fields_and_null_clears_one(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    number = await post(fake_http, CREATE_BODIES["twilio"])
    patch = {"name": "Renamed", "assistantId": None, "smsEnabled": False}
    async with fake_http.patch(f"/phone-number/{number['id']}", json=patch) as response:
        assert response.status == 200
        updated = await response.json()
    assert updated["name"] == "Renamed"
    assert updated["smsEnabled"] is False
    assert "assistantId" not in updated
    assert updated["twilioAccountSid"] == "AC123"  # untouched
    assert updated["createdAt"] == number["createdAt"]
    assert updated["updatedAt"] > number["updatedAt"]
    assert fake_vapi.numbers[number["id"]] == updated


async def test_update_accepts_the_matching_provider_and_refuses_server_fields(
    fake_http: aiohttp.ClientSession,
) -> None:
    """Changed in issue 12: server-assigned fields were ignored; Vapi refuses them."""
    number = await post(fake_http, CREATE_BODIES["vonage"])
    path = f"/phone-number/{number['id']}"
    async with fake_http.patch(path, json={"provider": "vonage", "name": "n"}) as response:
        assert response.status == 200
    patch = {"id": "other", "orgId": "other", "createdAt": "2020-01-01"}
    async with fake_http.patch(path, json=patch) as response:
        assert response.status == 400
        assert (await response.json())["message"] == [
            "property id should not exist",
            "property orgId should not exist",
            "property createdAt should not exist",
        ]
    assert (await get_json(fake_http, path))["id"] == number["id"]


async def test_update_moves_updated_at_forward_every_time(fake_http: aiohttp.ClientSession) -> None:
    number = await post(fake_http, CREATE_BODIES["telnyx"])
    stamps = [number["updatedAt"]]
    for name in ("a", "b", "c"):
        async with fake_http.patch(f"/phone-number/{number['id']}", json={"name": name}) as r:
            stamps.append((await r.json())["updatedAt"])
    assert stamps == sorted(stamps) and len(set(stamps)) == 4


async def test_delete_returns_the_number_and_then_it_is_gone(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    number = await post(fake_http, CREATE_BODIES["byo-phone-number"])
    path = f"/phone-number/{number['id']}"
    async with fake_http.delete(path) as response:
        assert response.status == 200
        assert await response.json() == number
    assert number["id"] not in fake_vapi.numbers
    for method in ("GET", "PATCH", "DELETE"):
        async with fake_http.request(method, path, json={}) as response:
            assert response.status == 404
            assert await response.json() == {
                "message": "Not Found",
                "error": "Not Found",
                "statusCode": 404,
            }


# GET /phone-number (v1).


async def test_list_is_newest_first_with_a_default_limit_of_100(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.seed(150)
    listed = await get_json(fake_http, "/phone-number")
    assert listed == newest_first(fake_vapi.numbers.values())[:100]


@pytest.mark.parametrize("cap", [100, None])
@pytest.mark.parametrize("stored", [69, 150])
@pytest.mark.parametrize("limit", [0, 1, 70, 149, 150, 1000])
async def test_list_gives_the_newest_limit_numbers_up_to_the_cap(
    fake_vapi: FakeVapiServer,
    fake_http: aiohttp.ClientSession,
    limit: int,
    stored: int,
    cap: int | None,
) -> None:
    fake_vapi.page_cap = cap
    fake_vapi.seed(stored)
    listed = await get_json(fake_http, "/phone-number", limit=limit)
    wanted = limit if cap is None else min(limit, cap)
    assert [n["id"] for n in listed] == [
        n["id"] for n in newest_first(fake_vapi.numbers.values())[:wanted]
    ]


async def test_list_without_a_limit_gives_the_newest_100_however_many_are_stored(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.page_cap = None
    fake_vapi.seed(69)
    assert len(await get_json(fake_http, "/phone-number")) == 69
    fake_vapi.seed(100)
    assert len(await get_json(fake_http, "/phone-number")) == 100


DATE_FILTERS: dict[str, tuple[str, Callable[[str, str], bool]]] = {
    "createdAtGt": ("createdAt", operator.gt),
    "createdAtLt": ("createdAt", operator.lt),
    "createdAtGe": ("createdAt", operator.ge),
    "createdAtLe": ("createdAt", operator.le),
    "updatedAtGt": ("updatedAt", operator.gt),
    "updatedAtLt": ("updatedAt", operator.lt),
    "updatedAtGe": ("updatedAt", operator.ge),
    "updatedAtLe": ("updatedAt", operator.le),
}


@pytest.mark.parametrize("path", ["/phone-number", "/v2/phone-number"])
@pytest.mark.parametrize("name", list(DATE_FILTERS))
async def test_each_date_filter(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession, path: str, name: str
) -> None:
    numbers = fake_vapi.seed(60, tie_rate=0.2)
    field, keep = DATE_FILTERS[name]
    bound = sorted(n[field] for n in numbers)[30]  # a stored value: Ge and Gt differ
    expected = newest_first(n for n in numbers if keep(n[field], bound))
    assert 0 < len(expected) < 60
    body = await get_json(fake_http, path, **{name: bound, "limit": 100})
    listed = body if path == "/phone-number" else body["results"]
    assert [n["id"] for n in listed] == [n["id"] for n in expected]


async def test_date_filters_compare_instants_not_strings(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    number = fake_vapi.seed(1)[0]  # created 2024-01-01T00:00:00.000Z
    same_instant = "2024-01-01T01:00:00.000+01:00"
    half_ms_before = "2023-12-31T23:59:59.9995Z"
    assert len(await get_json(fake_http, "/phone-number", createdAtGe=same_instant)) == 1
    assert len(await get_json(fake_http, "/phone-number", createdAtGt=same_instant)) == 0
    assert len(await get_json(fake_http, "/phone-number", createdAtGt=half_ms_before)) == 1
    assert number["createdAt"] == "2024-01-01T00:00:00.000Z"


# GET /v2/phone-number.


async def test_page_metadata(fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession) -> None:
    fake_vapi.full_metadata = True  # the fields the spec leaves optional
    fake_vapi.seed(25)
    body = await get_json(fake_http, "/v2/phone-number", limit=10, page=2)
    assert body["metadata"] | {"nextCursor": None} == {
        "itemsPerPage": 10,
        "totalItems": 25,
        "currentPage": 2,
        "totalPages": 3,
        "hasNextPage": True,
        "sortOrder": "DESC",
        "nextCursor": None,
    }
    assert body["results"] == newest_first(fake_vapi.numbers.values())[10:20]
    last = await get_json(fake_http, "/v2/phone-number", limit=10, page=3)
    assert len(last["results"]) == 5
    assert last["metadata"]["hasNextPage"] is False and "nextCursor" not in last["metadata"]
    beyond = await get_json(fake_http, "/v2/phone-number", limit=10, page=4)
    assert beyond["results"] == [] and beyond["metadata"]["hasNextPage"] is False


async def test_page_defaults(fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession) -> None:
    fake_vapi.full_metadata = True  # the fields the spec leaves optional
    fake_vapi.seed(120)
    body = await get_json(fake_http, "/v2/phone-number")
    assert body["metadata"]["itemsPerPage"] == 100
    assert body["metadata"]["currentPage"] == 1
    assert body["metadata"]["sortOrder"] == "DESC"
    assert body["results"] == newest_first(fake_vapi.numbers.values())[:100]


@pytest.mark.parametrize("offsets", ["asked", "capped"])
async def test_a_page_holds_at_most_100_numbers_whatever_limit_asks(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession, offsets: str
) -> None:
    fake_vapi.page_offsets = offsets  # type: ignore[assignment]
    fake_vapi.seed(2500)
    newest = newest_first(fake_vapi.numbers.values())
    first = await get_json(fake_http, "/v2/phone-number", limit=1000)
    second = await get_json(fake_http, "/v2/phone-number", limit=1000, page=2)
    assert first["results"] == newest[:100]
    assert first["metadata"] == {
        "itemsPerPage": 1000 if offsets == "asked" else 100,
        "totalItems": 2500,
        "currentPage": 1,
    }
    # Page 2 starts after the page size asked for, or after the cap.
    start = 1000 if offsets == "asked" else 100
    assert second["results"] == newest[start : start + 100]


async def test_page_metadata_holds_the_required_fields_unless_asked_for_more(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.seed(25)
    query = {"limit": 10, "page": 2, "createdAtLe": "2030-01-01T00:00:00Z"}
    required = await get_json(fake_http, "/v2/phone-number", **query)
    assert set(required["metadata"]) == {"itemsPerPage", "totalItems", "currentPage"}
    fake_vapi.full_metadata = True
    full = await get_json(fake_http, "/v2/phone-number", **query)
    assert set(full["metadata"]) >= {"totalPages", "hasNextPage", "sortOrder", "createdAtLe"}
    assert full["results"] == required["results"]


async def test_the_paging_knobs_are_checked_and_settable_in_the_constructor() -> None:
    with pytest.raises(ValueError, match="page_cap"):
        FakeVapiServer(page_cap=0)
    with pytest.raises(ValueError, match="page_offsets"):
        FakeVapiServer(page_offsets="sideways")  # type: ignore[arg-type]
    server = FakeVapiServer(page_cap=None, page_offsets="capped", full_metadata=True)
    assert (server.page_cap, server.page_offsets, server.full_metadata) == (None, "capped", True)


@pytest.mark.parametrize("sort_by", ["createdAt", "duration", "cost"])
async def test_sort_order_asc(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession, sort_by: str
) -> None:
    fake_vapi.full_metadata = True  # the fields the spec leaves optional
    fake_vapi.seed(30, tie_rate=0.3)
    body = await get_json(fake_http, "/v2/phone-number", sortOrder="ASC", sortBy=sort_by)
    assert body["results"] == newest_first(fake_vapi.numbers.values())[::-1]
    assert body["metadata"]["sortOrder"] == "ASC"


async def test_page_echoes_created_at_bounds(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.full_metadata = True  # the fields the spec leaves optional
    fake_vapi.seed(5)
    body = await get_json(
        fake_http,
        "/v2/phone-number",
        createdAtGe="2024-01-01T00:00:00Z",
        createdAtLe="2030-01-01T01:00:00+01:00",
    )
    assert body["metadata"]["createdAtGe"] == "2024-01-01T00:00:00.000Z"
    assert body["metadata"]["createdAtLe"] == "2030-01-01T00:00:00.000Z"
    plain = await get_json(fake_http, "/v2/phone-number")
    assert "createdAtGe" not in plain["metadata"] and "createdAtLe" not in plain["metadata"]


@pytest.mark.parametrize(
    ("search", "field"),
    [("ACME support", "name"), ("+1415555", "number"), ("SIP:DESK-", "sipUri")],
)
async def test_search_is_a_case_insensitive_partial_match(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession, search: str, field: str
) -> None:
    fake_vapi.seed(200)
    await post(fake_http, {"provider": "vapi", "name": "Acme Support", "sipUri": "sip:desk-1@x"})
    await post(fake_http, {**CREATE_BODIES["twilio"], "number": "+14155550199"})
    expected = [
        n
        for n in newest_first(fake_vapi.numbers.values())
        if search.lower() in str(n.get(field, "")).lower()
    ]
    body = await get_json(fake_http, "/v2/phone-number", search=search, limit=100)
    assert expected and body["results"] == expected
    assert body["metadata"]["totalItems"] == len(expected)


async def test_search_matches_nothing(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.full_metadata = True  # the fields the spec leaves optional
    fake_vapi.seed(50)
    body = await get_json(fake_http, "/v2/phone-number", search="no such thing")
    assert body["results"] == [] and body["metadata"]["totalItems"] == 0
    assert body["metadata"]["hasNextPage"] is False


async def walk(
    http: aiohttp.ClientSession, *, cursors: bool, **params: Any
) -> list[dict[str, Any]]:
    """Every page of /v2/phone-number, by cursor or by page number."""
    seen: list[dict[str, Any]] = []
    query = {key: str(value) for key, value in params.items()}
    page = 1
    while True:
        body = await get_json(http, "/v2/phone-number", **query)
        seen.extend(body["results"])
        metadata = body["metadata"]
        if cursors:
            if "nextCursor" not in metadata:
                assert metadata["hasNextPage"] is False
                return seen
            query["cursor"] = metadata["nextCursor"]
        else:
            if not metadata["hasNextPage"]:
                return seen
            page += 1
            query["page"] = str(page)


@pytest.mark.parametrize("cursors", [True, False], ids=["cursor", "page"])
@pytest.mark.parametrize("sort_order", ["ASC", "DESC"])
async def test_a_walk_returns_every_number_once_in_order(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession, cursors: bool, sort_order: str
) -> None:
    fake_vapi.full_metadata = True  # the fields the spec leaves optional
    fake_vapi.cursors = cursors
    fake_vapi.seed(1000, tie_rate=0.3)  # many neighbours share a millisecond
    seen = await walk(fake_http, cursors=cursors, limit=37, sortOrder=sort_order)
    expected = newest_first(fake_vapi.numbers.values())
    if sort_order == "ASC":
        expected.reverse()
    assert [n["id"] for n in seen] == [n["id"] for n in expected]


async def test_a_filtered_searched_cursor_walk(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.full_metadata = True  # the fields the spec leaves optional
    fake_vapi.cursors = True
    numbers = fake_vapi.seed(500, tie_rate=0.2)
    bound = sorted(n["createdAt"] for n in numbers)[100]
    seen = await walk(fake_http, cursors=True, limit=7, search="a", createdAtGe=bound)
    searched = ("name", "number", "sipUri")
    expected = [
        n
        for n in newest_first(numbers)
        if n["createdAt"] >= bound and any("a" in n.get(f, "").lower() for f in searched)
    ]
    assert [n["id"] for n in seen] == [n["id"] for n in expected]


async def test_a_cursor_walk_survives_deletions_and_new_numbers(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.full_metadata = True  # the fields the spec leaves optional
    fake_vapi.cursors = True
    numbers = fake_vapi.seed(100)
    first = await get_json(fake_http, "/v2/phone-number", limit=10)
    # Between pages: delete numbers already seen and one not yet seen, and create a new one.
    for number in [*first["results"][:5], newest_first(numbers)[50]]:
        async with fake_http.delete(f"/phone-number/{number['id']}"):
            pass
    await post(fake_http, CREATE_BODIES["vonage"])
    rest = await walk(fake_http, cursors=True, limit=10, cursor=first["metadata"]["nextCursor"])
    expected = [n["id"] for n in newest_first(numbers)[10:] if n["id"] in fake_vapi.numbers]
    assert [n["id"] for n in rest] == expected


async def test_a_cursor_ignores_page(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.full_metadata = True  # the fields the spec leaves optional
    fake_vapi.cursors = True
    fake_vapi.seed(30)
    first = await get_json(fake_http, "/v2/phone-number", limit=10)
    cursor = first["metadata"]["nextCursor"]
    by_cursor = await get_json(fake_http, "/v2/phone-number", limit=10, cursor=cursor, page=3)
    by_page = await get_json(fake_http, "/v2/phone-number", limit=10, page=2)
    assert by_cursor["results"] == by_page["results"]
    assert by_cursor["metadata"]["currentPage"] == 2


async def test_limit_zero_pages_are_empty(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.full_metadata = True  # the fields the spec leaves optional
    fake_vapi.seed(5)
    body = await get_json(fake_http, "/v2/phone-number", limit=0)
    assert body["results"] == []
    assert body["metadata"]["totalItems"] == 5 and body["metadata"]["hasNextPage"] is False
    assert "nextCursor" not in body["metadata"]


async def test_page_bodies_are_cached_until_the_state_changes(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.seed(50)
    async with fake_http.get("/v2/phone-number") as response:
        before = await response.read()
    async with fake_http.get("/v2/phone-number") as response:
        assert await response.read() == before
    number = msgspec.json.decode(before)["results"][0]
    async with fake_http.patch(f"/phone-number/{number['id']}", json={"name": "Changed"}):
        pass
    async with fake_http.get("/v2/phone-number") as response:
        after = msgspec.json.decode(await response.read())
    assert after["results"][0]["name"] == "Changed"


# Seeding.


def test_seed_is_deterministic_and_continues() -> None:
    one, two, other = FakeVapiServer(), FakeVapiServer(), FakeVapiServer()
    first = one.seed(50)
    assert first == two.seed(50)
    assert other.seed(50, seed=1) != first
    more = one.seed(50)  # a second call adds new, newer numbers
    assert more == two.seed(50)
    assert len(one.numbers) == 100
    assert min(n["createdAt"] for n in more) > max(n["createdAt"] for n in first)


async def test_seeded_numbers_are_realistic_and_decode_strictly(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    numbers = fake_vapi.seed(300)
    assert {n["provider"] for n in numbers} == {
        "byo-phone-number",
        "twilio",
        "vonage",
        "vapi",
        "telnyx",
    }
    assert all(E164.match(n["number"]) for n in numbers if "number" in n)
    assert all(n["sipUri"].startswith("sip:") for n in numbers if n["provider"] == "vapi")
    assert all(len(n["name"]) <= 40 for n in numbers)
    rich = [n for n in numbers if "hooks" in n]
    assert len(rich) == 100
    assert all("fallbackDestination" in n and "backoffPlan" in n["server"] for n in rich)
    assert [n["createdAt"] for n in numbers] == sorted(n["createdAt"] for n in numbers)
    # The package's strict decoder (no lenient fallback) takes every seeded number.
    fake_vapi.page_cap = None
    async with fake_http.get("/v2/phone-number", params={"limit": "1000"}) as response:
        page = msgspec.json.decode(await response.read(), type=PhoneNumberPage)
    assert len(page.results) == 300
    assert all(isinstance(n, KnownPhoneNumber) for n in page.results)


def test_tie_rate_makes_neighbours_share_a_millisecond() -> None:
    plain = FakeVapiServer().seed(500)
    tied = FakeVapiServer().seed(500, tie_rate=0.5)
    assert len({n["createdAt"] for n in plain}) == 500
    assert 150 < 500 - len({n["createdAt"] for n in tied}) < 350


def test_seed_rejects_bad_arguments() -> None:
    server = FakeVapiServer()
    with pytest.raises(ValueError, match="n must not be negative"):
        server.seed(-1)
    with pytest.raises(ValueError, match="tie_rate"):
        server.seed(1, tie_rate=2)


async def test_insert_stores_a_number_as_given(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    odd = fake_vapi.insert({"provider": "sinch", "number": "+14155550123", "newField": 1})
    assert odd["orgId"] == DEFAULT_ORG_ID and ISO_MS.match(odd["createdAt"])
    listed = await get_json(fake_http, "/phone-number")
    assert listed == [odd]
    async with fake_http.patch(f"/phone-number/{odd['id']}", json={"name": "x"}) as response:
        assert response.status == 200
        assert (await response.json())["newField"] == 1


# Observation and lifecycle.


async def test_every_response_carries_a_request_id_that_the_log_records(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    ids = []
    for method, path in [("GET", "/phone-number"), ("GET", "/phone-number/x"), ("GET", "/x")]:
        async with fake_http.request(method, path) as response:
            ids.append(response.headers["x-request-id"])
    async with (
        aiohttp.ClientSession() as anonymous,
        anonymous.get(f"{fake_vapi.url}/phone-number") as response,
    ):
        assert response.status == 401
        ids.append(response.headers["x-request-id"])
    assert [record.request_id for record in fake_vapi.request_log] == ids
    assert len(set(ids)) == 4


async def test_the_request_log(fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession) -> None:
    number = await post(fake_http, CREATE_BODIES["vonage"])
    await get_json(fake_http, "/v2/phone-number", search="x", limit=5)
    async with fake_http.post("/phone-number", data=b"{oops"):
        pass
    create, listing, broken = fake_vapi.request_log
    assert (create.method, create.path, create.body, create.status) == (
        "POST",
        "/phone-number",
        CREATE_BODIES["vonage"],
        201,
    )
    assert create.fault is None
    assert listing.query == {"search": "x", "limit": "5"} and listing.body is None
    assert broken.body == "{oops" and broken.status == 400 and broken.body_error
    assert fake_vapi.requests("post") == [create, broken]
    assert fake_vapi.requests(path="/v2/phone-number") == [listing]
    assert number["id"] in fake_vapi.numbers
    fake_vapi.clear_log()
    assert fake_vapi.request_log == []


async def test_clear_forgets_everything(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.seed(10)
    fake_vapi.inject_fault(mode="status", status=500)
    fake_vapi.chaos(0.5)
    fake_vapi.clear()
    assert not fake_vapi.numbers and not fake_vapi.request_log and not fake_vapi.pending_faults
    assert await get_json(fake_http, "/phone-number") == []


async def test_lifecycle() -> None:
    server = FakeVapiServer()
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.url
    await server.start()
    try:
        assert re.match(r"^http://127\.0\.0\.1:\d+$", server.url)
        assert server.url in repr(server)
        with pytest.raises(RuntimeError, match="already started"):
            await server.start()
    finally:
        await server.close()
    await server.close()  # twice is fine
    assert "test-key" not in repr(server)


async def test_a_fixed_port(unused_tcp_port: int) -> None:
    async with FakeVapiServer(port=unused_tcp_port) as server:
        assert server.port == unused_tcp_port


async def test_max_log_keeps_the_newest_records_only() -> None:
    async with (
        FakeVapiServer(max_log=3) as server,
        aiohttp.ClientSession(headers={"Authorization": "Bearer test-key"}) as http,
    ):
        for index in range(10):
            async with http.get(f"{server.url}/phone-number/n{index}") as response:
                assert response.status == 404
        paths = [record.path for record in server.request_log]
    assert len(paths) <= 6 and paths[-1] == "/phone-number/n9"
    assert paths == [f"/phone-number/n{i}" for i in range(10 - len(paths), 10)]
