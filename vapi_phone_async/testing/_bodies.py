"""Validation of create and update bodies, as NestJS messages (`"<field> <rule>"`).

A body is decoded into the package's own Create*/Update* Struct chosen by `provider`, and
then checked by `_validate.body_errors`: the fake enforces exactly the rules the client
checks before sending, so a body the client lets through is one the fake accepts.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from .._validate import body_errors
from ..models import CREATE_BODIES, PROVIDERS, UPDATE_BODIES

__all__ = ["create_errors", "decode_json", "update_errors"]

_PROVIDER_RULE = "provider must be one of the following values: " + ", ".join(PROVIDERS)
_DECODE = msgspec.json.Decoder()

_MISSING = re.compile(r"^Object missing required field `([^`]+)`(?: - at `\$(.*)`)?$")
_WRONG_TYPE = re.compile(r"^Expected `([^`]+)`, got `([^`]+)`(?: - at `\$(.*)`)?$")
_INVALID = re.compile(r"^Invalid value (.*) - at `\$(.*)`$")
# class-validator's wording for the type a field should have.
_TYPE_RULES = {
    "str": "must be a string",
    "int": "must be a number conforming to the specified constraints",
    "float": "must be a number conforming to the specified constraints",
    "bool": "must be a boolean value",
    "array": "must be an array",
    "object": "must be an object",
}


def decode_json(raw: bytes) -> Any:
    """The JSON body (`{}` when empty); raises `ValueError` with a NestJS message if malformed."""
    if not raw.strip():
        return {}
    try:
        return _DECODE.decode(raw)
    except msgspec.DecodeError as exc:
        raise ValueError(f"body must be valid JSON ({exc})") from None


def create_errors(body: Any) -> list[str]:
    """Every rule a `POST /phone-number` body breaks (empty when valid)."""
    if not isinstance(body, dict):
        return ["body must be an object"]
    provider = body.get("provider")
    cls = CREATE_BODIES.get(provider) if isinstance(provider, str) else None
    if cls is None:
        return [_PROVIDER_RULE]
    return _struct_errors(body, cls)


def update_errors(body: Any, stored_provider: str) -> list[str]:
    """Every rule a `PATCH /phone-number/{id}` body breaks for a number of `stored_provider`.

    `provider` may be left out (the spec's update bodies have none); when sent it must be
    the stored one, since a number cannot change provider.
    """
    if not isinstance(body, dict):
        return ["body must be an object"]
    provider = body.get("provider", stored_provider)
    if not isinstance(provider, str) or provider != stored_provider:
        return [f"provider must be equal to {stored_provider}"]
    cls = UPDATE_BODIES.get(stored_provider)
    if cls is None:  # a number of an unknown provider, put in with insert(): take anything
        return []
    return _struct_errors(body, cls)


def _struct_errors(body: dict[str, Any], cls: type[Any]) -> list[str]:
    # msgspec stops at the first error; the missing top-level fields are listed together,
    # as a ValidationPipe would list them.
    missing = [f"{name} should not be empty" for name in _required(cls) if name not in body]
    if missing:
        return missing
    try:
        struct = msgspec.convert(body, cls)
    except msgspec.ValidationError as exc:
        return [_describe(str(exc))]
    return [f"{error.path} {error.rule}" for error in body_errors(struct)]


_REQUIRED: dict[type[Any], tuple[str, ...]] = {}


def _required(cls: type[Any]) -> tuple[str, ...]:
    # Cached: msgspec.structs.fields resolves the type hints on every call (about 1 ms).
    names = _REQUIRED.get(cls)
    if names is None:
        names = _REQUIRED[cls] = tuple(
            field.encode_name for field in msgspec.structs.fields(cls) if field.required
        )
    return names


def _describe(message: str) -> str:
    """A msgspec ValidationError as `"<path> <rule>"`."""
    if match := _MISSING.match(message):
        field, where = match.groups()
        return f"{_path(where, field)} should not be empty"
    if match := _WRONG_TYPE.match(message):
        expected, got, where = match.groups()
        first = expected.split(" | ")[0]
        rule = _TYPE_RULES.get(first, f"must be of type {expected}")
        return f"{_path(where)} {rule} (got {got})"
    if match := _INVALID.match(message):
        value, where = match.groups()
        return f"{_path(where)} has an unsupported value {value}"
    return f"body {message[0].lower()}{message[1:]}"


def _path(where: str | None, field: str | None = None) -> str:
    path = (where or "").lstrip(".")
    if field is not None:
        path = f"{path}.{field}" if path else field
    return path or "body"
