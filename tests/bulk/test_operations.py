"""Bulk update and delete: one outcome per item, its order, lazy input, progress, fail_fast."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from vapi_phone_async import BackoffPlan, BulkOutcome, VapiPhoneClient
from vapi_phone_async.bulk import summarize
from vapi_phone_async.errors import (
    InternalServerError,
    NotFoundError,
    RequestValidationError,
)
from vapi_phone_async.models import UpdatePhoneNumber, UpdateTwilioPhoneNumber
from vapi_phone_async.testing import FakeVapiServer

from ..helpers import MakeClient, RecordedSleep, renames, twilio_ids

MISSING_ID = "00000000-0000-4000-8000-000000000000"

# Three retries, a quarter of a second apart (instant: the fake's waits are).
pytestmark = pytest.mark.client(
    backoff=BackoffPlan(type="fixed", max_retries=3, base_delay_seconds=0.25)
)

# Outcomes.


async def test_bulk_update_reports_each_pair_as_updated_with_the_new_number(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    ids = twilio_ids(fake_vapi, 5)

    result = await client.bulk_update(renames(ids))

    assert [outcome.kind for outcome in result.outcomes] == ["succeeded"] * 5
    assert [outcome.action for outcome in result.outcomes] == ["updated"] * 5
    assert [outcome.number.id for outcome in result.outcomes if outcome.number] == ids
    assert all(outcome.number.name == "Renamed" for outcome in result.outcomes)  # type: ignore[union-attr]
    assert all(fake_vapi.numbers[id_]["name"] == "Renamed" for id_ in ids)
    assert result.summary.updated == result.summary.succeeded == 5


async def test_a_failed_item_is_reported_with_its_error_and_the_others_go_on(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    ids = twilio_ids(fake_vapi, 3)
    pairs = renames(ids)
    pairs.insert(1, (MISSING_ID, UpdateTwilioPhoneNumber(name="x")))
    pairs.insert(2, (ids[0], UpdateTwilioPhoneNumber(name="n" * 41)))

    result = await client.bulk_update(pairs)

    kinds = [outcome.kind for outcome in result.outcomes]
    assert kinds == ["succeeded", "failed", "failed", "succeeded", "succeeded"]
    missing, invalid = result.failures
    assert isinstance(missing.error, NotFoundError)
    assert missing.item == pairs[1] and missing.index == 1
    assert isinstance(invalid.error, RequestValidationError)
    assert invalid.error.field == "name"
    assert invalid.reason is not None and "name" in invalid.reason
    assert result.summary.failed == 2 and not result.stopped_early


async def test_bulk_delete_reports_deleted_numbers_and_skips_those_already_gone(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    ids = twilio_ids(fake_vapi, 2)

    result = await client.bulk_delete([ids[0], MISSING_ID, ids[1]])

    deleted, gone, deleted_too = result.outcomes
    assert (deleted.kind, deleted.action) == ("succeeded", "deleted")
    assert deleted.number is not None and deleted.number.id == ids[0]
    assert (gone.kind, gone.reason) == ("skipped", "not found")
    assert deleted_too.kind == "succeeded"
    assert not set(ids) & set(fake_vapi.numbers)


async def test_a_delete_retried_after_a_lost_answer_counts_as_deleted(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    """A 502 may come after the server acted; the retry's 404 then means "deleted"."""
    (number_id,) = twilio_ids(fake_vapi, 1)
    path = f"/phone-number/{number_id}"
    # The first DELETE acts and is answered 502, as a proxy in front of a slow server would.
    fake_vapi.inject_fault("DELETE", path, mode="malformed", status=502)

    (outcome,) = (await client.bulk_delete([number_id])).outcomes

    assert (outcome.kind, outcome.action, outcome.number) == ("succeeded", "deleted", None)
    assert [r.status for r in fake_vapi.requests("DELETE", path)] == [502, 404]


# Order.


