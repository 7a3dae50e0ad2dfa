"""Property tests: every model decodes back to itself from its own JSON.

The strategies are derived from the Structs' own field types, so a field added later is
generated too. Values are type-valid, not spec-valid (decoding never checks E.164 or
lengths): what is checked is the wire format alone.
"""

from __future__ import annotations

from typing import Any, get_args

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vapi_phone_async import decode_page, decode_phone_number, decode_phone_number_list
from vapi_phone_async.models import (
    BackoffPlan,
    ContextEngineeringPlan,
    CreatePhoneNumber,
    KnownPhoneNumber,
    Message,
    PaginationMeta,
    PhoneNumberHook,
    PhoneNumberHookAction,
    PhoneNumberPage,
    Server,
    TransferDestination,
    UnknownPhoneNumber,
    UpdatePhoneNumber,
)

from ..helpers import structs, values_of


def members(union: Any) -> list[Any]:
    return [m for m in get_args(union) if isinstance(m, type) and issubclass(m, msgspec.Struct)]


def json_round_trip(value: Any, tp: Any) -> Any:
    return msgspec.json.decode(msgspec.json.encode(value), type=tp)


fast = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
few = settings(fast, max_examples=40)


def by_name(classes: list[Any]) -> Any:
    return pytest.mark.parametrize("cls", classes, ids=[c.__name__ for c in classes])


@by_name(members(KnownPhoneNumber))
@fast
@given(data=st.data())
def test_a_phone_number_decodes_back_to_itself(cls: Any, data: st.DataObject) -> None:
    number = data.draw(structs(cls))
    assert decode_phone_number(msgspec.json.encode(number)) == number


@by_name(members(KnownPhoneNumber))
@few
@given(data=st.data())
def test_the_lenient_path_types_a_known_number_as_the_fast_path_does(
    cls: Any, data: st.DataObject
) -> None:
    """A page with one unknown provider falls back; its known items come out the same."""
    number = data.draw(structs(cls))
    unknown = UnknownPhoneNumber({"provider": "sip-trunk-2", "id": "pn_new"})
    meta = PaginationMeta(items_per_page=2, total_items=2, current_page=1)
    page = decode_page(
        msgspec.json.encode(PhoneNumberPage(results=[unknown, number], metadata=meta))
    )
    assert page.results == [unknown, number]


@by_name(members(CreatePhoneNumber))
@fast
@given(data=st.data())
def test_a_create_body_decodes_back_to_itself(cls: Any, data: st.DataObject) -> None:
    body = data.draw(structs(cls))
    assert json_round_trip(body, CreatePhoneNumber) == body


@by_name(members(UpdatePhoneNumber))
@fast
@given(data=st.data())
def test_an_update_body_decodes_back_to_itself(cls: Any, data: st.DataObject) -> None:
    body = data.draw(structs(cls))
    assert json_round_trip(body, UpdatePhoneNumber) == body


@by_name(members(UpdatePhoneNumber))
@fast
@given(data=st.data())
def test_an_update_sends_exactly_its_set_fields_and_none_as_null(
    cls: Any, data: st.DataObject
) -> None:
    """UNSET fields are left out; None is sent as null (it clears the field)."""
    body = data.draw(structs(cls))
    sent = msgspec.json.decode(msgspec.json.encode(body))
    expected = {
        field.encode_name: getattr(body, field.name)
        for field in msgspec.structs.fields(cls)
        if getattr(body, field.name) is not msgspec.UNSET
    }
    assert set(sent) == {"provider", *expected}
    assert {key for key, value in sent.items() if value is None} == {
        key for key, value in expected.items() if value is None
    }


UNIONS = {
    "destination": TransferDestination,
    "hook": PhoneNumberHook,
    "hook action": PhoneNumberHookAction,
    "context plan": ContextEngineeringPlan,
    "message": Message,
}


@pytest.mark.parametrize("union", UNIONS.values(), ids=UNIONS.keys())
@fast
@given(data=st.data())
def test_a_nested_union_member_decodes_back_to_itself(union: Any, data: st.DataObject) -> None:
    value = data.draw(values_of(union))
    assert json_round_trip(value, union) == value


@pytest.mark.parametrize("cls", [BackoffPlan, Server, PaginationMeta], ids=lambda c: c.__name__)
@fast
@given(data=st.data())
def test_a_plain_struct_decodes_back_to_itself(cls: Any, data: st.DataObject) -> None:
    value = data.draw(structs(cls))
    assert json_round_trip(value, cls) == value


@few
@given(page=structs(PhoneNumberPage))
def test_a_page_decodes_back_to_itself(page: PhoneNumberPage) -> None:
    assert decode_page(msgspec.json.encode(page)) == page


@few
@given(numbers=st.lists(values_of(KnownPhoneNumber), max_size=3))
def test_a_list_decodes_back_to_itself(numbers: list[Any]) -> None:
    assert decode_phone_number_list(msgspec.json.encode(numbers)) == numbers
