"""Every constraint of the spec's request schemas is enforced by `_validate`: one test per
constraint, generated from the vendored spec, each with a value just inside the bound
(no error) and one just outside (an error naming the field's wire path)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from vapi_phone_async._validate import body_errors
from vapi_phone_async.models import CREATE_BODIES, UPDATE_BODIES, CreateVapiPhoneNumber
from vapi_phone_async.testing._spec import published_spec

SCHEMAS: dict[str, dict[str, Any]] = published_spec()["components"]["schemas"]
E164 = "+14155550100"
TAGS = ("provider", "type", "on")
# Their one-valued `type` is a field with a default, not a union's tag: it is checked.
UNTAGGED = {"PhoneNumberCallRingingHookFilter", "PhoneNumberCallEndingHookFilter"}


def minimal(schema_name: str) -> dict[str, Any]:
    """The smallest valid instance of a schema: its required properties only."""
    schema = SCHEMAS[schema_name]
    return {name: value_of(schema["properties"][name], name) for name in schema.get("required", ())}


def value_of(prop: dict[str, Any], name: str) -> Any:
    if "$ref" in prop:
        return minimal(prop["$ref"].rsplit("/", 1)[1])
    if "allOf" in prop:
        return value_of(prop["allOf"][0], name)
    if "oneOf" in prop:
        return value_of(prop["oneOf"][0], name)
    if prop.get("type") == "array":
        return []
    if "enum" in prop:
        return prop["enum"][0]
    kind = prop.get("type")
    if kind == "string":
        return E164 if name == "number" else "x" * max(prop.get("minLength", 1), 1)
    if kind == "number":
        return prop.get("minimum", 1)
    return {"boolean": True, "array": [], "object": {}}[kind]


def vapi(**fields: Any) -> dict[str, Any]:
    return {"provider": "vapi", **fields}


def number(**fields: Any) -> dict[str, Any]:
    # The E.164 check off: the length rules are tested apart from it.
    return {"type": "number", "number": E164, "numberE164CheckEnabled": False, **fields}


def plan(**fields: Any) -> dict[str, Any]:
    return {"mode": "blind-transfer", **fields}


def ringing(**fields: Any) -> dict[str, Any]:
    return vapi(hooks=[{"on": "call.ringing", "do": [], **fields}])


def ending(**fields: Any) -> dict[str, Any]:
    return vapi(hooks=[{"on": "call.ending", **fields}])


# Where each nested schema sits in a create body, and the wire path of that place.
CARRIERS: dict[str, tuple[Callable[[dict[str, Any]], dict[str, Any]], str]] = {
    "Server": (lambda x: vapi(server=x), "server"),
    "BackoffPlan": (lambda x: vapi(server={"backoffPlan": x}), "server.backoffPlan"),
    "SipAuthentication": (lambda x: vapi(authentication=x), "authentication"),
    "TransferDestinationNumber": (
        lambda x: vapi(fallbackDestination={**x, "numberE164CheckEnabled": False}),
        "fallbackDestination",
    ),
    "TransferDestinationSip": (lambda x: vapi(fallbackDestination=x), "fallbackDestination"),
    "TransferPlan": (
        lambda x: vapi(fallbackDestination=number(transferPlan=x)),
        "fallbackDestination.transferPlan",
    ),
    "SummaryPlan": (
        lambda x: vapi(fallbackDestination=number(transferPlan=plan(summaryPlan=x))),
        "fallbackDestination.transferPlan.summaryPlan",
    ),
    "TransferFallbackPlan": (
        lambda x: vapi(fallbackDestination=number(transferPlan=plan(fallbackPlan=x))),
        "fallbackDestination.transferPlan.fallbackPlan",
    ),
    "ContextEngineeringPlanLastNMessages": (
        lambda x: vapi(fallbackDestination=number(transferPlan=plan(contextEngineeringPlan=x))),
        "fallbackDestination.transferPlan.contextEngineeringPlan",
    ),
    "CustomMessage": (
        lambda x: vapi(fallbackDestination=number(message=x)),
        "fallbackDestination.message",
    ),
    "TextContent": (
        lambda x: vapi(
            fallbackDestination=number(message={"type": "custom-message", "contents": [x]})
        ),
        "fallbackDestination.message.contents[0]",
    ),
    "PhoneNumberHookCallRinging": (lambda x: vapi(hooks=[x]), "hooks[0]"),
    "PhoneNumberHookCallEnding": (lambda x: vapi(hooks=[x]), "hooks[0]"),
    "SayPhoneNumberHookAction": (lambda x: ringing(do=[x]), "hooks[0].do[0]"),
    "TransferPhoneNumberHookAction": (lambda x: ringing(do=[x]), "hooks[0].do[0]"),
    "PhoneNumberCallRingingHookFilter": (lambda x: ringing(filters=[x]), "hooks[0].filters[0]"),
    "PhoneNumberCallEndingHookFilter": (lambda x: ending(filters=[x]), "hooks[0].filters[0]"),
}


def body_of(schema_name: str, instance: dict[str, Any]) -> Any:
    """`instance` of `schema_name` inside a body of the right class."""
    if schema_name.endswith("DTO"):
        tag = SCHEMAS[schema_name.replace("Update", "Create")]["properties"]["provider"]["enum"][0]
        bodies = CREATE_BODIES if schema_name.startswith("Create") else UPDATE_BODIES
        return msgspec.convert({**instance, "provider": tag}, bodies[tag])
    carry, _ = CARRIERS[schema_name]
    return msgspec.convert(carry(instance), CreateVapiPhoneNumber)


def constraints() -> list[Any]:
    """(schema, property, the bad value, the good value, the error path) per constraint."""
    found = []
    for schema_name, schema in sorted(SCHEMAS.items()):
        if schema_name not in CARRIERS and not schema_name.endswith("DTO"):
            continue  # read, never sent: decoding checks no rule
        where = "" if schema_name.endswith("DTO") else CARRIERS[schema_name][1]
        for name, prop in schema.get("properties", {}).items():
            path = f"{where}.{name}" if where else name
            tagged = name in TAGS and schema_name not in UNTAGGED
            cases = [] if tagged and len(prop.get("enum", ())) == 1 else rules(prop)
            for rule, bad, good, suffix in cases:
                found.append(
                    pytest.param(
                        schema_name,
                        name,
                        bad,
                        good,
                        path + suffix,
                        id=f"{schema_name}.{name} {rule}",
                    )
                )
    return found


def rules(prop: dict[str, Any]) -> list[tuple[str, Any, Any, str]]:
    """The rules of one property, as (name, a value breaking it, one keeping it, path suffix).

    A union's tag (`provider`, `type`, `on`) has none here: the class sets it.
    """
    found: list[tuple[str, Any, Any, str]] = []
    if "enum" in prop and prop.get("type") != "array":  # an array's enum: a generator slip
        found.append(("enum", "not-a-value", Every(prop["enum"]), ""))
    elif "enum" not in prop:
        if "maxLength" in prop and prop.get("type") == "string":
            top = prop["maxLength"]
            found.append((f"maxLength {top}", "x" * (top + 1), "x" * top, ""))
        if prop.get("minLength", 0) > 0:
            low = prop["minLength"]
            found.append((f"minLength {low}", "x" * (low - 1), "x" * low, ""))
        if "minimum" in prop:
            found.append((f"minimum {prop['minimum']}", prop["minimum"] - 1, prop["minimum"], ""))
        if "maximum" in prop:
            found.append((f"maximum {prop['maximum']}", prop["maximum"] + 1, prop["maximum"], ""))
    items = prop.get("items", {})
    if "maxLength" in items:
        top = items["maxLength"]
        found.append((f"items maxLength {top}", ["x" * (top + 1)], ["x" * top], "[0]"))
    if "enum" in items:
        found.append(("items enum", ["not-a-value"], Every([[v] for v in items["enum"]]), "[0]"))
    return found


class Every(list[Any]):
    """Good values that must each pass: the whole set of an enum."""


CONSTRAINTS = constraints()


def test_every_constrained_request_schema_has_a_place_in_a_body() -> None:
    constrained = {p.values[0] for p in CONSTRAINTS}
    assert {name for name in constrained if not name.endswith("DTO")} <= CARRIERS.keys()
    assert len(CONSTRAINTS) > 40  # a guard against generating nothing


@pytest.mark.parametrize(("schema_name", "name", "bad", "good", "path"), CONSTRAINTS)
def test_validate_enforces_each_constraint_of_the_spec(
    schema_name: str, name: str, bad: Any, good: Any, path: str
) -> None:
    base = minimal(schema_name)
    if "numberE164CheckEnabled" in SCHEMAS[schema_name].get("properties", {}):
        base["numberE164CheckEnabled"] = False  # lengths apart from the E.164 rule
    for value in good if isinstance(good, Every) else [good]:
        assert body_errors(body_of(schema_name, {**base, name: value})) == [], value
    errors = body_errors(body_of(schema_name, {**base, name: bad}))
    assert path in [error.path for error in errors], errors
