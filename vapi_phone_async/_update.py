"""An update by keywords: the update body of a number's provider built from the fields
named as keywords (`client.update(id, name="Front desk")`), and a typed body checked
against the number it is for. No I/O: the client finds the provider (from the number it
is given, or one GET) and sends.

The keywords are typed by `UpdateFields`, a TypedDict of every field of any provider's
update body, which the client's `update` takes as `**fields: Unpack[UpdateFields]`: a
type checker catches a misspelt field or a value of the wrong type; the provider, known
only at run time, is checked here, before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, get_args

import msgspec

from ._validate import field_error, validate_update_body
from .errors import FieldError, RequestValidationError
from .models import (
    PROVIDERS,
    UPDATE_BODIES,
    PhoneNumber,
    PhoneNumberHook,
    Server,
    SipAuthentication,
    TransferDestination,
    UpdatePhoneNumber,
)

__all__ = ["UpdateFields", "body_for", "check_body_for", "id_and_provider", "keyword_body"]

_PHONE_NUMBER_TYPES: tuple[type[Any], ...] = get_args(PhoneNumber)


class UpdateFields(TypedDict, total=False):
    """The fields `client.update(number, **fields)` takes by keyword: every field of the
    update body of any provider, under its attribute name.

    A field left out is not sent; `None` is sent as null, which clears it. Each provider's
    update has only some of them (`sip_uri` and `authentication` are a Vapi number's,
    `twilio_*` and `sms_enabled` a Twilio number's, `credential_id` a BYO, Vonage or
    Telnyx number's, `number_e164_check_enabled` a BYO number's): another provider's field
    is refused by name before anything is sent.
    """

    name: str | None
    assistant_id: str | None
    workflow_id: str | None
    squad_id: str | None
    server: Server | None
    fallback_destination: TransferDestination | None
    hooks: list[PhoneNumberHook] | None
    server_url: str | None
    server_url_secret: str | None
    number: str | None
    number_e164_check_enabled: bool | None
    credential_id: str | None
    sms_enabled: bool | None
    twilio_account_sid: str | None
    twilio_auth_token: str | None
    twilio_api_key: str | None
    twilio_api_secret: str | None
    sip_uri: str | None
    authentication: SipAuthentication | None


# Each provider's update fields: attribute name -> wire name.
_FIELDS: dict[str, dict[str, str]] = {
    provider: {field.name: field.encode_name for field in msgspec.structs.fields(cls)}
    for provider, cls in UPDATE_BODIES.items()
}


def id_and_provider(number: str | PhoneNumber) -> tuple[str, str | None]:
    """The id of the number an update is for, and its provider when `number` is a
    `PhoneNumber` (None for an id). Anything else is refused as an id would be."""
    if isinstance(number, str):
        return number, None
    if isinstance(number, _PHONE_NUMBER_TYPES):
        return number.id, number.provider
    got = type(number).__name__
    raise RequestValidationError(
        [FieldError("id", f"must be a string or a PhoneNumber (got {got})")]
    )


def body_for(
    provider: str | None, body: UpdatePhoneNumber | None, fields: Mapping[str, Any]
) -> UpdatePhoneNumber | None:
    """The checked body of an update of a number of `provider` (None: not known yet).

    `body` is a typed update body (then `fields` is empty), else `fields` are the fields
    to set by name. Returns None when the provider must be looked up first: the fields
    were checked as far as they can be without it (each is a field of some provider's
    update, all of one provider's, and of the right type). Raises
    `RequestValidationError` naming the field, or `body`."""
    if body is not None:
        if fields:
            rule = "is given with fields as keywords: pass an update body or keywords, not both"
            raise RequestValidationError([FieldError("body", rule)])
        if provider is not None:
            check_body_for(provider, body)
        validate_update_body(body)
        return body
    if not fields:
        rule = "is required: pass an update body, or the fields to change as keywords (name=...)"
        raise RequestValidationError([FieldError("body", rule)])
    if provider is None:
        _check_without_provider(fields)
        return None
    return keyword_body(provider, fields)


def keyword_body(provider: str, fields: Mapping[str, Any]) -> UpdatePhoneNumber:
    """The checked update body of a number of `provider` setting `fields` by name; raises
    `RequestValidationError` naming a field that provider's update does not have."""
    if provider not in UPDATE_BODIES:
        rule = f"{provider[:40]!r} is a provider this version cannot build an update for"
        raise RequestValidationError([FieldError("provider", rule)])
    known = _FIELDS[provider]
    other = [
        FieldError(name, f"is not a field of a {provider} number's update")
        for name in fields
        if name not in known
    ]
    if other:
        raise RequestValidationError(other)
    return _built(provider, fields, validate=True)


def check_body_for(provider: str, body: UpdatePhoneNumber) -> None:
    """Raise `RequestValidationError` unless `body` is the update body of `provider`'s
    numbers (the server refuses another: `provider must be equal to telnyx`)."""
    if not isinstance(body, msgspec.Struct) or body.provider == provider:
        return  # not a body at all: validate_update_body says what is wrong
    wanted = UPDATE_BODIES.get(provider)
    use = f"use {wanted.__name__} or keywords" if wanted else "this version cannot update it"
    rule = (
        f"is a {type(body).__name__}, for {body.provider} numbers, and the number is a "
        f"{provider[:40]} number: {use}"
    )
    raise RequestValidationError([FieldError("body", rule)])


def _check_without_provider(fields: Mapping[str, Any]) -> None:
    """Every field is one of some provider's update, all are of one provider's, and each
    value is of the field's type."""
    anywhere = {name for known in _FIELDS.values() for name in known}
    unknown = [
        FieldError(name, "is not a field of any number's update")
        for name in fields
        if name not in anywhere
    ]
    if unknown:
        raise RequestValidationError(unknown)
    fitting = [provider for provider in PROVIDERS if set(fields) <= set(_FIELDS[provider])]
    if not fitting:
        # The provider that has most of them names the others (a tie: the first field's).
        first = next(iter(fields))
        best = max(
            PROVIDERS,
            key=lambda p: (len(set(fields) & set(_FIELDS[p])), first in _FIELDS[p]),
        )
        apart = [name for name in fields if name not in _FIELDS[best]]
        rule = "is not a field of the same provider's update as " + ", ".join(
            name for name in fields if name in _FIELDS[best]
        )
        raise RequestValidationError([FieldError(name, rule) for name in apart])
    # The types alone: the rules (lengths, formats) may depend on the provider.
    _built(fitting[0], fields, validate=False)


def _built(provider: str, fields: Mapping[str, Any], *, validate: bool) -> UpdatePhoneNumber:
    cls = UPDATE_BODIES[provider]
    body = cls(**fields)
    try:
        # A round trip checks every type the Struct declares, as validate_update_body does.
        msgspec.json.decode(msgspec.json.encode(body), type=cls)
        if validate:
            validate_update_body(body)
    except msgspec.ValidationError as exc:
        raise RequestValidationError([_by_keyword(field_error(exc), provider)]) from None
    except TypeError as exc:  # a value msgspec cannot encode at all
        raise RequestValidationError([FieldError("body", f"cannot be encoded: {exc}")]) from None
    except RequestValidationError as exc:
        raise RequestValidationError([_by_keyword(e, provider) for e in exc.errors]) from None
    return body


def _by_keyword(error: FieldError, provider: str) -> FieldError:
    """The error with its field under the keyword given (`assistant_id`, not `assistantId`)."""
    head, dot, rest = error.path.partition(".")
    bracket = head.find("[")
    wire, index = (head, "") if bracket < 0 else (head[:bracket], head[bracket:])
    for name, encoded in _FIELDS[provider].items():
        if encoded == wire:
            return FieldError(name + index + dot + rest, error.rule)
    return error
