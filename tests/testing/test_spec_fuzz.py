"""Schemathesis against the fake, by Vapi's published spec: requests generated from it,
valid and invalid, meet no server error; valid ones are accepted, invalid ones refused,
and every answer fits the spec's schema.

The requests come from the published spec with its objects closed to properties it does
not list (`_spec.whitelisted`), as Vapi's whitelisting closes them: a valid request then
carries only what Vapi takes, and an invalid one may carry what it refuses. Where the
fake rightly parts from the published spec otherwise, the checks below expect it, each
case named here and in docs/testing.md ("Checked by the published spec"):

- the spec lists only success statuses, so whether an error status is documented is not
  checked (`status_code_conformance` is left out);
- the spec contradicts itself in a few schemas (`_spec.slip_fixed_spec` names them): an
  answer that breaks the published schema must fit it once those slips are fixed, and an
  invalid body the fake takes must be valid once they are fixed;
- a valid request may be refused only for the E.164 rule, which the spec states in the
  prose of `numberE164CheckEnabled`, not in its schema;
- an invalid body may be taken only for a null at its top level, where class-validator
  takes one and a PATCH clears the field, or for fitting the one update body that the
  union's discriminator picks (the five overlap: `{"name": "x"}` fits them all, which
  `oneOf` calls invalid).

A request to `/phone-number/{id}` whose id is not what it tests goes to a stored number
(of a provider that takes its body): a random id only ever finds a 404.

Run by `nox -s schemathesis`, which installs schemathesis and sets VAPI_SCHEMATHESIS;
skipped in the plain suite. VAPI_SCHEMATHESIS_EXAMPLES bounds the examples per operation;
VAPI_SCHEMATHESIS_COVERAGE=1 adds the coverage phase.
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any

import pytest

if not os.environ.get("VAPI_SCHEMATHESIS"):
    pytest.skip("run by `nox -s schemathesis`", allow_module_level=True)

schemathesis = pytest.importorskip("schemathesis")
import jsonschema_rs  # noqa: E402
import requests  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.config import SchemathesisConfig  # noqa: E402
from schemathesis.core import NotSet  # noqa: E402
from schemathesis.core.failures import Failure  # noqa: E402
from schemathesis.core.parameters import ParameterLocation  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
)

from vapi_phone_async.testing import TEST_API_KEY  # noqa: E402
from vapi_phone_async.testing._spec import (  # noqa: E402
    published_spec,
    slip_fixed_spec,
    whitelisted,
)

EXAMPLES = int(os.environ.get("VAPI_SCHEMATHESIS_EXAMPLES", "100"))
COVERAGE = bool(os.environ.get("VAPI_SCHEMATHESIS_COVERAGE"))
CONFIG = SchemathesisConfig.from_dict(
    {
        # Examples from the spec, then fuzzing, both modes, bounded by EXAMPLES. The
        # coverage phase (each keyword of each schema broken in turn: tens of thousands of
        # requests, about ten minutes) runs with VAPI_SCHEMATHESIS_COVERAGE=1.
        # The key is the fixture's, sent with every request: the generated Authorization
        # header (and its invalid variants, which the key would override) is left out.
        "generation": {"mode": "all", "with-security-parameters": False},
        "phases": {"coverage": {"enabled": COVERAGE}, "stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_dict(whitelisted(published_spec()), config=CONFIG)

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
E164_RULE = re.compile(r"number must (be a valid E\.164|contain only letters and digits)")
_SPECS = {
    "published": published_spec,
    "slip-fixed": slip_fixed_spec,
    "whitelisted": lambda: whitelisted(slip_fixed_spec()),
}
_JSON = ("content", "application/json", "schema")
_UPDATE_BODIES = {
    "byo-phone-number": "UpdateByoPhoneNumberDTO",
    "twilio": "UpdateTwilioPhoneNumberDTO",
    "vonage": "UpdateVonagePhoneNumberDTO",
    "vapi": "UpdateVapiPhoneNumberDTO",
    "telnyx": "UpdateTelnyxPhoneNumberDTO",
}
# The provider of each stored number a request was pointed at, by id.
STORED: dict[str, str] = {}


@functools.cache
def _validator(which: str, *keys: str) -> jsonschema_rs.Validator | None:
    """A validator of the schema at `keys` in the spec `which` (`_SPECS`), its references
    resolved in that spec; None where there is none."""
    spec = _SPECS[which]()
    node: Any = spec
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    if node is None:
        return None
    return jsonschema_rs.Draft4Validator({"allOf": [node], "components": spec["components"]})


def _in_operation(case: Any, *where: str) -> tuple[str, ...]:
    return ("paths", case.path, case.method.lower(), *where, *_JSON)


def _update_body(provider: str) -> tuple[str, ...]:
    return ("components", "schemas", _UPDATE_BODIES[provider])


def _negative(case: Any) -> set[ParameterLocation]:
    return {where for where, part in case.meta.components.items() if part.mode.is_negative}


def _point_at_a_stored_number(case: Any, base_url: str) -> None:
    """Give a request whose `{id}` is not what it tests the id of a stored number (one
    whose provider takes the body, for a valid update): a random id only finds a 404."""
    if "id" not in (case.path_parameters or {}) or ParameterLocation.PATH in _negative(case):
        return
    listed = requests.get(f"{base_url}/phone-number", params={"limit": "1000"}, headers=AUTH)
    for number in listed.json():
        provider = number["provider"]
        if case.method == "PATCH" and ParameterLocation.BODY not in _negative(case):
            takes = _validator("whitelisted", *_update_body(provider))
            if takes is None or not takes.is_valid(case.body):
                continue
        STORED[number["id"]] = provider
        case.path_parameters["id"] = number["id"]
        return


@schemathesis.check
def answers_fit_the_spec(ctx: Any, response: Any, case: Any) -> bool | None:
    """A success answer fits the published schema, or breaks it only where the spec
    slipped (the spec has no schema for an error)."""
    answers = _in_operation(case, "responses", str(response.status_code))
    published = _validator("published", *answers)
    if published is None or published.is_valid(answer := response.json()):
        return None
    fixed = _validator("slip-fixed", *answers)
    assert fixed is not None
    errors = [f"{list(e.instance_path)}: {e.message[:200]}" for e in fixed.iter_errors(answer)]
    assert not errors, "the answer breaks the spec's schema: " + "; ".join(errors)
    return None


@schemathesis.check
def valid_requests_are_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """A valid request is accepted, unless refused only for the E.164 rule, which the
    spec states in the prose of `numberE164CheckEnabled` and not in its schema."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except Failure:
        messages = response.json().get("message") if response.status_code == 400 else None
        if not isinstance(messages, list) or not all(map(E164_RULE.search, messages)):
            raise
        return None


