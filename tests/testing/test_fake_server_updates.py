"""FakeVapiServer where the spec is silent: a PATCH replaces each top-level key it holds,
secrets are shown in answers as stored, masked or left out, and a newer Vapi's fields
may sit inside an object."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from .conftest import AUTH

SIP_PASSWORD = "sip-password-twenty-chars"
SERVER = {
    "url": "https://hooks.example.com/vapi",
    "timeoutSeconds": 20,
    "secret": "webhook-secret",
    "headers": {"X-Api-Key": "header-secret"},
    "backoffPlan": {"type": "fixed", "maxRetries": 2, "baseDelaySeconds": 1},
}
TWILIO = {
    "provider": "twilio",
    "number": "+14155550101",
    "twilioAccountSid": "AC123",
    "twilioAuthToken": "auth-token",
    "twilioApiSecret": "api-secret",
    "server": SERVER,
}
SIP = {
    "provider": "vapi",
    "sipUri": "sip:desk@example.sip.vapi.ai",
    "authentication": {"username": "u" * 20, "password": SIP_PASSWORD},
}
SECRETS = (
    "webhook-secret",
    "header-secret",
    "auth-token",
    "api-secret",
    SIP_PASSWORD,
)


@pytest.fixture
async def http(fake_vapi: FakeVapiServer) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=fake_vapi.url, headers=AUTH) as session:
        yield session


async def call(http: aiohttp.ClientSession, method: str, path: str, body: Any = None) -> Any:
    async with http.request(method, path, json=body) as response:
        assert response.status < 300, await response.text()
        return await response.json()


async def test_a_patch_replaces_each_top_level_key_it_holds(
    fake_vapi: FakeVapiServer, http: aiohttp.ClientSession
) -> None:
    created = await call(http, "POST", "/phone-number", {**TWILIO, "name": "Desk"})
    patched = await call(
        http, "PATCH", f"/phone-number/{created['id']}", {"server": {"url": "https://new"}}
    )
    assert patched["server"] == {"url": "https://new"}  # the rest of server is gone
    assert patched["name"] == "Desk" and patched["twilioAuthToken"] == "auth-token"


async def test_secrets_are_shown_as_stored_by_default(http: aiohttp.ClientSession) -> None:
    created = await call(http, "POST", "/phone-number", TWILIO)
    assert created["server"] == SERVER and created["twilioAuthToken"] == "auth-token"


@pytest.mark.parametrize("secrets", ["masked", "omitted"])
async def test_secrets_can_be_masked_or_left_out_of_every_answer(secrets: Any) -> None:
    async with (
        FakeVapiServer(api_key=TEST_API_KEY, secrets=secrets) as server,
        aiohttp.ClientSession(base_url=server.url, headers=AUTH) as http,
    ):
        twilio = await call(http, "POST", "/phone-number", TWILIO)
        sip = await call(http, "POST", "/phone-number", SIP)
        answers = [
            twilio,
            sip,
            await call(http, "GET", f"/phone-number/{twilio['id']}"),
            await call(http, "PATCH", f"/phone-number/{sip['id']}", {"name": "SIP"}),
            *await call(http, "GET", "/phone-number"),
            *(await call(http, "GET", "/v2/phone-number"))["results"],
        ]
        text = str(answers)
        assert not any(secret in text for secret in SECRETS)
        if secrets == "masked":
            assert twilio["twilioAuthToken"] == twilio["twilioApiSecret"] == "********"
            assert twilio["server"]["secret"] == "********"
            assert twilio["server"]["headers"] == {"X-Api-Key": "********"}
            assert sip["authentication"] == {"username": "u" * 20, "password": "********"}
        else:
            assert "twilioAuthToken" not in twilio and "twilioApiSecret" not in twilio
            assert set(twilio["server"]) == {"url", "timeoutSeconds", "backoffPlan"}
            assert sip["authentication"] == {"username": "u" * 20}
        # What is stored is what was sent.
        assert server.numbers[twilio["id"]]["server"] == SERVER
        assert server.numbers[sip["id"]]["authentication"]["password"] == SIP_PASSWORD


def test_secrets_must_be_shown_masked_or_omitted() -> None:
    with pytest.raises(ValueError, match="secrets must be one of shown, masked, omitted"):
        FakeVapiServer(secrets="hidden")  # type: ignore[arg-type]


async def test_newer_fields_may_sit_inside_an_object() -> None:
    async with (
        FakeVapiServer(api_key=TEST_API_KEY, newer_fields=["server.region"]) as server,
        aiohttp.ClientSession(base_url=server.url, headers=AUTH) as http,
    ):
        body = {**TWILIO, "server": {**SERVER, "region": "eu"}}
        created = await call(http, "POST", "/phone-number", body)
        assert created["server"]["region"] == "eu"
        path = f"/phone-number/{created['id']}"

        kept = await call(http, "PATCH", path, {"server": {"url": "u", "region": "us"}})
        assert kept["server"] == {"url": "u", "region": "us"}
        dropped = await call(http, "PATCH", path, {"server": {"url": "v"}})
        assert dropped["server"] == {"url": "v"}  # replaced whole, as any object

        async with http.patch(path, json={"server": {"url": "w", "zone": "x"}}) as refused:
            assert refused.status == 400
            assert (await refused.json())["message"] == ["server.property zone should not exist"]
        assert server.requests("PATCH")[0].body["server"]["region"] == "us"  # logged as sent
