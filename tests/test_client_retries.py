"""Retries end to end: waits per BackoffPlan, Retry-After, and POST never sent twice.

The injected `sleep` records each wait instead of waiting (a test that does not count them
has the fake's instant waits), so no test really sleeps; the fake's request log counts
what reached the server.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses

from vapi_phone_async import BackoffPlan, VapiPhoneClient
from vapi_phone_async.errors import (
    APITimeoutError,
    InternalServerError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitError,
    RequestValidationError,
    ResponseDecodeError,
)
from vapi_phone_async.models import (
    CreateTwilioPhoneNumber,
    TwilioPhoneNumber,
    UpdateTwilioPhoneNumber,
)
from vapi_phone_async.testing import FakeVapiServer

from ._aioresponses_compat import CompatResponse
from .helpers import MakeClient, RecordedSleep

TWILIO = CreateTwilioPhoneNumber(number="+14155550100", twilio_account_sid="AC1")


# Waits as the plan says, to the letter.
pytestmark = pytest.mark.client(jitter=0)


async def test_fixed_plan_waits_base_delay_before_every_retry(
    fake_vapi: FakeVapiServer, make_client: MakeClient, sleeps: RecordedSleep
) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", mode="status", status=503, times=3)
    plan = BackoffPlan(type="fixed", max_retries=3, base_delay_seconds=0.25)
    client = make_client(backoff=plan, sleep=sleeps)
    assert (await client.get(number["id"])).id == number["id"]
    assert sleeps.waits == [0.25, 0.25, 0.25]
    assert len(fake_vapi.requests("GET")) == 4


async def test_exponential_plan_doubles_and_is_capped_by_max_delay(
    fake_vapi: FakeVapiServer, make_client: MakeClient, sleeps: RecordedSleep
) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", mode="status", status=502, times=4)
    plan = BackoffPlan(type="exponential", max_retries=4, base_delay_seconds=0.5)
    client = make_client(backoff=plan, max_delay=3, sleep=sleeps)
    await client.get(number["id"])
    assert sleeps.waits == [0.5, 1.0, 2.0, 3.0]


async def test_max_retries_is_respected_exactly(
    fake_vapi: FakeVapiServer, make_client: MakeClient, sleeps: RecordedSleep
) -> None:
    fake_vapi.inject_fault("GET", mode="status", status=500, times=100)
    plan = BackoffPlan(type="fixed", max_retries=2, base_delay_seconds=0)
    client = make_client(backoff=plan, sleep=sleeps)
    with pytest.raises(InternalServerError):
        await client.get("any")
    assert len(fake_vapi.requests("GET")) == 3
    assert len(sleeps.waits) == 2


async def test_a_zero_retry_plan_per_call_turns_retries_off(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    fake_vapi.inject_fault("GET", mode="status", status=503, times=5)
    client = make_client()
    off = BackoffPlan(type="fixed", max_retries=0, base_delay_seconds=0)
    with pytest.raises(InternalServerError):
        await client.get("any", backoff=off)
    assert len(fake_vapi.requests("GET")) == 1


async def test_excluded_statuses_are_not_retried(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    fake_vapi.inject_fault("GET", mode="status", status=503, times=5)
    plan = BackoffPlan(
        type="fixed", max_retries=3, base_delay_seconds=0, excluded_status_codes=[503]
    )
    with pytest.raises(InternalServerError):
        await make_client(backoff=plan).get("any")
    assert len(fake_vapi.requests("GET")) == 1


async def test_retry_after_in_seconds_is_a_floor_on_the_wait(
    fake_vapi: FakeVapiServer, make_client: MakeClient, sleeps: RecordedSleep
) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", mode="status", status=429, retry_after=7)
    plan = BackoffPlan(type="fixed", max_retries=2, base_delay_seconds=1)
    client = make_client(backoff=plan, sleep=sleeps)
    await client.get(number["id"])
    assert sleeps.waits == [7]


async def test_a_retry_after_beyond_the_limit_is_not_waited_for(
    fake_vapi: FakeVapiServer, make_client: MakeClient, sleeps: RecordedSleep
) -> None:
    fake_vapi.inject_fault("GET", mode="status", status=429, retry_after=120)
    client = make_client(max_retry_after=60, sleep=sleeps)
    with pytest.raises(RateLimitError) as caught:
        await client.get("any")
    assert caught.value.retry_after == 120
    assert sleeps.waits == []
    assert len(fake_vapi.requests("GET")) == 1


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After-Ms": "2500"}, 2.5),
        ("http-date", 31.0),
    ],
)
async def test_retry_after_as_http_date_and_in_milliseconds(
    sleeps: RecordedSleep, headers: Any, expected: float
) -> None:
    if headers == "http-date":
        when = datetime.now(timezone.utc) + timedelta(seconds=31)
        headers = {"Retry-After": format_datetime(when, usegmt=True)}
    url = "https://api.vapi.ai/phone-number/x"
    async with VapiPhoneClient(api_key="k", sleep=sleeps, jitter=0) as client:
        with aioresponses() as mocked:
            mocked.get(url, status=429, headers=headers, response_class=CompatResponse)
            mocked.get(
                url,
                status=200,
                body=b'{"id": "x", "provider": "vapi"}',
                response_class=CompatResponse,
            )
            assert (await client.get("x")).id == "x"
    (wait,) = sleeps.waits
    # An HTTP date has whole seconds, and some time passes before it is read.
    assert expected - 2 <= wait <= expected


async def test_a_post_answered_503_is_sent_once_and_its_outcome_is_unknown(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    fake_vapi.inject_fault("POST", mode="status", status=503, times=5)
    with pytest.raises(OutcomeUnknownError) as caught:
        await make_client().create(TWILIO)
    assert isinstance(caught.value.cause, InternalServerError)
    assert "outcome unknown" in str(caught.value)
    assert len(fake_vapi.requests("POST")) == 1


async def test_a_post_processed_then_reset_is_sent_once(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    fake_vapi.inject_fault("POST", mode="reset-after")
    with pytest.raises(OutcomeUnknownError):
        await make_client().create(TWILIO)
    assert len(fake_vapi.requests("POST")) == 1
    assert len(fake_vapi.numbers) == 1  # the server did act: look it up, don't re-create


async def test_a_post_that_times_out_is_sent_once(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    fake_vapi.inject_fault("POST", mode="delay", delay=2)
    with pytest.raises(OutcomeUnknownError) as caught:
        await make_client(timeout=0.3).create(TWILIO)
    assert isinstance(caught.value.cause, APITimeoutError)
    assert len(fake_vapi.requests("POST")) == 1


async def test_a_post_answered_429_is_retried_and_creates_exactly_one_number(
    fake_vapi: FakeVapiServer, make_client: MakeClient, sleeps: RecordedSleep
) -> None:
    fake_vapi.inject_fault("POST", mode="status", status=429, retry_after=2)
    created = await make_client(sleep=sleeps).create(TWILIO)
    assert len(fake_vapi.requests("POST")) == 2
    assert list(fake_vapi.numbers) == [created.id]
    assert sleeps.waits[0] >= 2


async def test_a_post_to_a_closed_port_is_retried_since_nothing_was_sent(
    sleeps: RecordedSleep,
) -> None:
    plan = BackoffPlan(type="fixed", max_retries=2, base_delay_seconds=0.1)
    async with VapiPhoneClient(
        api_key="k", base_url="http://127.0.0.1:9", backoff=plan, sleep=sleeps
    ) as client:
        with pytest.raises(Exception) as caught:
            await client.create(TWILIO)
    assert not isinstance(caught.value, OutcomeUnknownError)
    assert getattr(caught.value, "connect_failed", False)
    assert sleeps.waits == [0.1, 0.1]


async def test_get_patch_and_delete_hit_by_reset_after_are_retried_and_succeed(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    client = make_client()
    created = await client.create(TWILIO)
    fake_vapi.inject_fault("GET", mode="reset-after")
    assert (await client.get(created.id)).id == created.id
    fake_vapi.inject_fault("PATCH", mode="reset-after")
    updated = await client.update(created.id, UpdateTwilioPhoneNumber(name="after reset"))
    assert isinstance(updated, TwilioPhoneNumber) and updated.name == "after reset"
    assert len(fake_vapi.requests("PATCH")) == 2
    fake_vapi.inject_fault("DELETE", mode="reset-after")
    # The first DELETE deleted it and its answer was lost; the retry finds it gone.
    assert await client.delete(created.id) is None
    assert fake_vapi.numbers == {}


async def test_a_delete_reset_before_acting_is_retried_and_returns_the_number(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    client = make_client()
    created = await client.create(TWILIO)
    fake_vapi.inject_fault("DELETE", mode="reset-before")
    deleted = await client.delete(created.id)
    assert deleted is not None and deleted.id == created.id


@pytest.mark.parametrize("mode", ["truncate", "malformed"])
async def test_truncated_and_malformed_bodies_are_retried_for_a_get(
    fake_vapi: FakeVapiServer, make_client: MakeClient, sleeps: RecordedSleep, mode: str
) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", mode=mode)  # a 200 whose body is cut, or not JSON
    plan = BackoffPlan(type="fixed", max_retries=2, base_delay_seconds=0.25)

    assert (await make_client(backoff=plan, sleep=sleeps).get(number["id"])).id == number["id"]

    assert [r.fault for r in fake_vapi.requests("GET")] == [mode, None]
    assert sleeps.waits == [0.25]  # waited per the plan, as for any retry


async def test_a_json_answer_that_is_not_a_number_is_retried_for_a_get(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", mode="raw", body=b'{"provider": "twilio"}')  # no id
    assert (await make_client().get(number["id"])).id == number["id"]
    assert len(fake_vapi.requests("GET")) == 2


async def test_a_malformed_answer_to_a_patch_is_retried_and_the_patch_applied_once_more(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    # The PATCH applied; sending the same one again changes nothing more.
    number = fake_vapi.insert(
        {"provider": "twilio", "number": "+14155550100", "twilioAccountSid": "AC1"}
    )
    fake_vapi.inject_fault("PATCH", mode="malformed")

    updated = await make_client().update(number["id"], UpdateTwilioPhoneNumber(name="Desk"))

    assert updated.name == "Desk" and fake_vapi.numbers[number["id"]]["name"] == "Desk"
    assert [r.fault for r in fake_vapi.requests("PATCH")] == ["malformed", None]


async def test_a_malformed_answer_to_a_delete_is_retried_and_the_gone_number_is_none(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("DELETE", mode="malformed")

    assert await make_client().delete(number["id"]) is None  # deleted, its answer unread

    assert fake_vapi.numbers == {}
    assert [r.status for r in fake_vapi.requests("DELETE")] == [200, 404]


async def test_a_malformed_page_is_retried_and_never_yielded(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    fake_vapi.seed(25)
    fake_vapi.inject_fault("GET", "/v2/phone-number", mode="malformed")
    fake_vapi.inject_fault("GET", "/phone-number", mode="malformed")
    client = make_client()

    walked = await client.paginate(page_size=10).collect()
    listed = await client.list_recent(limit=25)

    assert sorted(n.id for n in walked) == sorted(fake_vapi.numbers) == sorted(n.id for n in listed)
    assert sum(r.fault == "malformed" for r in fake_vapi.request_log) == 2


async def test_an_answer_that_stays_malformed_raises_after_the_plans_retries(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", mode="malformed", times=10)
    plan = BackoffPlan(type="fixed", max_retries=2, base_delay_seconds=0)

    with pytest.raises(ResponseDecodeError):
        await make_client(backoff=plan).get(number["id"])
    with pytest.raises(ResponseDecodeError):
        await make_client(max_retries=0).get(number["id"])

    assert len(fake_vapi.requests("GET")) == 3 + 1


async def test_a_deadline_bounds_a_call_with_all_its_retries(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    fake_vapi.inject_fault("GET", mode="delay", delay=5, times=5)
    client = make_client(deadline=0.3)
    with pytest.raises(APITimeoutError, match="deadline"):
        await client.get("any")


async def test_each_retry_is_logged_at_info(
    fake_vapi: FakeVapiServer, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", mode="status", status=503)
    caplog.set_level("INFO", logger="vapi_phone_async")
    await make_client(backoff=BackoffPlan(type="fixed", max_retries=1, base_delay_seconds=0.5)).get(
        number["id"]
    )
    (record,) = [r for r in caplog.records if r.levelname == "INFO"]
    assert "GET" in record.message and "503" in record.message
    assert "attempt 1 of 2" in record.message and "0.50 s" in record.message


async def test_deleting_a_number_that_was_already_gone_raises_not_found(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    with pytest.raises(NotFoundError):
        await make_client().delete("never-existed")
    assert len(fake_vapi.requests("DELETE")) == 1


async def test_a_delete_on_a_fresh_connection_reset_after_acting_returns_none(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("DELETE", mode="reset-after")
    # A new client: no keep-alive connection to reuse, so our own retry re-sends.
    assert await make_client().delete(number["id"]) is None
    assert fake_vapi.numbers == {}
    assert [r.status for r in fake_vapi.requests("DELETE")] == [None, 404]


async def test_a_post_answered_with_an_unreadable_body_is_an_unknown_outcome(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    fake_vapi.inject_fault("POST", mode="malformed", status=201)
    with pytest.raises(OutcomeUnknownError) as caught:
        await make_client().create(TWILIO)
    assert isinstance(caught.value.cause, ResponseDecodeError)
    assert len(fake_vapi.requests("POST")) == 1
    assert len(fake_vapi.numbers) == 1  # created: its id is what the caller must look up


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        (BackoffPlan(type="Fixed", max_retries=1, base_delay_seconds=0), "backoff.type"),
        (BackoffPlan(type="fixed", max_retries=-1, base_delay_seconds=0), "backoff.maxRetries"),
        (
            BackoffPlan(type="fixed", max_retries=1, base_delay_seconds=11),
            "backoff.baseDelaySeconds",
        ),
    ],
)
async def test_a_plan_outside_the_spec_is_refused_for_the_client_and_per_call(
    fake_vapi: FakeVapiServer, make_client: MakeClient, plan: BackoffPlan, field: str
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        VapiPhoneClient(api_key="k", backoff=plan)
    assert caught.value.field == field
    with pytest.raises(RequestValidationError):
        await make_client().get("any", backoff=plan)
    assert fake_vapi.request_log == []


@pytest.mark.parametrize("own_session", [True, False], ids=["own session", "caller's session"])
async def test_a_delete_resent_by_aiohttp_after_a_lost_answer_returns_none_on_any_session(
    fake_vapi: FakeVapiServer, make_client: MakeClient, own_session: bool
) -> None:
    """No retry of ours here: aiohttp itself sends the DELETE again when the connection
    drops under it, the second send finds the number gone, and either way that is None."""
    first, second = fake_vapi.seed(2)
    no_retries = BackoffPlan(type="fixed", max_retries=0, base_delay_seconds=0)
    async with contextlib.AsyncExitStack() as stack:
        session = None if own_session else await stack.enter_async_context(aiohttp.ClientSession())
        client = await stack.enter_async_context(make_client(session=session, backoff=no_retries))
        await client.get(first["id"])  # a keep-alive connection to reuse
        fake_vapi.inject_fault("DELETE", mode="reset-after")
        assert await client.delete(first["id"]) is None
        with pytest.raises(NotFoundError):  # gone before this call: still an error
            await client.delete(first["id"])
        deleted = await client.delete(second["id"])
        assert deleted is not None and deleted.id == second["id"]

    assert [r.status for r in fake_vapi.requests("DELETE")] == [None, 404, 404, 200]
