"""Property-based tests of the fake itself: whatever a client sends it (any JSON, any bytes,
any query), it answers, and with a 4xx at worst: never a 500, never a dropped connection.
`--hypothesis-profile=deep` for a long run."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from hypothesis import given
from hypothesis import strategies as st

from vapi_phone_async.testing import FakeVapiServer

from ..helpers import json_values

ANY_JSON = json_values(large=True)
# Bodies that look like the API's, with anything in their fields.
field_names = st.sampled_from(
    [
        "provider",
        "number",
        "name",
        "credentialId",
        "twilioAccountSid",
        "sipUri",
        "authentication",
        "server",
        "hooks",
        "fallbackDestination",
        "assistantId",
        "numberE164CheckEnabled",
        "numberDesiredAreaCode",
        "smsEnabled",
    ]
)
providers = st.sampled_from(["twilio", "vonage", "vapi", "telnyx", "byo-phone-number", "x"])
shaped = st.builds(
    lambda provider, fields: {"provider": provider, **fields},
    providers,
    st.dictionaries(field_names, ANY_JSON, max_size=6),
)
raw_bodies = st.one_of(
    shaped.map(lambda value: json.dumps(value).encode()),
    ANY_JSON.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=100),
)
queries = st.dictionaries(
    st.sampled_from(
        ["limit", "page", "search", "sortOrder", "sortBy", "createdAtGt", "updatedAtLe", "cursor"]
    ),
    st.text(max_size=30),
    max_size=4,
)


@given(st.sampled_from(["POST", "PATCH"]), raw_bodies)
async def test_any_body_is_answered_with_a_status_below_500(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession, method: str, body: bytes
) -> None:
    if not fake_vapi.numbers:
        fake_vapi.seed(5)
    number_id = next(iter(fake_vapi.numbers))
    path = "/phone-number" if method == "POST" else f"/phone-number/{number_id}"
    headers = {"Content-Type": "application/json"}
    async with fake_http.request(method, path, data=body, headers=headers) as response:
        answer: Any = await response.json(content_type=None)
        assert response.status < 500, answer
        if response.status >= 400:
            assert {"message", "statusCode"} <= set(answer)


@given(st.sampled_from(["/phone-number", "/v2/phone-number"]), queries)
async def test_any_query_is_answered_with_a_status_below_500(
    fake_vapi: FakeVapiServer, fake_http: aiohttp.ClientSession, path: str, query: dict[str, str]
) -> None:
    async with fake_http.get(path, params=query) as response:
        assert response.status < 500, await response.text()


@given(st.text(max_size=50))
async def test_any_id_in_the_path_is_answered_with_a_status_below_500(
    fake_http: aiohttp.ClientSession, number_id: str
) -> None:
    for method in ("GET", "DELETE"):
        async with fake_http.request(method, "/phone-number/" + number_id) as response:
            assert response.status < 500, await response.text()
