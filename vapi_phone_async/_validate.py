"""Request bodies against the spec's rules, checked before any request is made.

Every check returns or raises `RequestValidationError` naming the wire path of the field
(`hooks[0].do[1].exact`) and the rule. Decoding never runs these: they guard what we send,
not what we receive.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, TypeVar, get_args

import msgspec

from .errors import FieldError, RequestValidationError
from .models import (
    CREATE_BODIES,
    UPDATE_BODIES,
    BackoffPlan,
    CreateByoPhoneNumber,
    CreatePhoneNumber,
    CustomMessage,
    PhoneNumberCallEndingHookFilter,
    PhoneNumberCallRingingHookFilter,
    PhoneNumberHookCallEnding,
    PhoneNumberHookCallRinging,
    SayPhoneNumberHookAction,
    Server,
    SipAuthentication,
    TransferDestinationNumber,
    TransferDestinationSip,
    TransferPhoneNumberHookAction,
    TransferPlan,
    UpdateByoPhoneNumber,
    UpdatePhoneNumber,
)
from .models.hooks import CallEndedReason
from .models.transfer import (
    ContextEngineeringPlanLastNMessages,
    SipVerb,
    TransferMode,
)

__all__ = [
    "body_errors",
    "convert",
    "field_error",
    "one_of",
    "validate_backoff",
    "validate_body",
    "validate_create_body",
    "validate_update_body",
]

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
ALPHANUMERIC_NUMBER = re.compile(r"^\+?[a-zA-Z0-9]+$")
_TRANSFER_MODES = frozenset(get_args(TransferMode))
_SIP_VERBS = frozenset(get_args(SipVerb))
_ENDED_REASONS = frozenset(get_args(CallEndedReason))
_BACKOFF_TYPES = frozenset({"fixed", "exponential"})
S = TypeVar("S")
# ISO 639-1 codes, and yue, as the spec lists them for TextContent.language.
_LANGUAGES = frozenset(
    (  # noqa: SIM905 - a word list reads better than 185 lines
        "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr "
        "cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu "
        "gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk "
        "kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms "
        "mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro "
        "ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl "
        "tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yue yo za zh zu "
    ).split()
)


def validate_body(body: CreatePhoneNumber | UpdatePhoneNumber) -> None:
    """Raise `RequestValidationError` if a create or update body breaks a rule of the spec.

    E.164 is checked only where the spec asks for it: a BYO number and a transfer
    destination's `number`, unless their `numberE164CheckEnabled` is false.
    """
    errors = body_errors(body)
    if errors:
        raise RequestValidationError(errors)


_CREATE_CLASSES = tuple(CREATE_BODIES.values())
_UPDATE_CLASSES = tuple(UPDATE_BODIES.values())


def validate_create_body(body: Any) -> None:
    """Raise `RequestValidationError` unless `body` is a valid create body (a
    `Create*PhoneNumber`; an update body, a dict or None is refused by name)."""
    _check_kind(body, _CREATE_CLASSES, "a create body")
    validate_body(body)


def validate_update_body(body: Any) -> None:
    """Raise `RequestValidationError` unless `body` is a valid update body (an
    `Update*PhoneNumber`)."""
    _check_kind(body, _UPDATE_CLASSES, "an update body")
    validate_body(body)


def _check_kind(body: Any, classes: tuple[type[Any], ...], kind: str) -> None:
    if isinstance(body, classes):
        return
    names = ", ".join(cls.__name__ for cls in classes)
    got = type(body).__name__
    hint = ": build it with vapi_phone_async.models" if isinstance(body, dict) else ""
    raise RequestValidationError(
        [FieldError("body", f"must be {kind}, one of {names} (got {got}{hint})")]
    )


def body_errors(body: CreatePhoneNumber | UpdatePhoneNumber) -> list[FieldError]:
    """Every rule a create or update body breaks (empty when it is valid)."""
    type_errors = list(_type_errors(body))
    if type_errors:
        return type_errors
    return list(_body_rules(body))


def _type_errors(body: msgspec.Struct) -> Iterator[FieldError]:
    # One encode/decode round trip checks every type and required field the Structs declare
    # (a None or an int where a string is required, say), whatever the caller built.
    try:
        msgspec.json.decode(msgspec.json.encode(body), type=type(body))
    except msgspec.ValidationError as exc:
        yield field_error(exc)
    except TypeError as exc:  # a value msgspec cannot encode at all
        yield FieldError("body", f"cannot be encoded: {exc}")


_MISSING = re.compile(r"^Object missing required field `([^`]+)`(?: - at `\$\.?(.*)`)?$")
_AT = re.compile(r"^(.*) - at `\$\.?(.*)`$")


def field_error(exc: msgspec.ValidationError) -> FieldError:
    """A msgspec validation error as the broken rule of the field at its wire path."""
    message = str(exc)
    if match := _MISSING.match(message):
        name, where = match.groups()
        return FieldError(f"{where}.{name}" if where else name, "is required")
    if match := _AT.match(message):
        rule, where = match.groups()
        return FieldError(where or "body", rule[0].lower() + rule[1:])
    return FieldError("body", message[0].lower() + message[1:])


def convert(data: Any, cls: type[S], *, strict: bool = True) -> S:
    """`msgspec.convert`, with a failure raised as `RequestValidationError` on the field.

    `strict=False` takes the strings of a CSV cell for numbers and booleans."""
    try:
        return msgspec.convert(data, cls, strict=strict)
    except msgspec.ValidationError as exc:
        raise RequestValidationError([field_error(exc)]) from None


def _body_rules(body: CreatePhoneNumber | UpdatePhoneNumber) -> Iterator[FieldError]:
    yield from _max_length("name", body.name, 40)
    number = getattr(body, "number", None)
    if isinstance(body, CreateByoPhoneNumber | UpdateByoPhoneNumber):
        # An update that leaves the flag unset cannot know the stored one: apply only the
        # looser alphanumeric rule and let the server judge the rest.
        flag = body.number_e164_check_enabled
        check_e164 = flag is not False and flag is not msgspec.UNSET
        yield from _length("number", number, 3, 40)
        yield from _phone_number("number", number, check_e164=check_e164)
    # Twilio, Vonage and Telnyx numbers have no format in the spec ("the digits of the
    # phone number you own"): a rule the API does not have would lock users out.
    area_code = getattr(body, "number_desired_area_code", None)
    yield from _length("numberDesiredAreaCode", area_code, 3, 3)
    auth = getattr(body, "authentication", None)
    if isinstance(auth, SipAuthentication):
        yield from _length("authentication.username", auth.username, 20, 40)
        yield from _length("authentication.password", auth.password, 20, 40)
    if isinstance(body.server, Server):
        yield from _server("server", body.server)
    if _is_set(body.fallback_destination):
        yield from _destination("fallbackDestination", body.fallback_destination)
    if isinstance(body.hooks, list):
        for index, hook in enumerate(body.hooks):
            yield from _hook(f"hooks[{index}]", hook)


def _server(path: str, server: Server) -> Iterator[FieldError]:
    yield from _between(f"{path}.timeoutSeconds", server.timeout_seconds, 1, 300)
    if server.backoff_plan is not None:
        yield from _backoff_plan(f"{path}.backoffPlan", server.backoff_plan)


def _backoff_plan(path: str, plan: BackoffPlan) -> Iterator[FieldError]:
    yield from one_of(f"{path}.type", plan.type, _BACKOFF_TYPES)
    yield from _between(f"{path}.maxRetries", plan.max_retries, 0, 10)
    yield from _between(f"{path}.baseDelaySeconds", plan.base_delay_seconds, 0, 10)


def validate_backoff(plan: BackoffPlan, path: str = "backoff") -> None:
    """Check a BackoffPlan the client itself will follow (same rules as a webhook's)."""
    if not isinstance(plan, BackoffPlan):
        got = type(plan).__name__
        raise RequestValidationError([FieldError(path, f"must be a BackoffPlan (got {got})")])
    errors = list(_type_errors(plan)) or list(_backoff_plan(path, plan))
    if errors:
        raise RequestValidationError(errors)


def _destination(path: str, destination: Any) -> Iterator[FieldError]:
    if isinstance(destination, TransferDestinationNumber):
        check_e164 = destination.number_e164_check_enabled is not False
        yield from _length(f"{path}.number", destination.number, 3, 40)
        yield from _phone_number(f"{path}.number", destination.number, check_e164=check_e164)
        yield from _length(f"{path}.extension", destination.extension, 1, 10)
    elif not isinstance(destination, TransferDestinationSip):
        yield FieldError(f"{path}.type", "must be one of number, sip")
        return
    yield from _max_length(f"{path}.callerId", destination.caller_id, 40)
    yield from _message(f"{path}.message", destination.message)
    if destination.transfer_plan is not None:
        yield from _transfer_plan(f"{path}.transferPlan", destination.transfer_plan)


def _transfer_plan(path: str, plan: TransferPlan) -> Iterator[FieldError]:
    yield from one_of(f"{path}.mode", plan.mode, _TRANSFER_MODES)
    yield from one_of(f"{path}.sipVerb", plan.sip_verb, _SIP_VERBS)
    yield from _between(f"{path}.timeout", plan.timeout, 1, 600)
    yield from _between(f"{path}.dialTimeout", plan.dial_timeout, 1, 600)
    yield from _max_length(f"{path}.twiml", plan.twiml, 4096)
    yield from _message(f"{path}.message", plan.message)
    context = plan.context_engineering_plan
    if isinstance(context, ContextEngineeringPlanLastNMessages):
        path_n = f"{path}.contextEngineeringPlan.maxMessages"
        yield from _between(path_n, context.max_messages, 0, None)
    if plan.summary_plan is not None:
        yield from _between(
            f"{path}.summaryPlan.timeoutSeconds", plan.summary_plan.timeout_seconds, 1, 60
        )
    if plan.fallback_plan is not None:
        yield from _message(f"{path}.fallbackPlan.message", plan.fallback_plan.message)


def _message(path: str, message: Any) -> Iterator[FieldError]:
    if not isinstance(message, CustomMessage):
        return
    yield from _max_length(f"{path}.content", message.content, 1000)
    for index, content in enumerate(message.contents or ()):
        yield from one_of(f"{path}.contents[{index}].language", content.language, _LANGUAGES)


def _hook(path: str, hook: Any) -> Iterator[FieldError]:
    if isinstance(hook, PhoneNumberHookCallRinging):
        for index, ringing in enumerate(hook.filters or ()):
            yield from _ringing_filter(f"{path}.filters[{index}]", ringing)
        for index, action in enumerate(hook.do):
            yield from _action(f"{path}.do[{index}]", action)
    elif isinstance(hook, PhoneNumberHookCallEnding):
        for index, ending in enumerate(hook.filters or ()):
            yield from _ending_filter(f"{path}.filters[{index}]", ending)
        if hook.do is not None:
            yield from _action(f"{path}.do", hook.do)
    else:
        yield FieldError(f"{path}.on", "must be one of call.ringing, call.ending")


def _ringing_filter(path: str, rule: PhoneNumberCallRingingHookFilter) -> Iterator[FieldError]:
    yield from one_of(f"{path}.type", rule.type, frozenset({"startsWith"}))
    yield from one_of(f"{path}.key", rule.key, frozenset({"number"}))
    for index, prefix in enumerate(rule.starts_with):
        yield from _max_length(f"{path}.startsWith[{index}]", prefix, 20)


def _ending_filter(path: str, rule: PhoneNumberCallEndingHookFilter) -> Iterator[FieldError]:
    yield from one_of(f"{path}.type", rule.type, frozenset({"oneOf"}))
    yield from one_of(f"{path}.key", rule.key, frozenset({"call.endedReason"}))
    for index, reason in enumerate(rule.one_of):
        yield from one_of(f"{path}.oneOf[{index}]", reason, _ENDED_REASONS)


def _action(path: str, action: Any) -> Iterator[FieldError]:
    if isinstance(action, SayPhoneNumberHookAction):
        yield from _max_length(f"{path}.exact", action.exact, 4000)
    elif isinstance(action, TransferPhoneNumberHookAction):
        if action.destination is not None:
            yield from _destination(f"{path}.destination", action.destination)
    else:
        yield FieldError(f"{path}.type", "must be one of transfer, say")


# The rules themselves. Each skips a value that is not set (None or UNSET): whether a field
# is required is the Structs' business, checked in _type_errors.


def _is_set(value: Any) -> bool:
    return value is not None and value is not msgspec.UNSET


def _max_length(path: str, value: Any, maximum: int) -> Iterator[FieldError]:
    if isinstance(value, str) and len(value) > maximum:
        yield FieldError(path, f"must be at most {maximum} characters (got {len(value)})")


def _length(path: str, value: Any, minimum: int, maximum: int) -> Iterator[FieldError]:
    if isinstance(value, str) and not minimum <= len(value) <= maximum:
        yield FieldError(path, f"must be {minimum} to {maximum} characters (got {len(value)})")


def _between(path: str, value: Any, minimum: float, maximum: float | None) -> Iterator[FieldError]:
    if not isinstance(value, int | float):
        return
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        yield FieldError(path, f"must be {bounds} (got {value})")


def one_of(path: str, value: Any, allowed: frozenset[str]) -> Iterator[FieldError]:
    """The error of a string that is not one of `allowed` (nothing for a non-string)."""
    if isinstance(value, str) and value not in allowed:
        choices = ", ".join(sorted(allowed)) if len(allowed) <= 10 else f"{len(allowed)} values"
        yield FieldError(path, f"must be one of {choices} (got {value!r})")


def _phone_number(path: str, value: Any, *, check_e164: bool) -> Iterator[FieldError]:
    if not isinstance(value, str):
        return
    if check_e164 and not E164.match(value):
        yield FieldError(path, "must be an E.164 number like +14155550100 (^\\+[1-9]\\d{1,14}$)")
    elif not check_e164 and not ALPHANUMERIC_NUMBER.match(value):
        yield FieldError(
            path, "must be alphanumeric with an optional leading + (^\\+?[a-zA-Z0-9]+$)"
        )
