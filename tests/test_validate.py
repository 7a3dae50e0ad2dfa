"""Request validation: each rule of the spec, one good and one bad value, before any request."""

from __future__ import annotations

from typing import Any

import pytest

from vapi_phone_async._validate import body_errors, validate_body
from vapi_phone_async.errors import RequestValidationError
from vapi_phone_async.models import (
    BackoffPlan,
    ContextEngineeringPlanLastNMessages,
    CreateByoPhoneNumber,
    CreatePhoneNumber,
    CreateTelnyxPhoneNumber,
    CreateTwilioPhoneNumber,
    CreateVapiPhoneNumber,
    CreateVonagePhoneNumber,
    CustomMessage,
    PhoneNumberCallEndingHookFilter,
    PhoneNumberCallRingingHookFilter,
    PhoneNumberHookCallEnding,
    PhoneNumberHookCallRinging,
    SayPhoneNumberHookAction,
    Server,
    SipAuthentication,
    SummaryPlan,
    TextContent,
    TransferDestinationNumber,
    TransferDestinationSip,
    TransferFallbackPlan,
    TransferPhoneNumberHookAction,
    TransferPlan,
    UnknownItem,
    UpdateByoPhoneNumber,
    UpdatePhoneNumber,
    UpdateTwilioPhoneNumber,
    UpdateVapiPhoneNumber,
)

E164 = "+14155550100"
Body = CreatePhoneNumber | UpdatePhoneNumber


def twilio(**fields: Any) -> CreateTwilioPhoneNumber:
    return CreateTwilioPhoneNumber(**{"number": E164, "twilio_account_sid": "AC1", **fields})


def byo(**fields: Any) -> CreateByoPhoneNumber:
    return CreateByoPhoneNumber(**{"credential_id": "cred_1", **fields})


def server(**fields: Any) -> CreateByoPhoneNumber:
    return byo(server=Server(**{"url": "https://example.com/hook", **fields}))


def backoff(**fields: Any) -> CreateByoPhoneNumber:
    plan = {"type": "fixed", "max_retries": 3, "base_delay_seconds": 1, **fields}
    return byo(server=Server(url="https://example.com/hook", backoff_plan=BackoffPlan(**plan)))


def auth(**fields: Any) -> CreateVapiPhoneNumber:
    credentials = {"username": "u" * 20, "password": "p" * 20, **fields}
    return CreateVapiPhoneNumber(authentication=SipAuthentication(**credentials))


def to_number(**fields: Any) -> CreateByoPhoneNumber:
    """A body whose fallback destination is a number."""
    return byo(fallback_destination=TransferDestinationNumber(**{"number": E164, **fields}))


def plan(**fields: Any) -> CreateByoPhoneNumber:
    """A body whose fallback destination has a transfer plan."""
    transfer_plan = TransferPlan(**{"mode": "blind-transfer", **fields})
    return byo(
        fallback_destination=TransferDestinationSip(sip_uri="sip:a@b", transfer_plan=transfer_plan)
    )


def message(**fields: Any) -> CreateByoPhoneNumber:
    """A body whose fallback destination speaks a CustomMessage."""
    custom = CustomMessage(**fields)
    return byo(fallback_destination=TransferDestinationSip(sip_uri="sip:a@b", message=custom))


def ringing(*, filters: Any = None, do: Any = ()) -> CreateByoPhoneNumber:
    return byo(hooks=[PhoneNumberHookCallRinging(filters=filters, do=list(do))])


def ending(*, filters: Any = None, do: Any = None) -> CreateByoPhoneNumber:
    return byo(hooks=[PhoneNumberHookCallEnding(filters=filters, do=do)])


def starts_with(*prefixes: str, **fields: Any) -> CreateByoPhoneNumber:
    return ringing(filters=[PhoneNumberCallRingingHookFilter(starts_with=list(prefixes), **fields)])


def one_of(*reasons: str, **fields: Any) -> CreateByoPhoneNumber:
    return ending(filters=[PhoneNumberCallEndingHookFilter(one_of=list(reasons), **fields)])


def say(text: str) -> CreateByoPhoneNumber:
    return ringing(
        do=[SayPhoneNumberHookAction(exact="hello"), SayPhoneNumberHookAction(exact=text)]
    )


def hook_transfer(number: str) -> CreateByoPhoneNumber:
    destination = TransferDestinationNumber(number=number)
    return ending(do=TransferPhoneNumberHookAction(destination=destination))


def rule(good: Body, bad: Body, field: str, says: str, id: str) -> Any:
    return pytest.param(good, bad, field, says, id=id)