@schemathesis.check
def invalid_requests_are_refused(ctx: Any, response: Any, case: Any) -> bool | None:
    """An invalid request is refused, unless only its body was invalid and it is valid
    once the spec's slips are fixed and its top-level nulls left out: an update body by
    the stored number's provider, which the union's discriminator picks."""
    try:
        return negative_data_rejection(ctx, response, case)
    except Failure:
        # No body reads as `{}`, as Express's JSON parser reads an empty one.
        body = {} if isinstance(case.body, NotSet) else case.body
        if _negative(case) != {ParameterLocation.BODY} or not isinstance(body, dict):
            raise
        provider = STORED.get((case.path_parameters or {}).get("id", ""))
        if case.method == "PATCH" and provider is not None:
            request = _validator("whitelisted", *_update_body(provider))
        else:
            request = _validator("whitelisted", *_in_operation(case, "requestBody"))
        present = {key: value for key, value in body.items() if value is not None}
        if request is None or not request.is_valid(present):
            raise
        return None


CHECKS = [
    not_a_server_error,
    content_type_conformance,
    answers_fit_the_spec,
    valid_requests_are_accepted,
    invalid_requests_are_refused,
]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_fake_answers_every_generated_request_by_the_spec(case: Any, fake_process: str) -> None:
    _point_at_a_stored_number(case, fake_process)
    case.call_and_validate(base_url=fake_process, headers=AUTH, checks=CHECKS, timeout=10)
