"""The exchange of `_call.py`, through a client on a MockTransport: what every attempt
goes through and in which order, what a request carries, what an answer's error hides,
what a deadline says, and what a delete makes of a 404."""

from __future__ import annotations

import asyncio
import logging

import msgspec
import pytest

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async.errors import (
    APITimeoutError,
    BadRequestError,
    ClientClosedError,
    NotFoundError,
)
from vapi_phone_async.models import CreateTwilioPhoneNumber, UpdateTwilioPhoneNumber
from vapi_phone_async.transports import Answer, MockTransport, Request

from .helpers import RecordedSleep

KEY = "sk-test-key-0123456789"
TOKEN = "twilio-token-do-not-show"
NUMBER = {"id": "pn-1", "provider": "twilio", "number": "+14155550100"}


def answering(*answers: Answer) -> MockTransport:
    script = iter(answers)
    return MockTransport(lambda request: next(script))


async def test_every_attempt_goes_hook_send_capture_hook_in_that_order(
    sleeps: RecordedSleep,
) -> None:
    steps: list[str] = []
    answers = iter([Answer.json(503, {}), Answer.json(200, NUMBER)])

    def handler(request: Request) -> Answer:
        steps.append("send")
        return next(answers)

    hooks = {
        "request": [lambda event: steps.append(f"request {event.attempt}")],
        "response": [lambda event: steps.append(f"response {event.attempt} {event.status}")],
    }
    async with VapiPhoneClient(
        api_key=KEY, transport=MockTransport(handler), event_hooks=hooks, sleep=sleeps
    ) as client:
        raw = await client.with_raw_response.get("pn-1")

    assert steps == ["request 1", "send", "response 1 503", "request 2", "send", "response 2 200"]
    assert (raw.status, raw.attempts) == (200, 2)


async def test_a_request_carries_the_key_the_client_and_the_callers_extras() -> None:
    transport = answering(Answer.json(200, NUMBER), Answer.json(200, NUMBER))
    async with VapiPhoneClient(api_key=KEY, transport=transport) as client:
        await client.get("pn-1", extra_headers={"X-Trace": "t-1"}, extra_query={"beta": True})
        await client.update("pn-1", UpdateTwilioPhoneNumber(name="Desk"))

    get, update = transport.requests
    assert get.headers["Authorization"] == f"Bearer {KEY}"
    assert get.headers["User-Agent"].startswith("vapi-phone-async/")
    assert get.headers["Accept"] == "application/json"
    assert get.headers["X-Trace"] == "t-1" and "Content-Type" not in get.headers
    assert (get.method, get.path, get.query, get.body) == (
        "GET",
        "/phone-number/pn-1",
        {"beta": "true"},
        None,
    )
    assert update.headers["Content-Type"] == "application/json"
    assert update.json() == {"provider": "twilio", "name": "Desk"}
    assert update.query is None
    assert KEY not in repr(get)


async def test_every_attempt_of_a_call_sends_the_same_request(sleeps: RecordedSleep) -> None:
    transport = answering(Answer.json(502, {}), Answer.json(200, NUMBER))
    async with VapiPhoneClient(api_key=KEY, transport=transport, sleep=sleeps) as client:
        await client.get("pn-1")
    first, second = transport.requests
    assert first is second


async def test_an_error_answer_never_shows_what_the_request_held_secret() -> None:
    """The server echoes the key, a token of the body and an extra header's value."""
    secret_header = "header-credential-do-not-show"
    echo = f"bad: Bearer {KEY} {TOKEN} {secret_header}"
    transport = answering(Answer.json(400, {"message": echo}))
    body = CreateTwilioPhoneNumber(
        number="+14155550100", twilio_account_sid="AC1", twilio_auth_token=TOKEN
    )
    async with VapiPhoneClient(api_key=KEY, transport=transport) as client:
        with pytest.raises(BadRequestError) as caught:
            await client.create(body, extra_headers={"X-Credential": secret_header})

    shown = f"{caught.value} {caught.value!r} {msgspec.json.encode(caught.value.body)!r}"
    for secret in (KEY, TOKEN, secret_header):
        assert secret not in shown
    assert "bad: Bearer" in caught.value.message


async def test_each_attempt_is_logged_at_debug_without_secrets(
    caplog: pytest.LogCaptureFixture, sleeps: RecordedSleep
) -> None:
    caplog.set_level(logging.DEBUG, logger="vapi_phone_async")
    transport = answering(Answer.json(503, {}), Answer.json(200, NUMBER))
    async with VapiPhoneClient(api_key=KEY, transport=transport, sleep=sleeps) as client:
        await client.get("pn-1")

    lines = [record.getMessage() for record in caplog.records]
    assert any(line.startswith("GET /phone-number/pn-1 -> 503 in ") for line in lines)
    assert any(line.endswith("(attempt 2)") and "-> 200" in line for line in lines)
    assert all(KEY not in line for line in lines)


async def test_a_call_on_a_closed_client_or_its_view_sends_nothing() -> None:
    transport = answering(Answer.json(200, NUMBER))
    client = VapiPhoneClient(api_key=KEY, transport=transport)
    view = client.with_options(max_retries=0)
    await view.aclose()  # a view closes nothing
    assert not transport.closed
    await client.aclose()

    for closed in (client, view):
        with pytest.raises(ClientClosedError):
            await closed.get("pn-1")
    assert transport.closed and transport.requests == []


async def test_a_deadline_names_the_attempt_it_cut_short() -> None:
    async def never(request: Request) -> Answer:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async with VapiPhoneClient(api_key=KEY, transport=MockTransport(never)) as client:
        with pytest.raises(APITimeoutError) as caught:
            await client.get("pn-1", deadline=0.05)
    assert "deadline of 0.05 s ran out while waiting for the answer to attempt 1" in str(
        caught.value
    )
    assert not caught.value.connect_failed  # it was sent: it may have acted


async def test_a_delete_answered_404_after_a_send_that_may_have_acted_is_none(
    sleeps: RecordedSleep,
) -> None:
    gone = Answer.json(404, {"message": "Not Found"})
    async with VapiPhoneClient(
        api_key=KEY, transport=answering(Answer.json(503, {}), gone), sleep=sleeps
    ) as client:
        assert await client.delete("pn-1") is None
    async with VapiPhoneClient(api_key=KEY, transport=answering(gone)) as client:
        with pytest.raises(NotFoundError):
            await client.delete("pn-1")
    # Sent twice by the transport itself (a reset keep-alive connection): the first
    # send may have deleted it.
    resent = Answer(404, {}, b'{"message": "Not Found"}', sends=2)
    async with VapiPhoneClient(api_key=KEY, transport=answering(resent)) as client:
        assert await client.delete("pn-1") is None
