"""Request bodies and query parameters against the vendored spec, with NestJS's messages.

Whether a request is valid is the spec validator's call (`_spec`); only when it is not is
the value walked beside its schema to say, as Vapi's ValidationPipe does, every property
that breaks a rule: `"name must be shorter than or equal to 40 characters"`,
`"property foo should not exist"`, `"server.timeoutSeconds must not be greater than 300"`
(a nested property is prefixed by its parent's path, list indexes included). A query
parameter the operation does not name is refused the same way (`property cursor should not
exist`): NestJS validates a query DTO as it validates a body.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Mapping
from typing import Any

import msgspec

from ._spec import ALPHANUMERIC, E164, body_schema, query_parameters, resolve, validator

__all__ = [
    "create_errors",
    "decode_json",
    "query_errors",
    "update_errors",
    "without_nested_nulls",
]

_DECODE = msgspec.json.Decoder()
_PROVIDERS = ("byo-phone-number", "twilio", "vonage", "vapi", "telnyx")
_PROVIDER_RULE = "provider must be one of the following values: " + ", ".join(_PROVIDERS)
# class-validator's wording, by the JSON Schema rule a value breaks.
_TYPES = {
    "string": "must be a string",
    "number": "must be a number conforming to the specified constraints",
    "boolean": "must be a boolean value",
    "array": "must be an array",
    "object": "must be an object",
}
_PATTERNS = {
    E164: "must be a valid E.164 phone number (like +14155550100)",
    ALPHANUMERIC: "must contain only letters and digits, with an optional leading +",
}


def decode_json(raw: bytes) -> Any:
    """The JSON body (`{}` when empty); raises `ValueError` with a NestJS message if malformed.

    As Express's JSON parser (body-parser, strict) reads it: an empty body is `{}`, and
    one that does not open an object or an array (whitespace only, `null`, `"text"`) is
    malformed.
    """
    if not raw:
        return {}
    try:
        value = _DECODE.decode(raw)
    except msgspec.DecodeError as exc:
        raise ValueError(f"body must be valid JSON ({exc})") from None
    if not isinstance(value, dict | list):
        raise ValueError("body must be valid JSON (an object or an array)")
    return value


def create_errors(body: Any, *, nested_nulls: bool = False) -> list[str]:
    """Every rule a `POST /phone-number` body breaks (empty when valid).

    A top-level optional property may be null; with `nested_nulls`, one at any depth too
    (checked as if it were left out).
    """
    if not isinstance(body, dict):
        return ["body must be an object"]
    provider = body.get("provider")
    if not isinstance(provider, str) or provider not in _PROVIDERS:
        return [_PROVIDER_RULE]
    if nested_nulls:
        body = without_nested_nulls(body)
    return _errors(body, body_schema("create", provider))


def update_errors(body: Any, stored_provider: str, *, nested_nulls: bool = False) -> list[str]:
    """Every rule a `PATCH /phone-number/{id}` body breaks for a number of `stored_provider`.

    `provider` may be left out (the spec's update bodies have none); when sent it must be
    the stored one, since a number cannot change provider. Nulls as for `create_errors`.
    """
    if not isinstance(body, dict):
        return ["body must be an object"]
    provider = body.get("provider", stored_provider)
    if not isinstance(provider, str) or provider != stored_provider:
        return [f"provider must be equal to {stored_provider}"]
    if stored_provider not in _PROVIDERS:  # a number put in with insert(): take anything
        return []
    if nested_nulls:
        body = without_nested_nulls(body)
    return _errors(body, body_schema("update", stored_provider))


def without_nested_nulls(body: dict[str, Any]) -> dict[str, Any]:
    """`body` with every null below its top level left out, as class-validator skips an
    `@IsOptional` property that is null (a required one is then missing, and said so)."""
    try:
        return {key: _drop_nulls(value) for key, value in body.items()}
    except RecursionError:  # nested past any schema's depth: judged as sent
        return body


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _drop_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_drop_nulls(item) for item in value]
    return value


def query_errors(
    path: str, query: Mapping[str, str], *, accepted: Collection[str] = ()
) -> list[str]:
    """Every rule the query parameters of `GET path` break, by the spec's schemas.

    Query values are text: a parameter the spec types as a number is read as one first.
    A parameter the spec does not name is refused, as Vapi's whitelisting refuses it,
    unless `accepted` names it (the fake's `cursor`, a newer API's parameter).
    """
    parameters = query_parameters(path)
    errors = [
        f"property {name} should not exist"
        for name in query
        if name not in parameters and name not in accepted
    ]
    for name, schema in parameters.items():
        text = query.get(name)
        if text is None:
            continue
        value: Any = text
        if schema.get("type") == "number":
            try:
                value = float(text)
            except ValueError:
                value = text
            if isinstance(value, float) and not math.isfinite(value):
                value = text
        errors.extend(_messages(value, schema, name))
    return errors


def _errors(body: dict[str, Any], schema_name: str) -> list[str]:
    schema = {"$ref": f"#/components/schemas/{schema_name}"}
    try:
        validator(schema)(body)
        return []
    except Exception:  # fastjsonschema's JsonSchemaValueException: say why, rule by rule
        pass
    messages = list(dict.fromkeys(_messages(body, schema, "")))
    return messages or [f"body does not match {schema_name}"]


def _messages(value: Any, schema: dict[str, Any], path: str) -> Iterator[str]:
    """What NestJS would say of `value` at `path` (nothing when it matches `schema`).

    Unions, objects and arrays are walked, and only the leaves meet a compiled validator:
    compiling a schema that refers to others costs a tenth of a second, and an invalid
    body would otherwise compile every level it is wrong at.
    """
    if value is None and resolve(schema) is not schema and "anyOf" in schema:
        return  # an optional property sent as null
    schema = resolve(schema)
    if "oneOf" in schema:
        yield from _one_of(value, schema["oneOf"], path)
    elif "properties" in schema:
        if isinstance(value, dict):
            yield from _object(value, schema, path)
        else:
            yield f"{path or 'body'} {_TYPES['object']}"
    elif schema.get("type") == "array" and "items" in schema:
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from _messages(item, schema["items"], _join(path, str(index)))
        else:
            yield f"{path or 'body'} {_TYPES['array']}"
    else:
        try:
            validator(schema)(value)
        except Exception as error:  # fastjsonschema's JsonSchemaValueException
            yield _leaf(error, path)


def _matches(value: Any, schema: dict[str, Any]) -> bool:
    try:
        validator(schema)(value)
    except Exception:
        return False
    return True


def _object(value: dict[str, Any], schema: dict[str, Any], path: str) -> Iterator[str]:
    properties: dict[str, Any] = schema["properties"]
    prefix = f"{path}." if path else ""
    for key in value:
        if key not in properties:
            yield f"{prefix}property {key} should not exist"
    for key in schema.get("required", ()):
        if key not in value:
            yield f"{_join(path, key)} should not be empty"
    for key, item in value.items():
        if key in properties:
            yield from _messages(item, properties[key], _join(path, key))
    if "if" in schema:  # the E.164 rule, which only the branch taken says
        branch = schema["then"] if _matches(value, schema["if"]) else schema["else"]
        for key, rule in branch["properties"].items():
            if key in value:
                yield from _messages(value[key], rule, _join(path, key))


def _one_of(value: Any, members: list[dict[str, Any]], path: str) -> Iterator[str]:
    objects = [resolve(m) for m in members if "properties" in resolve(m)]
    if not isinstance(value, dict) or not objects:
        leaves = (resolve(m) for m in members if "properties" not in resolve(m))
        if any(_matches(value, leaf) for leaf in leaves):
            return  # a message given as text, say
        kinds = " or ".join(sorted({resolve(m).get("type", "object") for m in members}))
        yield f"{path or 'body'} must be of type {kinds}"
        return
    tag = next(name for name in ("provider", "type", "on") if name in objects[0]["properties"])
    tags = {schema["properties"][tag]["enum"][0]: schema for schema in objects}
    sent = value.get(tag)
    chosen = tags.get(sent) if isinstance(sent, str) else None
    if chosen is None:
        yield f"{_join(path, tag)} must be one of the following values: {', '.join(tags)}"
    else:
        yield from _messages(value, chosen, path)


def _leaf(error: Exception, path: str) -> str:
    rule = getattr(error, "rule", None)
    definition = getattr(error, "rule_definition", None)
    where = path or "body"
    if rule == "type":
        kind = definition[0] if isinstance(definition, list) else definition
        return f"{where} {_TYPES.get(str(kind), f'must be of type {kind}')}"
    if rule == "maxLength":
        return f"{where} must be shorter than or equal to {definition} characters"
    if rule == "minLength":
        return f"{where} must be longer than or equal to {definition} characters"
    if rule == "minimum":
        return f"{where} must not be less than {definition}"
    if rule == "maximum":
        return f"{where} must not be greater than {definition}"
    if rule == "enum":
        return (
            f"{where} must be one of the following values: {', '.join(map(str, definition or ()))}"
        )
    if rule == "pattern":
        return f"{where} {_PATTERNS.get(str(definition), f'must match {definition}')}"
    if rule == "format":
        return f"{where} must be a valid ISO 8601 date string"
    return f"{where} is invalid ({getattr(error, 'message', error)})"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
