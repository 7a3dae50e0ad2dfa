"""No secret through the whole client: a server that echoes the request back in its error,
cut short and not JSON, shows none of the request's secrets in the error's text, its body,
a log line at DEBUG, or the outcome of a bulk item."""

from __future__ import annotations

import html
import json
import logging
import urllib.parse

import msgspec
import pytest

from vapi_phone_async.errors import APIStatusError, OutcomeUnknownError, VapiError
from vapi_phone_async.models import (
    CreateTwilioPhoneNumber,
    CreateVapiPhoneNumber,
    Server,
    SipAuthentication,
    UpdateTwilioPhoneNumber,
)
from vapi_phone_async.testing import EchoEncoding, FakeVapiServer
from vapi_phone_async.testing._echo import ENCODINGS, echoed

from .helpers import NO_RETRIES, MakeClient

KEY = "sk-S3CRET-api-key-5f1c9e2a"
AUTH_TOKEN = "TOKSECRET-0123456789"
API_SECRET = "APISECRET-0123456789"
PASSWORD = "PWSECRET-0123456789ab"
SERVER_SECRET = "SRVSECRET-0123456789"
HEADER_VALUE = "HDRSECRET-0123456789"
SECRETS = (KEY, AUTH_TOKEN, API_SECRET, PASSWORD, SERVER_SECRET, HEADER_VALUE)

TWILIO = CreateTwilioPhoneNumber(
    number="+14155550100",
    twilio_account_sid="AC1",
    twilio_auth_token=AUTH_TOKEN,
    twilio_api_secret=API_SECRET,
    server=Server(url="https://hooks.example.com", secret=SERVER_SECRET),
)
SIP = CreateVapiPhoneNumber(
    sip_uri="sip:desk@example.sip.vapi.ai",
    authentication=SipAuthentication(username="u" * 20, password=PASSWORD),
    server=Server(url="https://hooks.example.com", headers={"X-Token": HEADER_VALUE}),
)


def texts_of(error: BaseException) -> list[str]:
    """Every text of an error a program might print or log."""
    found = [str(error), repr(error), repr(error.args), repr(getattr(error, "body", None))]
    cause = getattr(error, "cause", None)
    return found + (texts_of(cause) if cause is not None else [])


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
            assert secret[:8] not in text  # nor the start of one, where a text was cut


@pytest.mark.parametrize("body", [TWILIO, SIP], ids=["twilio", "sip"])
async def test_an_echo_of_a_create_in_a_500_shows_no_secret(
    make_client: MakeClient,
    body: CreateTwilioPhoneNumber | CreateVapiPhoneNumber,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="vapi_phone_async")
    async with (
        FakeVapiServer(api_key=KEY) as server,
        make_client(api_key=KEY, base_url=server.url, backoff=NO_RETRIES) as client,
    ):
        server.inject_fault("POST", mode="echo", status=500)
        with pytest.raises(OutcomeUnknownError) as caught:
            await client.create(body)
        echoed = server.request_log[-1].body
    assert_no_secret(*texts_of(caught.value), caplog.text)
    assert "answered 500" in str(caught.value)
    assert echoed is not None  # the fake did echo a body holding them


async def test_an_echo_of_an_update_in_a_502_shows_no_secret_in_the_error_or_logs(
    make_client: MakeClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="vapi_phone_async")
    update = UpdateTwilioPhoneNumber(twilio_auth_token=AUTH_TOKEN, twilio_api_secret=API_SECRET)
    async with (
        FakeVapiServer(api_key=KEY) as server,
        make_client(api_key=KEY, base_url=server.url, backoff=NO_RETRIES) as client,
    ):
        (number,) = server.seed(1)
        server.inject_fault("PATCH", mode="echo", status=502)
        with pytest.raises(VapiError) as caught:
            await client.update(number["id"], update)
    assert_no_secret(*texts_of(caught.value), caplog.text)


async def test_a_bulk_outcome_of_an_echoed_failure_shows_no_secret(make_client: MakeClient) -> None:
    async with (
        FakeVapiServer(api_key=KEY) as server,
        make_client(api_key=KEY, base_url=server.url, backoff=NO_RETRIES) as client,
    ):
        server.inject_fault("PATCH", mode="echo", status=400)
        (number,) = server.seed(1)
        update = UpdateTwilioPhoneNumber(twilio_auth_token=AUTH_TOKEN, twilio_api_secret=API_SECRET)
        (outcome,) = (await client.bulk_update([(number["id"], update)])).outcomes
    assert outcome.kind == "failed" and outcome.error is not None
    assert_no_secret(outcome.reason or "", repr(outcome), *texts_of(outcome.error))


# A Twilio token holding every character an encoding writes differently.
AWKWARD_TOKEN = 'Zqtok"en\\Wvith/Pkplus+eq=Jramp&lt<é—x y'


def _carried(echo: bytes, encoding: str) -> bool:
    """Whether the echo holds the token, read back by the standard library's decoders
    (so that the test below would fail if the client did not hide it)."""
    text = echo.decode()
    if encoding in ("form", "percent"):
        return any(AWKWARD_TOKEN in values for values in urllib.parse.parse_qs(text).values())
    if encoding == "html":
        text = html.unescape(text.removeprefix("<html><body><h1>400</h1><pre>"))
        text = text.removesuffix("</pre></body></html>")
    else:
        text = text.removeprefix("invalid request: ")
    data = json.loads(text)
    if encoding == "json":
        data = json.loads(data)
    return bool(data["twilioAuthToken"] == AWKWARD_TOKEN)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_a_secret_echoed_in_any_encoding_shows_nowhere(
    make_client: MakeClient, encoding: EchoEncoding, method: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="vapi_phone_async")
    async with (
        FakeVapiServer(api_key=KEY) as server,
        make_client(api_key=KEY, base_url=server.url, backoff=NO_RETRIES) as client,
    ):
        (number,) = server.seed(1)
        server.inject_fault(method, mode="echo", status=400, encoding=encoding)
        with pytest.raises(VapiError) as caught:
            if method == "POST":
                await client.create(
                    msgspec.structs.replace(TWILIO, twilio_auth_token=AWKWARD_TOKEN)
                )
            else:
                update = UpdateTwilioPhoneNumber(twilio_auth_token=AWKWARD_TOKEN)
                await client.update(number["id"], update)
        sent = server.request_log[-1].body
    echo, _ = echoed(msgspec.json.encode(sent), encoding)
    assert _carried(echo, encoding)  # the answer did carry the token, encoded
    error = caught.value
    assert isinstance(error, APIStatusError) and error.status_code == 400
    for text in (*texts_of(error), caplog.text):
        assert AWKWARD_TOKEN not in text
        for shown in (json.dumps(AWKWARD_TOKEN), html.escape(AWKWARD_TOKEN)):
            assert shown[1:-1] not in text
        for piece in ("Zqtok", "Wvith", "Pkplus", "Jramp"):  # no piece of it either
            assert piece not in text
