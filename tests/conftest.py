"""Fixtures for every test. `fake_vapi` and `vapi_client` come from the package's pytest
plugin (`vapi_phone_async.testing.pytest_plugin`); this file adds the instant sleep that
makes retries and 429 pauses immediate and visible."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from .helpers import RecordedSleep

# Property-based tests: a bounded run in the normal suite; `--hypothesis-profile=deep`
# (or HYPOTHESIS_PROFILE=deep) for a long one before a release.
_FIXTURES_OUTLIVE_EXAMPLES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=_FIXTURES_OUTLIVE_EXAMPLES
)
settings.register_profile(
    "deep", max_examples=5_000, deadline=None, suppress_health_check=_FIXTURES_OUTLIVE_EXAMPLES
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def sleeps() -> RecordedSleep:
    """A sleep for `VapiPhoneClient(sleep=...)`: instant, and each wait recorded."""
    return RecordedSleep()


@pytest.fixture(scope="session")
def lock_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Where the suite's apply locks go: never the user's own lock directory."""
    return str(tmp_path_factory.mktemp("locks"))


@pytest.fixture(autouse=True)
def _apply_locks_in_a_temporary_directory(lock_dir: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAPI_LOCK_DIR", lock_dir)
