"""Bodies newer than the models: fields this version does not know are kept at their place
and the rest is typed as the fast path types it, without the lenient per-item fallback
(issue 21)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vapi_phone_async import _decode, decode_page, decode_phone_number, decode_phone_number_list
from vapi_phone_async._kept import path_text
from vapi_phone_async._novel import unknown_field
from vapi_phone_async._wire import to_wire
from vapi_phone_async.errors import ResponseDecodeError
from vapi_phone_async.models import (
    ByoPhoneNumber,
    KnownPhoneNumber,
    PhoneNumberItem,
    PhoneNumberPage,
    TwilioPhoneNumber,
    UnknownPhoneNumber,
)

from .helpers import conforms, json_values, structs
from .test_decode import METADATA, body, byo, normalised

TRANSFER = {"type": "transfer", "destination": {"type": "sip", "sipUri": "sip:a@example.com"}}
NUMBER = byo(
    server={
        "url": "https://example.com",
        "backoffPlan": {"type": "fixed", "maxRetries": 1, "baseDelaySeconds": 1},
    },
    fallbackDestination={
        "type": "number",
        "number": "+14155550100",
        "transferPlan": {"mode": "blind-transfer", "contextEngineeringPlan": {"type": "all"}},
    },
    hooks=[
        {"on": "call.ringing", "do": [{"type": "say", "exact": "Hold on"}]},
        {"on": "call.ending", "do": TRANSFER},
    ],
)
# Where a newer Vapi may add a field to a number, as paths into NUMBER.
PLACES = [
    (),
    ("server",),
    ("server", "backoffPlan"),
    ("fallbackDestination",),
    ("fallbackDestination", "transferPlan"),
    ("fallbackDestination", "transferPlan", "contextEngineeringPlan"),
    ("hooks", 0),
    ("hooks", 0, "do", 0),
    ("hooks", 1, "do"),
    ("hooks", 1, "do", "destination"),
]


def with_field(data: Any, place: tuple[Any, ...], name: str, value: Any) -> Any:
    """A copy of `data` with `name: value` added to the object at `place`."""
    data = copy.deepcopy(data)
    target = data
    for part in place:
        target = target[part]
    target[name] = value
    return data


@pytest.fixture
def no_lenient(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test whose body takes the lenient decoder."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the lenient decoder was used")

    monkeypatch.setattr(_decode, "_item", refuse)
    monkeypatch.setattr(_decode, "lenient_value", refuse)


@pytest.mark.usefixtures("no_lenient")
@pytest.mark.parametrize("place", PLACES, ids=lambda place: path_text(place) or "the number")
def test_a_new_field_anywhere_in_a_number_is_kept_without_the_lenient_decoder(
    place: tuple[Any, ...],
) -> None:
    raw = with_field(NUMBER, place, "futureField", {"a": [1, 2.5, None]})
    expected = {path_text((*place, "futureField")): {"a": [1, 2.5, None]}}
    typed = decode_phone_number(body(NUMBER))

    number = decode_phone_number(body(raw))
    assert number == typed
    assert number.unknown_fields == expected  # type: ignore[union-attr]
    assert number.invalid_fields == {}  # type: ignore[union-attr]
    assert to_wire(number) == raw

    (listed,) = decode_phone_number_list(body([raw]))
    assert listed == typed and listed.unknown_fields == expected  # type: ignore[union-attr]
    page = decode_page(body({"results": [NUMBER, raw], "metadata": METADATA}))
    assert page.results == [typed, typed]
    assert [n.unknown_fields for n in page.results] == [{}, expected]  # type: ignore[union-attr]


@pytest.mark.usefixtures("no_lenient")
def test_new_fields_on_the_page_and_its_metadata_are_kept_beside_each() -> None:
    raw = {
        "results": [byo(tier="gold")],
        "metadata": {**METADATA, "nextCursor": "c1", "window": 5},
        "cursor": {"next": "c1"},
    }
    page = decode_page(body(raw))
    assert page.unknown_fields == {"cursor": {"next": "c1"}}
    assert page.metadata.unknown_fields == {"window": 5}
    assert page.metadata.next_cursor == "c1"
    assert page.results[0].unknown_fields == {"tier": "gold"}  # type: ignore[union-attr]
    assert normalised(to_wire(page)) == normalised(raw)


@pytest.mark.usefixtures("no_lenient")
def test_several_new_fields_at_several_levels_are_all_kept() -> None:
    raw = {**NUMBER, "tier": "gold", "region": "eu"}
    for place in PLACES[1:]:
        raw = with_field(raw, place, "tier", len(place))
    numbers = decode_phone_number_list(body([raw] * 3))
    expected = {"tier": "gold", "region": "eu"} | {
        path_text((*place, "tier")): len(place) for place in PLACES[1:]
    }
    assert [n.unknown_fields for n in numbers] == [expected] * 3  # type: ignore[union-attr]


def test_a_field_known_to_another_provider_is_unknown_to_this_one() -> None:
    """`twilioAccountSid` on a Vonage number is kept aside, not taken as a Twilio field."""
    raw = {"provider": "vonage", "id": "pn_1", "twilioAccountSid": "AC1", "smsEnabled": True}
    number = decode_phone_number(body(raw))
    assert number.unknown_fields == {"twilioAccountSid": "AC1", "smsEnabled": True}  # type: ignore[union-attr]
    twilio = decode_phone_number(body({**raw, "provider": "twilio"}))
    assert isinstance(twilio, TwilioPhoneNumber) and twilio.unknown_fields == {}


def test_new_fields_beside_a_malformed_item_leave_only_that_item_to_the_lenient_decoder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repaired: list[Any] = []
    lenient_item = _decode._item

    def item(raw: msgspec.Raw) -> Any:
        repaired.append(msgspec.json.decode(raw))
        return lenient_item(raw)

    monkeypatch.setattr(_decode, "_item", item)
    bad = byo(id="pn_bad", createdAt="yesterday", tier="gold")
    new = [byo(id=f"pn_{i}", tier="gold", server={"region": "eu"}) for i in range(5)]
    future = {"provider": "sinch", "id": "pn_sinch"}
    page = decode_page(body({"results": [*new[:2], bad, future, *new[2:]], "metadata": METADATA}))
    assert repaired == [bad, future]
    numbers = page.results
    assert [n.id for n in numbers] == ["pn_0", "pn_1", "pn_bad", "pn_sinch", "pn_2", "pn_3", "pn_4"]
    assert isinstance(numbers[3], UnknownPhoneNumber)
    for number in (*numbers[:2], *numbers[4:]):
        assert number.unknown_fields == {"tier": "gold", "server.region": "eu"}  # type: ignore[union-attr]
    assert numbers[2].unknown_fields == {"tier": "gold"}  # type: ignore[union-attr]
    assert numbers[2].invalid_fields == {"createdAt": "yesterday"}  # type: ignore[union-attr]


def test_more_new_fields_than_are_learned_one_by_one_are_all_kept_by_the_lenient_decoder() -> None:
    raw = byo(**{f"new{i}": i for i in range(40)})
    number = decode_phone_number(body(raw))
    assert number.unknown_fields == {f"new{i}": i for i in range(40)}  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ['say "hi"', "back\\slash", "bell\x07", "` - at `$.server"])
def test_a_new_field_of_any_name_is_kept(name: str) -> None:
    """Names msgspec cannot give a field, or that mimic where an error is, go the slow way."""
    raw = byo(server={"url": "https://example.com"}, **{name: 1})
    number = decode_phone_number(body(raw))
    assert number.unknown_fields == {name: 1}  # type: ignore[union-attr]
    assert to_wire(number) == raw


def test_invalid_json_after_a_new_field_is_a_decode_error() -> None:
    raw = b'[{"id": "pn_1", "provider": "vapi", "tier": "gold"}, {"id": "pn_2", "na'
    with pytest.raises(ResponseDecodeError):
        decode_phone_number_list(raw)
    with pytest.raises(ResponseDecodeError):
        decode_page(b'{"results": ' + raw)


def test_nesting_too_deep_after_a_new_field_is_a_decode_error_not_a_recursion_error() -> None:
    deep = "[" * 3000 + "]" * 3000
    raw = b'{"id": "pn_1", "provider": "vapi", "tier": 1, "server": {"headers": {"a": '
    try:
        number = decode_phone_number(raw + deep.encode() + b"}}}")
    except ResponseDecodeError:
        return  # Python 3.10 to 3.12: msgspec meets the interpreter's recursion limit
    assert number.unknown_fields == {"tier": 1}  # type: ignore[union-attr]


def test_a_new_field_with_a_mistyped_value_elsewhere_is_kept_with_it() -> None:
    raw = byo(tier="gold", server={"timeoutSeconds": "twenty", "region": "eu"})
    number = decode_phone_number(body(raw))
    assert number.unknown_fields == {"tier": "gold", "server.region": "eu"}  # type: ignore[union-attr]
    assert number.invalid_fields == {"server.timeoutSeconds": "twenty"}  # type: ignore[union-attr]


# Reading msgspec's error: which field, where.


def error_of(data: Any, tp: Any) -> msgspec.ValidationError:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.json.decode(json.dumps(data), type=tp)
    return caught.value


@pytest.mark.parametrize(
    ("data", "tp", "expected"),
    [
        (byo(tier=1), KnownPhoneNumber, ((), "tier")),
        ([byo(server={"region": 1})], list[KnownPhoneNumber], ((None, "server"), "region")),
        (
            {
                "results": [
                    byo(
                        hooks=[
                            {"on": "call.ending", "do": {"type": "say", "exact": "", "voice": 1}}
                        ]
                    )
                ],
                "metadata": METADATA,
            },
            PhoneNumberPage,
            (("results", None, "hooks", None, "do"), "voice"),
        ),
        ({"results": [], "metadata": {"window": 1}}, PhoneNumberPage, (("metadata",), "window")),
        (byo(**{"a` - at `$.b": 1}), KnownPhoneNumber, (("b",), "a")),  # misread, harmlessly
    ],
)
def test_the_unknown_field_of_an_error_is_its_level_and_name(
    data: Any, tp: Any, expected: Any
) -> None:
    assert unknown_field(error_of(data, tp)) == expected


@pytest.mark.parametrize(
    "data",
    [byo(createdAt="yesterday"), {"provider": "sinch", "id": "x"}, byo(**{'a"b': 1})],
    ids=["a mistyped value", "an unknown tag", "a name msgspec cannot give a field"],
)
def test_any_other_error_has_no_unknown_field(data: Any) -> None:
    assert unknown_field(error_of(data, KnownPhoneNumber)) is None


# The property: random new fields at random depths of valid numbers.

NAMES = st.sampled_from(["futureField", "region", "type", "on", "number", "do", "id"]) | st.text(
    max_size=6
)


def objects(value: msgspec.Struct, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every Struct in `value`, itself included, by wire names."""
    yield path
    for field in msgspec.structs.fields(value):
        found = getattr(value, field.name)
        items = enumerate(found) if isinstance(found, list) else [(None, found)]
        for index, item in items:
            if isinstance(item, msgspec.Struct):
                where = (
                    (*path, field.encode_name)
                    if index is None
                    else (*path, field.encode_name, index)
                )
                yield from objects(item, where)


