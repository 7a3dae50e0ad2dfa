"""The lenient decoder: every object it builds holds its annotations, every item of a
listing survives, and nothing the server sent is lost (issue 12)."""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vapi_phone_async import (
    VapiPhoneClient,
    decode_page,
    decode_phone_number,
    decode_phone_number_list,
)
from vapi_phone_async._walk import more_after
from vapi_phone_async._wire import to_wire
from vapi_phone_async.models import (
    BackoffPlan,
    ByoPhoneNumber,
    CreateTwilioPhoneNumber,
    KnownPhoneNumber,
    PaginationMeta,
    PhoneNumberItem,
    PhoneNumberPage,
    Server,
    TwilioPhoneNumber,
    UnknownItem,
    UnknownPhoneNumber,
    VapiPhoneNumber,
    count_unreadable,
)
from vapi_phone_async.pagination import Pager
from vapi_phone_async.testing import FakeVapiServer

from .helpers import conforms, json_paths, json_values, structs
from .test_decode import METADATA, body, byo, normalised

# The payloads of the issue: each once built an object that broke its own types.

MISTYPED = {
    "destination number null": (
        byo(fallbackDestination={"type": "number", "number": None}),
        lambda n: isinstance(n.fallback_destination, UnknownItem),
    ),
    "say exact null": (
        byo(hooks=[{"on": "call.ringing", "do": [{"type": "say", "exact": None}]}]),
        lambda n: isinstance(n.hooks[0].do[0], UnknownItem),
    ),
    "createdAt not a date": (
        byo(createdAt="yesterday"),
        lambda n: n.created_at is None and n.invalid_fields == {"createdAt": "yesterday"},
    ),
    "hooks an object": (
        byo(hooks={"on": "call.ringing"}),
        lambda n: n.hooks is None and n.invalid_fields == {"hooks": {"on": "call.ringing"}},
    ),
    "number an int": (
        byo(number=14155550100),
        lambda n: n.number is None and n.invalid_fields == {"number": 14155550100},
    ),
    "a required nested field of the wrong type": (
        byo(server={"url": "https://x", "backoffPlan": {"type": "fixed", "maxRetries": "2"}}),
        lambda n: n.server.backoff_plan is None and "server.backoffPlan" in n.invalid_fields,
    ),
}


@pytest.mark.parametrize(("raw", "check"), MISTYPED.values(), ids=list(MISTYPED))
def test_a_mistyped_payload_decodes_soundly(raw: dict[str, Any], check: Any) -> None:
    number = decode_phone_number(body(raw))
    assert isinstance(number, ByoPhoneNumber)
    assert conforms(number, PhoneNumberItem) == []
    assert check(number)
    assert to_wire(number) == raw  # and what could not be typed is still there


def test_a_whole_number_typed_as_a_json_number_reads_as_an_int() -> None:
    plan = {
        "type": "fixed",
        "maxRetries": 2.0,
        "baseDelaySeconds": 1,
        "excludedStatusCodes": [400.0],
    }
    number = decode_phone_number(body(byo(server={"backoffPlan": plan})))
    assert isinstance(number, ByoPhoneNumber) and number.server is not None
    assert number.server.backoff_plan == BackoffPlan(
        type="fixed", max_retries=2, base_delay_seconds=1, excluded_status_codes=[400]
    )
    assert type(number.server.backoff_plan.max_retries) is int
    fraction = decode_phone_number(body(byo(server={"backoffPlan": {**plan, "maxRetries": 2.5}})))
    assert isinstance(fraction, ByoPhoneNumber)
    assert fraction.server == Server()
    assert fraction.invalid_fields == {"server.backoffPlan": {**plan, "maxRetries": 2.5}}


# One bad item of a listing: the others stay typed, and the bad one is counted.

UNREADABLE = [
    {"id": None, "provider": "twilio", "twilioAuthToken": "tok_SECRET"},
    {"provider": "vapi"},
    {"id": "pn_x"},
    7,
    None,
]


