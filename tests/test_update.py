"""An update by keywords (`_update.py` and `client.update`): the provider found from the
number given or from one GET, the right body built and checked, and anything wrong
refused by name before the update is sent."""

from __future__ import annotations

from typing import Any

import pytest

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async.errors import BadRequestError, RequestValidationError
from vapi_phone_async.models import (
    UPDATE_BODIES,
    TelnyxPhoneNumber,
    UpdateTelnyxPhoneNumber,
    UpdateTwilioPhoneNumber,
    UpdateVapiPhoneNumber,
    VapiPhoneNumber,
)
from vapi_phone_async.testing import FakeVapiServer

TOKEN = "twilio-token-never-shown"


def stored(server: FakeVapiServer, provider: str) -> dict[str, Any]:
    server.seed(10)
    number = next(data for data in server.numbers.values() if data["provider"] == provider)
    server.clear_log()
    return number


def sent(server: FakeVapiServer) -> list[tuple[str, str]]:
    return [(record.method, record.path) for record in server.request_log]


async def test_keywords_with_an_id_find_the_provider_with_one_get(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    number = stored(fake_vapi, "telnyx")
    updated = await vapi_client.update(number["id"], name="Front desk")

    assert isinstance(updated, TelnyxPhoneNumber) and updated.name == "Front desk"
    path = f"/phone-number/{number['id']}"
    assert sent(fake_vapi) == [("GET", path), ("PATCH", path)]
    (patch,) = fake_vapi.requests("PATCH")
    assert patch.body == {"provider": "telnyx", "name": "Front desk"}


async def test_keywords_with_a_number_send_the_update_alone(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    number = await vapi_client.get(stored(fake_vapi, "vapi")["id"])
    fake_vapi.clear_log()
    updated = await vapi_client.update(number, name="Lobby", sip_uri=None)

    assert isinstance(updated, VapiPhoneNumber) and updated.name == "Lobby"
    assert sent(fake_vapi) == [("PATCH", f"/phone-number/{number.id}")]
    (patch,) = fake_vapi.requests("PATCH")
    assert patch.body == {"provider": "vapi", "name": "Lobby", "sipUri": None}


async def test_none_clears_a_field_and_a_field_left_out_is_not_sent(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    number = stored(fake_vapi, "twilio")
    number["assistantId"] = "assistant-1"
    updated = await vapi_client.update(number["id"], assistant_id=None)

    assert updated.assistant_id is None and "assistantId" not in fake_vapi.numbers[number["id"]]
    assert updated.name == number["name"]  # left out: left as it was
    (patch,) = fake_vapi.requests("PATCH")
    assert patch.body == {"provider": "twilio", "assistantId": None}


async def test_a_field_of_another_provider_is_refused_before_anything_is_sent(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    number = await vapi_client.get(stored(fake_vapi, "vapi")["id"])
    fake_vapi.clear_log()
    with pytest.raises(RequestValidationError) as caught:
        await vapi_client.update(number, name="x", twilio_auth_token=TOKEN)

    assert str(caught.value) == (
        "invalid request: twilio_auth_token is not a field of a vapi number's update"
    )
    assert fake_vapi.request_log == []


async def test_with_an_id_such_a_field_is_refused_after_the_get_before_the_update(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    number = stored(fake_vapi, "vapi")
    with pytest.raises(RequestValidationError) as caught:
        await vapi_client.update(number["id"], twilio_auth_token=TOKEN)

    assert caught.value.field == "twilio_auth_token"
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
    assert [method for method, _ in sent(fake_vapi)] == ["GET"]


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        ({"nmae": "x"}, "nmae", "is not a field of any number's update"),
        ({"assistant_id": 5}, "assistant_id", "expected `str | null`, got `int`"),
        (
            {"sip_uri": "sip:a@b.c", "twilio_api_key": "k"},
            "twilio_api_key",
            "is not a field of the same provider's update as sip_uri",
        ),
    ],
)
async def test_what_no_provider_takes_is_refused_before_the_get(
    fields: dict[str, Any],
    field: str,
    rule: str,
    fake_vapi: FakeVapiServer,
    vapi_client: VapiPhoneClient,
) -> None:
    number = stored(fake_vapi, "vapi")
    with pytest.raises(RequestValidationError) as caught:
        await vapi_client.update(number["id"], **fields)

    assert (caught.value.field, caught.value.rule) == (field, rule)
    assert fake_vapi.request_log == []


async def test_a_broken_rule_names_the_keyword(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    number = await vapi_client.get(stored(fake_vapi, "telnyx")["id"])
    with pytest.raises(RequestValidationError) as caught:
        await vapi_client.update(number, name="n" * 41, fallback_destination={"type": "?"})  # type: ignore[arg-type]

    assert [error.path for error in caught.value.errors] == ["fallback_destination.type"]
    with pytest.raises(RequestValidationError) as caught:
        await vapi_client.update(number, name="n" * 41)
    assert (caught.value.field, caught.value.rule) == (
        "name",
        "must be at most 40 characters (got 41)",
    )


async def test_a_typed_body_for_another_provider_is_refused_when_the_number_is_given(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    number = await vapi_client.get(stored(fake_vapi, "telnyx")["id"])
    fake_vapi.clear_log()
    with pytest.raises(RequestValidationError) as caught:
        await vapi_client.update(number, UpdateTwilioPhoneNumber(name="x"))

    assert caught.value.field == "body"
    assert caught.value.rule == (
        "is a UpdateTwilioPhoneNumber, for twilio numbers, and the number is a telnyx "
        "number: use UpdateTelnyxPhoneNumber or keywords"
    )
    assert fake_vapi.request_log == []
    updated = await vapi_client.update(number, UpdateTelnyxPhoneNumber(name="Right"))
    assert updated.name == "Right"


async def test_a_typed_body_with_an_id_is_sent_as_before_in_one_request(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    number = stored(fake_vapi, "telnyx")
    with pytest.raises(BadRequestError, match="provider"):  # the server's word, as before
        await vapi_client.update(number["id"], UpdateVapiPhoneNumber(name="x"))
    assert [method for method, _ in sent(fake_vapi)] == ["PATCH"]


@pytest.mark.parametrize(
    ("body", "fields", "rule"),
    [
        (None, {}, "is required: pass an update body, or the fields to change as keywords"),
        (UpdateTelnyxPhoneNumber(name="x"), {"name": "y"}, "pass an update body or keywords"),
    ],
)
async def test_a_body_or_keywords_one_of_them(
    body: Any,
    fields: dict[str, Any],
    rule: str,
    fake_vapi: FakeVapiServer,
    vapi_client: VapiPhoneClient,
) -> None:
    number = stored(fake_vapi, "telnyx")
    with pytest.raises(RequestValidationError) as caught:
        await vapi_client.update(number["id"], body, **fields)
    assert caught.value.field == "body" and rule in caught.value.rule
    assert fake_vapi.request_log == []


async def test_a_number_of_a_provider_this_version_does_not_know_takes_no_keywords(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.insert({"id": "n-1", "provider": "plivo", "number": "+14155550100"})
    number = await vapi_client.get("n-1")
    with pytest.raises(RequestValidationError) as caught:
        await vapi_client.update(number, name="x")
    assert caught.value.field == "provider" and "'plivo'" in caught.value.rule


async def test_something_else_than_an_id_or_a_number_is_refused(
    vapi_client: VapiPhoneClient,
) -> None:
    with pytest.raises(RequestValidationError, match="id must be a string or a PhoneNumber"):
        await vapi_client.update(42, name="x")  # type: ignore[arg-type]


async def test_a_raw_update_by_keywords_answers_with_the_update(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    number = stored(fake_vapi, "byo-phone-number")
    raw = await vapi_client.with_raw_response.update(number["id"], name="Raw")
    assert raw.status == 200 and raw.value.name == "Raw"


def test_update_fields_has_every_field_of_every_update_body() -> None:
    import msgspec

    from vapi_phone_async import UpdateFields

    every = {field.name for cls in UPDATE_BODIES.values() for field in msgspec.structs.fields(cls)}
    assert set(UpdateFields.__annotations__) == every
