"""client.sync and the fields that identify a number: a number written differently (as a
spreadsheet writes it) is the same number, and a row changes a number's `number` or
`sipUri` only when allowed to."""

from __future__ import annotations

from typing import Any

import pytest

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async.cli._records import to_wire
from vapi_phone_async.testing import FakeVapiServer

SPREADSHEET = [
    lambda n: n.lstrip("+"),  # the + lost
    lambda n: f"{n[1:2]} {n[2:5]} {n[5:8]} {n[8:]}",  # spaces
    lambda n: f"+{n[1:2]} ({n[2:5]}) {n[5:8]}-{n[8:]}",  # parentheses and a dash
    lambda n: f"{n[1:2]}.{n[2:5]}.{n[5:8]}.{n[8:]}",  # dots
]


async def export(client: VapiPhoneClient) -> list[dict[str, Any]]:
    return [to_wire(number) async for number in client.paginate(page_size=1000)]


async def test_numbers_written_differently_are_the_same_numbers_with_a_warning(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.seed(15)
    rows = await export(vapi_client)
    touched = [i for i, row in enumerate(rows) if row["provider"] in ("twilio", "vonage")]
    for turn, index in enumerate(touched):
        rows[index]["number"] = SPREADSHEET[turn % len(SPREADSHEET)](rows[index]["number"])
        if turn % 2:
            del rows[index]["id"]  # found by its number alone
    fake_vapi.clear_log()

    plan = await vapi_client.plan_sync(rows)

    assert not plan.invalid and plan.empty and len(plan.unchanged) == len(rows)
    assert [warning.row for warning in plan.warnings] == touched
    assert all("written differently" in warning.message for warning in plan.warnings)
    assert {r.method for r in fake_vapi.request_log} == {"GET"}


async def test_a_row_changing_a_number_is_invalid_unless_allowed(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    stored = fake_vapi.insert(
        {"provider": "twilio", "number": "+14155550100", "twilioAccountSid": "AC1"}
    )
    row = {"provider": "twilio", "id": stored["id"], "number": "+14155550111"}

    plan = await vapi_client.plan_sync([row])
    (invalid,) = plan.invalid
    assert "would change the number of number" in invalid.reason
    assert "'+14155550100' to '+14155550111'" in invalid.reason
    assert "allow_number_change=True" in invalid.reason and plan.empty

    plan = await vapi_client.plan_sync([row], allow_number_change=True)
    (update,) = plan.updates
    assert [change.field for change in update.changes] == ["number"]
    await plan.apply()
    assert fake_vapi.numbers[stored["id"]]["number"] == "+14155550111"
    assert (await vapi_client.plan_sync([row])).empty


async def test_a_row_changing_a_sip_uri_is_invalid_unless_allowed(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    stored = fake_vapi.insert({"provider": "vapi", "sipUri": "sip:desk@example.sip.vapi.ai"})
    row = {"provider": "vapi", "id": stored["id"], "sipUri": "sip:hall@example.sip.vapi.ai"}

    (invalid,) = (await vapi_client.plan_sync([row])).invalid
    assert "would change the sipUri" in invalid.reason

    await (await vapi_client.plan_sync([row], allow_number_change=True)).apply()
    assert fake_vapi.numbers[stored["id"]]["sipUri"] == row["sipUri"]


async def test_a_number_written_exactly_finds_its_number_before_one_written_differently(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    e164 = fake_vapi.insert(
        {"provider": "byo-phone-number", "number": "+14155550100", "credentialId": "c"}
    )
    plain = fake_vapi.insert(
        {
            "provider": "byo-phone-number",
            "number": "14155550100",
            "numberE164CheckEnabled": False,
            "credentialId": "c",
        }
    )
    rows = [
        {"provider": "byo-phone-number", "number": "14155550100", "name": "Plain"},
        {"provider": "byo-phone-number", "number": "+14155550100", "name": "E.164"},
    ]

    plan = await vapi_client.plan_sync(rows)

    assert [(u.row, u.id) for u in plan.updates] == [(0, plain["id"]), (1, e164["id"])]
    assert not plan.warnings
    # Written a third way, the row could be either: ambiguous, never a guess.
    third = [{"provider": "byo-phone-number", "number": "1 415 555 0100", "name": "?"}]
    (invalid,) = (await vapi_client.plan_sync(third)).invalid
    assert "ambiguous" in invalid.reason


@pytest.mark.parametrize("written", ["14155550100", "+1 415-555-0100"])
async def test_two_rows_for_one_number_written_differently_create_it_once(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, written: str
) -> None:
    rows = [
        {"provider": "vonage", "number": "+14155550100", "credentialId": "c"},
        {"provider": "vonage", "number": written, "credentialId": "c"},
    ]
    plan = await vapi_client.plan_sync(rows)
    assert len(plan.creates) == 1
    (invalid,) = plan.invalid
    assert invalid.row == 1 and "the same number as row 0" in invalid.reason