@pytest.mark.parametrize("bad", UNREADABLE, ids=repr)
def test_a_page_with_one_unidentifiable_item_yields_the_others(bad: Any) -> None:
    good = [byo(id="pn_1"), {"provider": "twilio", "id": "pn_2"}]
    page = decode_page(body({"results": [good[0], bad, good[1]], "metadata": METADATA}))
    first, odd, last = page.results
    assert isinstance(first, ByoPhoneNumber) and isinstance(last, TwilioPhoneNumber)
    assert isinstance(odd, UnknownPhoneNumber) and not odd.readable
    assert page.unreadable == 1
    assert to_wire(odd) == bad
    assert "tok_SECRET" not in repr(page)
    numbers = decode_phone_number_list(body([good[0], bad, good[1]]))
    assert [type(n) for n in numbers] == [ByoPhoneNumber, UnknownPhoneNumber, TwilioPhoneNumber]
    assert count_unreadable(numbers) == 1


def test_a_number_from_an_unknown_provider_is_readable() -> None:
    (number,) = decode_phone_number_list(body([{"id": "pn_1", "provider": "sinch"}]))
    assert isinstance(number, UnknownPhoneNumber) and number.readable
    assert count_unreadable([number]) == 0


# Page metadata, by the spec's `number` types.


def test_page_metadata_of_whole_floats_decodes_as_ints() -> None:
    meta = {**METADATA, "itemsPerPage": 100.0, "totalItems": 4.0, "currentPage": 1.0}
    page = decode_page(body({"results": [byo()], "metadata": meta}))
    assert page.metadata == msgspec.convert(METADATA, PaginationMeta)
    assert isinstance(page.results[0], ByoPhoneNumber)


def test_a_fraction_in_page_metadata_is_invalid_not_rounded() -> None:
    page = decode_page(body({"results": [], "metadata": {**METADATA, "totalPages": 1.5}}))
    assert page.metadata.total_pages is None
    assert page.metadata.invalid_fields == {"totalPages": 1.5}


@pytest.mark.parametrize(
    "metadata",
    [None, "soon", {}, {"itemsPerPage": "ten", "currentPage": None}],
    ids=["null", "a string", "empty", "mistyped"],
)
def test_a_page_without_usable_metadata_walks_by_the_short_page_rule(metadata: Any) -> None:
    page = decode_page(body({"results": [byo(id="a"), byo(id="b")], "metadata": metadata}))
    assert [n.id for n in page.results] == ["a", "b"]
    assert more_after(page, 2, page_size=2)  # a full page: there may be more
    assert not more_after(page, 2, page_size=3)  # a short one ends the walk


def pages_of(bodies: list[bytes]) -> Any:
    async def fetch(params: dict[str, str]) -> PhoneNumberPage:
        return decode_page(bodies[int(params.get("page", "1")) - 1])

    return fetch


async def test_a_walk_over_float_metadata_and_a_bad_item_reads_every_page() -> None:
    meta = {"itemsPerPage": 2.0, "totalItems": 3.0, "currentPage": 1.0, "totalPages": 2.0}
    bodies = [
        body({"results": [byo(id="a"), {"provider": "vapi"}], "metadata": meta}),
        body({"results": [byo(id="c")], "metadata": {**meta, "currentPage": 2.0}}),
    ]
    pager = Pager(pages_of(bodies), {}, page_size=2, max_items=None, prefetch=1, consistent=False)
    pages = [page async for page in pager.pages()]
    assert [[n.id for n in page.results] for page in pages] == [["a", ""], ["c"]]
    assert sum(page.unreadable for page in pages) == 1


# Property tests: valid numbers, mutated anywhere, decode to objects that hold their
# annotations; without nulls among the mutations, to_wire gives back what was sent.

