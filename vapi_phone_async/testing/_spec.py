"""The vendored OpenAPI spec, as the fake validates requests against it.

`spec/vapi-phone-numbers-openapi.yml` is Vapi's published spec, unchanged. What the fake
validates with is that spec plus what the API is known to do beyond it, each item from a
named source, applied in memory by `validation_spec()`. What it adds to the spec:

- Vapi whitelists properties (NestJS `forbidNonWhitelisted`; Vapi's support threads
  quote `property customer should not exist`): an object schema with `properties` takes
  no others (`additionalProperties: false`);
- the E.164 rule its prose states: a BYO number, or a destination number, is E.164 unless
  `numberE164CheckEnabled` is false, then alphanumeric.

What it takes beyond the spec (each a documented behaviour of the live API):

- properties the API takes that the spec leaves out: `server.secret` (the documented
  examples), `serverUrl`/`serverUrlSecret` (the older docs, seed 004, and the Update
  Phone Number reference), a destination's `name` (the official SDK), and
  `PaginationMeta.nextCursor` (the official SDK);
- a top-level optional property of a create or update body may be `null`: NestJS's
  class-validator skips an `@IsOptional` property that is null, and in a PATCH a null
  clears the field (see `_operations`). Nowhere deeper: the spec has no `nullable`, and
  a stored `server: {"url": null}` would be answered in a shape the spec does not allow
  (`FakeVapiServer(nested_nulls=True)` takes them, see `_bodies.without_nested_nulls`).

What it corrects (the generator's slips, where the spec contradicts itself or every
example and SDK): `type: object` on enums of strings (`BackoffPlan.type`,
`TransferPlan.sipVerb`: no value is both), objects as the items of
`excludedStatusCodes` (its example and every SDK send numbers), an array-level `enum`
on a hook filter's `oneOf` (an array cannot equal one of those strings), and update
bodies without the `provider` their union's discriminator names (the newer docs give
each update body its `provider`).
`slip_fixed_spec()` is the published spec with these corrections only, nothing added:
`nox -s schemathesis` checks answers with it.

The validator is fastjsonschema: each schema compiles to Python code once per process, so
checking a valid body costs microseconds and the benchmarks still measure the client.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from importlib import resources
from typing import Any

__all__ = [
    "ALPHANUMERIC",
    "E164",
    "Validator",
    "body_schema",
    "components",
    "published_spec",
    "query_parameters",
    "resolve",
    "slip_fixed_spec",
    "validation_spec",
    "validator",
    "whitelisted",
]

Validator = Callable[[Any], Any]
"""A compiled schema: returns the value, or raises fastjsonschema's JsonSchemaValueException."""

SPEC_FILE = "vapi-phone-numbers-openapi.yml"
E164 = r"^\+[1-9]\d{1,14}$"
ALPHANUMERIC = r"^\+?[a-zA-Z0-9]+$"
_STRING = {"type": "string"}
_NULL = {"type": "null"}
_ADDED: dict[str, dict[str, Any]] = {
    "Server": {"secret": _STRING},
    "PaginationMeta": {"nextCursor": _STRING},
    "TransferDestinationNumber": {"name": _STRING},
    "TransferDestinationSip": {"name": _STRING},
    **{
        f"{kind}{provider}PhoneNumber{suffix}": {"serverUrl": _STRING, "serverUrlSecret": _STRING}
        for provider in ("Byo", "Twilio", "Vonage", "Vapi", "Telnyx")
        for kind, suffix in (("Create", "DTO"), ("Update", "DTO"), ("", ""))
    },
}
_TAGS = {
    "Byo": "byo-phone-number",
    "Twilio": "twilio",
    "Vonage": "vonage",
    "Vapi": "vapi",
    "Telnyx": "telnyx",
}


def _imports() -> tuple[Any, Any]:
    try:
        import fastjsonschema
        import yaml
    except ImportError as exc:  # pragma: no cover - the extra is part of cli and test
        raise ImportError(
            "FakeVapiServer validates requests against the OpenAPI spec with fastjsonschema "
            "and pyyaml: pip install 'vapi-phone-async[testing]'"
        ) from exc
    return fastjsonschema, yaml


@functools.cache
def published_spec() -> dict[str, Any]:
    """The vendored spec as published (parsed once per process)."""
    _, yaml = _imports()
    text = resources.files(__package__).joinpath("spec").joinpath(SPEC_FILE).read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec: dict[str, Any] = yaml.load(text, Loader=loader)
    return spec


