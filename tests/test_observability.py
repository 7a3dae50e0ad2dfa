"""Seeing what the client does: event hooks, `max_retries` and `VAPI_LOG`, end to end
against the fake (raw responses: tests/test_raw.py)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from vapi_phone_async import RequestEvent, ResponseEvent, VapiPhoneClient
from vapi_phone_async.errors import (
    APIConnectionError,
    InternalServerError,
    OutcomeUnknownError,
    RequestValidationError,
)
from vapi_phone_async.models import (
    UpdateTwilioPhoneNumber,
)
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from .helpers import SERVER_SECRET, TWILIO_TOKEN, MakeClient, twilio_with_secrets

pytestmark = pytest.mark.client(jitter=0)


# Event hooks.


async def test_hooks_see_every_attempt_with_method_path_status_and_time(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    number = fake_vapi.seed(1)[0]
    requests: list[RequestEvent] = []
    responses: list[ResponseEvent] = []

    async def on_response(event: ResponseEvent) -> None:
        responses.append(event)

    client = make_client(event_hooks={"request": [requests.append], "response": [on_response]})
    fake_vapi.inject_fault("GET", mode="status", status=502, times=1)
    await client.get(number["id"])

    path = f"/phone-number/{number['id']}"
    assert requests == [RequestEvent("GET", path, 1), RequestEvent("GET", path, 2)]
    assert [(e.method, e.path, e.attempt, e.status, e.error) for e in responses] == [
        ("GET", path, 1, 502, "InternalServerError"),
        ("GET", path, 2, 200, None),
    ]
    assert all(event.elapsed > 0 for event in responses)
    assert [e.request_id for e in responses] == [r.request_id for r in fake_vapi.request_log]


async def test_hooks_see_an_attempt_that_got_no_answer() -> None:
    responses: list[ResponseEvent] = []
    client = VapiPhoneClient(
        api_key=TEST_API_KEY,
        base_url="http://127.0.0.1:9",  # discard: nothing listens there
        max_retries=0,
        event_hooks={"response": [responses.append]},
    )
    async with client:
        with pytest.raises(APIConnectionError):
            await client.get("abc")

    assert len(responses) == 1
    event = responses[0]
    assert event.status is None and event.error == "APIConnectionError"
    assert event.request_id is None


async def test_hooks_see_the_requests_of_walks_and_bulk_runs(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    fake_vapi.seed(250)
    seen: list[ResponseEvent] = []
    client = make_client(event_hooks={"response": [seen.append]})

    ids = [number.id async for number in client.paginate(page_size=100)]
    pairs = [(i, UpdateTwilioPhoneNumber(name="x")) for i in ids[:5]]
    await client.bulk_update(pairs).collect()

    paths = [event.path for event in seen]
    assert paths.count("/v2/phone-number") == 3
    assert sorted(p for p in paths if p != "/v2/phone-number") == sorted(
        f"/phone-number/{i}" for i in ids[:5]
    )


async def test_no_event_holds_a_secret(fake_vapi: FakeVapiServer, make_client: MakeClient) -> None:
    events: list[Any] = []
    client = make_client(event_hooks={"request": [events.append], "response": [events.append]})
    fake_vapi.inject_fault("POST", mode="echo", status=500)  # echoes the body it got

    with pytest.raises(OutcomeUnknownError):  # a 500 to a create: it may have acted
        await client.create(twilio_with_secrets())
    await client.create(twilio_with_secrets("+14155550101"))

    text = " ".join(repr(event) for event in events)
    assert len(events) == 4
    for secret in (TEST_API_KEY, TWILIO_TOKEN, SERVER_SECRET):
        assert secret not in text


async def test_a_hook_that_raises_is_logged_and_the_call_goes_on(
    fake_vapi: FakeVapiServer, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: ResponseEvent) -> None:
        raise ValueError("a bug in a metrics hook")

    client = make_client(event_hooks={"response": [broken]})
    with caplog.at_level(logging.ERROR, logger="vapi_phone_async"):
        created = await client.create(twilio_with_secrets())

    assert created.number == "+14155550100" and len(fake_vapi.numbers) == 1
    assert "event hook" in caplog.text and "a bug in a metrics hook" in caplog.text


@pytest.mark.parametrize(
    ("hooks", "field"),
    [
        ([print], "event_hooks"),
        ({"sent": [print]}, "event_hooks['sent']"),
        ({"request": print}, "event_hooks['request']"),
        ({"response": [print, 3]}, "event_hooks['response'][1]"),
    ],
)
def test_bad_hooks_are_refused_by_name(hooks: Any, field: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        VapiPhoneClient(api_key="k", event_hooks=hooks)

    assert [error.path for error in caught.value.errors] == [field]


# max_retries.


async def test_max_retries_is_a_shorthand_for_the_plans_retries(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    number = fake_vapi.seed(1)[0]
    client = make_client(max_retries=1)
    assert client.backoff.max_retries == 1
    fake_vapi.inject_fault("GET", mode="status", status=503, times=2)

    with pytest.raises(InternalServerError):
        await client.get(number["id"])
    assert len(fake_vapi.request_log) == 2

    fake_vapi.clear_log()
    fake_vapi.inject_fault("GET", mode="status", status=503, times=1)
    with pytest.raises(InternalServerError):
        await client.with_options(max_retries=0).get(number["id"])
    assert len(fake_vapi.request_log) == 1
    assert client.with_options(max_retries=5).backoff.type == client.backoff.type


@pytest.mark.parametrize("value", [-1, 11, 1.5, True, "3"])
def test_a_bad_max_retries_is_refused_by_name(value: Any) -> None:
    with pytest.raises(RequestValidationError) as caught:
        VapiPhoneClient(api_key="k", max_retries=value)

    assert [error.path for error in caught.value.errors] == ["max_retries"]
    assert "0 to 10" in str(caught.value)


# VAPI_LOG.


@pytest.fixture
def package_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("vapi_phone_async")
    handlers, level = list(logger.handlers), logger.level
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)


async def test_vapi_log_debug_logs_each_request_to_stderr_without_secrets(
    fake_vapi: FakeVapiServer,
    make_client: MakeClient,
    package_logger: logging.Logger,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VAPI_LOG", "debug")
    client = make_client()
    make_client()  # a second client adds no second handler
    created = await client.create(twilio_with_secrets())
    await client.get(created.id)

    lines = capsys.readouterr().err.splitlines()
    assert any("POST /phone-number -> 201" in line for line in lines)
    assert any(f"GET /phone-number/{created.id} -> 200" in line for line in lines)
    assert len(lines) == 2
    for secret in (TEST_API_KEY, TWILIO_TOKEN, SERVER_SECRET):
        assert all(secret not in line for line in lines)


async def test_vapi_log_info_logs_retries_not_every_request(
    fake_vapi: FakeVapiServer,
    make_client: MakeClient,
    package_logger: logging.Logger,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    number = fake_vapi.seed(1)[0]
    monkeypatch.setenv("VAPI_LOG", "INFO")
    client = make_client()
    fake_vapi.inject_fault("GET", mode="status", status=503, times=1)
    await client.get(number["id"])

    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "retry" in lines[0].lower() and "503" in lines[0]


def test_without_vapi_log_the_library_adds_no_handler(
    package_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VAPI_LOG", raising=False)
    before = list(package_logger.handlers)
    VapiPhoneClient(api_key="k")
    assert package_logger.handlers == before


def test_an_unknown_vapi_log_is_ignored_with_one_warning(
    package_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("vapi_phone_async._logs._warned", set())
    monkeypatch.setenv("VAPI_LOG", "warning")
    before = list(package_logger.handlers)
    with pytest.warns(UserWarning, match=r"VAPI_LOG='warning' is ignored: it takes debug or info"):
        VapiPhoneClient(api_key="k")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a second client, the same value: no second warning
        VapiPhoneClient(api_key="k")
    assert package_logger.handlers == before
