"""What every client has beside its calls (`_client_base.py`): its properties, the views
`with_options` makes of it, and its lifecycle. Clients here are on a MockTransport and
send nothing unless a test says so (calls on a closed client or view: tests/test_call.py;
the account's apply lock: tests/bulk/test_lock.py)."""

from __future__ import annotations

import pytest

from vapi_phone_async import BackoffPlan, RetryBudget, VapiPhoneClient
from vapi_phone_async.errors import ClientClosedError
from vapi_phone_async.transports import Answer, MockTransport, Request

KEY = "sk-test-key-0123456789"
NUMBER = {"id": "pn-1", "provider": "byo-phone-number"}


def answer(request: Request) -> Answer:
    return Answer.json(200, NUMBER)


def test_a_client_shows_its_url_and_never_its_key() -> None:
    client = VapiPhoneClient(api_key=KEY, base_url="https://api.example.com/")
    assert repr(client) == "VapiPhoneClient(base_url='https://api.example.com')"
    assert client.base_url == "https://api.example.com"


def test_its_properties_are_what_it_was_made_with() -> None:
    transport = MockTransport(answer)
    plan = BackoffPlan(type="fixed", max_retries=1, base_delay_seconds=0)
    budget = RetryBudget(capacity=10)
    client = VapiPhoneClient(api_key=KEY, transport=transport, backoff=plan, retry_budget=budget)

    assert client.transport is transport
    assert client.backoff == plan
    assert client.retry_budget is budget
    assert VapiPhoneClient(api_key=KEY, retry_budget=False).retry_budget is None


def test_only_a_client_on_the_aiohttp_transport_has_a_session() -> None:
    with pytest.raises(AttributeError, match=r"a client on MockTransport\('answer'\) has no"):
        _ = VapiPhoneClient(api_key=KEY, transport=MockTransport(answer)).session


async def test_a_view_has_its_own_options_and_shares_the_rest() -> None:
    transport = MockTransport(answer)
    client = VapiPhoneClient(api_key=KEY, transport=transport)
    plan = BackoffPlan(type="fixed", max_retries=0, base_delay_seconds=0)

    view = client.with_options(backoff=plan, rate_limit=5)

    assert view.backoff == plan and client.backoff != plan
    assert view.transport is client.transport
    assert view.retry_budget is client.retry_budget
    assert view.account == client.account and view.base_url == client.base_url
    assert view.with_options(max_retries=2).backoff.max_retries == 2  # a view of a view
    assert (await view.get("pn-1")).id == "pn-1"
    assert len(transport.requests) == 1
    await client.aclose()


async def test_closing_twice_is_harmless_and_the_client_stays_closed() -> None:
    transport = MockTransport(answer)
    async with VapiPhoneClient(api_key=KEY, transport=transport) as client:
        pass
    await client.aclose()

    assert transport.closed
    with pytest.raises(ClientClosedError):
        await client.get("pn-1")
    assert transport.requests == []
