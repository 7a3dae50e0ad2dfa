"""Every schema of the published OpenAPI spec has a Struct that speaks its wire names,
with the spec's types, union members and defaults; every constraint of a request schema
is enforced by `_validate` (a test per constraint, generated from the spec); and the
client speaks each operation's query parameters and success status.

The spec is the one vendored in the package (`vapi_phone_async/testing/spec/`), so this
runs everywhere. Where it checks types and constraints it reads the spec as published,
with the generator's slips named in `vapi_phone_async.testing._spec` corrected.
"""

from __future__ import annotations

import types
from datetime import datetime
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec
import pytest

import vapi_phone_async.models as models
from vapi_phone_async import VapiPhoneClient
from vapi_phone_async._query import (
    DATE_FILTERS,
    LIMIT_MAX,
    SEARCH_MAX,
    SORT_BY,
    SORT_ORDERS,
    validate_list_query,
)
from vapi_phone_async.errors import RequestValidationError
from vapi_phone_async.testing import FakeVapiServer
from vapi_phone_async.testing._spec import published_spec

SPEC: dict[str, Any] = published_spec()
SCHEMAS: dict[str, dict[str, Any]] = SPEC["components"]["schemas"]

PROVIDERS = ("Byo", "Twilio", "Vonage", "Vapi", "Telnyx")
# Where our name is not the spec's name minus `DTO`.
RENAMED = {"PhoneNumberPaginatedResponse": "PhoneNumberPage"}
# Fields we send or accept beyond this spec, each from a newer or older published source.
SERVER_URL = {"serverUrl", "serverUrlSecret"}  # the older docs (seed 004), still taken
EXTRA_WIRE_NAMES = {
    "PaginationMeta": {"nextCursor"},  # the official SDK's newer PaginationMeta
    "Server": {"secret"},  # the documented examples' server.secret
    # The newer docs send the provider tag in PATCH bodies too.
    **{f"Update{p}PhoneNumber": {"provider"} | SERVER_URL for p in PROVIDERS},
    **{f"Create{p}PhoneNumber": SERVER_URL for p in PROVIDERS},
    **{f"{p}PhoneNumber": SERVER_URL for p in PROVIDERS},
    # The official SDK (vapi-server-sdk 3.0.0) sends a display name with a destination.
    "TransferDestinationNumber": {"name"},
    "TransferDestinationSip": {"name"},
}
# Response resources require only `id` and the tag: real responses lack spec-required fields.
RESOURCES = {f"{p}PhoneNumber" for p in PROVIDERS}


def model_name(schema_name: str) -> str:
    return RENAMED.get(schema_name, schema_name.removesuffix("DTO"))


def struct_for(schema_name: str) -> type[msgspec.Struct]:
    name = model_name(schema_name)
    cls = getattr(models, name, None)
    assert isinstance(cls, type), f"no model {name} for spec schema {schema_name}"
    assert issubclass(cls, msgspec.Struct)
    return cls


def wire_names(cls: type[msgspec.Struct]) -> set[str]:
    """The JSON keys a Struct reads and writes, its tag field included."""
    names = {field.encode_name for field in msgspec.structs.fields(cls)}
    tag_field = cls.__struct_config__.tag_field
    if tag_field is not None:
        names.add(tag_field)
    return names


def test_the_spec_has_the_schemas_this_test_expects() -> None:
    """A guard against reading the wrong file: the phone number schemas are all there."""
    assert {"ByoPhoneNumber", "CreateTwilioPhoneNumberDTO", "PhoneNumberPaginatedResponse"} <= (
        SCHEMAS.keys()
    )


@pytest.mark.parametrize("schema_name", sorted(SCHEMAS))
def test_every_spec_property_has_a_field_with_its_wire_name(schema_name: str) -> None:
    cls = struct_for(schema_name)
    properties = set(SCHEMAS[schema_name].get("properties", {}))
    missing = properties - wire_names(cls)
    assert not missing, f"{cls.__name__} has no field for {sorted(missing)}"


