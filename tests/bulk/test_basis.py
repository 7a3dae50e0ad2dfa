"""A plan rests on the listing it was made from: its apply, under the lock, refuses to run
when a number was created, deleted or changed since, and sends nothing then."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async.bulk import Listing
from vapi_phone_async.errors import StalePlanError
from vapi_phone_async.models import PhoneNumber, UnknownPhoneNumber
from vapi_phone_async.testing import FakeVapiServer

ROWS = [
    {"provider": "twilio", "number": f"+1415555{i:04d}", "twilioAccountSid": "AC1", "name": "New"}
    for i in range(3)
]


def created(server: FakeVapiServer) -> None:
    server.insert({"provider": "twilio", "number": "+14155559999", "twilioAccountSid": "AC1"})


def deleted(server: FakeVapiServer) -> None:
    server.clear()
    server.seed(9)


def changed(server: FakeVapiServer) -> None:
    number = dict(next(iter(server.numbers.values())))
    number["name"] = "Changed elsewhere"
    number["updatedAt"] = "2099-01-01T00:00:00.000Z"
    server.insert(number)


@pytest.mark.parametrize("change", [created, deleted, changed])
async def test_a_plan_the_account_moved_away_from_is_refused_with_nothing_sent(
    fake_vapi: FakeVapiServer,
    vapi_client: VapiPhoneClient,
    change: Callable[[FakeVapiServer], None],
) -> None:
    fake_vapi.seed(10)
    plan = await vapi_client.plan_sync(ROWS)
    assert plan.basis is not None and plan.basis.count == 10
    change(fake_vapi)
    fake_vapi.clear_log()

    with pytest.raises(StalePlanError) as caught:
        await plan.apply()

    assert {record.method for record in fake_vapi.request_log} == {"GET"}  # the check only
    assert fake_vapi.url in str(caught.value) and "plan again" in str(caught.value)
    assert caught.value.planned == 10
    async with vapi_client.apply_lock():  # the lock was let go
        pass


async def test_planned_again_under_the_lock_the_new_plan_applies(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.seed(10)
    plan = await vapi_client.plan_sync(ROWS)
    created(fake_vapi)
    with pytest.raises(StalePlanError):
        await plan.apply()

    async with vapi_client.apply_lock():
        plan = await vapi_client.plan_sync(ROWS)
        result = await plan.apply()

    assert result.summary.created == 3 and len(fake_vapi.numbers) == 14


async def test_an_account_as_planned_is_applied_and_an_empty_plan_checks_nothing(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    fake_vapi.seed(10)
    plan = await vapi_client.plan_sync(ROWS)
    assert (await plan.apply()).summary.created == 3

    again = await vapi_client.plan_sync(ROWS)
    fake_vapi.clear_log()
    created(fake_vapi)  # nothing to do is nothing to do, whatever changed
    assert again.empty and (await again.apply()).outcomes == []
    assert fake_vapi.request_log == []


def test_the_fingerprint_is_the_ids_and_update_times_in_any_order() -> None:
    numbers: list[PhoneNumber] = [
        UnknownPhoneNumber({"id": f"id-{i}", "provider": "x", "updatedAt": f"t{i}"})
        for i in range(50)
    ]
    numbers.append(UnknownPhoneNumber({"name": "unreadable: no id"}))
    in_order, shuffled = Listing(), Listing()
    in_order.add(numbers)
    mixed = numbers[:]
    random.Random(1).shuffle(mixed)
    shuffled.add(mixed[:20])
    shuffled.add(mixed[20:])
    assert in_order.fingerprint() == shuffled.fingerprint()
    assert in_order.fingerprint().count == 51

    touched = Listing()
    touched.add([*numbers[:-2], UnknownPhoneNumber({**numbers[-2], "updatedAt": "later"})])
    touched.add(numbers[-1:])
    assert touched.fingerprint() != in_order.fingerprint()
