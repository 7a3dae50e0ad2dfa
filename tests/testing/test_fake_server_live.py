"""FakeVapiServer where the spec is silent: unknown query parameters, cursors and nested
nulls, each as the live API behaves by default and as its knob says otherwise."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from vapi_phone_async.testing import FakeVapiServer

TWILIO = {"provider": "twilio", "number": "+14155550100", "twilioAccountSid": "AC1"}
BAD_REQUEST = {"error": "Bad Request", "statusCode": 400}


async def answer(
    http: aiohttp.ClientSession, method: str, path: str, *, json: Any = None, **query: Any
) -> tuple[int, Any]:
    params = {key: str(value) for key, value in query.items()}
    async with http.request(method, path, params=params, json=json) as response:
        return response.status, await response.json()


async def page(http: aiohttp.ClientSession, **query: Any) -> dict[str, Any]:
    status, body = await answer(http, "GET", "/v2/phone-number", **query)
    assert status == 200, body
    result: dict[str, Any] = body
    return result


# Unknown query parameters.


@pytest.mark.parametrize("path", ["/phone-number", "/v2/phone-number"])
async def test_an_unknown_query_parameter_is_refused_as_vapi_refuses_it(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession, path: str
) -> None:
    fake_vapi.seed(3)

    status, body = await answer(fake_http, "GET", path, limit=2, offset=1, Limit=5)

    assert status == 400
    assert body == {
        "message": ["property offset should not exist", "property Limit should not exist"],
        **BAD_REQUEST,
    }


async def test_unknown_parameters_are_listed_before_the_rules_the_known_ones_break(
    fake_http: aiohttp.ClientSession,
) -> None:
    status, body = await answer(fake_http, "GET", "/v2/phone-number", sortOrder="up", tier=1)

    assert status == 400
    assert body["message"] == [
        "property tier should not exist",
        "sortOrder must be one of the following values: ASC, DESC",
    ]


async def test_v2_parameters_are_unknown_to_the_v1_list(fake_http: aiohttp.ClientSession) -> None:
    status, body = await answer(fake_http, "GET", "/phone-number", page=1, search="a")

    assert status == 400
    assert body["message"] == [
        "property page should not exist",
        "property search should not exist",
    ]


async def test_a_newer_api_takes_the_parameters_it_is_given() -> None:
    async with (
        FakeVapiServer(newer_parameters=["beta"]) as server,
        aiohttp.ClientSession(
            base_url=server.url, headers={"Authorization": f"Bearer {server.api_key}"}
        ) as http,
    ):
        server.seed(3)
        for path in ("/phone-number", "/v2/phone-number"):
            plain = await answer(http, "GET", path)
            assert await answer(http, "GET", path, beta="yes") == plain, path  # and ignored
        status, body = await answer(http, "GET", "/v2/phone-number", gamma="no")
        assert (status, body["message"]) == (400, ["property gamma should not exist"])


async def test_operations_without_query_parameters_do_not_read_the_query(
    fake_http: aiohttp.ClientSession,
) -> None:
    """NestJS validates a query only where the operation declares one: these have none."""
    status, created = await answer(fake_http, "POST", "/phone-number", json=TWILIO, x=1)
    assert status == 201
    path = f"/phone-number/{created['id']}"
    assert await answer(fake_http, "GET", path, x=1) == (200, created)
    status, _ = await answer(fake_http, "PATCH", path, json={"name": "n"}, x=1)
    assert status == 200
    status, _ = await answer(fake_http, "DELETE", path, x=1)
    assert status == 200


# Cursors.


async def test_by_default_pages_show_no_cursor_and_cursor_is_refused(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    assert fake_vapi.cursors is False
    fake_vapi.seed(30)

    first = await page(fake_http, limit=10)
    status, refused = await answer(fake_http, "GET", "/v2/phone-number", limit=10, cursor="x")

    assert first["metadata"]["totalItems"] == 30 and "nextCursor" not in first["metadata"]
    assert (status, refused) == (
        400,
        {"message": ["property cursor should not exist"], **BAD_REQUEST},
    )


async def test_cursors_on_shows_next_cursor_and_honours_cursor(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.cursors = True
    fake_vapi.seed(30)

    first = await page(fake_http, limit=10)
    second = await page(fake_http, limit=10, cursor=first["metadata"]["nextCursor"])
    status, garbage = await answer(fake_http, "GET", "/v2/phone-number", cursor="garbage!")

    assert second["results"] == (await page(fake_http, limit=10, page=2))["results"]
    assert (status, garbage["message"]) == (400, ["cursor must be a valid cursor"])


async def test_a_server_can_show_a_cursor_it_refuses(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.cursors = "shown-only"
    fake_vapi.seed(30)

    cursor = (await page(fake_http, limit=10))["metadata"]["nextCursor"]
    status, body = await answer(fake_http, "GET", "/v2/phone-number", limit=10, cursor=cursor)

    assert (status, body["message"]) == (400, ["property cursor should not exist"])


async def test_a_server_can_show_a_cursor_it_ignores(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    fake_vapi.cursors = "ignored"
    fake_vapi.seed(30)

    first = await page(fake_http, limit=10)
    again = await page(fake_http, limit=10, cursor=first["metadata"]["nextCursor"])

    assert again == first and "nextCursor" in first["metadata"]
    assert await page(fake_http, limit=10, cursor="not-a-cursor") == first


async def test_the_cursor_mode_is_given_to_the_constructor() -> None:
    async with FakeVapiServer(cursors="shown-only") as server:
        assert server.cursors == "shown-only"
        server.seed(5)
        async with aiohttp.ClientSession(
            base_url=server.url, headers={"Authorization": "Bearer test-key"}
        ) as http:
            body = await page(http, limit=2)
    assert "nextCursor" in body["metadata"]


@pytest.mark.parametrize("mode", ["on", "off", 1, None])
def test_an_unknown_cursor_mode_is_refused(fake_vapi: FakeVapiServer, mode: Any) -> None:
    with pytest.raises(ValueError, match="cursors must be False, True, 'shown-only' or 'ignored'"):
        FakeVapiServer(cursors=mode)
    with pytest.raises(ValueError, match="cursors must be"):
        fake_vapi.cursors = mode
    assert fake_vapi.cursors is False


# Nulls below the top level.

NESTED_NULLS = {
    "server.url": ({"server": {"url": None}}, "server.url must be a string"),
    "server.backoffPlan": (
        {"server": {"url": "https://example.com/hook", "backoffPlan": None}},
        "server.backoffPlan must be an object",
    ),
    "fallbackDestination.number": (
        {"fallbackDestination": {"type": "number", "number": None}},
        "fallbackDestination.number must be a string",
    ),
    "hooks.0.do.0.exact": (
        {"hooks": [{"on": "call.ringing", "do": [{"type": "say", "exact": None}]}]},
        "hooks.0.do.0.exact must be a string",
    ),
}


@pytest.mark.parametrize(("fields", "message"), NESTED_NULLS.values(), ids=list(NESTED_NULLS))
async def test_a_nested_null_is_refused_on_create_and_update(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession, fields: Any, message: str
) -> None:
    status, created = await answer(fake_http, "POST", "/phone-number", json=TWILIO)
    assert status == 201
    before = dict(fake_vapi.numbers[created["id"]])

    for method, path, body in (
        ("POST", "/phone-number", {**TWILIO, "number": "+14155550199", **fields}),
        ("PATCH", f"/phone-number/{created['id']}", fields),
    ):
        status, refused = await answer(fake_http, method, path, json=body)
        assert (status, refused["message"]) == (400, [message]), method

    assert list(fake_vapi.numbers) == [created["id"]]
    assert fake_vapi.numbers[created["id"]] == before


async def test_a_top_level_null_is_taken_on_create_and_clears_on_update(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    body = {**TWILIO, "assistantId": None, "server": None, "name": "Desk"}
    status, created = await answer(fake_http, "POST", "/phone-number", json=body)
    assert status == 201 and "assistantId" not in created and "server" not in created

    path = f"/phone-number/{created['id']}"
    status, updated = await answer(fake_http, "PATCH", path, json={"name": None})
    assert status == 200 and "name" not in updated


async def test_nested_nulls_on_takes_them_and_answers_them_as_sent() -> None:
    async with (
        FakeVapiServer(nested_nulls=True) as server,
        aiohttp.ClientSession(
            base_url=server.url, headers={"Authorization": f"Bearer {server.api_key}"}
        ) as http,
    ):
        assert server.nested_nulls is True
        body = {**TWILIO, "server": {"url": None, "timeoutSeconds": 20}}
        status, created = await answer(http, "POST", "/phone-number", json=body)
        assert (status, created["server"]) == (201, {"url": None, "timeoutSeconds": 20})

        # A required property is still required: null stands for leaving it out.
        required = {"fallbackDestination": {"type": "number", "number": None}}
        path = f"/phone-number/{created['id']}"
        status, refused = await answer(http, "PATCH", path, json=required)
        assert (status, refused["message"]) == (
            400,
            ["fallbackDestination.number should not be empty"],
        )

        server.nested_nulls = False
        status, _ = await answer(http, "PATCH", path, json={"server": {"url": None}})
        assert status == 400


async def test_what_is_stored_is_what_was_sent_without_the_spec_defaults(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    """The spec gives `transferPlan.timeout` a default of 60: Vapi may apply it, the fake
    does not invent it (its validator once filled defaults into what it checked)."""
    plan = {"mode": "blind-transfer", "sipVerb": "refer"}
    destination = {"type": "number", "number": "+14155550111", "transferPlan": plan}
    body = {**TWILIO, "fallbackDestination": destination}

    status, created = await answer(fake_http, "POST", "/phone-number", json=body)

    assert (status, created["fallbackDestination"]) == (201, destination)
    assert fake_vapi.requests("POST")[0].body == body
