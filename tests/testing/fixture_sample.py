"""A test of a user's own project, asking for both fixtures of the pytest plugin.

tests/testing/test_pytest_plugin.py and nox's `build` session (against the installed
wheel) copy it into a folder of its own, with no conftest and no settings, and run it
there. Not collected here: its name does not start with `test_`. Marked, as a project
may mark its tests itself (the plugin marks an unmarked one, as the README's sample is).
"""

import pytest

from vapi_phone_async.models import CreateTwilioPhoneNumber


@pytest.mark.asyncio
async def test_with_the_fixtures(fake_vapi, vapi_client):
    fake_vapi.seed(3)
    created = await vapi_client.create(
        CreateTwilioPhoneNumber(number="+14155550100", twilio_account_sid="AC123")
    )
    assert created.id in fake_vapi.numbers
    assert len(await vapi_client.list_recent()) == 4