@functools.cache
def slip_fixed_spec() -> dict[str, Any]:
    """The published spec with the generator's slips corrected, and nothing else."""
    spec = copy.deepcopy(published_spec())
    schemas: dict[str, Any] = spec["components"]["schemas"]
    schemas["BackoffPlan"]["properties"]["excludedStatusCodes"]["items"] = {"type": "number"}
    schemas["PhoneNumberCallEndingHookFilter"]["properties"]["oneOf"].pop("enum")
    for schema in schemas.values():
        for prop in schema.get("properties", {}).values():
            if prop.get("type") == "object" and all(
                isinstance(v, str) for v in prop.get("enum", [1])
            ):
                del prop["type"]
    for provider, tag in _TAGS.items():
        schemas[f"Update{provider}PhoneNumberDTO"]["properties"]["provider"] = {
            "type": "string",
            "enum": [tag],
        }
    return spec


def whitelisted(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of `spec` whose object schemas take only the properties they list, as
    Vapi's whitelisting refuses any other."""
    spec = copy.deepcopy(spec)
    for schema in spec["components"]["schemas"].values():
        if "properties" in schema:
            schema["additionalProperties"] = False
    return spec


@functools.cache
def validation_spec() -> dict[str, Any]:
    """The spec with the additions and fixes above: what requests are checked against."""
    spec = whitelisted(slip_fixed_spec())
    schemas: dict[str, Any] = spec["components"]["schemas"]
    for name, added in _ADDED.items():
        schemas[name]["properties"].update(copy.deepcopy(added))
    # Null where class-validator's @IsOptional lets it through and the spec's shape still
    # holds: a top-level optional property of a body (which a PATCH clears).
    for provider in _TAGS:
        for kind in ("Create", "Update"):
            schema = schemas[f"{kind}{provider}PhoneNumberDTO"]
            required = set(schema.get("required", ()))
            for key, prop in schema["properties"].items():
                if key not in required:
                    schema["properties"][key] = {"anyOf": [_NULL, prop]}
    # The E.164 rule, default on (create, destination) or unknown (an update may leave the
    # stored flag as it is: only the looser rule applies then, as in the client).
    for name, default_on in (
        ("CreateByoPhoneNumberDTO", True),
        ("TransferDestinationNumber", True),
        ("UpdateByoPhoneNumberDTO", False),
    ):
        schemas[name].update(_e164_rule(default_on))
    return spec


def _e164_rule(default_on: bool) -> dict[str, Any]:
    flag = {"const": not default_on}
    e164 = {"properties": {"number": {"pattern": E164}}}
    alphanumeric = {"properties": {"number": {"pattern": ALPHANUMERIC}}}
    return {
        "if": {
            "properties": {"numberE164CheckEnabled": flag},
            "required": ["numberE164CheckEnabled"],
        },
        "then": e164 if not default_on else alphanumeric,
        "else": alphanumeric if not default_on else e164,
    }


def components() -> dict[str, Any]:
    """The validation spec's schemas by name."""
    schemas: dict[str, Any] = validation_spec()["components"]["schemas"]
    return schemas


def body_schema(operation: str, provider: str) -> str:
    """The schema name of a create or update body for `provider` (a wire tag)."""
    by_tag = {tag: name for name, tag in _TAGS.items()}
    return f"{operation.capitalize()}{by_tag[provider]}PhoneNumberDTO"


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """A `$ref`, an `allOf` of one, or an optional property's `anyOf` with null, as the
    schema it stands for (others unchanged)."""
    while True:
        if "$ref" in schema:
            schema = components()[schema["$ref"].rsplit("/", 1)[1]]
        elif len(schema.get("allOf", ())) == 1:
            schema = schema["allOf"][0]
        elif schema.get("anyOf", [None])[0] == _NULL:
            schema = schema["anyOf"][1]
        else:
            return schema


@functools.cache
def _compiled(key: str) -> Validator:
    fastjsonschema, _ = _imports()
    schema = json.loads(key)
    if '"$ref"' in key:
        # Only a fragment that refers to others carries them: compiling with the spec's
        # schemas beside it costs a tenth of a second even for `{"type": "string"}`.
        schema["components"] = {"schemas": components()}
    # use_default=False: a validator that filled in the spec's defaults would change the
    # body it checks, and the fake would store values nobody sent.
    validate: Validator = fastjsonschema.compile(schema, use_default=False, use_formats=True)
    return validate


def validator(schema: dict[str, Any]) -> Validator:
    """The compiled validator of `schema` (a fragment of the validation spec)."""
    return _compiled(json.dumps(schema, sort_keys=True))


def query_parameters(path: str) -> dict[str, dict[str, Any]]:
    """The query parameters of `GET path`, by name, with their schemas."""
    operation = validation_spec()["paths"][path]["get"]
    return {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}
