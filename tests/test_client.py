"""VapiPhoneClient against FakeVapiServer: CRUD, errors, validation, lifecycle, secrets."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import anyio
import msgspec
import pytest

from vapi_phone_async import BackoffPlan, VapiPhoneClient
from vapi_phone_async.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    NotFoundError,
    RequestValidationError,
)
from vapi_phone_async.models import (
    CreateByoPhoneNumber,
    CreatePhoneNumber,
    CreateTelnyxPhoneNumber,
    CreateTwilioPhoneNumber,
    CreateVapiPhoneNumber,
    CreateVonagePhoneNumber,
    TwilioPhoneNumber,
    UpdateByoPhoneNumber,
    UpdatePhoneNumber,
    UpdateTelnyxPhoneNumber,
    UpdateTwilioPhoneNumber,
    UpdateVapiPhoneNumber,
    UpdateVonagePhoneNumber,
)
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from .helpers import NO_RETRIES, STATUS_ERRORS, MakeClient, Wiretap

PROVIDERS: list[tuple[CreatePhoneNumber, type[Any]]] = [
    (
        CreateByoPhoneNumber(credential_id="cred-1", number="+14155550101", assistant_id="a1"),
        UpdateByoPhoneNumber,
    ),
    (
        CreateTwilioPhoneNumber(number="+14155550102", twilio_account_sid="AC1", assistant_id="a1"),
        UpdateTwilioPhoneNumber,
    ),
    (
        CreateVonagePhoneNumber(number="+14155550103", credential_id="cred-2", assistant_id="a1"),
        UpdateVonagePhoneNumber,
    ),
    (
        CreateVapiPhoneNumber(number_desired_area_code="415", assistant_id="a1"),
        UpdateVapiPhoneNumber,
    ),
    (
        CreateTelnyxPhoneNumber(number="+14155550104", credential_id="cred-3", assistant_id="a1"),
        UpdateTelnyxPhoneNumber,
    ),
]


@pytest.mark.parametrize(("body", "update_class"), PROVIDERS, ids=lambda p: type(p).__name__)
async def test_crud_round_trip_for_each_provider(
    fake_vapi: FakeVapiServer,
    vapi_client: VapiPhoneClient,
    body: CreatePhoneNumber,
    update_class: type[UpdatePhoneNumber],
) -> None:
    created = await vapi_client.create(body, allow_purchase=True)  # the Vapi one buys
    assert type(created).__name__ == type(body).__name__.removeprefix("Create")
    assert created.assistant_id == "a1"  # type: ignore[union-attr]

    fetched = await vapi_client.get(created.id)
    assert fetched == created

    updated = await vapi_client.update(created.id, update_class(name="renamed", assistant_id=None))
    assert updated.name == "renamed"  # type: ignore[union-attr]
    assert updated.assistant_id is None  # type: ignore[union-attr]
    assert "assistantId" not in fake_vapi.numbers[created.id]

    deleted = await vapi_client.delete(created.id)
    assert deleted is not None and deleted.id == created.id
    with pytest.raises(NotFoundError):
        await vapi_client.get(created.id)


async def test_none_is_sent_as_null_and_an_unset_field_is_not_sent(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    created = await vapi_client.create(
        CreateTwilioPhoneNumber(number="+14155550102", twilio_account_sid="AC1", name="old")
    )
    await vapi_client.update(created.id, UpdateTwilioPhoneNumber(assistant_id=None))
    (patch,) = fake_vapi.requests("PATCH")
    assert patch.body == {"provider": "twilio", "assistantId": None}
    assert fake_vapi.numbers[created.id]["name"] == "old"


async def test_list_sends_its_limit_and_date_filters(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    seeded = fake_vapi.seed(30)
    middle = msgspec.json.decode(msgspec.json.encode(seeded[15]))["createdAt"]
    numbers = await vapi_client.list_recent(limit=10, created_at_le=middle)
    (request,) = fake_vapi.requests("GET", "/phone-number")
    assert request.query["limit"] == "10"
    assert request.query["createdAtLe"] == middle
    assert len(numbers) == 10
    assert all(n.created_at is not None for n in numbers)  # type: ignore[union-attr]
    assert max(n.created_at for n in numbers) <= msgspec.convert(  # type: ignore[union-attr,type-var]
        middle, type=__import__("datetime").datetime
    )


@pytest.mark.parametrize(("status", "error_class"), STATUS_ERRORS)
async def test_every_error_class_from_its_status(
    fake_vapi: FakeVapiServer,
    make_client: MakeClient,
    status: int,
    error_class: type[APIStatusError],
) -> None:
    fake_vapi.inject_fault("GET", mode="status", status=status)
    async with make_client(backoff=NO_RETRIES) as c:
        with pytest.raises(error_class) as caught:
            await c.get("some-id")
    error = caught.value
    assert error.status_code == status
    assert error.request_id == fake_vapi.request_log[-1].request_id
    assert error.message


async def test_a_wrong_key_is_an_authentication_error(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    async with make_client(api_key="wrong") as client:
        with pytest.raises(AuthenticationError, match="Unauthorized"):
            await client.get("x")
    assert len(fake_vapi.request_log) == 1  # 401 is never retried


async def test_a_list_shaped_nestjs_message_is_readable(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    created = await vapi_client.create(
        CreateTwilioPhoneNumber(number="+14155550102", twilio_account_sid="AC1")
    )
    # The provider tag disagrees with the stored number's: the server answers 400.
    with pytest.raises(BadRequestError) as caught:
        await vapi_client.update(created.id, UpdateVonagePhoneNumber(name="x"))
    assert isinstance(caught.value.body["message"], list)
    assert caught.value.message == "; ".join(caught.value.body["message"])
    assert "provider" in caught.value.message


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (
            lambda c: c.create(CreateByoPhoneNumber(number="4155550100", credential_id="c")),
            "number",
        ),
        (
            lambda c: c.create(
                CreateTwilioPhoneNumber(
                    number="+14155550100", twilio_account_sid="AC1", name="n" * 41
                )
            ),
            "name",
        ),
        (lambda c: c.list_recent(limit=5000), "limit"),
        (lambda c: c.update("id-1", UpdateByoPhoneNumber(number="12")), "number"),
        (lambda c: c.get(""), "id"),
        (lambda c: c.get("a/b"), "id"),
        (lambda c: c.delete("x?y=1"), "id"),
        (lambda c: c.get("."), "id"),
        (lambda c: c.delete(".."), "id"),
    ],
)
async def test_invalid_input_is_refused_before_anything_is_sent(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, call: Any, field: str
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        await call(vapi_client)
    assert caught.value.field == field
    assert fake_vapi.request_log == []


@pytest.mark.parametrize("bad", ["ünïcode", " abc ", "a\nb", "\x00", "%2F..%2F", "...", 7])
async def test_an_id_that_cannot_be_one_is_refused_before_any_request(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, bad: Any
) -> None:
    for call in (vapi_client.get, vapi_client.delete):
        with pytest.raises(RequestValidationError) as caught:
            await call(bad)
        assert caught.value.field == "id"
    with pytest.raises(RequestValidationError):
        await vapi_client.update(bad, UpdateTwilioPhoneNumber(name="x"))
    assert fake_vapi.request_log == []


def test_the_key_falls_back_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VAPI_API_KEY", raising=False)
    with pytest.raises(RequestValidationError, match="VAPI_API_KEY"):
        VapiPhoneClient()
    monkeypatch.setenv("VAPI_API_KEY", "from-env")
    assert VapiPhoneClient().base_url == "https://api.vapi.ai"


async def test_the_key_from_the_environment_is_sent(
    fake_vapi: FakeVapiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAPI_API_KEY", TEST_API_KEY)
    fake_vapi.seed(1)
    async with VapiPhoneClient(base_url=fake_vapi.url) as client:
        assert len(await client.list_recent()) == 1


async def test_closing_the_client_closes_its_session_and_later_calls_fail(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    client = make_client()
    await client.list_recent()
    session = client.session
    await client.aclose()
    assert session.closed
    with pytest.raises(ClientClosedError):
        await client.list_recent()


async def test_a_session_passed_in_is_used_and_left_open(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    async with aiohttp.ClientSession() as session:
        async with make_client(session=session) as client:
            await client.list_recent()
            assert client.session is session
        assert not session.closed
        async with session.get(fake_vapi.url + "/phone-number") as response:
            assert response.status == 401  # still usable; our key was per request


async def test_cancelling_concurrent_gets_mid_flight_releases_every_connection(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.latency = 5.0
    wiretap = Wiretap(fake_vapi.url)
    async with make_client(transport=wiretap) as client:
        tasks = [asyncio.create_task(client.get(number["id"])) for _ in range(50)]
        with anyio.fail_after(5):
            # Poll the fake's log: every request has reached the server and waits there.
            while len(fake_vapi.request_log) < 50:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        assert wiretap.in_flight == 50
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results)
        assert wiretap.in_flight == 0


async def test_no_log_line_error_or_repr_shows_the_key_or_a_twilio_token(
    make_client: MakeClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    key, token = "sk-live-0123456789abcdef", "twilio-auth-token-SECRET"
    caplog.set_level(logging.DEBUG, logger="vapi_phone_async")
    errors: list[BaseException] = []
    async with (
        FakeVapiServer(api_key=key) as server,
        make_client(
            api_key=key,
            base_url=server.url,
            backoff=BackoffPlan(type="fixed", max_retries=2, base_delay_seconds=0),
        ) as client,
    ):
        body = CreateTwilioPhoneNumber(
            number="+14155550100", twilio_account_sid="AC1", twilio_auth_token=token
        )
        created = await client.create(body)
        server.inject_fault("GET", mode="status", status=503)
        fetched = await client.get(created.id)
        assert isinstance(fetched, TwilioPhoneNumber)
        assert fetched.twilio_auth_token == token  # the value is there, just never shown
        await client.update(created.id, UpdateTwilioPhoneNumber(twilio_auth_token=token))
        # Enough resets to outlast our retries and aiohttp's own silent re-send of a GET.
        server.inject_fault("GET", mode="reset-before", times=10)
        for call in (client.get(created.id), client.get("missing")):
            try:
                await call
            except Exception as error:
                errors.append(error)
        texts = [caplog.text, repr(client), repr(body), repr(fetched), str(fetched)]
        texts += [str(e) for e in errors] + [repr(e) for e in errors]
    assert len(errors) == 2 and "retrying" in caplog.text
    for text in texts:
        assert key not in text
        assert token not in text


@pytest.mark.parametrize(
    ("call", "got"),
    [
        (lambda c: c.create({"provider": "twilio", "number": "+14155550100"}), "got dict"),
        (lambda c: c.create(None), "got NoneType"),
        (lambda c: c.create(UpdateVonagePhoneNumber(name="x")), "got UpdateVonagePhoneNumber"),
        (lambda c: c.update("id-1", {"name": "x"}), "got dict"),
        (lambda c: c.update("id-1", None), "is required: pass an update body, or the fields"),
        (
            lambda c: c.update(
                "id-1", CreateVonagePhoneNumber(number="+14155550100", credential_id="c")
            ),
            "got CreateVonagePhoneNumber",
        ),
    ],
)
async def test_a_body_of_the_wrong_kind_is_refused_by_name_before_any_request(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, call: Any, got: str
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        await call(vapi_client)
    assert caught.value.field == "body" and got in caught.value.rule
    assert fake_vapi.request_log == []


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"timeout": -1}, "timeout"),
        ({"timeout": "5"}, "timeout"),
        ({"backoff": "fast"}, "backoff"),
    ],
)
async def test_bad_per_call_options_are_refused_before_any_request(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient, options: dict[str, Any], field: str
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        await vapi_client.get("an-id", **options)
    assert caught.value.field == field
    assert fake_vapi.request_log == []


async def test_buying_a_number_needs_allow_purchase_and_nothing_is_sent_without_it(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    buy = CreateVapiPhoneNumber(number_desired_area_code="415")
    with pytest.raises(RequestValidationError) as caught:
        await vapi_client.create(buy)
    assert caught.value.field == "allow_purchase" and "costs money" in caught.value.rule
    assert fake_vapi.request_log == []
    sip = CreateVapiPhoneNumber(sip_uri="sip:desk@example.sip.vapi.ai")
    assert (await vapi_client.create(sip)).provider == "vapi"  # a SIP URI buys nothing
    assert (await vapi_client.create(buy, allow_purchase=True)).provider == "vapi"


async def test_sync_is_plan_sync_under_its_old_name_and_warns(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    rows = [{"provider": "vonage", "number": "+14155550100", "credentialId": "cred-1"}]
    with pytest.warns(DeprecationWarning, match=r"client\.sync\(\) is deprecated") as caught:
        old = await vapi_client.sync(rows)
    new = await vapi_client.plan_sync(rows)

    assert caught[0].filename == __file__  # the warning points at the caller
    assert [c.body for c in old.creates] == [c.body for c in new.creates]
    assert fake_vapi.requests("POST") == []  # planning sends nothing