@pytest.mark.parametrize("schema_name", sorted(SCHEMAS))
def test_no_field_beyond_the_spec_except_the_known_additions(schema_name: str) -> None:
    """A misspelt attribute shows up here as a wire name the spec does not have."""
    cls = struct_for(schema_name)
    properties = set(SCHEMAS[schema_name].get("properties", {}))
    extra = wire_names(cls) - properties
    assert extra == EXTRA_WIRE_NAMES.get(cls.__name__, set())


def spec_tag(schema_name: str) -> tuple[str, str] | None:
    """The (`provider` | `type` | `on`, value) pair a schema fixes to one value, if any."""
    properties = SCHEMAS[schema_name].get("properties", {})
    for name in ("provider", "type", "on"):
        enum = properties.get(name, {}).get("enum", [])
        if len(enum) == 1:
            return name, enum[0]
    return None


# Hook filters are no union's members: their one-valued `type` is a field with a default.
UNTAGGED_DISCRIMINATORS = {"PhoneNumberCallEndingHookFilter", "PhoneNumberCallRingingHookFilter"}


@pytest.mark.parametrize("schema_name", sorted(n for n in SCHEMAS if spec_tag(n) is not None))
def test_a_one_valued_provider_type_or_on_is_the_struct_tag(schema_name: str) -> None:
    """Union members carry their discriminator as a msgspec tag, with the spec's value."""
    cls = struct_for(schema_name)
    config = cls.__struct_config__
    if cls.__name__ in UNTAGGED_DISCRIMINATORS:
        fields = {field.encode_name: field for field in msgspec.structs.fields(cls)}
        name, value = spec_tag(schema_name) or ("", "")
        assert fields[name].default == value
        assert not config.omit_defaults
    else:
        assert (config.tag_field, config.tag) == spec_tag(schema_name)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_update_bodies_are_tagged_by_provider_like_the_create_bodies(provider: str) -> None:
    """The spec's PATCH bodies have no `provider`; the newer docs send it, and so do we."""
    cls = getattr(models, f"Update{provider}PhoneNumber")
    create = getattr(models, f"Create{provider}PhoneNumber")
    assert cls.__struct_config__.tag_field == "provider"
    assert cls.__struct_config__.tag == create.__struct_config__.tag


# PaginationMeta is read, never sent: its counts are optional so that a page whose
# metadata is unusable still decodes (and walks by the short-page rule).
REQUEST_SCHEMAS = sorted(
    name for name in SCHEMAS if model_name(name) not in RESOURCES | {"PaginationMeta"}
)


@pytest.mark.parametrize("schema_name", REQUEST_SCHEMAS)
def test_spec_required_properties_are_required_or_always_sent(schema_name: str) -> None:
    """Create bodies and what they nest require what the spec requires.

    A required property may instead have a default that is always encoded (the hook
    filters' `type` and `key`), or be the Struct's tag, which msgspec always writes.
    """
    cls = struct_for(schema_name)
    config = cls.__struct_config__
    required = set(SCHEMAS[schema_name].get("required", ())) - {config.tag_field}
    fields = {field.encode_name: field for field in msgspec.structs.fields(cls)}
    for name in sorted(required):
        field = fields[name]
        always_sent = not config.omit_defaults
        assert field.required or always_sent, f"{cls.__name__}.{field.name} must be required"


@pytest.mark.parametrize("schema_name", sorted(n for n in SCHEMAS if n.startswith("Create")))
def test_create_bodies_require_exactly_what_the_spec_requires(schema_name: str) -> None:
    cls = struct_for(schema_name)
    spec_required = set(SCHEMAS[schema_name]["required"]) - {"provider"}
    struct_required = {f.encode_name for f in msgspec.structs.fields(cls) if f.required}
    assert struct_required == spec_required


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_resources_require_only_their_id(name: str) -> None:
    """Decoding a response never fails for a field the spec requires but a server left out."""
    cls = getattr(models, name)
    assert [f.encode_name for f in msgspec.structs.fields(cls) if f.required] == ["id"]