RULES = [
    # Numbers: a BYO number is E.164 unless it turns the check off; then alphanumeric.
    rule(byo(number="+441"), byo(number="+04155550100"), "number", "E.164", "no leading 0"),
    rule(
        byo(number="+123456789012345"),
        byo(number="+1234567890123456"),
        "number",
        "E.164",
        "at most 15 digits",
    ),
    rule(byo(number=E164), byo(number="abc"), "number", "E.164", "byo number E.164 by default"),
    rule(
        byo(number=E164, number_e164_check_enabled=True),
        byo(number="1234", number_e164_check_enabled=True),
        "number",
        "E.164",
        "byo number E.164 when the check is on",
    ),
    rule(
        byo(number="+001234567890", number_e164_check_enabled=False),
        byo(number="+1-415", number_e164_check_enabled=False),
        "number",
        "alphanumeric",
        "byo number alphanumeric when the check is off",
    ),
    rule(
        byo(number="abc", number_e164_check_enabled=False),
        byo(number="ab", number_e164_check_enabled=False),
        "number",
        "3 to 40 characters",
        "byo number at least 3",
    ),
    rule(
        byo(number="a" * 40, number_e164_check_enabled=False),
        byo(number="a" * 41, number_e164_check_enabled=False),
        "number",
        "3 to 40 characters",
        "byo number at most 40",
    ),
    # Required fields per provider: None where the spec requires a value.
    rule(twilio(), twilio(number=None), "number", "expected `str`, got `null`", "twilio number"),
    rule(twilio(), twilio(twilio_account_sid=None), "twilioAccountSid", "`str`", "twilio sid"),
    rule(byo(), byo(credential_id=None), "credentialId", "`str`", "byo credentialId"),
    rule(
        CreateVonagePhoneNumber(number=E164, credential_id="c"),
        CreateVonagePhoneNumber(number=E164, credential_id=None),
        "credentialId",
        "`str`",
        "vonage credentialId",
    ),
    rule(
        CreateTelnyxPhoneNumber(number=E164, credential_id="c"),
        CreateTelnyxPhoneNumber(number=None, credential_id="c"),
        "number",
        "`str`",
        "telnyx number",
    ),
    rule(auth(), auth(password=None), "authentication.password", "`str`", "sip password"),
    rule(
        backoff(),
        backoff(max_retries=None),
        "server.backoffPlan.maxRetries",
        "`int`",
        "backoff maxRetries",
    ),
    # Lengths and ranges.
    rule(twilio(name="n" * 40), twilio(name="n" * 41), "name", "at most 40", "name"),
    rule(
        CreateVapiPhoneNumber(number_desired_area_code="415"),
        CreateVapiPhoneNumber(number_desired_area_code="41"),
        "numberDesiredAreaCode",
        "3 to 3 characters",
        "area code",
    ),
    rule(auth(), auth(username="u" * 19), "authentication.username", "20 to 40", "username"),
    rule(
        auth(password="p" * 40),
        auth(password="p" * 41),
        "authentication.password",
        "20 to 40",
        "password",
    ),
    rule(
        server(timeout_seconds=300),
        server(timeout_seconds=301),
        "server.timeoutSeconds",
        "between 1 and 300",
        "server timeout",
    ),
    rule(
        backoff(type="exponential"),
        backoff(type="linear"),
        "server.backoffPlan.type",
        "one of exponential, fixed",
        "backoff type",
    ),
    rule(
        backoff(max_retries=10),
        backoff(max_retries=11),
        "server.backoffPlan.maxRetries",
        "between 0 and 10",
        "maxRetries at most 10",
    ),
    rule(
        backoff(max_retries=0),
        backoff(max_retries=-1),
        "server.backoffPlan.maxRetries",
        "between 0 and 10",
        "maxRetries at least 0",
    ),
    rule(
        backoff(base_delay_seconds=10),
        backoff(base_delay_seconds=10.5),
        "server.backoffPlan.baseDelaySeconds",
        "between 0 and 10",
        "baseDelaySeconds at most 10",
    ),
    rule(
        backoff(base_delay_seconds=0),
        backoff(base_delay_seconds=-0.1),
        "server.backoffPlan.baseDelaySeconds",
        "between 0 and 10",
        "baseDelaySeconds at least 0",
    ),
    # Destinations.
    rule(
        to_number(),
        to_number(number="415"),
        "fallbackDestination.number",
        "E.164",
        "destination E.164",
    ),
    rule(
        to_number(number="1234", number_e164_check_enabled=False),
        to_number(number="12 34", number_e164_check_enabled=False),
        "fallbackDestination.number",
        "alphanumeric",
        "destination alphanumeric",
    ),
    rule(
        to_number(extension="1" * 10),
        to_number(extension="1" * 11),
        "fallbackDestination.extension",
        "1 to 10",
        "extension",
    ),
    rule(
        to_number(caller_id="c" * 40),
        to_number(caller_id="c" * 41),
        "fallbackDestination.callerId",
        "at most 40",
        "callerId",
    ),
    rule(
        byo(fallback_destination=TransferDestinationSip(sip_uri="sip:a@b")),
        byo(fallback_destination=UnknownItem({"type": "assistant"})),  # type: ignore[arg-type]
        "fallbackDestination.type",
        "invalid value 'assistant'",
        "destination type",
    ),
    # Transfer plans and messages.
    rule(
        plan(mode="warm-transfer-say-summary"),
        plan(mode="cold-transfer"),
        "fallbackDestination.transferPlan.mode",
        "one of",
        "transfer mode",
    ),
    rule(
        plan(sip_verb="dial"),
        plan(sip_verb="invite"),
        "fallbackDestination.transferPlan.sipVerb",
        "one of bye, dial, refer",
        "sipVerb",
    ),
    rule(
        plan(timeout=600),
        plan(timeout=0),
        "fallbackDestination.transferPlan.timeout",
        "between 1 and 600",
        "transfer timeout",
    ),
    rule(
        plan(dial_timeout=1),
        plan(dial_timeout=601),
        "fallbackDestination.transferPlan.dialTimeout",
        "between 1 and 600",
        "dial timeout",
    ),
    rule(
        plan(twiml="t" * 4096),
        plan(twiml="t" * 4097),
        "fallbackDestination.transferPlan.twiml",
        "at most 4096",
        "twiml",
    ),
    rule(
        plan(context_engineering_plan=ContextEngineeringPlanLastNMessages(max_messages=0)),
        plan(context_engineering_plan=ContextEngineeringPlanLastNMessages(max_messages=-1)),
        "fallbackDestination.transferPlan.contextEngineeringPlan.maxMessages",
        "at least 0",
        "maxMessages",
    ),
    rule(
        plan(summary_plan=SummaryPlan(timeout_seconds=60)),
        plan(summary_plan=SummaryPlan(timeout_seconds=61)),
        "fallbackDestination.transferPlan.summaryPlan.timeoutSeconds",
        "between 1 and 60",
        "summary timeout",
    ),
    rule(
        plan(fallback_plan=TransferFallbackPlan(message=CustomMessage(content="c" * 1000))),
        plan(fallback_plan=TransferFallbackPlan(message=CustomMessage(content="c" * 1001))),
        "fallbackDestination.transferPlan.fallbackPlan.message.content",
        "at most 1000",
        "fallback message",
    ),
    rule(
        message(content="c" * 1000),
        message(content="c" * 1001),
        "fallbackDestination.message.content",
        "at most 1000",
        "message content",
    ),
    rule(
        message(
            contents=[
                TextContent(text="hi", language="en"),
                TextContent(text="nei", language="yue"),
            ]
        ),
        message(
            contents=[
                TextContent(text="hi", language="en"),
                TextContent(text="?", language="english"),
            ]
        ),
        "fallbackDestination.message.contents[1].language",
        "one of",
        "language",
    ),
    # Hooks: filters, actions, and what they nest.
    rule(
        starts_with("91", "7" * 20),
        starts_with("91", "7" * 21),
        "hooks[0].filters[0].startsWith[1]",
        "at most 20",
        "startsWith length",
    ),
    rule(
        starts_with("91", type="startsWith"),
        starts_with("91", type="endsWith"),
        "hooks[0].filters[0].type",
        "one of startsWith",
        "ringing filter type",
    ),
    rule(
        starts_with("91", key="number"),
        starts_with("91", key="callerId"),
        "hooks[0].filters[0].key",
        "one of number",
        "ringing filter key",
    ),
    rule(
        one_of("assistant-request-failed", "assistant-request-returned-error"),
        one_of("assistant-request-failed", "customer-hung-up"),
        "hooks[0].filters[0].oneOf[1]",
        "one of",
        "ended reason",
    ),
    rule(
        one_of("assistant-request-failed", type="oneOf"),
        one_of("assistant-request-failed", type="anyOf"),
        "hooks[0].filters[0].type",
        "one of oneOf",
        "ending filter type",
    ),
    rule(
        one_of("assistant-request-failed", key="call.endedReason"),
        one_of("assistant-request-failed", key="call.status"),
        "hooks[0].filters[0].key",
        "one of call.endedReason",
        "ending filter key",
    ),
    rule(say("s" * 4000), say("s" * 4001), "hooks[0].do[1].exact", "at most 4000", "say exact"),
    rule(
        hook_transfer(E164),
        hook_transfer("0800"),
        "hooks[0].do.destination.number",
        "E.164",
        "hook destination",
    ),
    rule(
        ringing(do=[SayPhoneNumberHookAction(exact="hi")]),
        ringing(do=[UnknownItem({"type": "hangup"})]),
        "hooks[0].do[0].type",
        "invalid value 'hangup'",
        "action type",
    ),
    rule(
        ending(),
        byo(hooks=[ending().hooks[0], UnknownItem({"on": "call.started"})]),  # type: ignore[index]
        "hooks[1].on",
        "invalid value 'call.started'",
        "hook on",
    ),
    # Update bodies follow the same rules.
    rule(
        UpdateByoPhoneNumber(number=E164, number_e164_check_enabled=True),
        UpdateByoPhoneNumber(number="4155550100", number_e164_check_enabled=True),
        "number",
        "E.164",
        "update number E.164",
    ),
    # An update that leaves the flag unset cannot know the stored flag: only the looser
    # alphanumeric rule applies, and E.164 once the update turns the check on.
    rule(
        UpdateByoPhoneNumber(number="abc"),
        UpdateByoPhoneNumber(number="abc", number_e164_check_enabled=True),
        "number",
        "E.164",
        "update byo number E.164 when the update turns the check on",
    ),
    rule(
        UpdateByoPhoneNumber(number="abc"),
        UpdateByoPhoneNumber(number="ab-c"),
        "number",
        "alphanumeric",
        "update byo number alphanumeric while the flag is unset",
    ),
    rule(
        UpdateVapiPhoneNumber(name="n" * 40),
        UpdateVapiPhoneNumber(name="n" * 41),
        "name",
        "at most 40",
        "update name",
    ),
    rule(
        UpdateVapiPhoneNumber(
            authentication=SipAuthentication(username="u" * 20, password="p" * 20)
        ),
        UpdateVapiPhoneNumber(authentication=SipAuthentication(username="u" * 20, password="p")),
        "authentication.password",
        "20 to 40",
        "update password",
    ),
    rule(
        UpdateByoPhoneNumber(hooks=say("hi").hooks),
        UpdateByoPhoneNumber(hooks=say("s" * 4001).hooks),
        "hooks[0].do[1].exact",
        "at most 4000",
        "update hooks",
    ),
]


