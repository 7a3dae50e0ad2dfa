"""client.sync against a server that replaces each top-level key a PATCH holds: a nested
object goes whole (the live one with the row's values in), a hidden secret is never sent,
and a second sync writes nothing. The main cases run against a server that shows secrets
and one that masks them, since Vapi does not document which it does; an import that
updates sends whole objects too."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async.cli._records import to_wire
from vapi_phone_async.models import CreateVonagePhoneNumber, Server
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from ..helpers import MakeClient

NEW_URL = "https://hooks.example.com/new"


@pytest.fixture(params=["shown", "masked"])
async def account(request: pytest.FixtureRequest) -> AsyncIterator[FakeVapiServer]:
    """A seeded account whose answers show secrets, or mask them."""
    async with FakeVapiServer(api_key=TEST_API_KEY, secrets=request.param) as server:
        server.seed(12)
        yield server


async def masked_export(client: VapiPhoneClient) -> list[dict[str, Any]]:
    """The account as `vapi-phone export` writes it by default: secrets as `<set>`."""
    return [to_wire(number) async for number in client.paginate(page_size=1000)]


def sent_bodies(server: FakeVapiServer) -> str:
    """Every body the server received, as one text to search."""
    return json.dumps([record.body for record in server.request_log if record.body])


async def test_one_nested_field_edited_in_a_masked_export_changes_only_that_field(
    make_client: MakeClient,
    account: FakeVapiServer,
) -> None:
    async with make_client(base_url=account.url) as client:
        rows = await masked_export(client)
        index = next(i for i, row in enumerate(rows) if "server" in row)
        number_id = rows[index]["id"]
        before = copy.deepcopy(account.numbers[number_id]["server"])
        assert {"secret", "headers", "timeoutSeconds", "backoffPlan"} <= set(before)
        rows[index]["server"]["url"] = NEW_URL

        plan = await client.plan_sync(rows)

        if account.secrets == "masked":
            # The server holds a secret it only shows masked: sending `server` without
            # it would drop it, so the row is refused, with what to do, and nothing sent.
            (invalid,) = plan.invalid
            assert invalid.row == index and "server.secret" in invalid.reason
            assert "give their values in the row" in invalid.reason
            assert "server.headers.X-Environment" in invalid.reason
            assert plan.empty
            await plan.apply()
            assert account.requests("PATCH") == []
            # Given the values, the row goes through.
            rows[index]["server"]["secret"] = before["secret"]
            rows[index]["server"]["headers"] = before["headers"]
            plan = await client.plan_sync(rows)

        assert not plan.invalid and len(plan.unchanged) == len(rows) - 1
        (update,) = plan.updates
        assert update.id == number_id and [c.field for c in update.changes] == ["server"]
        account.clear_log()
        result = await plan.apply()
        assert result.summary.updated == 1
        (patch,) = account.requests("PATCH")
        assert set(patch.body) == {"provider", "server"}  # the whole server, nothing else
        assert account.numbers[number_id]["server"] == {**before, "url": NEW_URL}
        assert "<set>" not in sent_bodies(account) and "****" not in sent_bodies(account)

        account.clear_log()
        again = await client.plan_sync(rows)
        await again.apply()
        assert again.empty and not again.invalid and len(again.unchanged) == len(rows)
        assert account.requests("PATCH") == [] and account.requests("POST") == []


async def test_a_masked_export_into_an_empty_account_converges_and_names_what_was_not_copied(
    make_client: MakeClient,
    account: FakeVapiServer,
) -> None:
    async with (
        FakeVapiServer(api_key=TEST_API_KEY, secrets=account.secrets, seed=2) as target,
        make_client(base_url=account.url) as source_client,
        make_client(base_url=target.url) as client,
    ):
        rows = await masked_export(source_client)

        first = await client.plan_sync(rows)
        # A SIP number whose password was hidden cannot be created without it: invalid.
        assert {row.row for row in first.invalid} == {
            i for i, row in enumerate(rows) if "password" in row.get("authentication", {})
        }
        assert all("--show-secrets" in row.reason for row in first.invalid)
        created = {create.row for create in first.creates}
        not_copied = {(s.row, s.field) for s in first.secrets_not_copied}
        expected = {
            (i, "server.secret") for i, row in enumerate(rows) if "server" in row and i in created
        }
        expected |= {(i, "server.headers.X-Environment") for i, _ in expected}
        expected |= {(i, "twilioAuthToken") for i in created if "twilioAuthToken" in rows[i]}
        assert not_copied == expected and all(s.id is None for s in first.secrets_not_copied)
        await first.apply()
        assert "<set>" not in sent_bodies(target) and "****" not in sent_bodies(target)
        assert all(
            "secret" not in data.get("server", {}) and "headers" not in data.get("server", {})
            for data in target.numbers.values()
        )

        target.clear_log()
        second = await client.plan_sync(rows)
        await second.apply()
        assert second.empty and len(second.unchanged) == len(created)
        assert {(s.row, s.field) for s in second.secrets_not_copied} == expected
        assert all(s.id is not None for s in second.secrets_not_copied)
        assert {r.method for r in target.request_log} == {"GET"}  # 0 writes


async def test_a_nested_object_of_a_union_member_turned_into_another_is_replaced(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    stored = fake_vapi.insert(
        {
            "provider": "byo-phone-number",
            "number": "+14155550100",
            "credentialId": "c",
            "fallbackDestination": {
                "type": "number",
                "number": "+14155550199",
                "numberE164CheckEnabled": True,
                "message": "Hold on.",
            },
        }
    )
    sip = {"type": "sip", "sipUri": "sip:desk@example.com"}
    row = {"provider": "byo-phone-number", "id": stored["id"], "fallbackDestination": sip}

    plan = await vapi_client.plan_sync([row])
    await plan.apply()

    assert fake_vapi.numbers[stored["id"]]["fallbackDestination"] == sip
    assert (await vapi_client.plan_sync([row])).empty


async def test_a_row_that_clears_a_nested_field_sends_the_object_without_it(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    server = {"url": "https://a.example.com", "timeoutSeconds": 20, "secret": "s3cret"}
    stored = fake_vapi.insert(
        {"provider": "vonage", "number": "+14155550100", "credentialId": "c", "server": server}
    )
    row = {"provider": "vonage", "id": stored["id"], "server": {"timeoutSeconds": None}}

    await (await vapi_client.plan_sync([row])).apply()

    assert fake_vapi.numbers[stored["id"]]["server"] == {
        "url": "https://a.example.com",
        "secret": "s3cret",
    }
    assert (await vapi_client.plan_sync([row])).empty


@pytest.mark.parametrize("secrets", ["shown", "masked", "omitted"])
async def test_a_row_giving_a_new_secret_and_url_sends_both_and_then_rests(
    make_client: MakeClient, secrets: str
) -> None:
    async with (
        FakeVapiServer(api_key=TEST_API_KEY, secrets=secrets) as server,  # type: ignore[arg-type]
        make_client(base_url=server.url) as client,
    ):
        stored = server.insert(
            {
                "provider": "vonage",
                "number": "+14155550100",
                "credentialId": "c",
                "server": {"url": "https://a.example.com", "secret": "old"},
            }
        )
        wanted = {"url": NEW_URL, "secret": "new", "headers": {"X-Key": "k"}}
        row = {"provider": "vonage", "id": stored["id"], "server": wanted}

        plan = await client.plan_sync([row])
        if secrets == "masked":
            assert len(plan.updates) == 1  # the masked secret is replaced by the row's
        await plan.apply()

        assert server.numbers[stored["id"]]["server"] == wanted
        server.clear_log()
        again = await client.plan_sync([row])
        if secrets == "omitted":
            # A server that leaves secrets out cannot show they are set: the row's values
            # are sent again (the same values: nothing is lost), never a placeholder.
            assert len(again.updates) == 1
            return
        await again.apply()
        assert server.requests("PATCH") == []


async def test_a_secret_the_server_leaves_out_is_never_sent_as_a_placeholder(
    make_client: MakeClient,
) -> None:
    async with (
        FakeVapiServer(api_key=TEST_API_KEY, secrets="omitted") as server,
        make_client(base_url=server.url) as client,
    ):
        server.seed(12)
        rows = await masked_export(client)
        assert all("secret" not in row.get("server", {}) for row in rows)  # never seen
        for row in rows:
            row["name"] = "Renamed"

        await (await client.plan_sync(rows)).apply()

        assert "<set>" not in sent_bodies(server)
        server.clear_log()
        await (await client.plan_sync(rows)).apply()
        assert server.requests("PATCH") == []


async def test_unknown_nested_fields_travel_with_their_object_when_resent(
    make_client: MakeClient,
) -> None:
    newer = ["server.region"]
    async with (
        FakeVapiServer(api_key=TEST_API_KEY, newer_fields=newer) as server,
        make_client(base_url=server.url) as client,
    ):
        stored = server.insert(
            {
                "provider": "vonage",
                "number": "+14155550100",
                "credentialId": "c",
                "server": {"url": "https://a.example.com", "secret": "s", "region": "eu"},
            }
        )
        rows = await masked_export(client)
        assert rows[0]["server"]["region"] == "eu"
        rows[0]["server"]["url"] = NEW_URL

        # Without resend_unknown, sending `server` would drop `region`: refused.
        (invalid,) = (await client.plan_sync(rows)).invalid
        assert "server.region" in invalid.reason and "resend_unknown=True" in invalid.reason

        plan = await client.plan_sync(rows, resend_unknown=True)
        assert not plan.invalid
        (update,) = plan.updates
        assert update.extra == {"server": {"region": "eu"}}
        await plan.apply()
        (patch,) = server.requests("PATCH")
        assert patch.body["server"]["region"] == "eu" and "secret" in patch.body["server"]
        assert server.numbers[stored["id"]]["server"] == {
            "url": NEW_URL,
            "secret": "s",
            "region": "eu",
        }

        # A change of the unknown field alone sends the whole object too.
        rows[0]["server"]["region"] = "us"
        plan = await client.plan_sync(rows, resend_unknown=True)
        await plan.apply()
        assert server.numbers[stored["id"]]["server"]["url"] == NEW_URL
        assert server.numbers[stored["id"]]["server"]["region"] == "us"

        server.clear_log()
        again = await client.plan_sync(rows, resend_unknown=True)
        await again.apply()
        assert again.empty and not again.invalid and server.requests("PATCH") == []


async def test_an_import_that_updates_sends_a_nested_object_whole(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    server = {"url": "https://a.example.com", "timeoutSeconds": 20, "secret": "s3cret"}
    stored = fake_vapi.insert(
        {"provider": "vonage", "number": "+14155550100", "credentialId": "c", "server": server}
    )
    body = CreateVonagePhoneNumber(
        number="+14155550100", credential_id="c", server=Server(url=NEW_URL)
    )

    result = await vapi_client.bulk_import([body], update_existing=True)

    assert result.summary.updated == 1
    assert fake_vapi.numbers[stored["id"]]["server"] == {**server, "url": NEW_URL}


@pytest.mark.parametrize("secrets", ["shown", "masked"])
async def test_a_top_level_secret_is_sent_when_it_differs_or_the_number_lacks_it(
    make_client: MakeClient,
    secrets: str,
) -> None:
    async with (
        FakeVapiServer(api_key=TEST_API_KEY, secrets=secrets) as server,  # type: ignore[arg-type]
        make_client(base_url=server.url) as client,
    ):
        base = {"provider": "twilio", "twilioAccountSid": "AC1"}
        with_token = server.insert({**base, "number": "+14155550100", "twilioAuthToken": "a"})
        without = server.insert({**base, "number": "+14155550101"})
        rows = [
            {"provider": "twilio", "id": with_token["id"], "twilioAuthToken": "b"},
            {"provider": "twilio", "id": without["id"], "twilioAuthToken": "c"},
        ]

        plan = await client.plan_sync(rows)

        # A masked token cannot be compared: left alone unless its row sends it anyway.
        updated = [0, 1] if secrets == "shown" else [1]
        assert [update.row for update in plan.updates] == updated
        await plan.apply()
        assert server.numbers[without["id"]]["twilioAuthToken"] == "c"