async def test_await_returns_outcomes_in_input_order_and_async_for_in_completion_order(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    ids = twilio_ids(fake_vapi, 4)
    # The first item's answer comes a second late: it finishes last.
    fake_vapi.inject_fault("PATCH", f"/phone-number/{ids[0]}", mode="delay", delay=1.0)

    streamed = [outcome.index async for outcome in client.bulk_update(renames(ids))]

    assert streamed[-1] == 0 and sorted(streamed) == [0, 1, 2, 3]
    fake_vapi.inject_fault("PATCH", f"/phone-number/{ids[0]}", mode="delay", delay=1.0)
    collected = await client.bulk_update(renames(ids))
    assert [outcome.index for outcome in collected.outcomes] == [0, 1, 2, 3]


# Input.


async def test_a_generator_of_100_000_items_is_taken_lazily(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    """Items are taken only as workers free up: never more than 2 x concurrency ahead."""
    ids = twilio_ids(fake_vapi, 10)
    taken = 0

    def pairs() -> Iterator[tuple[str, UpdatePhoneNumber]]:
        nonlocal taken
        for i in range(100_000):
            taken += 1
            yield ids[i % len(ids)], UpdateTwilioPhoneNumber(name=f"n{i}")

    run = client.bulk_update(pairs(), concurrency=4)
    received = 0
    most_ahead = 0
    async for _ in run:
        received += 1
        most_ahead = max(most_ahead, taken - received)
        if received == 200:
            run.cancel()

    assert run.summary.total is None
    assert most_ahead <= 2 * 4
    assert received == taken < 200 + 2 * 4
    assert len(fake_vapi.requests("PATCH")) == taken


async def test_an_async_iterable_is_accepted_and_its_failure_ends_the_run(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    """The items taken before the input failed are all reported, then its error is raised."""
    ids = twilio_ids(fake_vapi, 3)

    async def pairs() -> AsyncIterator[tuple[str, UpdatePhoneNumber]]:
        for pair in renames(ids):
            yield pair
        raise OSError("the input file went away")

    received: list[BulkOutcome[tuple[str, UpdatePhoneNumber]]] = []
    with pytest.raises(OSError, match="went away"):
        async for outcome in client.bulk_update(pairs()):
            received.append(outcome)

    assert sorted(outcome.index for outcome in received) == [0, 1, 2]
    assert all(outcome.kind == "succeeded" for outcome in received)


# Retries, progress, fail_fast, options.


async def test_transient_failures_are_retried_under_the_clients_backoff_plan(
    fake_vapi: FakeVapiServer, make_client: MakeClient, sleeps: RecordedSleep
) -> None:
    client = make_client(sleep=sleeps)
    ids = twilio_ids(fake_vapi, 2)
    fake_vapi.inject_fault("PATCH", f"/phone-number/{ids[0]}", status=503, times=2)
    fake_vapi.inject_fault("PATCH", f"/phone-number/{ids[1]}", status=500, times=4)

    recovered, exhausted = (await client.bulk_update(renames(ids))).outcomes

    assert recovered.kind == "succeeded"
    # The plan allows three retries: four attempts in all, then the item fails.
    assert exhausted.kind == "failed" and isinstance(exhausted.error, InternalServerError)
    assert len(fake_vapi.requests("PATCH", f"/phone-number/{ids[1]}")) == 4
    assert sleeps.waits == [0.25] * 5


async def test_progress_is_called_after_each_outcome_with_done_failed_and_total(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    ids = twilio_ids(fake_vapi, 3)
    pairs = [*renames(ids), (MISSING_ID, UpdateTwilioPhoneNumber(name="x"))]
    calls: list[tuple[int, int, int | None]] = []

    await client.bulk_update(pairs, concurrency=1, progress=lambda *args: calls.append(args))

    assert calls == [(1, 0, 4), (2, 0, 4), (3, 0, 4), (4, 1, 4)]


async def test_fail_fast_takes_no_item_after_the_first_failure(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    ids = twilio_ids(fake_vapi, 4)
    pairs = renames(ids)
    pairs.insert(1, (MISSING_ID, UpdateTwilioPhoneNumber(name="x")))

    result = await client.bulk_update(pairs, concurrency=1, fail_fast=True)

    assert [outcome.kind for outcome in result.outcomes] == ["succeeded", "failed"]
    assert result.stopped_early
    assert len(fake_vapi.requests("PATCH")) == 2


async def test_without_fail_fast_every_item_is_attempted(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    ids = twilio_ids(fake_vapi, 4)
    pairs = renames(ids)
    pairs.insert(1, (MISSING_ID, UpdateTwilioPhoneNumber(name="x")))

    result = await client.bulk_update(pairs, concurrency=1)

    assert summarize(result.outcomes) == result.summary
    assert (result.summary.succeeded, result.summary.failed) == (4, 1)


@pytest.mark.parametrize(
    ("options", "field"),
    [({"concurrency": 0}, "concurrency"), ({"rate_limit": 0}, "rate_limit")],
)
async def test_impossible_options_are_rejected_before_anything_is_sent(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient, options: dict[str, int], field: str
) -> None:
    with pytest.raises(RequestValidationError) as raised:
        client.bulk_delete(["a"], **options)  # type: ignore[arg-type]

    assert raised.value.field == field
    assert fake_vapi.request_log == []


async def test_a_run_is_consumed_once(client: VapiPhoneClient) -> None:
    run = client.bulk_delete([])
    assert (await run).outcomes == []
    with pytest.raises(RuntimeError, match="consumed once"):
        await run


# The acceptance check for scale and chaos.


@pytest.mark.slow
async def test_5000_updates_with_20_percent_503s_are_each_applied_exactly_once(
    fake_vapi: FakeVapiServer, make_client: MakeClient, sleeps: RecordedSleep
) -> None:
    fake_vapi.seed(5_000)
    fake_vapi.chaos(0.2, statuses=(503,), seed=6)
    ids = list(fake_vapi.numbers)
    # Ten retries: the chance that one item meets eleven 503s in a row is 2e-8.
    plan = BackoffPlan(type="fixed", max_retries=10, base_delay_seconds=0)
    async with make_client(backoff=plan, sleep=sleeps) as client:
        pairs = (
            (id_, _rename(fake_vapi.numbers[id_]["provider"], f"bulk {i}"))
            for i, id_ in enumerate(ids)
        )
        result = await client.bulk_update(pairs, concurrency=32)

    assert result.summary.updated == 5_000 and result.summary.failed == 0
    applied = [r.path for r in fake_vapi.requests("PATCH") if r.status == 200]
    assert sorted(applied) == sorted(f"/phone-number/{id_}" for id_ in ids)
    assert all(fake_vapi.numbers[id_]["name"] == f"bulk {i}" for i, id_ in enumerate(ids))
    assert any(r.fault == "chaos" for r in fake_vapi.requests("PATCH"))


def _rename(provider: str, name: str) -> UpdatePhoneNumber:
    from vapi_phone_async.models import phone_numbers

    by_provider = {
        cls.__struct_config__.tag: cls
        for cls in (
            phone_numbers.UpdateByoPhoneNumber,
            phone_numbers.UpdateTwilioPhoneNumber,
            phone_numbers.UpdateVonagePhoneNumber,
            phone_numbers.UpdateVapiPhoneNumber,
            phone_numbers.UpdateTelnyxPhoneNumber,
        )
    }
    return by_provider[provider](name=name)


async def test_items_that_cannot_be_sent_fail_one_by_one_without_a_request(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    (good,) = twilio_ids(fake_vapi, 1)
    items: list[Any] = [
        "just an id",
        ("an id", {"name": "a dict"}),
        (" bad id ", UpdateTwilioPhoneNumber(name="x")),
        (good, UpdateTwilioPhoneNumber(name="Fine")),
    ]
    fake_vapi.clear_log()

    result = await client.bulk_update(items)

    kinds = [(o.kind, type(o.error).__name__) for o in result.outcomes]
    assert kinds == [("failed", "RequestValidationError")] * 3 + [("succeeded", "NoneType")]
    assert [r.path for r in fake_vapi.request_log] == [f"/phone-number/{good}"]

    imported = await client.bulk_import([{"provider": "twilio"}, None])  # type: ignore[list-item]
    deleted = await client.bulk_delete(["", "a/b", 3])  # type: ignore[list-item]
    for run in (imported, deleted):
        assert {type(o.error).__name__ for o in run.outcomes} == {"RequestValidationError"}
    assert len(fake_vapi.request_log) == 1 + 1  # the walk of the import, and nothing else
