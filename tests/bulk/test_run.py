"""Stopping a bulk run: no new requests, every item taken reported, no connection held."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import anyio

from vapi_phone_async import BulkCancelledError, BulkOutcome, VapiPhoneClient
from vapi_phone_async.models import UpdatePhoneNumber, UpdateTwilioPhoneNumber
from vapi_phone_async.testing import FakeVapiServer

from ..helpers import MakeClient, Wiretap, twilio_ids

Pair = tuple[str, UpdatePhoneNumber]


class Counted:
    """Update pairs for `ids`, counting how many were taken."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.taken = 0

    def __iter__(self) -> Iterator[Pair]:
        for id_ in self.ids:
            self.taken += 1
            yield id_, UpdateTwilioPhoneNumber(name="Cancelled run")


def hang(server: FakeVapiServer, ids: list[str]) -> None:
    """The answers to PATCHes of these ids come a minute late (closing the server ends it)."""
    for id_ in ids:
        server.inject_fault("PATCH", f"/phone-number/{id_}", mode="delay", delay=60)


async def test_cancel_stops_taking_items_and_reports_those_in_flight(
    fake_vapi: FakeVapiServer, make_client: MakeClient, wiretap: Wiretap
) -> None:
    """run.cancel() is graceful: the requests in flight finish and are reported."""
    client = make_client(transport=wiretap)
    pairs = Counted(twilio_ids(fake_vapi, 30))
    run = client.bulk_update(pairs, concurrency=4)

    outcomes: list[BulkOutcome[Pair]] = []
    async for outcome in run:
        outcomes.append(outcome)
        if len(outcomes) == 5:
            run.cancel()

    assert run.stopped_early
    assert 5 <= pairs.taken < 30
    assert sorted(outcome.index for outcome in outcomes) == list(range(pairs.taken))
    assert all(outcome.kind == "succeeded" for outcome in outcomes)
    assert len(fake_vapi.requests("PATCH")) == pairs.taken
    assert run.undelivered == []
    assert wiretap.in_flight == 0


async def test_cancelling_the_consumer_reports_in_flight_items_as_cancelled(
    fake_vapi: FakeVapiServer, make_client: MakeClient, wiretap: Wiretap
) -> None:
    client = make_client(transport=wiretap)
    ids = twilio_ids(fake_vapi, 8)
    hang(fake_vapi, ids[2:])  # items 0 and 1 answer at once, the rest hang
    pairs = Counted(ids)
    run = client.bulk_update(pairs, concurrency=4)

    received: list[BulkOutcome[Pair]] = []
    with anyio.CancelScope() as scope:
        async for outcome in run:
            received.append(outcome)
            if len(received) == 2:
                scope.cancel()

    assert {outcome.index for outcome in received} == {0, 1}
    cancelled = run.undelivered
    # Items 2 and 3 were taken at the start; nothing taken is missing from the report.
    assert {2, 3} <= {outcome.index for outcome in cancelled}
    assert sorted(o.index for o in received + cancelled) == list(range(pairs.taken))
    assert all(o.kind == "failed" and isinstance(o.error, BulkCancelledError) for o in cancelled)
    assert run.summary.failed == len(cancelled)
    assert wiretap.in_flight == 0


async def test_cancelling_an_awaited_run_keeps_every_outcome_in_undelivered(
    fake_vapi: FakeVapiServer, make_client: MakeClient, wiretap: Wiretap
) -> None:
    """`await run` returns nothing when cancelled: what it had gathered is kept too."""
    client = make_client(transport=wiretap)
    ids = twilio_ids(fake_vapi, 6)
    hang(fake_vapi, ids[3:])
    three_done = asyncio.Event()

    def progress(done: int, failed: int, total: int | None) -> None:
        if done == 3:
            three_done.set()

    run = client.bulk_update(Counted(ids), concurrency=6, progress=progress)
    task = asyncio.ensure_future(run.collect())
    await three_done.wait()

    task.cancel()
    await asyncio.wait([task])

    assert task.cancelled()
    kinds = [(o.index, o.kind) for o in run.undelivered]
    assert kinds == [(0, "succeeded"), (1, "succeeded"), (2, "succeeded")] + [
        (i, "failed") for i in (3, 4, 5)
    ]
    assert wiretap.in_flight == 0


async def test_leaving_the_loop_early_cancels_the_rest_and_releases_connections(
    fake_vapi: FakeVapiServer, make_client: MakeClient, wiretap: Wiretap
) -> None:
    client = make_client(transport=wiretap)
    ids = twilio_ids(fake_vapi, 10)
    hang(fake_vapi, ids[1:])
    pairs = Counted(ids)

    async with client.bulk_update(pairs, concurrency=3) as run:
        async for outcome in run:
            assert outcome.index == 0
            break

    sent = len(fake_vapi.requests("PATCH"))
    await asyncio.sleep(0.05)
    assert len(fake_vapi.requests("PATCH")) == sent == pairs.taken
    assert sorted(o.index for o in run.undelivered) == list(range(1, pairs.taken))
    assert wiretap.in_flight == 0


async def test_a_plain_break_cancels_the_run_as_soon_as_the_loop_lets_go(
    fake_vapi: FakeVapiServer, make_client: MakeClient, wiretap: Wiretap
) -> None:
    client = make_client(transport=wiretap)
    ids = twilio_ids(fake_vapi, 10)
    hang(fake_vapi, ids[1:])
    pairs = Counted(ids)
    run = client.bulk_update(pairs, concurrency=3)

    async for _ in run:
        break

    # No aclose(): the stream, finalized when the loop let go of it, must cancel the run
    # on its own, in a task of its own. (If it did not, the hung requests would hold their
    # connections for a minute and this wait would time out.)
    with anyio.fail_after(10):
        while wiretap.in_flight or len(run.undelivered) < pairs.taken - 1:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    assert sorted(o.index for o in run.undelivered) == list(range(1, pairs.taken))


async def test_a_run_can_be_built_outside_an_event_loop_and_cancelled_before_it_starts(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    pairs = Counted(twilio_ids(fake_vapi, 3))
    run = await asyncio.to_thread(vapi_client.bulk_update, pairs)  # no loop in that thread
    run.cancel()

    result = await run

    assert result.outcomes == [] and result.stopped_early and pairs.taken == 0