# Types: each property's field holds what the spec says it holds.


EXCLUDED_STATUS_CODES = SCHEMAS["BackoffPlan"]["properties"]["excludedStatusCodes"]


def spec_kinds(prop: dict[str, Any]) -> set[str]:
    """What a spec property holds: `str`, `number`, `bool`, `datetime`, `list[...]`,
    `dict`, or the names of the models it refers to."""
    if "$ref" in prop:
        return {model_name(prop["$ref"].rsplit("/", 1)[1])}
    if len(prop.get("allOf", ())) == 1:
        return spec_kinds(prop["allOf"][0])
    if "oneOf" in prop:
        return set().union(*(spec_kinds(member) for member in prop["oneOf"]))
    kind = prop.get("type")
    if kind == "object" and "enum" in prop:  # a generator slip: an enum of strings
        return {"str"}
    if kind == "string":
        return {"datetime" if prop.get("format") == "date-time" else "str"}
    if kind == "array":
        items = prop.get("items", {})
        if items.get("type") == "object" and not items.get("properties"):
            # excludedStatusCodes' items are numbers (its example); messages are objects.
            return (
                {"list[number]"} if "enum" not in items and prop.get("example") else {"list[dict]"}
            )
        return {f"list[{kind}]" for kind in spec_kinds(items)}
    return {"number": {"number"}, "boolean": {"bool"}, "object": {"dict"}}[kind]


def field_kinds(tp: Any) -> set[str]:
    """The same kinds for a field's annotation (None, UNSET and the lenient marker aside)."""
    origin = get_origin(tp)
    if origin is Annotated:
        return field_kinds(get_args(tp)[0])
    if origin is Union or origin is types.UnionType:
        return set().union(*(field_kinds(member) for member in get_args(tp)))
    if origin is list:
        return {f"list[{kind}]" for kind in field_kinds(get_args(tp)[0])}
    if origin is dict:
        return {"dict"}
    if tp in (type(None), msgspec.UnsetType):
        return set()
    if tp in (int, float):
        return {"number"}
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return {tp.__name__}
    return {{str: "str", bool: "bool", datetime: "datetime"}[tp]}


def properties_with_fields() -> list[Any]:
    params = []
    for schema_name in sorted(SCHEMAS):
        fields = {f.encode_name: f for f in msgspec.structs.fields(struct_for(schema_name))}
        for name in SCHEMAS[schema_name].get("properties", {}):
            if name in fields:
                params.append(pytest.param(schema_name, name, id=f"{schema_name}.{name}"))
    return params


@pytest.mark.parametrize(("schema_name", "name"), properties_with_fields())
def test_every_field_has_the_spec_type_of_its_property(schema_name: str, name: str) -> None:
    """Union members included: a `oneOf` of models is a union of exactly those classes."""
    field = {f.encode_name: f for f in msgspec.structs.fields(struct_for(schema_name))}[name]
    assert field_kinds(field.type) == spec_kinds(SCHEMAS[schema_name]["properties"][name])


# Enums the models type as `str` (so that a value added later still decodes), each with a
# Literal alias beside it; that `_validate` enforces them is test_validate_spec.py's part.
RESPONSE_ENUMS = {
    ("ByoPhoneNumber", "status"): models.PhoneNumberStatus,
    ("PaginationMeta", "sortOrder"): Literal["ASC", "DESC"],
    ("TransferPlan", "mode"): models.TransferMode,
    ("TransferPlan", "sipVerb"): models.SipVerb,
    ("BackoffPlan", "type"): models.BackoffType,
    ("PhoneNumberCallEndingHookFilter", "oneOf"): models.CallEndedReason,
}


@pytest.mark.parametrize(("where", "alias"), RESPONSE_ENUMS.items(), ids=lambda v: str(v))
def test_the_enum_literals_have_the_spec_values(where: tuple[str, str], alias: Any) -> None:
    prop = SCHEMAS[where[0]]["properties"][where[1]]
    values = prop.get("items", prop).get("enum", prop.get("enum"))
    assert set(get_args(alias)) == set(values)


