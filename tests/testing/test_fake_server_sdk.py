"""The official SDK (`vapi-server-sdk`) against FakeVapiServer: an independent check that
the fake speaks Vapi's wire format. Whatever the SDK sends, it gets back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
import pytest_asyncio

from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

pytestmark = [
    # The SDK (on pydantic 2) reads `__fields__`, deprecated, on every model it builds.
    pytest.mark.filterwarnings("ignore:The `__fields__` attribute is deprecated"),
    # Its types say dict where the spec says string (BackoffPlan.type, TransferPlan.sipVerb,
    # excludedStatusCodes items): dumping a real number warns.
    pytest.mark.filterwarnings("ignore:Pydantic serializer warnings"),
]

vapi = pytest.importorskip("vapi")
httpx = pytest.importorskip("httpx")
sdk_types = pytest.importorskip("vapi.phone_numbers")
ApiError = pytest.importorskip("vapi.core.api_error").ApiError

HOOKS = [
    {
        "on": "call.ringing",
        "filters": [{"type": "startsWith", "key": "number", "startsWith": ["+1"]}],
        "do": [{"type": "say", "exact": "Hello"}],
    },
    {"on": "call.ending", "do": {"type": "say", "exact": "Bye"}},
]
FALLBACK = {
    "type": "number",
    "number": "+14155550199",
    "transferPlan": {"mode": "blind-transfer", "timeout": 30},
}
# The SDK types BackoffPlan.type and TransferPlan.sipVerb as dicts (the spec says strings),
# so it cannot send either; the bodies here go without them.
SERVER = {"url": "https://hooks.example.com/vapi", "timeoutSeconds": 20, "headers": {"X": "1"}}


def create_requests() -> dict[str, Any]:
    common: dict[str, Any] = {
        "name": "Front desk",
        "assistant_id": "asst-1",
        "fallback_destination": FALLBACK,
        "hooks": HOOKS,
        "server": vapi.Server(url=SERVER["url"], timeout_seconds=20, headers={"X": "1"}),
    }
    return {
        "byo-phone-number": sdk_types.CreatePhoneNumbersRequest_ByoPhoneNumber(
            number="+14155550100", credential_id="cred-1", number_e_164_check_enabled=True, **common
        ),
        "twilio": sdk_types.CreatePhoneNumbersRequest_Twilio(
            number="+14155550101", twilio_account_sid="AC1", twilio_auth_token="tok", **common
        ),
        "vonage": sdk_types.CreatePhoneNumbersRequest_Vonage(
            number="+14155550102", credential_id="cred-2", **common
        ),
        "vapi": sdk_types.CreatePhoneNumbersRequest_Vapi(
            sip_uri="sip:front-desk@example.sip.vapi.ai",
            authentication=vapi.SipAuthentication(username="u" * 20, password="p" * 20),
            **common,
        ),
        "telnyx": sdk_types.CreatePhoneNumbersRequest_Telnyx(
            number="+14155550103", credential_id="cred-3", **common
        ),
    }


@pytest_asyncio.fixture
async def sdk(fake_vapi: FakeVapiServer) -> AsyncIterator[Any]:
    async with httpx.AsyncClient() as http:
        yield vapi.AsyncVapi(token=TEST_API_KEY, base_url=fake_vapi.url, httpx_client=http)


def wire(model: Any) -> dict[str, Any]:
    """A SDK model as the JSON it stands for (camelCase, only the fields that are set).

    The SDK parses `createdAt` and `updatedAt` into datetimes: they are left out here and
    compared on their own.
    """
    result: dict[str, Any] = model.dict()
    result.pop("createdAt", None)
    result.pop("updatedAt", None)
    return result


def instant(value: str | datetime) -> datetime:
    """A moment from the fake's text, or from what the SDK made of it: a datetime with
    pydantic 2, the text itself with pydantic 1 (which uv picks on Python 3.10)."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def contains(outer: Any, inner: Any) -> bool:
    """Whether `outer` has everything `inner` has (numbers compare by value)."""
    if isinstance(inner, dict):
        return isinstance(outer, dict) and all(
            key in outer and contains(outer[key], value) for key, value in inner.items()
        )
    if isinstance(inner, list):
        return (
            isinstance(outer, list)
            and len(outer) == len(inner)
            and all(contains(o, i) for o, i in zip(outer, inner, strict=True))
        )
    return bool(outer == inner)


