"""Abusive servers: an answer too big to hold, a body trickled a byte at a time. The client
ends each attempt with one of its own errors, in bounded time and memory. (A redirect is
never followed with the key: tests/transports/test_aiohttp.py.)"""

from __future__ import annotations

import pytest

from vapi_phone_async.errors import APITimeoutError, OutcomeUnknownError, ResponseDecodeError
from vapi_phone_async.models import CreateVonagePhoneNumber
from vapi_phone_async.testing import FakeVapiServer
from vapi_phone_async.transports._aiohttp import MAX_RESPONSE_BYTES

from .helpers import NO_RETRIES, MakeClient


async def test_an_answer_over_64_mib_is_cut_off_with_a_clear_error(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    assert MAX_RESPONSE_BYTES == 64 * 1024 * 1024  # the documented cap
    fake_vapi.inject_fault("GET", mode="raw", body=b" " * (MAX_RESPONSE_BYTES + 1))
    fake_vapi.inject_fault("POST", mode="raw", status=201, body=b" " * (MAX_RESPONSE_BYTES + 1))
    body = CreateVonagePhoneNumber(number="+14155550100", credential_id="cred-1")
    async with make_client() as client:
        with pytest.raises(ResponseDecodeError, match="larger than 64 MiB"):
            await client.get("any-id")
        with pytest.raises(OutcomeUnknownError) as caught:  # a 2xx: the number may exist
            await client.create(body)
    assert isinstance(caught.value.cause, ResponseDecodeError)
    assert len(fake_vapi.requests("GET")) == 1  # not retried: it would be as big again


async def test_a_body_growing_past_the_cap_while_read_is_cut_off(
    fake_vapi: FakeVapiServer, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a size up front (here: the body comes in two parts), the cap holds too."""
    monkeypatch.setattr("vapi_phone_async.transports._aiohttp.MAX_RESPONSE_BYTES", 1000)
    fake_vapi.seed(10)
    fake_vapi.inject_fault("GET", "/v2/phone-number", mode="stall", delay=0.05)
    async with make_client(backoff=NO_RETRIES) as client:
        with pytest.raises(ResponseDecodeError, match="larger than"):
            await client.paginate(page_size=10).collect()


async def test_a_body_trickled_a_byte_at_a_time_ends_within_the_attempts_timeout(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    """A byte every 50 ms never trips the read timeout; the attempt's total does."""
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", mode="trickle", delay=0.05)
    async with make_client(timeout=0.5, backoff=NO_RETRIES) as client:
        with pytest.raises(APITimeoutError):
            await client.get(number["id"])