def test_the_providers_are_the_create_bodies_tags() -> None:
    tags = {
        SCHEMAS[f"Create{p}PhoneNumberDTO"]["properties"]["provider"]["enum"][0] for p in PROVIDERS
    }
    assert set(models.PROVIDERS) == set(get_args(models.Provider)) == tags


# Defaults: a property the server defaults is optional in every request model, and left
# for the server to apply (None or UNSET) unless the model writes the same value.


def defaulted() -> list[Any]:
    return [
        pytest.param(schema_name, name, id=f"{schema_name}.{name}")
        for schema_name in REQUEST_SCHEMAS
        for name, prop in SCHEMAS[schema_name].get("properties", {}).items()
        if "default" in prop
    ]


@pytest.mark.parametrize(("schema_name", "name"), defaulted())
def test_a_property_with_a_spec_default_is_optional_and_left_to_the_server(
    schema_name: str, name: str
) -> None:
    field = {f.encode_name: f for f in msgspec.structs.fields(struct_for(schema_name))}[name]
    default = SCHEMAS[schema_name]["properties"][name]["default"]
    assert not field.required
    assert field.default in (None, msgspec.UNSET, default)


# Operations: the query parameters the client sends, and the status each answers with.

OPERATIONS = {
    ("post", "/phone-number"): "201",
    ("get", "/phone-number"): "200",
    ("get", "/v2/phone-number"): "200",
    ("get", "/phone-number/{id}"): "200",
    ("patch", "/phone-number/{id}"): "200",
    ("delete", "/phone-number/{id}"): "200",
}


def test_the_spec_has_these_six_operations_and_success_statuses() -> None:
    spec_operations = {
        (method, path): next(iter(operation["responses"]))
        for path, methods in SPEC["paths"].items()
        for method, operation in methods.items()
    }
    assert spec_operations == OPERATIONS


def query(path: str) -> dict[str, dict[str, Any]]:
    parameters = SPEC["paths"][path]["get"]["parameters"]
    return {p["name"]: p["schema"] for p in parameters if p["in"] == "query"}


def test_the_client_speaks_each_listing_query_parameter() -> None:
    dates = set(DATE_FILTERS.values())
    assert set(query("/phone-number")) == {"limit", *dates}
    v2 = query("/v2/phone-number")
    assert set(v2) == {"limit", "search", "page", "sortOrder", "sortBy", *dates}
    assert set(v2["sortOrder"]["enum"]) == SORT_ORDERS
    assert set(v2["sortBy"]["enum"]) == SORT_BY
    assert v2["search"]["maxLength"] == SEARCH_MAX
    for schema in (query("/phone-number")["limit"], v2["limit"]):
        assert (schema["minimum"], schema["maximum"]) == (0, LIMIT_MAX)
    assert v2["page"]["minimum"] == 1


@pytest.mark.parametrize(
    "arguments",
    [
        {"limit": LIMIT_MAX + 1},
        {"limit": -1},
        {"page": 0},
        {"search": "x" * (SEARCH_MAX + 1)},
        {"sort_order": "asc"},
        {"sort_by": "name"},
    ],
    ids=str,
)
def test_the_client_refuses_query_values_the_spec_does_not_take(arguments: dict[str, Any]) -> None:
    with pytest.raises(RequestValidationError):
        validate_list_query(**arguments)


async def test_each_operation_answers_with_its_spec_status(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    number = await vapi_client.create(
        models.CreateTwilioPhoneNumber(number="+14155550100", twilio_account_sid="AC1")
    )
    await vapi_client.list_recent()
    await vapi_client.paginate().collect()
    await vapi_client.get(number.id)
    await vapi_client.update(number.id, models.UpdateTwilioPhoneNumber(name="n"))
    await vapi_client.delete(number.id)
    answered = [(r.method.lower(), r.path, str(r.status)) for r in fake_vapi.request_log]
    expected = [(m, p.replace("{id}", number.id), s) for (m, p), s in OPERATIONS.items()]
    assert answered == expected