def known_names(value: msgspec.Struct) -> set[str]:
    config = value.__struct_config__
    return {f.encode_name for f in msgspec.structs.fields(value)} | {config.tag_field} - {None}


@st.composite
def newer_pages(draw: st.DrawFn) -> tuple[Any, Any, list[dict[str, Any]]]:
    """A page of valid numbers, the same page with new fields added anywhere in them,
    and each number's `unknown_fields` to expect."""
    classes = list(KnownPhoneNumber.__args__)
    numbers = draw(st.lists(st.sampled_from(classes).flatmap(structs), min_size=1, max_size=3))
    clean = {"results": [msgspec.to_builtins(n) for n in numbers], "metadata": METADATA}
    newer = copy.deepcopy(clean)
    expected: list[dict[str, Any]] = []
    for number, data in zip(numbers, newer["results"], strict=True):
        added: dict[str, Any] = {}
        places = list(objects(number))
        for _ in range(draw(st.integers(1, 4))):
            place = draw(st.sampled_from(places))
            target: Any = number
            node = data
            for part in place:
                target = target[part] if isinstance(part, int) else _attribute(target, part)
                node = node[part]
            known = known_names(target)
            name = draw(NAMES.filter(lambda n: n not in known))  # noqa: B023 (drawn at once)
            node[name] = draw(json_values())
            added[path_text((*place, name))] = node[name]
        expected.append(added)
    return clean, newer, expected


