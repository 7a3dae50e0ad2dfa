"""The pacing decisions of `_pacing.py`, with the clock passed in: no network, no waiting."""

from __future__ import annotations

import asyncio
import random

import pytest

from vapi_phone_async._pacing import AdaptiveRate, Pacer, Pause, RetryBudget, TokenBucket

# The token bucket.


def test_starts_are_one_interval_apart_and_a_quiet_spell_gives_one_token() -> None:
    bucket = TokenBucket(10)
    assert [bucket.reserve(100.0) for _ in range(4)] == pytest.approx([0, 0.1, 0.2, 0.3])
    # The bucket refills while idle, but holds one token only.
    assert [bucket.reserve(101.0) for _ in range(2)] == pytest.approx([0, 0.1])


def test_a_burst_bucket_lets_that_many_go_at_once_after_a_quiet_spell() -> None:
    bucket = TokenBucket(10, burst=3)
    waits = [bucket.reserve(100.0) for _ in range(5)]
    assert waits == pytest.approx([0, 0, 0, 0.1, 0.2])


class Clock:
    """A clock the tests move; its sleep moves it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_a_run_pacer_adds_its_bucket_to_the_clients_and_shares_the_rest() -> None:
    clock = Clock()
    client = Pacer(rate_limit=100, budget=RetryBudget(), clock=clock, rate_sleep=clock.sleep)
    run = client.with_rate_limit(10)

    assert client.with_rate_limit(None) is client
    assert (run.budget, run.adaptive, run.pause_gate) == (
        client.budget,
        client.adaptive,
        client.pause_gate,
    )
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

    pacer = Pacer()
    pauser = asyncio.ensure_future(pacer.pause(2.0, sleep))
    await pausing.wait()
    other = asyncio.ensure_future(pacer.before_send())
    for _ in range(5):
        await asyncio.sleep(0)
    assert not other.done()  # held at the gate while the first one waits

    resume.set()
    await pauser
    await other
    assert not pacer.pause_gate.active


async def test_two_pauses_keep_the_gate_closed_until_both_are_over() -> None:
    gate = Pause()
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


# The retry budget.


def test_a_dead_server_gets_150_retries_in_all_then_none() -> None:
    budget = RetryBudget()
    retries = 0
    while budget.spend():
        retries += 1
    assert retries == 150
    assert not budget.spend() and budget.tokens == 0


def test_successes_refill_the_budget_up_to_its_capacity() -> None:
    budget = RetryBudget(capacity=10)
    while budget.spend():
        pass
    for _ in range(4):
        budget.earn()
    assert budget.spend() and budget.spend() and not budget.spend()
    for _ in range(100):
        budget.earn()
    assert budget.tokens == 10


def test_a_retry_after_a_timeout_costs_twice_as_much() -> None:
    budget = RetryBudget(capacity=8)
    assert budget.spend(timeout=True) and budget.tokens == 4
    assert budget.spend() and budget.tokens == 2
    assert not budget.spend(timeout=True) and budget.tokens == 2


def test_a_server_failing_one_request_in_five_never_drains_the_budget() -> None:
    budget = RetryBudget()
    rng = random.Random(5)
    refused = 0
    for _ in range(100_000):
        if rng.random() < 0.2:
            refused += not budget.spend()
        else:
            budget.earn()
    assert refused == 0


# The adaptive rate.


def test_the_adaptive_rate_is_off_until_the_first_429() -> None:
    rate = AdaptiveRate()
    waits = [rate.reserve(1000 + i / 1000) for i in range(2000)]  # 1,000 a second
    assert set(waits) == {0.0} and not rate.enabled
    rate.succeeded(1002.0)
    assert not rate.enabled


def test_a_429_sets_the_rate_below_the_rate_it_came_at_and_it_climbs_back() -> None:
    rate = AdaptiveRate()
    now = 1000.0
    for _ in range(400):  # 200 a second for two seconds
        rate.reserve(now)
        now += 0.005
    rate.throttled(sent_at=now, now=now)
    assert rate.enabled
    peak = rate.measured
    assert 150 < peak < 250
    assert rate.rate == pytest.approx(AdaptiveRate.beta * peak)

    # Successes move it along the cubic curve: back at the peak within seconds, then above.
    rates = []
    for _ in range(12):  # a second at a time, sending at the rate allowed
        second_ends = now + 1.0
        while now < second_ends:
            now += rate.reserve(now) + 1 / rate.rate
            rate.succeeded(now)
        rates.append(rate.rate)
    assert rates == sorted(rates)  # climbing, never falling without a 429
    assert rates[0] < peak < rates[-1]


def test_a_burst_of_429s_to_requests_already_in_flight_lowers_the_rate_once() -> None:
    rate = AdaptiveRate()
    for i in range(100):
        rate.reserve(1000 + i / 100)
    rate.throttled(sent_at=1000.9, now=1001.0)
    lowered = rate.rate
    for sent in (1000.95, 1000.97, 1000.99):  # sent before the drop: the same event
        rate.throttled(sent_at=sent, now=1001.01)
    assert rate.rate == lowered
    rate.throttled(sent_at=1001.5, now=1001.6)  # sent after it: a new event
    assert rate.rate < lowered


def test_the_adaptive_rate_never_drops_below_its_floor() -> None:
    rate = AdaptiveRate()
    now = 1000.0
    for _ in range(60):
        rate.reserve(now)
        rate.throttled(sent_at=now, now=now)
        now += 1.0
    assert rate.rate == AdaptiveRate.min_rate


async def test_once_on_the_adaptive_rate_spaces_the_clients_sends() -> None:
    clock = Clock()
    pacer = Pacer(clock=clock, rate_sleep=clock.sleep)
    for _ in range(50):
        await pacer.before_send()
        clock.now += 0.01  # 100 a second
    pacer.throttled(clock.now)
    assert pacer.adaptive is not None and pacer.adaptive.enabled
    clock.slept.clear()
    for _ in range(5):
        await pacer.before_send()
    assert clock.slept and min(clock.slept) > 0.01  # slower than the 100 a second it tried
