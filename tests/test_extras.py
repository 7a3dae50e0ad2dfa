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
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

BODY = CreateTwilioPhoneNumber(
    number="+14155550100",
    twilio_account_sid="AC1",
    server=Server(url="https://hooks.example.com/vapi"),
)


@pytest_asyncio.fixture
async def newer() -> AsyncIterator[tuple[FakeVapiServer, VapiPhoneClient]]:
    """A fake of a newer Vapi, which takes a `tier` this version does not model, and
    query parameters `beta` and `version`."""
    server = FakeVapiServer(newer_fields=["tier", "region"], newer_parameters=["beta", "version"])
    async with server, VapiPhoneClient(api_key=TEST_API_KEY, base_url=server.url) as client:
        yield server, client


async def test_extra_body_reaches_the_wire_merged_into_the_typed_body(
    newer: tuple[FakeVapiServer, VapiPhoneClient],
) -> None:
    server, client = newer

    created = await client.create(
        BODY, extra_body={"tier": "gold", "server": {"timeoutSeconds": 25}}
    )

    sent = server.request_log[-1].body
    assert sent["tier"] == "gold"
    assert sent["server"] == {"url": "https://hooks.example.com/vapi", "timeoutSeconds": 25}
    assert isinstance(created, TwilioPhoneNumber)
    assert created.unknown_fields == {"tier": "gold"}
    assert (await client.get(created.id)).unknown_fields == {"tier": "gold"}


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
    await client.list(limit=5, **extras)
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
        ({"extra_query": {"limit": "5"}}, "extra_query['limit']"),
        ({"extra_query": {"createdAtGt": "2024-01-01"}}, "extra_query['createdAtGt']"),
        ({"extra_query": {"beta": [1]}}, "extra_query['beta']"),
        ({"extra_query": {3: "x"}}, "extra_query"),
    ],
)
async def test_bad_extras_are_refused_by_name_before_anything_is_sent(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, options: Any, field: str
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        await vapi_client.list(**options)

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
    for name in ("cursor", "page", "sortOrder", "search"):
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
            extra_body={"server": {"url": "https://x.example", "secret": secret}},
        )

    assert secret not in str(caught.value) and secret not in repr(caught.value.body)