@pytest.mark.parametrize(("good", "bad", "field", "says"), RULES)
def test_each_rule_accepts_a_good_value_and_names_the_field_of_a_bad_one(
    good: Body, bad: Body, field: str, says: str
) -> None:
    validate_body(good)
    with pytest.raises(RequestValidationError) as caught:
        validate_body(bad)
    assert caught.value.field == field
    assert says in caught.value.rule
    assert f"{field} {caught.value.rule}" in str(caught.value)


def test_a_required_field_cannot_be_left_out_when_building_a_body() -> None:
    with pytest.raises(TypeError, match="twilio_account_sid"):
        CreateTwilioPhoneNumber(number=E164)  # type: ignore[call-arg]


def test_every_broken_rule_is_reported_the_first_names_the_error() -> None:
    body = byo(number="0", name="n" * 41, server=Server(timeout_seconds=0))
    paths = [error.path for error in body_errors(body)]
    assert paths == ["name", "number", "number", "server.timeoutSeconds"]  # length, E.164
    with pytest.raises(RequestValidationError) as caught:
        validate_body(body)
    assert caught.value.field == "name"
    assert [error.path for error in caught.value.errors] == paths


def test_an_update_leaves_unset_fields_alone_and_may_clear_with_none() -> None:
    """None is sent as null (it clears the field); no rule applies to a value not sent."""
    assert body_errors(UpdateTwilioPhoneNumber()) == []
    assert body_errors(UpdateTwilioPhoneNumber(number=None, name=None, server=None)) == []


def test_a_value_of_the_wrong_type_is_named_by_its_path() -> None:
    body = ringing(do=[SayPhoneNumberHookAction(exact=42)])  # type: ignore[arg-type]
    with pytest.raises(RequestValidationError) as caught:
        validate_body(body)
    assert caught.value.field == "hooks[0].do[0].exact"
    assert "expected `str`, got `int`" in caught.value.rule


# The spec has no format for these numbers ("the digits of the phone number you own"):
# changed in issue 12, they were E.164-only before, which refused numbers Vapi takes.
NO_FORMAT = [
    twilio(number="14155550100"),
    twilio(number="4155550100"),
    CreateVonagePhoneNumber(number="1-415-555", credential_id="c"),
    CreateTelnyxPhoneNumber(number="+1 415 555", credential_id="c"),
    UpdateTwilioPhoneNumber(number="14155550100"),
]


@pytest.mark.parametrize("body", NO_FORMAT, ids=lambda body: type(body).__name__)
def test_twilio_vonage_and_telnyx_numbers_take_any_digits(body: Body) -> None:
    assert body_errors(body) == []
