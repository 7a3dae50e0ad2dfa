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


def answers(rate: AdaptiveRate, per_second: float, seconds: float, start: float) -> float:
    """`per_second` answers, evenly spread over `seconds` from `start`; the time after."""
    now = start
    for _ in range(int(per_second * seconds)):
        now += 1 / per_second
        rate.succeeded(now)
    return now


def test_the_adaptive_rate_is_off_until_a_429_after_answers() -> None:
    rate = AdaptiveRate()
    rate.throttled(sent_at=1000.0, now=1000.0)  # nothing answered yet: nothing learnt
    assert not rate.enabled and rate.bucket is None
    now = answers(rate, 1000, 2, start=1000.0)
    assert not rate.enabled and rate.measured(now) == 1000
    rate.throttled(sent_at=now, now=now)
    assert rate.enabled and rate.rate == pytest.approx(AdaptiveRate.beta * 1000)


def test_answers_are_counted_over_the_last_second_only() -> None:
    rate = AdaptiveRate()
    now = answers(rate, 200, 1, start=1000.0)
    assert 190 <= rate.measured(now) <= 200
    assert rate.measured(now + 0.5) <= 110
    assert rate.measured(now + 1.1) == 0  # a quiet second (a pause, say) counts nothing


def test_a_429_drops_the_rate_and_answers_bring_it_back_along_a_cubic() -> None:
    rate = AdaptiveRate()
    now = answers(rate, 200, 2, start=1000.0)
    rate.throttled(sent_at=now, now=now)
    peak = rate.rate / AdaptiveRate.beta
    assert 190 <= peak <= 200

    rates = []
    for _ in range(10):  # a second at a time, answered at the rate allowed
        now = answers(rate, rate.rate, 1, start=now)
        rates.append(rate.rate)
    assert rates == sorted(rates)  # climbing, never falling without a 429
    assert rates[0] < peak < rates[-1]  # back to the peak, then probing beyond it
    assert abs(rates[4] - peak) < 0.1 * peak  # a while near the peak


def test_a_burst_of_429s_to_requests_already_in_flight_lowers_the_rate_once() -> None:
    rate = AdaptiveRate()
    now = answers(rate, 100, 1, start=1000.0)
    rate.throttled(sent_at=now - 0.1, now=now)
    lowered = rate.rate
    for sent in (now - 0.05, now - 0.03, now - 0.01):  # sent before the drop: same event
        rate.throttled(sent_at=sent, now=now + 0.01)
    assert rate.rate == lowered
    now = answers(rate, 50, 0.5, start=now)
    rate.throttled(sent_at=now, now=now)  # sent after it: a new event
    assert rate.rate < lowered


def test_the_adaptive_rate_never_drops_below_its_floor() -> None:
    rate = AdaptiveRate()
    now = 1000.0
    for _ in range(40):  # an answer, then a 429, every 10 ms: no time to climb back
        now += 0.01
        rate.succeeded(now)
        rate.throttled(sent_at=now, now=now)
    assert rate.rate == AdaptiveRate.min_rate


async def test_once_on_the_adaptive_rate_spaces_the_clients_sends() -> None:
    clock = Clock()
    pacer = Pacer(clock=clock, rate_sleep=clock.sleep)
    for _ in range(100):  # 100 a second, answered
        assert pacer.go_now() is not None
        clock.now += 0.01
        pacer.answered()
    pacer.throttled(clock.now)
    assert pacer.adaptive is not None and pacer.adaptive.enabled
    assert pacer.go_now() is None  # from now on, every send reserves a start
    clock.slept.clear()
    for _ in range(5):
        await pacer.before_send()
    assert clock.slept == pytest.approx([1 / pacer.adaptive.rate] * 4)


async def test_a_request_held_for_its_start_waits_out_a_pause_that_began_meanwhile() -> None:
    clock = Clock()
    pacer = Pacer(rate_limit=1, clock=clock, rate_sleep=clock.sleep)
    await pacer.before_send()
    resume = asyncio.Event()

    async def held(seconds: float) -> None:
        await resume.wait()

    pauser = asyncio.ensure_future(pacer.pause(5, held))
    await asyncio.sleep(0)
    waiting = asyncio.ensure_future(pacer.before_send())  # reserves 1 s ahead, sleeps
    for _ in range(5):
        await asyncio.sleep(0)
    assert not waiting.done()  # its start came, but the pause holds it
    resume.set()
    await pauser
    await waiting
