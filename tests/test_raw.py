"""Raw responses: a call's value with the status, headers and request id of the answer it
came from, each raw call seeing its own answers."""

from __future__ import annotations

import asyncio

import pytest

from vapi_phone_async import RawResponse, VapiPhoneClient
from vapi_phone_async.errors import NotFoundError
from vapi_phone_async.models import UpdateTwilioPhoneNumber
from vapi_phone_async.testing import FakeVapiServer
from vapi_phone_async.transports import Answer, MockTransport, Request

from .helpers import SERVER_SECRET, TWILIO_TOKEN, RecordedSleep, twilio_with_secrets

NUMBER = {"id": "pn-1", "provider": "byo-phone-number"}


async def test_a_raw_get_has_the_status_headers_request_id_and_value() -> None:
    answer = Answer.json(200, NUMBER, headers={"X-Request-Id": "req-1", "X-Other": "o"})
    transport = MockTransport(lambda request: answer)
    async with VapiPhoneClient(api_key="test-key", transport=transport) as client:
        raw = await client.with_raw_response.get("pn-1")

    assert isinstance(raw, RawResponse)
    assert (raw.status, raw.attempts, raw.request_id) == (200, 1, "req-1")
    assert raw.value.id == "pn-1"
    assert raw.headers["x-other"] == raw.headers["X-OTHER"] == "o"  # case-insensitive


async def test_a_raw_response_counts_attempts_and_shows_the_last_answer(
    sleeps: RecordedSleep,
) -> None:
    answers = iter(
        [
            Answer.json(503, {}, headers={"X-Request-Id": "first"}),
            Answer.json(503, {}, headers={"X-Request-Id": "second"}),
            Answer.json(200, NUMBER, headers={"X-Request-Id": "third"}),
        ]
    )

    def handler(request: Request) -> Answer:
        return next(answers)

    async with VapiPhoneClient(
        api_key="test-key", transport=MockTransport(handler), sleep=sleeps
    ) as client:
        raw = await client.with_raw_response.get("pn-1")

    assert (raw.status, raw.attempts, raw.request_id) == (200, 3, "third")


async def test_every_single_request_call_has_a_raw_form(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    raw_calls = vapi_client.with_raw_response

    created = await raw_calls.create(twilio_with_secrets())
    updated = await raw_calls.update(created.value.id, UpdateTwilioPhoneNumber(name="Desk"))
    listed = await raw_calls.list_recent(limit=10)
    deleted = await raw_calls.delete(created.value.id)

    assert created.status == 201 and created.value.number == "+14155550100"
    assert updated.status == 200 and updated.value.name == "Desk"
    assert listed.status == 200 and [n.id for n in listed.value] == [created.value.id]
    assert deleted.status == 200 and deleted.value is not None
    ids = [record.request_id for record in fake_vapi.request_log]
    assert [created.request_id, updated.request_id, listed.request_id, deleted.request_id] == ids


async def test_a_raw_call_that_fails_raises_as_the_plain_call_does(
    vapi_client: VapiPhoneClient,
) -> None:
    with pytest.raises(NotFoundError):
        await vapi_client.with_raw_response.get("no-such-number")


async def test_a_raw_response_repr_hides_secrets_and_headers(vapi_client: VapiPhoneClient) -> None:
    raw = await vapi_client.with_raw_response.create(twilio_with_secrets())

    text = repr(raw)
    assert raw.value.id in text and "status=201" in text
    assert TWILIO_TOKEN not in text and SERVER_SECRET not in text
    assert "headers" not in text


async def test_raw_calls_in_parallel_each_see_their_own_answer(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    numbers = fake_vapi.seed(20)
    raws = await asyncio.gather(*(vapi_client.with_raw_response.get(n["id"]) for n in numbers))

    assert [raw.value.id for raw in raws] == [n["id"] for n in numbers]
    by_path = {record.path: record.request_id for record in fake_vapi.request_log}
    assert all(raw.request_id == by_path[f"/phone-number/{raw.value.id}"] for raw in raws)


async def test_a_plain_call_on_the_same_client_captures_nothing() -> None:
    """The capture belongs to the raw call's own view: the client itself is unchanged."""
    transport = MockTransport(lambda request: Answer.json(200, NUMBER))
    async with VapiPhoneClient(api_key="test-key", transport=transport) as client:
        raw_get = client.with_raw_response.get
        plain, raw = await asyncio.gather(client.get("pn-1"), raw_get("pn-1"))
    assert plain.id == raw.value.id == "pn-1"
    assert raw.attempts == 1