def _attribute(value: msgspec.Struct, wire: str) -> Any:
    (field,) = [f for f in msgspec.structs.fields(value) if f.encode_name == wire]
    return getattr(value, field.name)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(newer_pages())
def test_new_fields_at_any_depth_are_kept_in_place_and_change_no_typed_field(
    case: tuple[Any, Any, list[dict[str, Any]]],
) -> None:
    clean, newer, expected = case
    page = decode_page(body(newer))
    assert page.results == decode_page(body(clean)).results
    assert [n.unknown_fields for n in page.results] == expected  # type: ignore[union-attr]
    assert [n.invalid_fields for n in page.results] == [{}] * len(expected)  # type: ignore[union-attr]
    assert conforms(page, PhoneNumberPage) == []
    assert [to_wire(n) for n in page.results] == [
        json.loads(json.dumps(n)) for n in newer["results"]
    ]
    single = decode_phone_number(body(newer["results"][0]))
    assert conforms(single, PhoneNumberItem) == []
    assert single.unknown_fields == expected[0]  # type: ignore[union-attr]


def test_the_property_adds_fields_where_the_models_nest_objects() -> None:
    """The generator reaches nested objects, not only the top of a number."""
    assert set(PLACES) <= set(objects(decode_phone_number(body(NUMBER))))  # type: ignore[arg-type]
    assert isinstance(decode_phone_number(body(NUMBER)), ByoPhoneNumber)
