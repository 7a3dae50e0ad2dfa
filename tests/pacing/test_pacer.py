"""The Pacer and its gate (`pacing/_pacer.py`, `_gate.py`) over the in-process state, with a
clock the tests move: the buckets, the shared pause, and probes that go one at a time."""

from __future__ import annotations

import asyncio

import pytest

from vapi_phone_async.pacing import RetryBudget
from vapi_phone_async.pacing._gate import Gate
from vapi_phone_async.pacing._local import LocalPacing
from vapi_phone_async.pacing._pacer import Pacer
from vapi_phone_async.pacing._state import BETA, SETTLE


class Clock:
    """A clock the tests move; its sleep moves it."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def pacer_on(clock: Clock, *, rate_limit: float | None = None, window: float = 0.0) -> Pacer:
    backend = LocalPacing(budget=RetryBudget(), window=window, clock=clock)
    return Pacer(backend, rate_limit=rate_limit, clock=clock, rate_sleep=clock.sleep)


async def turns(count: int) -> None:
    for _ in range(count):
        await asyncio.sleep(0)


async def test_a_run_pacer_adds_its_bucket_to_the_clients_and_shares_the_rest() -> None:
    clock = Clock()
    client = pacer_on(clock, rate_limit=100)
    run = client.with_rate_limit(10)

    assert client.with_rate_limit(None) is client
    assert (run.backend, run.gate, run.budget) == (client.backend, client.gate, client.budget)
    for _ in range(3):
        await run.before_send()
    assert clock.slept == pytest.approx([0.1, 0.1])  # the run's 10/s, not the client's 100/s
    await client.before_send()
    # The run's sends count against the client's 100/s too: the next is 0.01 s after.
    assert clock.slept == pytest.approx([0.1, 0.1, 0.01])


# The shared pause.


async def test_a_pause_holds_every_request_back_until_its_wait_is_over() -> None:
    resume = asyncio.Event()
    pausing = asyncio.Event()

    async def sleep(seconds: float) -> None:
        pausing.set()
        await resume.wait()

    pacer = Pacer(LocalPacing())
    pauser = asyncio.ensure_future(pacer.pause(2.0, sleep))
    await pausing.wait()
    assert pacer.go_now() is None
    other = asyncio.ensure_future(pacer.before_send())
    await turns(5)
    assert not other.done()  # held at the gate while the first one waits

    resume.set()
    await pauser
    await other
    assert not pacer.gate.active


async def test_two_pauses_keep_the_gate_closed_until_both_are_over() -> None:
    gate = Gate()
    first, second = asyncio.Event(), asyncio.Event()

    async def until(event: asyncio.Event) -> None:
        await event.wait()

    a = asyncio.ensure_future(gate.hold(1, lambda _: until(first)))
    b = asyncio.ensure_future(gate.hold(1, lambda _: until(second)))
    await asyncio.sleep(0)
    first.set()
    await a
    assert gate.active
    second.set()
    await b
    assert not gate.active


async def test_a_request_held_for_its_start_waits_out_a_pause_that_began_meanwhile() -> None:
    clock = Clock()
    pacer = pacer_on(clock, rate_limit=1)
    await pacer.before_send()
    resume = asyncio.Event()

    async def held(seconds: float) -> None:
        await resume.wait()

    pauser = asyncio.ensure_future(pacer.pause(5, held))
    await asyncio.sleep(0)
    waiting = asyncio.ensure_future(pacer.before_send())  # reserves 1 s ahead, sleeps
    await turns(5)
    assert not waiting.done()  # its start came, but the pause holds it
    resume.set()
    await pauser
    await waiting


# The adaptive rate, through the pacer.


async def test_once_on_the_adaptive_rate_spaces_the_clients_sends() -> None:
    clock = Clock()
    pacer = pacer_on(clock)
    for _ in range(100):  # 100 a second, answered
        ticket = pacer.go_now()
        assert ticket is not None
        clock.now += 0.01
        pacer.answered(ticket)
    decision = await pacer.throttled(ticket, None)
    assert decision.wait == 0 and not decision.probe  # a lower rate, no pause
    assert pacer.go_now() is None  # from now on, every send reserves a start
    for _ in range(5):
        await pacer.before_send()
    # 0.7 of the 100 a second measured: about 1/70 s apart (climbing back a little).
    assert clock.slept == pytest.approx([1 / (BETA * 100)] * 4, rel=0.05)


async def test_a_cut_on_a_burst_half_counted_is_raised_once_the_rest_is() -> None:
    """A run's first burst: twenty let through at once, and the 429 handled before
    nineteen of them. Cut on the one counted, the rate stays near 14/s for seconds."""
    clock = Clock()
    pacer = pacer_on(clock)
    tickets = [await pacer.before_send() for _ in range(21)]
    pacer.answered(tickets[0])
    await pacer.throttled(tickets[20], None)
    low = pacer.backend.state.peak  # type: ignore[attr-defined]
    for ticket in tickets[1:20]:
        pacer.answered(ticket)
    clock.now += SETTLE
    await pacer.before_send()
    assert pacer.backend.state.peak > 10 * low  # type: ignore[attr-defined]


async def test_after_a_probing_pause_requests_go_one_at_a_time_until_one_gets_through() -> None:
    clock = Clock()
    pacer = pacer_on(clock)
    ticket = await pacer.before_send()
    decision = await pacer.throttled(ticket, None)  # nothing measured yet: a probe
    assert decision.probe and decision.wait == pytest.approx(0.1)
    await pacer.pause(decision.wait, clock.sleep, probe=True)

    probe = await pacer.before_send()
    assert probe.probe
    second = asyncio.ensure_future(pacer.before_send())
    await turns(5)
    assert not second.done()  # waits for the probe's answer
    pacer.answered(probe)
    after = await second
    assert not after.probe and not pacer.gate.probing  # through: everyone may go


async def test_a_probe_that_ends_without_an_answer_frees_its_slot() -> None:
    clock = Clock()
    pacer = pacer_on(clock)
    ticket = await pacer.before_send()
    await pacer.throttled(ticket, None)
    probe = await pacer.before_send()
    second = asyncio.ensure_future(pacer.before_send())
    await turns(5)
    pacer.done(probe)  # a dropped connection, a cancellation: no answer
    next_probe = await second
    assert next_probe.probe and pacer.gate.probing  # still one at a time
    pacer.done(probe)  # released twice: the second probe keeps its slot
    third = asyncio.ensure_future(pacer.before_send())
    await turns(5)
    assert not third.done()
    pacer.answered(next_probe)
    await third


async def test_sends_beyond_a_windows_quota_go_one_at_a_time() -> None:
    clock = Clock()
    pacer = pacer_on(clock, window=60.0)
    assert isinstance(pacer.backend, LocalPacing)
    pacer.backend.state.quota = 2
    first, second = await pacer.before_send(), await pacer.before_send()
    assert not first.probe and not second.probe
    beyond = await pacer.before_send()
    assert beyond.probe
    waiting = asyncio.ensure_future(pacer.before_send())
    await turns(5)
    assert not waiting.done()
    pacer.answered(beyond)
    assert (await waiting).probe  # still beyond the quota: alone too