KEYS = st.sampled_from(["id", "provider", "type", "on", "number", "do", "futureField", "server"])
settings_ = settings(
    max_examples=int(os.environ.get("LENIENT_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def mutated(draw: st.DrawFn, *, nulls: bool) -> Any:
    """A valid number's JSON with one to three places replaced, or given a new key."""
    cls = draw(st.sampled_from(list(KnownPhoneNumber.__args__)))
    data = msgspec.to_builtins(draw(structs(cls)))
    values = json_values(nulls=False)
    values = values | st.none() if nulls else values
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(json_paths(data)))
        if not path:
            continue
        *parents, last = path
        node = data
        for part in parents:
            node = node[part]
        if isinstance(node.get(last) if isinstance(node, dict) else None, dict) and draw(
            st.booleans()
        ):
            node[last][draw(KEYS)] = draw(values)
        else:
            node[last] = draw(values)
    return data


@settings_
@given(data=mutated(nulls=True))
def test_a_mutated_number_decodes_to_objects_that_hold_their_annotations(data: Any) -> None:
    (number,) = decode_phone_number_list(body([data]))
    assert conforms(number, PhoneNumberItem) == []


def without_added_tags(written: Any, sent: Any) -> Any:
    """`written` less the `type` msgspec adds to a message sent without it (a lone object
    member of `str | CustomMessage` needs no tag to be read, and gets it back on write)."""
    if isinstance(written, dict) and isinstance(sent, dict):
        return {
            key: without_added_tags(value, sent.get(key))
            for key, value in written.items()
            if key in sent or (key, value) != ("type", "custom-message")
        }
    if isinstance(written, list) and isinstance(sent, list) and len(written) == len(sent):
        return [without_added_tags(w, s) for w, s in zip(written, sent, strict=False)]
    return written


@settings_
@given(data=mutated(nulls=False))
def test_a_mutated_number_loses_nothing(data: Any) -> None:
    (number,) = decode_phone_number_list(body([data]))
    assert normalised(without_added_tags(to_wire(number), data)) == normalised(data)


@settings_
@given(data=mutated(nulls=True))
def test_a_mutated_number_on_a_page_never_fails_the_page(data: Any) -> None:
    page = decode_page(body({"results": [data, byo()], "metadata": METADATA}))
    assert conforms(page, PhoneNumberPage) == []
    assert page.results[1] == ByoPhoneNumber(id="pn_1", credential_id="cred_1")


# Unknown fields are kept with the number, read-only and redacted like the rest.


def test_unknown_fields_are_read_only_and_their_secrets_hidden() -> None:
    raw = {
        "provider": "vapi",
        "id": "pn_1",
        "futureSecret": {"password": "p_SECRET"},
        "server": {"url": "https://x", "headers2": 1, "secret": "s"},
        "serverUrlSecret": "u_SECRET",
        "createdAt": datetime(2025, 1, 1).isoformat() + "Z",
    }
    number = decode_phone_number(body(raw))
    assert isinstance(number, VapiPhoneNumber)
    assert number.unknown_fields == {
        "futureSecret": {"password": "p_SECRET"},
        "server.headers2": 1,
    }
    with pytest.raises(TypeError):
        number.unknown_fields["x"] = 1  # type: ignore[index]
    assert number.server_url_secret == "u_SECRET"
    assert "SECRET" not in repr(number) and "SECRET" not in str(number)
    assert json.loads(msgspec.json.encode(number))["serverUrlSecret"] == "u_SECRET"


# Through the client and the fake, as a user meets it.


async def test_a_field_unknown_to_the_models_shows_after_get(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    stored = fake_vapi.insert(
        {
            "provider": "twilio",
            "number": "+14155550100",
            "futureField": [1, 2],
            "serverUrlSecret": "x",
        }
    )
    number = await vapi_client.get(stored["id"])
    assert isinstance(number, TwilioPhoneNumber)
    assert number.unknown_fields == {"futureField": [1, 2]}
    assert number.server_url_secret == "x"
    listed = await vapi_client.list_recent()
    assert listed[0].unknown_fields == {"futureField": [1, 2]}  # type: ignore[union-attr]


async def test_a_twilio_number_of_plain_digits_is_created(vapi_client: VapiPhoneClient) -> None:
    """The spec gives a Twilio number no format: neither the client nor the fake refuse it."""
    body = CreateTwilioPhoneNumber(number="14155550100", twilio_account_sid="AC1")
    number = await vapi_client.create(body)
    assert isinstance(number, TwilioPhoneNumber) and number.number == "14155550100"


async def test_a_walk_over_the_fake_reads_past_an_unreadable_number(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.seed(5)
    fake_vapi.insert({"name": "no provider"})
    pages = [page async for page in vapi_client.paginate(page_size=2).pages()]
    numbers = [number for page in pages for number in page.results]
    assert len(numbers) == 6
    assert sum(page.unreadable for page in pages) == 1
