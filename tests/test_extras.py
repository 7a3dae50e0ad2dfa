"""`extra_body`, `extra_headers` and `extra_query`: fields and parameters this version does
not model reach the wire, checked for shape before anything is sent, never in place of
what a call sets itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async.errors import BadRequestError, RequestValidationError
from vapi_phone_async.models import (
    CreateTwilioPhoneNumber,
    Server,
    TwilioPhoneNumber,
    UpdateTwilioPhoneNumber,
)
from vapi_phone_async.testing import FakeVapiServer

from .helpers import MakeClient

BODY = CreateTwilioPhoneNumber(
    number="+14155550100",
    twilio_account_sid="AC1",
    server=Server(url="https://hooks.example.com/vapi"),
)


@pytest_asyncio.fixture
async def newer(make_client: MakeClient) -> AsyncIterator[tuple[FakeVapiServer, VapiPhoneClient]]:
    """A fake of a newer Vapi, which takes a `tier` this version does not model, and
    query parameters `beta` and `version`."""
    server = FakeVapiServer(newer_fields=["tier", "region"], newer_parameters=["beta", "version"])
    async with server, make_client(base_url=server.url) as client:
        yield server, client


async def test_extra_body_reaches_the_wire_merged_into_the_typed_body(
    newer: tuple[FakeVapiServer, VapiPhoneClient],
) -> None:
    server, client = newer

    created = await client.create(BODY, extra_body={"tier": "gold"})

    assert server.request_log[-1].body["tier"] == "gold"
    assert isinstance(created, TwilioPhoneNumber)
    assert created.unknown_fields == {"tier": "gold"}
    assert (await client.get(created.id)).unknown_fields == {"tier": "gold"}


async def test_an_unknown_field_inside_an_object_the_body_holds_is_merged_into_it(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    # This fake does not know `server.region` and refuses it, as Vapi would: what
    # matters here is what was sent.
    with pytest.raises(BadRequestError, match="region should not exist"):
        await vapi_client.create(BODY, extra_body={"server": {"region": "eu"}})

    assert fake_vapi.request_log[-1].body["server"] == {
        "url": "https://hooks.example.com/vapi",
        "region": "eu",
    }


async def test_extra_body_on_update(newer: tuple[FakeVapiServer, VapiPhoneClient]) -> None:
    _server, client = newer
    created = await client.create(BODY)

    updated = await client.update(
        created.id, UpdateTwilioPhoneNumber(name="Desk"), extra_body={"region": "eu"}
    )

    assert updated.name == "Desk" and updated.unknown_fields == {"region": "eu"}


async def test_extra_body_is_not_validated_here_the_server_judges_it(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    with pytest.raises(BadRequestError) as caught:
        await vapi_client.create(BODY, extra_body={"tier": "gold"})

    assert "property tier should not exist" in str(caught.value)
    assert fake_vapi.numbers == {}


async def test_extra_headers_and_query_reach_the_server_on_every_call(
    newer: tuple[FakeVapiServer, VapiPhoneClient],
) -> None:
    server, client = newer
    extras: dict[str, Any] = {
        "extra_headers": {"X-Trace": "t-1"},
        "extra_query": {"beta": True, "version": 2},
    }

    created = await client.create(BODY, **extras)
    await client.get(created.id, **extras)
    await client.update(created.id, UpdateTwilioPhoneNumber(name="x"), **extras)
    await client.list_recent(limit=5, **extras)
    await client.paginate(page_size=10, **extras).collect()
    await client.delete(created.id, **extras)

    assert len(server.request_log) == 6
    for record in server.request_log:
        assert record.headers["X-Trace"] == "t-1", record.path
        assert record.query["beta"] == "true" and record.query["version"] == "2"
    assert server.request_log[3].query["limit"] == "5"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"extra_headers": {"Authorization": "Bearer other"}}, "extra_headers['Authorization']"),
        ({"extra_headers": {"content-type": "text/plain"}}, "extra_headers['content-type']"),
        ({"extra_headers": {"X-A": "one\r\nX-B: two"}}, "extra_headers['X-A']"),
        ({"extra_headers": {"X-A": 3}}, "extra_headers['X-A']"),
        ({"extra_headers": ["X-A"]}, "extra_headers"),
        ({"extra_headers": {"AUTHORIZATION": "Bearer other"}}, "extra_headers['AUTHORIZATION']"),
        ({"extra_headers": {"Transfer-Encoding": "chunked"}}, "extra_headers['Transfer-Encoding']"),
        ({"extra_headers": {"transfer-encoding": "chunked"}}, "extra_headers['transfer-encoding']"),
        ({"extra_headers": {"Connection": "close"}}, "extra_headers['Connection']"),
        ({"extra_headers": {"Keep-Alive": "timeout=5"}}, "extra_headers['Keep-Alive']"),
        ({"extra_headers": {"TE": "trailers"}}, "extra_headers['TE']"),
        ({"extra_headers": {"Upgrade": "h2c"}}, "extra_headers['Upgrade']"),
        ({"extra_headers": {"Content-Length": "0"}}, "extra_headers['Content-Length']"),
        ({"extra_headers": {"HOST": "elsewhere.example"}}, "extra_headers['HOST']"),
        ({"extra_headers": {"X-Trace": "1", "x-trace": "2"}}, "extra_headers['x-trace']"),
        ({"extra_query": {"limit": "5"}}, "extra_query['limit']"),
        ({"extra_query": {"Limit": "5"}}, "extra_query['Limit']"),
        ({"extra_query": {"CREATEDATGT": "2024-01-01"}}, "extra_query['CREATEDATGT']"),
        ({"extra_query": {"beta": "1", "Beta": "2"}}, "extra_query['Beta']"),
        ({"extra_query": {"createdAtGt": "2024-01-01"}}, "extra_query['createdAtGt']"),
        ({"extra_query": {"beta": [1]}}, "extra_query['beta']"),
        ({"extra_query": {3: "x"}}, "extra_query"),
    ],
)
async def test_bad_extras_are_refused_by_name_before_anything_is_sent(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, options: Any, field: str
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        await vapi_client.list_recent(**options)

    assert [error.path for error in caught.value.errors] == [field]
    assert fake_vapi.request_log == []
    assert "Bearer other" not in str(caught.value) and "two" not in str(caught.value)


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"tier": object()}, "extra_body"), (["tier"], "extra_body"), ({1: "x"}, "extra_body")],
)
async def test_an_extra_body_that_is_not_json_is_refused(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, extra: Any, field: str
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        await vapi_client.create(BODY, extra_body=extra)

    assert [error.path for error in caught.value.errors] == [field]
    assert fake_vapi.request_log == []


async def test_a_walk_refuses_extra_query_that_would_steer_it(
    vapi_client: VapiPhoneClient,
) -> None:
    for name in ("cursor", "page", "sortOrder", "search", "Page", "SORTORDER", "Limit"):
        with pytest.raises(RequestValidationError, match=name):
            vapi_client.paginate(extra_query={name: "x"})


async def test_a_secret_sent_in_extra_body_is_hidden_where_the_server_echoes_it(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.inject_fault("PATCH", mode="echo", status=400)
    number = fake_vapi.seed(1)[0]
    secret = "extra-secret-0123456789"

    with pytest.raises(BadRequestError) as caught:
        await vapi_client.update(
            number["id"],
            UpdateTwilioPhoneNumber(name="x"),
            extra_body={"authPlan": {"password": secret}},
        )

    assert fake_vapi.requests("PATCH")[0].body["authPlan"] == {"password": secret}

    assert secret not in str(caught.value) and secret not in repr(caught.value.body)


PURCHASE_SHAPED = {"provider": "vapi", "numberDesiredAreaCode": "415"}


@pytest.mark.parametrize(
    ("extra", "fields"),
    [
        (PURCHASE_SHAPED, ["extra_body.provider", "extra_body.numberDesiredAreaCode"]),
        ({"number": "+14155550199"}, ["extra_body.number"]),
        ({"sipUri": "sip:desk@example.com"}, ["extra_body.sipUri"]),
        ({"id": "3f1c"}, ["extra_body.id"]),
        # Set by the typed body, at the top or inside an object it holds.
        ({"twilioAccountSid": "AC2"}, ["extra_body.twilioAccountSid"]),
        ({"server": {"url": "https://elsewhere.example"}}, ["extra_body.server.url"]),
        ({"server": "https://elsewhere.example"}, ["extra_body.server"]),
        # Fields the models know, left unset by the body: they would skip their checks.
        ({"name": "x" * 41}, ["extra_body.name"]),
        ({"server": {"timeoutSeconds": 0}}, ["extra_body.server.timeoutSeconds"]),
        ({"server": {"headers": {"X-Key": "v"}}}, ["extra_body.server.headers"]),
        ({"fallbackDestination": {"zone": "eu"}}, ["extra_body.fallbackDestination"]),
        ({"hooks": []}, ["extra_body.hooks"]),
    ],
)
async def test_extra_body_cannot_set_what_the_typed_body_sets_or_models(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, extra: Any, fields: list[str]
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        await vapi_client.create(BODY, allow_purchase=True, extra_body=extra)

    assert [error.path for error in caught.value.errors] == fields
    assert fake_vapi.request_log == [] and fake_vapi.numbers == {}


@pytest.mark.parametrize(
    ("body", "extra", "field"),
    [
        (UpdateTwilioPhoneNumber(name="x"), {"provider": "vapi"}, "extra_body.provider"),
        (UpdateTwilioPhoneNumber(name="x"), {"number": "+14155550199"}, "extra_body.number"),
        (UpdateTwilioPhoneNumber(name="x"), {"sipUri": "sip:a@b.example"}, "extra_body.sipUri"),
        (UpdateTwilioPhoneNumber(name="x"), {"name": "y"}, "extra_body.name"),
        # A null clears the server: extras cannot put one back.
        (UpdateTwilioPhoneNumber(server=None), {"server": {"region": "eu"}}, "extra_body.server"),
        # Made of extras alone, a PATCH would replace the live server with it.
        (UpdateTwilioPhoneNumber(name="x"), {"server": {"region": "eu"}}, "extra_body.server"),
    ],
)
async def test_extra_body_cannot_undo_an_update_body(
    fake_vapi: FakeVapiServer,
    vapi_client: VapiPhoneClient,
    body: UpdateTwilioPhoneNumber,
    extra: Any,
    field: str,
) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.clear_log()

    with pytest.raises(RequestValidationError) as caught:
        await vapi_client.update(number["id"], body, extra_body=extra)

    assert [error.path for error in caught.value.errors] == [field]
    assert fake_vapi.request_log == []


async def test_a_twilio_create_cannot_become_a_purchase_through_extras(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    # Without allow_purchase, the typed body is an import; extras cannot make it a buy.
    with pytest.raises(RequestValidationError) as caught:
        await vapi_client.create(
            BODY, extra_body={**PURCHASE_SHAPED, "number": None, "twilioAccountSid": None}
        )

    assert "extra_body.provider" in str(caught.value)
    assert fake_vapi.request_log == [] and fake_vapi.numbers == {}


async def test_extra_headers_differing_only_in_case_from_the_clients_are_refused_on_every_call(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.clear_log()
    framing = {"tRaNsFeR-eNcOdInG": "chunked"}

    calls = [
        vapi_client.create(BODY, extra_headers=framing),
        vapi_client.get(number["id"], extra_headers=framing),
        vapi_client.update(number["id"], UpdateTwilioPhoneNumber(name="x"), extra_headers=framing),
        vapi_client.delete(number["id"], extra_headers=framing),
        vapi_client.list_recent(extra_headers=framing),
    ]
    for call in calls:
        with pytest.raises(RequestValidationError, match="tRaNsFeR-eNcOdInG"):
            await call
    for walk in (vapi_client.list, vapi_client.paginate):
        with pytest.raises(RequestValidationError, match="tRaNsFeR-eNcOdInG"):
            walk(extra_headers=framing)

    assert fake_vapi.request_log == []
