"""FakeVapiServer's errors: every 400 rule (one request each), 401 and 404, NestJS-shaped."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from vapi_phone_async.testing import FakeVapiServer

TWILIO = {"provider": "twilio", "number": "+14155550100", "twilioAccountSid": "AC1"}
BYO = {"provider": "byo-phone-number", "number": "+14155550100", "credentialId": "c"}
VAPI = {"provider": "vapi"}
NUMBER_DESTINATION = {"type": "number", "number": "+14155550100"}
SAY = {"type": "say", "exact": "hi"}
DATE_FILTERS = [
    f"{field}{op}" for field in ("createdAt", "updatedAt") for op in ("Gt", "Lt", "Ge", "Le")
]


def ringing(**hook: Any) -> dict[str, Any]:
    return {**VAPI, "hooks": [{"on": "call.ringing", "do": [SAY], **hook}]}


def fallback(**destination: Any) -> dict[str, Any]:
    return {**VAPI, "fallbackDestination": {**NUMBER_DESTINATION, **destination}}


def transfer_plan(**plan: Any) -> dict[str, Any]:
    return fallback(transferPlan={"mode": "blind-transfer", **plan})


def server(**fields: Any) -> dict[str, Any]:
    return {**VAPI, "server": {"url": "https://example.com", **fields}}


def backoff(**plan: Any) -> dict[str, Any]:
    base = {"type": "fixed", "maxRetries": 1, "baseDelaySeconds": 1}
    return server(backoffPlan={**base, **plan})


# (create body, the one message it must produce)
CREATE_RULES: dict[str, tuple[Any, str]] = {
    "provider missing": (
        {"number": "+14155550100"},
        "provider must be one of the following values: byo-phone-number, twilio, vonage, "
        "vapi, telnyx",
    ),
    "provider unknown": ({"provider": "sinch"}, "provider must be one of the following values"),
    "byo credentialId": ({"provider": "byo-phone-number"}, "credentialId should not be empty"),
    "twilio number": (
        {"provider": "twilio", "twilioAccountSid": "AC1"},
        "number should not be empty",
    ),
    "twilio account sid": (
        {"provider": "twilio", "number": "+14155550100"},
        "twilioAccountSid should not be empty",
    ),
    "vonage number": ({"provider": "vonage", "credentialId": "c"}, "number should not be empty"),
    "vonage credentialId": (
        {"provider": "vonage", "number": "+14155550100"},
        "credentialId should not be empty",
    ),
    "telnyx number": ({"provider": "telnyx", "credentialId": "c"}, "number should not be empty"),
    "telnyx credentialId": (
        {"provider": "telnyx", "number": "+14155550100"},
        "credentialId should not be empty",
    ),
    "E.164 on byo": ({**BYO, "number": "+1 415 555"}, "number must be a valid E.164 phone number"),
    "alphanumeric": (
        {**BYO, "number": "+1-415-555", "numberE164CheckEnabled": False},
        "number must contain only letters and digits",
    ),
    "byo number too short": (
        {**BYO, "number": "12", "numberE164CheckEnabled": False},
        "number must be longer than or equal to 3 characters",
    ),
    "name length": ({**TWILIO, "name": "x" * 41}, "name must be shorter than or equal to 40 char"),
    "name type": ({**TWILIO, "name": 5}, "name must be a string"),
    "area code length": (
        {**VAPI, "numberDesiredAreaCode": "41"},
        "numberDesiredAreaCode must be longer than or equal to 3 characters",
    ),
    "sip username length": (
        {**VAPI, "authentication": {"username": "short", "password": "p" * 20}},
        "authentication.username must be longer than or equal to 20 characters",
    ),
    "sip password length": (
        {**VAPI, "authentication": {"username": "u" * 20, "password": "p" * 41}},
        "authentication.password must be shorter than or equal to 40 characters",
    ),
    "sip password missing": (
        {**VAPI, "authentication": {"username": "u" * 20}},
        "authentication.password should not be empty",
    ),
    "server timeout": (
        server(timeoutSeconds=301),
        "server.timeoutSeconds must not be greater than 300",
    ),
    "backoff type": (backoff(type="linear"), "server.backoffPlan.type must be one of"),
    "backoff retries": (
        backoff(maxRetries=11),
        "server.backoffPlan.maxRetries must not be greater than 10",
    ),
    "backoff delay": (
        backoff(baseDelaySeconds=11),
        "server.backoffPlan.baseDelaySeconds must not be greater than 10",
    ),
    "destination type": (
        {**VAPI, "fallbackDestination": {"type": "carrier-pigeon"}},
        "fallbackDestination.type must be one of the following values: number, sip",
    ),
    "destination number": (
        fallback(number="555"),
        "fallbackDestination.number must be a valid E.164 phone number",
    ),
    "destination extension": (
        fallback(extension="12345678901"),
        "fallbackDestination.extension must be shorter than or equal to 10 characters",
    ),
    "destination caller id": (
        fallback(callerId="1" * 41),
        "fallbackDestination.callerId must be shorter than or equal to 40 characters",
    ),
    "transfer mode": (
        transfer_plan(mode="teleport"),
        "fallbackDestination.transferPlan.mode must be one of",
    ),
    "sip verb": (
        transfer_plan(sipVerb="invite"),
        "fallbackDestination.transferPlan.sipVerb must be one of the following values: refer,",
    ),
    "transfer timeout": (
        transfer_plan(timeout=601),
        "fallbackDestination.transferPlan.timeout must not be greater than 600",
    ),
    "message length": (
        fallback(message={"type": "custom-message", "content": "x" * 1001}),
        "fallbackDestination.message.content must be shorter than or equal to 1000 char",
    ),
    "message language": (
        fallback(
            message={
                "type": "custom-message",
                "contents": [{"type": "text", "text": "hi", "language": "xx"}],
            }
        ),
        "fallbackDestination.message.contents.0.language must be one of",
    ),
    "hook on": (
        {**VAPI, "hooks": [{"on": "call.exploding", "do": []}]},
        "hooks.0.on must be one of the following values: call.ringing, call.ending",
    ),
    "hook say length": (
        ringing(do=[{"type": "say", "exact": "x" * 4001}]),
        "hooks.0.do.0.exact must be shorter than or equal to 4000 characters",
    ),
    "hook action type": (
        ringing(do=[{"type": "dance"}]),
        "hooks.0.do.0.type must be one of the following values: transfer, say",
    ),
    "hook say missing exact": (
        ringing(do=[{"type": "say"}]),
        "hooks.0.do.0.exact should not be empty",
    ),
    "ringing filter prefix": (
        ringing(filters=[{"type": "startsWith", "key": "number", "startsWith": ["1" * 21]}]),
        "hooks.0.filters.0.startsWith.0 must be shorter than or equal to 20 characters",
    ),
    "ringing filter key": (
        ringing(filters=[{"type": "startsWith", "key": "name", "startsWith": ["1"]}]),
        "hooks.0.filters.0.key must be one of the following values: number",
    ),
    "ending reason": (
        {
            **VAPI,
            "hooks": [
                {
                    "on": "call.ending",
                    "filters": [{"type": "oneOf", "key": "call.endedReason", "oneOf": ["bored"]}],
                }
            ],
        },
        "hooks.0.filters.0.oneOf.0 must be one of",
    ),
    "body not an object": ([TWILIO], "body must be an object"),
}


async def expect_400(response: aiohttp.ClientResponse, message: str) -> list[str]:
    assert response.status == 400, await response.text()
    assert "x-request-id" in response.headers
    body = await response.json()
    assert set(body) == {"message", "error", "statusCode"}
    assert (body["error"], body["statusCode"]) == ("Bad Request", 400)
    assert isinstance(body["message"], list)
    assert any(m.startswith(message) for m in body["message"]), body["message"]
    messages: list[str] = body["message"]
    return messages


@pytest.mark.parametrize(("body", "message"), CREATE_RULES.values(), ids=list(CREATE_RULES))
async def test_each_create_rule(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession, body: Any, message: str
) -> None:
    async with fake_http.post("/phone-number", json=body) as response:
        messages = await expect_400(response, message)
    assert len(messages) == 1
    assert not fake_vapi.numbers


async def test_all_missing_fields_are_listed_together(fake_http: aiohttp.ClientSession) -> None:
    async with fake_http.post("/phone-number", json={"provider": "twilio"}) as response:
        messages = await expect_400(response, "number should not be empty")
    assert messages == ["number should not be empty", "twilioAccountSid should not be empty"]


async def test_every_broken_rule_is_listed(fake_http: aiohttp.ClientSession) -> None:
    body = {**BYO, "number": "12", "name": "x" * 41, "futureField": 1}
    async with fake_http.post("/phone-number", json=body) as response:
        messages = await expect_400(response, "name")
    assert sorted(messages) == [
        "name must be shorter than or equal to 40 characters",
        "number must be a valid E.164 phone number (like +14155550100)",
        "number must be longer than or equal to 3 characters",
        "property futureField should not exist",
    ]


@pytest.mark.parametrize("body", [b'{"provider": ', b"\n", b"  ", b"null", b'"x"', b"5"], ids=repr)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_malformed_json(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession, method: str, body: bytes
) -> None:
    """Whitespace alone, or JSON that opens no object or array, is malformed too, as
    Express's strict JSON parser reads it (found by `nox -s schemathesis`: a PATCH of a
    newline, or of `null`, changed nothing and answered 200)."""
    number = fake_vapi.seed(1)[0]
    path = "/phone-number" if method == "POST" else f"/phone-number/{number['id']}"
    headers = {"Content-Type": "application/json"}
    async with fake_http.request(method, path, data=body, headers=headers) as response:
        await expect_400(response, "body must be valid JSON")


async def test_an_empty_patch_body_is_an_empty_object(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    number = fake_vapi.seed(1)[0]
    headers = {"Content-Type": "application/json"}
    async with fake_http.patch(f"/phone-number/{number['id']}", headers=headers) as response:
        assert response.status == 200


UPDATE_RULES: dict[str, tuple[dict[str, Any], str]] = {
    "provider mismatch": ({"provider": "vonage"}, "provider must be equal to twilio"),
    "provider unknown": ({"provider": "sinch"}, "provider must be equal to twilio"),
    "name length": ({"name": "x" * 41}, "name must be shorter than or equal to 40 characters"),
    "type": ({"smsEnabled": "yes"}, "smsEnabled must be a boolean value"),
    "nested": (
        {"fallbackDestination": {"type": "number"}},
        "fallbackDestination.number should not be empty",
    ),
}


@pytest.mark.parametrize(("body", "message"), UPDATE_RULES.values(), ids=list(UPDATE_RULES))
async def test_each_update_rule(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession, body: Any, message: str
) -> None:
    async with fake_http.post("/phone-number", json={**TWILIO, "name": "kept"}) as response:
        number = await response.json()
    async with fake_http.patch(f"/phone-number/{number['id']}", json=body) as response:
        await expect_400(response, message)
    assert fake_vapi.numbers[number["id"]] == number  # nothing changed


# (path, query, message)
QUERY_RULES: dict[str, tuple[str, dict[str, str], str]] = {
    "limit below 0": ("/phone-number", {"limit": "-1"}, "limit must not be less than 0"),
    "limit above 1000": (
        "/phone-number",
        {"limit": "1001"},
        "limit must not be greater than 1000",
    ),
    "limit not a number": (
        "/phone-number",
        {"limit": "many"},
        "limit must be a number conforming to the specified constraints",
    ),
    "v2 limit above 1000": (
        "/v2/phone-number",
        {"limit": "1001"},
        "limit must not be greater than 1000",
    ),
    "page below 1": ("/v2/phone-number", {"page": "0"}, "page must not be less than 1"),
    "page not a number": (
        "/v2/phone-number",
        {"page": "first"},
        "page must be a number conforming to the specified constraints",
    ),
    "search too long": (
        "/v2/phone-number",
        {"search": "x" * 101},
        "search must be shorter than or equal to 100 characters",
    ),
    "sortOrder": (
        "/v2/phone-number",
        {"sortOrder": "asc"},
        "sortOrder must be one of the following values: ASC, DESC",
    ),
    "sortBy": (
        "/v2/phone-number",
        {"sortBy": "name"},
        "sortBy must be one of the following values: createdAt, duration, cost",
    ),
    "cursor": ("/v2/phone-number", {"cursor": "garbage!"}, "property cursor should not exist"),
    "unknown": ("/phone-number", {"Limit": "5"}, "property Limit should not exist"),
    **{
        f"{path} {name}": (path, {name: "yesterday"}, f"{name} must be a valid ISO 8601 date")
        for path in ("/phone-number", "/v2/phone-number")
        for name in DATE_FILTERS
    },
}


@pytest.mark.parametrize(("path", "query", "message"), QUERY_RULES.values(), ids=list(QUERY_RULES))
async def test_each_query_rule(
    fake_http: aiohttp.ClientSession, path: str, query: dict[str, str], message: str
) -> None:
    async with fake_http.get(path, params=query) as response:
        assert len(await expect_400(response, message)) == 1


async def test_invalid_dates_are_rejected_even_if_they_look_close(
    fake_http: aiohttp.ClientSession,
) -> None:
    for value in ("2025-02-30T00:00:00Z", "2025-01-01T25:00:00Z", "2025-13-01", "1700000000"):
        async with fake_http.get("/phone-number", params={"createdAtGt": value}) as response:
            assert response.status == 400, value


async def test_query_errors_are_listed_together(fake_http: aiohttp.ClientSession) -> None:
    query = {"limit": "2000", "page": "0", "sortOrder": "UP", "createdAtLt": "soon"}
    async with fake_http.get("/v2/phone-number", params=query) as response:
        messages = await expect_400(response, "limit")
    assert len(messages) == 4


# 401 and 404.

OPERATIONS = [
    ("POST", "/phone-number"),
    ("GET", "/phone-number"),
    ("GET", "/v2/phone-number"),
    ("GET", "/phone-number/some-id"),
    ("PATCH", "/phone-number/some-id"),
    ("DELETE", "/phone-number/some-id"),
]
BAD_AUTH = {
    "none": {},
    "wrong key": {"Authorization": "Bearer wrong-key"},
    "wrong scheme": {"Authorization": "Basic test-key"},
    "bare key": {"Authorization": "test-key"},
}


@pytest.mark.parametrize("headers", BAD_AUTH.values(), ids=list(BAD_AUTH))
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
async def test_401_without_a_valid_bearer_key(
    fake_vapi: FakeVapiServer, method: str, path: str, headers: dict[str, str]
) -> None:
    async with (
        aiohttp.ClientSession(base_url=fake_vapi.url) as http,
        http.request(method, path, json=TWILIO, headers=headers) as response,
    ):
        assert response.status == 401
        assert await response.json() == {
            "message": "Unauthorized",
            "error": "Unauthorized",
            "statusCode": 401,
        }
        assert "x-request-id" in response.headers
    assert not fake_vapi.numbers


async def test_the_bearer_scheme_is_case_insensitive(fake_vapi: FakeVapiServer) -> None:
    async with (
        aiohttp.ClientSession(base_url=fake_vapi.url) as http,
        http.get("/phone-number", headers={"Authorization": "bearer test-key"}) as response,
    ):
        assert response.status == 200


async def test_a_custom_api_key() -> None:
    async with (
        FakeVapiServer(api_key="sk-live-123") as server,
        aiohttp.ClientSession(base_url=server.url) as http,
    ):
        for key, status in (("test-key", 401), ("sk-live-123", 200)):
            headers = {"Authorization": f"Bearer {key}"}
            async with http.get("/phone-number", headers=headers) as response:
                assert response.status == status


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_404_for_an_unknown_id(fake_http: aiohttp.ClientSession, method: str) -> None:
    async with fake_http.request(method, "/phone-number/missing", json={}) as response:
        assert response.status == 404
        assert await response.json() == {
            "message": "Not Found",
            "error": "Not Found",
            "statusCode": 404,
        }
        assert "x-request-id" in response.headers


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/v3/phone-number"), ("PUT", "/phone-number/x")]
)
async def test_404_for_an_unknown_route(
    fake_http: aiohttp.ClientSession, method: str, path: str
) -> None:
    async with fake_http.request(method, path) as response:
        assert response.status == 404
        assert await response.json() == {
            "message": f"Cannot {method} {path}",
            "error": "Not Found",
            "statusCode": 404,
        }


async def test_a_tag_that_is_not_a_string_is_a_400_not_a_crash(
    fake_http: aiohttp.ClientSession,
) -> None:
    """Found by `nox -s schemathesis`: an object where a hook's `on` goes answered 500."""
    body = {**VAPI, "hooks": [{"on": {}, "do": []}]}
    async with fake_http.post("/phone-number", json=body) as response:
        await expect_400(response, "hooks.0.on must be one of the following values")


async def test_optional_properties_sent_as_null_are_not_named_beside_a_broken_rule(
    fake_http: aiohttp.ClientSession,
) -> None:
    """Found by `nox -s schemathesis`: nulls were listed as type errors beside the real one."""
    body = {**TWILIO, "assistantId": None, "squadId": None, "server": {"secret": {}}}
    async with fake_http.post("/phone-number", json=body) as response:
        assert await expect_400(response, "server.secret") == ["server.secret must be a string"]


async def test_a_provider_that_is_not_a_string_is_a_400_not_a_crash(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession
) -> None:
    (number,) = fake_vapi.seed(1)
    for method, path in (("POST", "/phone-number"), ("PATCH", f"/phone-number/{number['id']}")):
        async with fake_http.request(method, path, json={"provider": []}) as response:
            assert response.status == 400
