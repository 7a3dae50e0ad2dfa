"""The wire models: camelCase JSON, tags, UNSET against None, and the PhoneNumber union."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, get_args

import msgspec
import pytest

from vapi_phone_async.models import (
    PROVIDERS,
    BackoffPlan,
    ByoPhoneNumber,
    ContextEngineeringPlanAll,
    CreateByoPhoneNumber,
    CreatePhoneNumber,
    CreateTwilioPhoneNumber,
    CustomMessage,
    KnownPhoneNumber,
    PhoneNumber,
    PhoneNumberCallEndingHookFilter,
    PhoneNumberCallRingingHookFilter,
    Provider,
    Server,
    TextContent,
    TransferPlan,
    UnknownItem,
    UnknownPhoneNumber,
    UpdateByoPhoneNumber,
    UpdatePhoneNumber,
    UpdateTwilioPhoneNumber,
)

from ..helpers import FIXTURES


def wire(value: Any) -> Any:
    return json.loads(msgspec.json.encode(value))


def test_a_create_body_is_camel_case_tagged_and_leaves_out_what_is_not_set() -> None:
    body = CreateTwilioPhoneNumber(
        number="+14155550100", twilio_account_sid="AC123", sms_enabled=False
    )
    assert msgspec.json.encode(body) == (
        b'{"provider":"twilio","number":"+14155550100","twilioAccountSid":"AC123",'
        b'"smsEnabled":false}'
    )


def test_an_update_body_sends_only_its_set_fields_and_none_as_null() -> None:
    assert wire(UpdateTwilioPhoneNumber()) == {"provider": "twilio"}
    assert wire(UpdateTwilioPhoneNumber(assistant_id=None, name="Front desk")) == {
        "provider": "twilio",
        "assistantId": None,
        "name": "Front desk",
    }


def test_an_update_field_left_out_of_the_json_is_unset_not_none() -> None:
    body = msgspec.json.decode(b'{"provider":"twilio","squadId":null}', type=UpdatePhoneNumber)
    assert isinstance(body, UpdateTwilioPhoneNumber)
    assert body.squad_id is None
    assert body.assistant_id is msgspec.UNSET


def test_the_documented_create_body_decodes_and_encodes_back_unchanged() -> None:
    raw = json.loads((FIXTURES / "create_byo_phone_number_request.json").read_bytes())
    body = msgspec.convert(raw, CreatePhoneNumber)
    assert isinstance(body, CreateByoPhoneNumber)
    assert body.server is not None
    assert body.server.backoff_plan == BackoffPlan(
        type="fixed", max_retries=0, base_delay_seconds=1
    )
    assert wire(body) == raw


def test_the_documented_patch_body_without_provider_is_sent_with_it() -> None:
    """The older docs' PATCH bodies have no `provider`; the newer docs (and we) send it."""
    raw = json.loads((FIXTURES / "update_phone_number_request.json").read_bytes())
    body = msgspec.convert(raw, UpdateByoPhoneNumber)
    assert body.credential_id == "string"
    assert body.workflow_id is msgspec.UNSET
    assert wire(body) == {"provider": "byo-phone-number", **raw}


def test_hook_filters_always_send_their_type_and_key() -> None:
    """The spec requires `type` and `key` on the wire, though each has one value."""
    assert wire(PhoneNumberCallRingingHookFilter(starts_with=["91"])) == {
        "type": "startsWith",
        "key": "number",
        "startsWith": ["91"],
    }
    assert wire(PhoneNumberCallEndingHookFilter(one_of=["assistant-request-failed"])) == {
        "type": "oneOf",
        "key": "call.endedReason",
        "oneOf": ["assistant-request-failed"],
    }


@pytest.mark.parametrize(
    ("message", "sent"),
    [
        ("Transferring you now", "Transferring you now"),
        (
            CustomMessage(contents=[TextContent(text="Hola", language="es")]),
            {
                "type": "custom-message",
                "contents": [{"type": "text", "text": "Hola", "language": "es"}],
            },
        ),
    ],
    ids=["a string", "a CustomMessage"],
)
def test_a_message_is_a_string_or_a_tagged_custom_message(message: Any, sent: Any) -> None:
    plan = TransferPlan(mode="warm-transfer-say-message", message=message)
    assert wire(plan) == {"mode": "warm-transfer-say-message", "message": sent}
    assert msgspec.json.decode(msgspec.json.encode(plan), type=TransferPlan) == plan


def test_a_field_less_union_member_is_sent_as_its_tag() -> None:
    assert wire(ContextEngineeringPlanAll()) == {"type": "all"}


def test_a_resource_needs_only_its_id_and_writes_datetimes_in_utc() -> None:
    number = ByoPhoneNumber(
        id="pn_1", created_at=datetime(2025, 3, 9, 20, 16, 58, 146_000, tzinfo=timezone.utc)
    )
    assert wire(number) == {
        "provider": "byo-phone-number",
        "id": "pn_1",
        "createdAt": "2025-03-09T20:16:58.146000Z",
    }


def test_models_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        BackoffPlan("fixed", 3, 1.0)  # type: ignore[call-arg]


def test_one_backoff_plan_type_configures_a_numbers_server() -> None:
    plan = BackoffPlan(type="exponential", max_retries=3, base_delay_seconds=0.5)
    assert wire(Server(url="https://example.com", backoff_plan=plan)) == {
        "url": "https://example.com",
        "backoffPlan": {"type": "exponential", "maxRetries": 3, "baseDelaySeconds": 0.5},
    }


def test_phone_number_is_the_five_providers_and_the_unknown_one() -> None:
    known = get_args(KnownPhoneNumber)
    assert get_args(PhoneNumber) == (*known, UnknownPhoneNumber)
    assert tuple(cls.__struct_config__.tag for cls in known) == PROVIDERS
    assert get_args(Provider) == PROVIDERS


@pytest.mark.parametrize("union", [KnownPhoneNumber, CreatePhoneNumber, UpdatePhoneNumber])
def test_each_body_and_resource_union_is_tagged_by_provider(union: Any) -> None:
    configs = [cls.__struct_config__ for cls in get_args(union)]
    assert {config.tag_field for config in configs} == {"provider"}
    assert tuple(config.tag for config in configs) == PROVIDERS


def test_an_unknown_phone_number_exposes_its_provider_id_and_raw_mapping() -> None:
    raw = {"provider": "sip-trunk-2", "id": "pn_9", "region": "eu"}
    number = UnknownPhoneNumber(raw)
    assert (number.provider, number.id) == ("sip-trunk-2", "pn_9")
    assert number.raw == raw
    number.raw["region"] = "us"  # `raw` is a copy: the number itself is unchanged
    assert number["region"] == "eu"
    assert isinstance(number, UnknownItem)
