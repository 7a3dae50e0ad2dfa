"""Request bodies from the command line: a create body from `create`'s flags, an update
body from `--set`/`--unset`, and a `--json` object checked key by key against its body.

Every refusal names the flag or the field; a JSON key that is not a field suggests the
one it may be meant as.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

import click
import msgspec
from click.core import ParameterSource

from .._validate import body_errors, convert
from ..errors import FieldError, RequestValidationError
from ..models import CREATE_BODIES, UPDATE_BODIES, UpdatePhoneNumber

__all__ = ["check_keys", "flags_body", "json_object", "update_body", "update_class"]


def flags_body(
    ctx: click.Context, flags: dict[str, Any], *, no_e164_check: bool, server_url: str | None
) -> dict[str, Any]:
    """The create body in wire form from the flags, each checked against the provider."""
    provider = flags["provider"]
    if provider is None:
        raise click.UsageError("give --provider (or the whole body with --json)")
    fields = _wire_names(CREATE_BODIES[provider])
    data: dict[str, Any] = {}
    for name, value in flags.items():
        if value is None or (value is False and name != "sms_enabled"):
            continue
        wire = _camel(name)
        if wire in fields:
            data[wire] = value
            continue
        if ctx.get_parameter_source(name) is ParameterSource.ENVIRONMENT:
            continue  # TWILIO_AUTH_TOKEN, set for other numbers: not meant for this one
        flag = (
            "--area-code" if name == "number_desired_area_code" else "--" + name.replace("_", "-")
        )
        if provider == "vapi" and name == "number":
            raise click.UsageError(
                "--number is not for vapi numbers: Vapi chooses the digits of a number it "
                "sells; give --area-code to buy one there, or --sip-uri"
            )
        raise click.UsageError(f"{flag} is not for {provider} numbers")
    if no_e164_check:
        if provider != "byo-phone-number":
            raise click.UsageError(f"--no-e164-check is not for {provider} numbers")
        data["numberE164CheckEnabled"] = False
    if server_url:
        data["server"] = {"url": server_url}
    return data


def check_keys(data: dict[str, Any], cls: type[Any], provider: str) -> None:
    """Refuse a JSON key that is not a field of `cls`, with the field it may be meant as."""
    fields = _wire_names(cls)
    errors = []
    for key in data:
        if key in fields:
            continue
        near = [name for name in fields if name.lower() == key.lower()]
        near = near or difflib.get_close_matches(key, sorted(fields), n=1, cutoff=0.75)
        hint = f" (did you mean {near[0]}?)" if near else ""
        errors.append(FieldError(key, f"is not a field of {provider} numbers{hint}"))
    if errors:
        raise RequestValidationError(errors)


def json_object(raw: bytes, option: str) -> dict[str, Any]:
    """The JSON object in `raw` (what `option` gave); anything else is refused on `option`."""
    try:
        data = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise RequestValidationError([FieldError(option, f"is not valid JSON ({exc})")]) from None
    if not isinstance(data, dict):
        raise RequestValidationError([FieldError(option, "must hold a JSON object")])
    return data


def update_class(provider: str) -> type[UpdatePhoneNumber]:
    """The update body for numbers of `provider`."""
    try:
        return UPDATE_BODIES[provider]
    except KeyError:
        raise RequestValidationError(
            [FieldError("provider", f"numbers of provider {provider!r} cannot be updated here")]
        ) from None


def update_body(
    cls: type[UpdatePhoneNumber],
    sets: Sequence[str] = (),
    unsets: Sequence[str] = (),
    data: Mapping[str, Any] | None = None,
) -> UpdatePhoneNumber:
    """An update body from `field=value` strings, fields to clear, and/or a mapping.

    Fields are wire names (`assistantId`) or attribute names (`assistant_id`). A value is
    taken as a string where the field takes one, else as JSON (`true`, `{"url": ...}`).
    """
    fields = {field.encode_name: field for field in msgspec.structs.fields(cls)}
    by_name = {field.name: field.encode_name for field in fields.values()}
    values: dict[str, Any] = {"provider": cls.__struct_config__.tag, **(data or {})}

    def wire_name(name: str) -> str:
        name = by_name.get(name, name)
        if name not in fields:
            raise RequestValidationError(
                [FieldError(name, f"is not a field of {cls.__struct_config__.tag} numbers")]
            )
        return name

    for assignment in sets:
        name, equals, raw = assignment.partition("=")
        if not equals:
            raise RequestValidationError([FieldError(name, "must be given as field=value")])
        name = wire_name(name.strip())
        values[name] = _typed(cls, name, raw)
    for name in unsets:
        values[wire_name(name.strip())] = None
    body: UpdatePhoneNumber = convert(values, cls)
    errors = body_errors(body)
    if errors:
        raise RequestValidationError(errors)
    return body


def _typed(cls: type[Any], name: str, raw: str) -> Any:
    """`raw` as a string if the field takes one, else decoded as JSON."""
    try:
        msgspec.convert({name: raw}, cls)
        return raw
    except msgspec.ValidationError:
        pass
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return raw  # convert() will name the field and the type it expects


def _wire_names(cls: type[Any]) -> frozenset[str]:
    """The wire names of a body's fields, its `provider` tag included."""
    return frozenset(field.encode_name for field in msgspec.structs.fields(cls)) | {"provider"}


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)
