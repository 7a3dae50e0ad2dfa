"""_wire: decoded objects back to JSON with what they keep, and extra fields merged
into a body (what the client's `extra_body` and the import's re-send switch use)."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from vapi_phone_async import decode_page, decode_phone_number
from vapi_phone_async._wire import merge_extra, nest, to_wire
from vapi_phone_async.models import CreateTwilioPhoneNumber, Server


def test_merge_extra_adds_fields_and_merges_objects_key_by_key() -> None:
    body = msgspec.json.encode(
        CreateTwilioPhoneNumber(number="1", twilio_account_sid="AC1", server=Server(url="u"))
    )
    merged = merge_extra(body, {"tier": "gold", "server": {"region": "eu"}, "number": "2"})
    assert json.loads(merged) == {
        "provider": "twilio",
        "number": "2",
        "twilioAccountSid": "AC1",
        "server": {"url": "u", "region": "eu"},
        "tier": "gold",
    }


def test_merge_extra_of_nothing_is_the_body_itself() -> None:
    body = b'{"provider":"vapi"}'
    assert merge_extra(body, {}) is body


def test_merge_extra_needs_an_object_body() -> None:
    with pytest.raises(TypeError):
        merge_extra(b"[1]", {"a": 1})


def test_nest_builds_one_mapping_and_leaves_paths_through_lists_out() -> None:
    found: dict[tuple[str | int, ...], Any] = {
        ("tier",): "gold",
        ("server", "region"): "eu",
        ("server", "zone"): 2,
        ("hooks", 0, "voice"): "x",
    }
    assert nest(found) == {"tier": "gold", "server": {"region": "eu", "zone": 2}}


def test_to_wire_gives_a_page_back_as_sent() -> None:
    sent = {
        "results": [{"provider": "vapi", "id": "a", "tier": 1}, {"id": 5}],
        "metadata": {"itemsPerPage": 2, "totalItems": 2.5, "currentPage": 1, "cursorV2": "c"},
        "nextPage": "p",
    }
    assert to_wire(decode_page(json.dumps(sent).encode())) == sent


def test_to_wire_hides_nothing_the_repr_hides() -> None:
    """Redaction is the caller's (an export shows secrets only when asked)."""
    sent = {"provider": "vapi", "id": "a", "futureSecret": {"password": "p"}}
    number = decode_phone_number(json.dumps(sent).encode())
    assert to_wire(number) == sent
    assert "'password': '<set>'" in repr(number)
