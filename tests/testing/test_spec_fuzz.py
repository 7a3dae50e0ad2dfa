"""Schemathesis against the fake: requests generated from the vendored spec (as the fake
validates it) find no server error and no answer that breaks the spec's schema.

Run by `nox -s schemathesis`, which installs schemathesis and sets VAPI_SCHEMATHESIS;
skipped in the plain suite. VAPI_SCHEMATHESIS_EXAMPLES bounds the examples per operation.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

if not os.environ.get("VAPI_SCHEMATHESIS"):
    pytest.skip("run by `nox -s schemathesis`", allow_module_level=True)

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.config import SchemathesisConfig  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
)

from vapi_phone_async.testing import TEST_API_KEY  # noqa: E402
from vapi_phone_async.testing._spec import validation_spec  # noqa: E402

EXAMPLES = int(os.environ.get("VAPI_SCHEMATHESIS_EXAMPLES", "100"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

# Examples from the spec, then fuzzing, both positive and negative, bounded by EXAMPLES;
# the coverage phase (every keyword of every schema, unbounded) is left to a manual run.
CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}}
)
schema = schemathesis.openapi.from_dict(validation_spec(), config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_fake_answers_every_generated_request_by_the_spec(case: Any, fake_process: str) -> None:
    case.call_and_validate(
        base_url=fake_process,
        headers={"Authorization": f"Bearer {TEST_API_KEY}"},
        checks=CHECKS,
        timeout=10,
    )