@pytest.mark.parametrize("provider", ["byo-phone-number", "twilio", "vonage", "vapi", "telnyx"])
async def test_the_sdk_creates_gets_updates_and_deletes_each_provider(
    fake_vapi: FakeVapiServer, sdk: Any, provider: str
) -> None:
    request = create_requests()[provider]
    created = await sdk.phone_numbers.create(request=request)
    sent = fake_vapi.request_log[-1].body
    assert sent["provider"] == provider
    assert contains(wire(created), sent)
    assert created.id in fake_vapi.numbers and created.status == "active"
    assert created.created_at is not None and created.org_id == fake_vapi.org_id

    fetched = await sdk.phone_numbers.get(created.id)
    assert wire(fetched) == wire(created)

    update_type = {
        "byo-phone-number": sdk_types.UpdatePhoneNumbersRequestBody_ByoPhoneNumber,
        "twilio": sdk_types.UpdatePhoneNumbersRequestBody_Twilio,
        "vonage": sdk_types.UpdatePhoneNumbersRequestBody_Vonage,
        "vapi": sdk_types.UpdatePhoneNumbersRequestBody_Vapi,
        "telnyx": sdk_types.UpdatePhoneNumbersRequestBody_Telnyx,
    }[provider]
    updated = await sdk.phone_numbers.update(
        created.id, request=update_type(name="Back office", assistant_id=None)
    )
    assert fake_vapi.request_log[-1].body == {
        "provider": provider,
        "name": "Back office",
        "assistantId": None,
    }
    assert updated.name == "Back office"
    assert updated.assistant_id is None
    assert "assistantId" not in fake_vapi.numbers[created.id]
    assert updated.updated_at > created.updated_at
    assert wire(updated)["hooks"] == wire(created)["hooks"]  # untouched fields stay

    deleted = await sdk.phone_numbers.delete(created.id)
    assert deleted.id == created.id
    with pytest.raises(ApiError) as raised:
        await sdk.phone_numbers.get(created.id)
    assert raised.value.status_code == 404
    assert raised.value.body == {"message": "Not Found", "error": "Not Found", "statusCode": 404}


async def test_the_sdk_lists_seeded_numbers(fake_vapi: FakeVapiServer, sdk: Any) -> None:
    fake_vapi.seed(120)
    listed = await sdk.phone_numbers.list(limit=1000)
    expected = sorted(fake_vapi.numbers.values(), key=lambda n: (n["createdAt"], n["id"]))[::-1]
    assert [n.id for n in listed] == [n["id"] for n in expected][:100]  # the live API's cap
    assert {n.provider for n in listed} == {
        "byo-phone-number",
        "twilio",
        "vonage",
        "vapi",
        "telnyx",
    }
    for number in listed:
        stored = fake_vapi.numbers[number.id]
        assert contains(stored, wire(number))
        assert instant(number.created_at) == instant(stored["createdAt"])
        assert instant(number.updated_at) == instant(stored["updatedAt"])


async def test_the_sdk_pages_through_v2(fake_vapi: FakeVapiServer, sdk: Any) -> None:
    fake_vapi.full_metadata = True  # the fields the spec leaves optional, which the SDK reads
    fake_vapi.seed(95, tie_rate=0.3)
    ids: list[str] = []
    page_number = 1
    while True:
        page = await sdk.phone_numbers.phone_number_controller_find_all_paginated(
            page=page_number, limit=10, sort_order="ASC"
        )
        assert page.metadata.items_per_page == 10 and page.metadata.total_items == 95
        assert page.metadata.current_page == page_number and page.metadata.sort_order == "ASC"
        ids.extend(number.id for number in page.results)
        if not page.metadata.has_next_page:
            break
        page_number += 1
    expected = sorted(fake_vapi.numbers.values(), key=lambda n: (n["createdAt"], n["id"]))
    assert ids == [n["id"] for n in expected]
    assert page_number == 10


async def test_the_sdk_follows_next_cursor(fake_vapi: FakeVapiServer, sdk: Any) -> None:
    fake_vapi.cursors = True  # nextCursor shown and `cursor` honoured, as the SDK reads
    fake_vapi.seed(45, tie_rate=0.3)
    ids: list[str] = []
    extra: dict[str, Any] = {}
    while True:
        page = await sdk.phone_numbers.phone_number_controller_find_all_paginated(
            limit=10, search="a", request_options={"additional_query_parameters": extra}
        )
        ids.extend(number.id for number in page.results)
        if page.metadata.next_cursor is None:
            break
        extra = {"cursor": page.metadata.next_cursor}
    page_walk = await sdk.phone_numbers.phone_number_controller_find_all_paginated(
        limit=100, search="a"
    )
    assert ids == [number.id for number in page_walk.results]
    assert len(ids) == page_walk.metadata.total_items > 10
