"""Fixtures for every test. `fake_vapi` and `vapi_client` come from the package's pytest
plugin (`vapi_phone_async.testing.pytest_plugin`); this file adds the instant sleep that
makes retries and 429 pauses immediate and visible."""

from __future__ import annotations

import pytest

from .helpers import RecordedSleep


@pytest.fixture
def sleeps() -> RecordedSleep:
    """A sleep for `VapiPhoneClient(sleep=...)`: instant, and each wait recorded."""
    return RecordedSleep()
