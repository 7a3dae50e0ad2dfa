"""Every schema of the published OpenAPI spec has a Struct that speaks its wire names.

The spec is read from `VAPI_OPENAPI_SPEC`, by default `../shared/spec/...` beside the repo;
a relative path is taken from the repo root (not the working directory). The module is
skipped when the file is absent.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import msgspec
import pytest

import vapi_phone_async.models as models

yaml = pytest.importorskip("yaml", reason="pyyaml (the `test` dependency group) reads the spec")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = "../shared/spec/vapi-phone-numbers-openapi.yml"
SPEC_PATH = REPO_ROOT / os.environ.get("VAPI_OPENAPI_SPEC", DEFAULT_SPEC)

if not SPEC_PATH.is_file():
    pytest.skip(
        f"OpenAPI spec not found at {SPEC_PATH} (set VAPI_OPENAPI_SPEC to its path)",
        allow_module_level=True,
    )

SCHEMAS: dict[str, dict[str, Any]] = yaml.safe_load(SPEC_PATH.read_text("utf-8"))["components"][
    "schemas"
]

PROVIDERS = ("Byo", "Twilio", "Vonage", "Vapi", "Telnyx")
# Where our name is not the spec's name minus `DTO`.
RENAMED = {"PhoneNumberPaginatedResponse": "PhoneNumberPage"}
# Fields we send or accept beyond this spec, each from a newer or older published source.
EXTRA_WIRE_NAMES = {
    "PaginationMeta": {"nextCursor"},  # the official SDK's newer PaginationMeta
    "Server": {"secret"},  # the documented examples' server.secret
    # The newer docs send the provider tag in PATCH bodies too.
    **{f"Update{p}PhoneNumber": {"provider"} for p in PROVIDERS},
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


REQUEST_SCHEMAS = sorted(name for name in SCHEMAS if model_name(name) not in RESOURCES)


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
