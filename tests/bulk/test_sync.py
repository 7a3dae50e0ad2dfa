"""client.sync: a plan to read, an apply that does exactly the plan, and a second sync that
finds nothing to do. Rows find their numbers by id, by number, by SIP URI; never by guess."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import msgspec
import pytest

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async.cli._records import to_wire
from vapi_phone_async.errors import BadRequestError, RequestValidationError
from vapi_phone_async.models import CreateTwilioPhoneNumber, CreateVapiPhoneNumber
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from ..helpers import MakeClient

# What the server assigns, and a Vapi number's own `number`: not the row's to set.
ASSIGNED = {"id", "orgId", "createdAt", "updatedAt", "status"}


async def export(client: VapiPhoneClient) -> list[dict[str, Any]]:
    """Every number of the account as the rows of an export made with --show-secrets."""
    return [to_wire(number, show_secrets=True) async for number in client.paginate(page_size=1000)]


def settable(row: dict[str, Any]) -> dict[str, Any]:
    kept = {key: value for key, value in row.items() if key not in ASSIGNED}
    if row["provider"] == "vapi" and "sipUri" in row:
        kept.pop("number", None)  # assigned by Vapi, not created from a row
    return kept


def bought(server: FakeVapiServer, number: str) -> dict[str, Any]:
    """A number bought from Vapi: no SIP URI, a number the server chose."""
    return server.insert({"provider": "vapi", "number": number, "numberDesiredAreaCode": "415"})


async def test_reimporting_an_export_buys_and_creates_nothing_every_time(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.seed(20)
    for digits in ("+14155550101", "+14155550102", "+14155550103"):
        bought(fake_vapi, digits)
    rows = await export(vapi_client)

    for _ in range(10):
        plan = await vapi_client.plan_sync(rows)
        assert plan.empty and (plan.creates, plan.purchases, plan.invalid) == ([], [], [])
        assert len(plan.unchanged) == 23
    assert len(fake_vapi.numbers) == 23 and fake_vapi.requests("POST") == []


async def test_an_export_synced_into_an_empty_account_then_again_finds_nothing_to_do(
    make_client: MakeClient,
) -> None:
    async with (
        FakeVapiServer(api_key=TEST_API_KEY, seed=1) as source,
        FakeVapiServer(api_key=TEST_API_KEY, seed=2) as target,
        make_client(base_url=source.url) as from_source,
        make_client(base_url=target.url) as into_target,
    ):
        source.seed(60)
        rows = await export(from_source)

        first = await into_target.plan_sync(rows)
        assert len(first.creates) == 60 and not (first.purchases or first.invalid)
        result = await first.apply()
        assert result.summary.created == 60 and result.summary.failed == 0

        second = await into_target.plan_sync(rows)
        assert second.empty and len(second.unchanged) == 60 and not second.invalid

        copied = {row.get("sipUri") or row["number"]: row for row in await export(into_target)}
        for row in rows:
            twin = copied[row.get("sipUri") or row["number"]]
            assert settable(twin) == settable(row)  # every field the row can set, equal


async def test_fields_unknown_to_the_models_sync_too_when_asked(make_client: MakeClient) -> None:
    # Both accounts are of a newer Vapi, with fields on numbers this version does not model.
    newer = ["tier", "region"]
    async with (
        FakeVapiServer(api_key=TEST_API_KEY, seed=1, newer_fields=newer) as source,
        FakeVapiServer(api_key=TEST_API_KEY, seed=2, newer_fields=newer) as target,
        make_client(base_url=source.url) as from_source,
        make_client(base_url=target.url) as into_target,
    ):
        for index, data in enumerate(source.seed(30)):
            if data["provider"] != "vapi" or data.get("sipUri"):
                source.insert({**data, "tier": f"t{index % 3}", "region": {"code": "eu"}})
        rows = await export(from_source)
        assert sum("tier" in row for row in rows) >= 20

        first = await into_target.plan_sync(rows, resend_unknown=True)
        await first.apply()
        second = await into_target.plan_sync(rows, resend_unknown=True)
        assert second.empty and len(second.unchanged) == 30

        copied = {row.get("sipUri") or row["number"]: row for row in await export(into_target)}
        for row in rows:
            twin = copied[row.get("sipUri") or row["number"]]
            assert settable(twin) == settable(row)  # unknown fields included

        changed = [{**row, "tier": "platinum"} if "tier" in row else row for row in rows]
        plan = await into_target.plan_sync(changed, resend_unknown=True)
        assert len(plan.updates) == sum("tier" in row for row in rows)
        update = plan.updates[0]
        assert [change.field for change in update.changes] == ["tier"]
        assert update.extra == {"tier": "platinum"}
        target.clear_log()
        await plan.apply()
        assert all(r.body.get("tier") == "platinum" for r in target.requests("PATCH"))
        assert (await into_target.plan_sync(changed, resend_unknown=True)).empty


async def test_without_resend_unknown_fields_are_neither_sent_nor_compared(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    # The fake of this version refuses `tier`, as Vapi refuses a property it does not take.
    stored = fake_vapi.insert(
        {"provider": "twilio", "number": "+14155550100", "twilioAccountSid": "AC1"}
    )
    rows = [
        {"provider": "twilio", "id": stored["id"], "tier": "gold"},
        {"provider": "twilio", "number": "+14155550101", "twilioAccountSid": "AC1", "tier": "x"},
    ]

    plan = await vapi_client.plan_sync(rows)
    assert len(plan.unchanged) == 1 and len(plan.creates) == 1 and not plan.creates[0].extra
    result = await plan.apply()
    assert result.summary.created == 1 and "tier" not in fake_vapi.requests("POST")[0].body

    # Asked to, the sync sends `tier`, and this (older) API refuses it, row by row.
    refused = await (await vapi_client.plan_sync(rows, resend_unknown=True)).apply()
    assert refused.summary.failed == 2
    assert all("property tier should not exist" in str(f.error) for f in refused.failures)


async def test_updates_send_only_the_fields_that_differ_with_their_diff(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.seed(10)
    rows = await export(vapi_client)
    rows[2] = {**rows[2], "name": "Renamed"}
    cleared = next(i for i, row in enumerate(rows) if i > 2 and row.get("assistantId"))
    rows[cleared] = {"provider": rows[cleared]["provider"], "id": rows[cleared]["id"]}
    rows[cleared]["assistantId"] = None
    fake_vapi.clear_log()

    plan = await vapi_client.plan_sync(rows)

    assert [update.row for update in plan.updates] == [2, cleared] and len(plan.unchanged) == 8
    (change,) = plan.updates[0].changes
    assert (change.field, change.wanted) == ("name", "Renamed")
    result = await plan.apply()
    assert result.summary.updated == 2
    bodies = [record.body for record in fake_vapi.requests("PATCH")]
    assert {"provider": rows[2]["provider"], "name": "Renamed"} in bodies
    assert fake_vapi.numbers[rows[2]["id"]]["name"] == "Renamed"
    assert "assistantId" not in fake_vapi.numbers[rows[cleared]["id"]]  # null cleared it
    assert (await vapi_client.plan_sync(rows)).empty


async def test_rows_find_their_numbers_by_id_by_number_and_by_sip_uri(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    twilio = next(n for n in fake_vapi.seed(5) if n["provider"] == "twilio")
    sip = fake_vapi.insert(
        {"provider": "vapi", "sipUri": "sip:desk@example.sip.vapi.ai", "name": "Desk"}
    )
    rows = [
        {"provider": "twilio", "id": twilio["id"], "name": "By id"},
        {"provider": "vapi", "sipUri": "sip:desk@example.sip.vapi.ai", "name": "By SIP URI"},
    ]
    plan = await vapi_client.plan_sync(rows)
    assert not plan.invalid, plan.invalid
    assert [(u.row, u.id) for u in plan.updates] == [(0, twilio["id"]), (1, sip["id"])]

    by_number = {"provider": "twilio", "number": twilio["number"], "name": "By number"}
    (update,) = (await vapi_client.plan_sync([by_number])).updates
    assert update.id == twilio["id"]


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        (lambda a, b: [{"provider": "twilio", "id": a["id"], "number": b["number"]}], "another"),
        (lambda a, b: [{"provider": "twilio", "number": a["number"]}] * 2, "same number as row 0"),
        (lambda a, b: [{"provider": "vonage", "id": a["id"]}], "provider cannot change"),
        (lambda a, b: [{"provider": "fax"}], "provider must be one of"),
        (lambda a, b: ["a row"], "must be a mapping or a create body"),
        (lambda a, b: [{"provider": "twilio", "number": "+1999"}], "twilioAccountSid"),
    ],
    ids=["id and number disagree", "twice", "provider", "unknown provider", "not a row", "rule"],
)
async def test_a_row_that_cannot_be_settled_is_invalid_with_its_reason(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, rows: Any, says: str
) -> None:
    fake_vapi.seed(10)
    a, b = [data for data in fake_vapi.numbers.values() if data["provider"] == "twilio"][:2]
    plan = await vapi_client.plan_sync(rows(a, b))
    assert plan.invalid and says in plan.invalid[-1].reason


async def test_two_numbers_sharing_a_key_make_a_row_ambiguous_not_a_guess(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    for _ in range(2):
        fake_vapi.insert({"provider": "vonage", "number": "+14155550100", "credentialId": "c"})
    plan = await vapi_client.plan_sync(
        [{"provider": "vonage", "number": "+14155550100", "name": "x"}]
    )
    (invalid,) = plan.invalid
    assert "ambiguous: it matches 2 numbers" in invalid.reason and plan.empty


async def test_prune_deletes_what_no_row_stands_for_and_spares_what_an_invalid_row_names(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    numbers = fake_vapi.seed(6)
    keep, named_badly = numbers[0], numbers[1]
    rows = [
        {"provider": keep["provider"], "id": keep["id"]},
        {"provider": named_badly["provider"], "id": named_badly["id"], "name": "n" * 41},
    ]
    assert not (await vapi_client.plan_sync(rows)).deletes  # only with prune

    plan = await vapi_client.plan_sync(rows, prune=True)

    assert {d.id for d in plan.deletes} == {n["id"] for n in numbers[2:]}
    assert "name must be at most 40 characters" in plan.invalid[0].reason
    await plan.apply()
    assert set(fake_vapi.numbers) == {keep["id"], named_badly["id"]}


async def test_a_purchase_is_kept_apart_and_applied_only_when_allowed(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    rows: list[Any] = [
        CreateVapiPhoneNumber(number_desired_area_code="415", name="Bought"),
        CreateTwilioPhoneNumber(number="+14155550100", twilio_account_sid="AC1"),
    ]
    plan = await vapi_client.plan_sync(rows)
    assert (len(plan.purchases), len(plan.creates)) == (1, 1)

    with pytest.raises(RequestValidationError) as caught:
        plan.apply()
    assert caught.value.field == "allow_purchase" and "buys 1 number" in caught.value.rule
    assert fake_vapi.request_log[-1].method == "GET"  # the walk; nothing was sent

    result = await plan.apply(allow_purchase=True)
    assert (result.summary.bought, result.summary.created) == (1, 1)


async def test_a_vapi_number_not_in_the_account_cannot_be_bought_back_by_its_digits(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    plan = await vapi_client.plan_sync([{"provider": "vapi", "number": "+14155550123"}])
    (invalid,) = plan.invalid
    assert "bought by area code, not by its digits" in invalid.reason
    assert not plan.purchases


async def test_a_lost_create_in_an_apply_is_adopted_or_stays_unknown(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    rows = [
        {"provider": "twilio", "number": "+14155550101", "twilioAccountSid": "AC1"},
        {"provider": "twilio", "number": "+14155550102", "twilioAccountSid": "AC1"},
    ]
    plan = await vapi_client.plan_sync(rows)
    fake_vapi.inject_fault("POST", mode="reset-after", times=2)  # both created, answers lost
    # The first walk is apply's check that the account is as planned; the second finds.
    fake_vapi.inject_fault("GET", "/v2/phone-number", mode="delay", delay=0.01, times=2)
    fake_vapi.inject_fault("GET", "/v2/phone-number", status=400, times=100)  # not found

    result = await plan.apply(concurrency=1)

    assert [o.kind for o in result.outcomes] == ["succeeded", "unknown"]
    assert result.outcomes[0].action == "adopted"
    assert len(fake_vapi.numbers) == 2 and len(fake_vapi.requests("POST")) == 2


async def test_csv_strings_are_read_as_the_fields_types_when_not_strict(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    (number,) = [n for n in fake_vapi.seed(5) if n["provider"] == "twilio"]
    row = {"provider": "twilio", "id": number["id"], "smsEnabled": str(not number["smsEnabled"])}
    row["smsEnabled"] = row["smsEnabled"].lower()
    (update,) = (await vapi_client.plan_sync([row], strict=False)).updates
    assert msgspec.to_builtins(update.body)["smsEnabled"] is (not number["smsEnabled"])


async def test_an_unreadable_item_of_the_account_is_never_touched_nor_twinned(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.seed(3)
    fake_vapi.insert({"number": "+14155550199", "name": "no provider"})  # cannot be identified
    rows = [
        {"provider": "twilio", "number": "+14155550199", "twilioAccountSid": "AC1"},
        {"provider": "twilio", "number": "+14155550198", "twilioAccountSid": "AC1"},
    ]

    plan = await vapi_client.plan_sync(rows, prune=True)

    assert plan.unreadable == 1 and plan.live == 4
    (invalid,) = plan.invalid
    assert invalid.row == 0 and "could not be read shows +14155550199" in invalid.reason
    assert len(plan.creates) == 1 and len(plan.deletes) == 3  # the unreadable one stays
    await plan.apply()
    assert any(data.get("name") == "no provider" for data in fake_vapi.numbers.values())


async def test_the_walk_goes_on_a_few_pages_ahead_while_the_rows_are_read(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    fake_vapi.seed(1_000)  # ten pages of the live API's 100
    exported = [to_wire(n) async for n in client.paginate(page_size=100)]
    fake_vapi.clear_log()

    def listings() -> int:
        return len(fake_vapi.requests("GET", "/v2/phone-number"))

    async def walk_far_enough() -> None:
        while listings() < 9:  # noqa: ASYNC110 - the log is the only signal
            await asyncio.sleep(0.01)

    async def rows_read_slowly() -> Any:
        for row in exported:
            yield row
        # The last row waits for the walk: four pages ready for the rows and four more
        # requested, all while the rows are still being read (a walk that waited for them
        # would never get that far).
        await asyncio.wait_for(walk_far_enough(), 5)

    plan = await client.plan_sync(rows_read_slowly())

    assert len(plan.unchanged) == 1_000 and not plan.creates
    assert listings() == 10  # and each page once


async def test_a_walk_that_fails_while_the_rows_are_read_fails_the_plan(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    fake_vapi.seed(300)
    fake_vapi.inject_fault("GET", "/v2/phone-number", status=400, times=100)

    async def rows_read_slowly() -> Any:
        await asyncio.sleep(0.05)
        yield {"provider": "vapi", "name": "New"}

    with pytest.raises(BadRequestError):
        await client.plan_sync(rows_read_slowly())


async def test_a_plan_gives_the_heap_back_to_the_collector_however_it_ends(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    fake_vapi.seed(3)
    await client.plan_sync([{"provider": "vapi", "name": "New"}])
    assert gc.get_freeze_count() == 0
    fake_vapi.inject_fault("GET", "/v2/phone-number", status=400, times=100)
    with pytest.raises(BadRequestError):
        await client.plan_sync([{"provider": "vapi", "name": "New"}])
    assert gc.get_freeze_count() == 0
