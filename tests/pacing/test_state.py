"""The pacing decisions (`pacing/_state.py`, `_window.py`, `_bucket.py`, `_budget.py`), with
the time passed in: no network, no waiting."""

from __future__ import annotations

import random

import pytest

from vapi_phone_async.pacing import RetryBudget
from vapi_phone_async.pacing._bucket import TokenBucket
from vapi_phone_async.pacing._state import (
    BETA,
    MIN_RATE,
    PROBE_MAX,
    SETTLE,
    Limit,
    PacingState,
    Revision,
    decide,
    measured_rate,
    note,
    rate,
    reserve,
    revise,
    throttled,
)
from vapi_phone_async.pacing._window import Spell, agrees, boundary_after, learn_window

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


def test_the_clients_rate_limit_is_a_bucket_of_the_shared_state() -> None:
    state = PacingState()
    grants = [reserve(state, 100.0, Limit(10), 0.0, honour_pause=False) for _ in range(3)]
    assert [grant.wait for grant in grants] == pytest.approx([0, 0.1, 0.2])
    assert all(grant.go and not grant.probe for grant in grants)


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


def answers(state: PacingState, per_second: float, seconds: float, start: float) -> float:
    """`per_second` answers to requests of the current epoch, evenly spread over
    `seconds` from `start`; the time after."""
    now = start
    for _ in range(int(per_second * seconds)):
        now += 1 / per_second
        note(state, now, 1, 1, state.epoch)
    return now


def a_429(state: PacingState, now: float, epoch: int | None = None) -> float | None:
    """A 429 without Retry-After to a request sent in `epoch` (default: the current one);
    the wait decided."""
    sent = state.epoch if epoch is None else epoch
    return throttled(state, now, sent, None, window=0.0, adaptive=True).wait


def test_the_adaptive_rate_is_off_until_a_429_after_answers() -> None:
    state = PacingState()
    assert a_429(state, 1000.0) == pytest.approx(0.1)  # nothing answered yet: a probe
    assert not state.enabled and rate(state, 1000.0) == float("inf")
    now = answers(state, 1000, 2, start=1001.0)
    assert measured_rate(state, now) == pytest.approx(1000, rel=0.02)
    assert a_429(state, now) == 0  # no pause: a lower rate
    assert state.enabled and rate(state, now) == pytest.approx(BETA * 1000, rel=0.02)


def test_answers_are_counted_over_the_last_second_only() -> None:
    state = PacingState()
    now = answers(state, 200, 2, start=1000.0)
    assert measured_rate(state, now) == pytest.approx(200, rel=0.06)
    assert measured_rate(state, now + 0.5) == pytest.approx(100, rel=0.11)
    assert measured_rate(state, now + 1.1) == 0  # a quiet second (a pause, say) counts nothing


def test_the_rate_is_measured_over_the_time_answers_came_not_a_whole_second() -> None:
    """The collapse this avoids: a server with a burst of 20 that lets through 20 answers
    in the first 20 ms, then 429s. Counted over a whole second, that reads 20/s, and the
    rate dropped to 14/s, to take ten seconds to climb back to 300."""
    state = PacingState()
    now = answers(state, 1000, 0.02, start=1000.0)
    assert a_429(state, now) == 0
    assert rate(state, now) >= BETA * 20 / 0.05  # measured over 50 ms at least, not 1 s


def cut(state: PacingState, now: float) -> Revision:
    """A 429 to a request of the current epoch that cuts the rate: the cut's revision."""
    _, revision = decide(state, now, state.epoch, None, window=0.0, adaptive=True)
    assert revision is not None
    return revision


def test_a_cut_is_raised_to_the_answers_counted_after_it_once_and_never_lowered() -> None:
    """A run's first burst: twenty let through, and the 429 decided when one of them had
    been counted (the rest handled after it, or, in a fleet, not yet told by their
    process). Cut on that one, the rate would be 14/s and take ten seconds to climb back."""
    state = PacingState()
    now = answers(state, 1000, 0.001, start=1000.0)  # the one counted
    revision = cut(state, now)
    low = state.peak
    assert rate(state, now) == pytest.approx(BETA * 20)
    for _ in range(19):  # the others, counted a moment later
        note(state, now + 0.002, 1, 1, state.epoch - 1)
    later = now + SETTLE
    assert revise(state, later, revision)
    assert state.peak > 10 * low and state.decreased_at == revision.cut_at  # one cut, raised
    assert not revise(state, later + 0.5, revision)  # the rate measured is lower


def test_a_429_that_cuts_nothing_has_nothing_to_revise() -> None:
    state = PacingState()
    now = answers(state, 100, 1, start=1000.0)
    in_flight = state.epoch
    cut(state, now)
    assert decide(state, now, in_flight, None, window=0.0, adaptive=True)[1] is None


def test_answers_to_requests_sent_since_the_cut_do_not_raise_it() -> None:
    state = PacingState()
    now = answers(state, 1000, 0.001, start=1000.0)
    revision = cut(state, now)
    low = state.peak
    answers(state, rate(state, now), SETTLE, start=now)  # sent at the lowered rate
    assert not revise(state, now + SETTLE, revision)
    assert state.peak == low


def test_a_revised_cut_stays_under_the_rate_before_it_and_yields_to_a_later_cut() -> None:
    state = PacingState()
    now = answers(state, 100, 1, start=1000.0)
    first = cut(state, now)
    assert first.ceiling == float("inf")  # the rate was off
    now = answers(state, 200, 0.5, start=now + 1)
    _, second = decide(state, now, state.epoch, None, window=0.0, adaptive=True)
    assert second is not None and second.ceiling < 200  # cut from the rate it was at
    for _ in range(300):
        note(state, now + 0.002, 1, 1, state.epoch - 1)
    assert not revise(state, now + SETTLE, first)  # a later cut stands
    assert not revise(state, now + SETTLE, second)  # cut from its ceiling: not above it
    assert state.peak == pytest.approx(second.ceiling)


def test_a_429_drops_the_rate_and_answers_bring_it_back_along_a_cubic() -> None:
    state = PacingState()
    now = answers(state, 200, 2, start=1000.0)
    a_429(state, now)
    peak = rate(state, now) / BETA
    assert peak == pytest.approx(200, rel=0.06)

    rates = []
    for _ in range(10):  # a second at a time, answered at the rate allowed
        now = answers(state, rate(state, now), 1, start=now)
        rates.append(rate(state, now))
    assert rates == sorted(rates)  # climbing, never falling without a 429
    assert rates[0] < peak < rates[-1]  # back to the peak, then probing beyond it
    assert abs(rates[4] - peak) < 0.1 * peak  # a while near the peak


def test_a_burst_of_429s_to_requests_already_in_flight_lowers_the_rate_once() -> None:
    state = PacingState()
    now = answers(state, 100, 1, start=1000.0)
    in_flight = state.epoch  # twenty requests sent before the first 429 comes
    a_429(state, now, in_flight)
    lowered = rate(state, now)
    for _ in range(19):
        assert a_429(state, now + 0.01, in_flight) == 0  # the same event
    assert rate(state, now + 0.01) == pytest.approx(lowered, rel=0.01)
    now = answers(state, 50, 0.5, start=now)  # sent after it: these got through
    a_429(state, now)  # a new event
    assert rate(state, now) < lowered


def test_the_adaptive_rate_never_drops_below_its_floor() -> None:
    state = PacingState()
    now = 1000.0
    for _ in range(40):  # an answer, then a 429, every 10 ms: no time to climb back
        now += 0.01
        note(state, now, 1, 1, state.epoch)
        a_429(state, now)
    assert rate(state, now) == MIN_RATE


def test_a_429_with_retry_after_pauses_for_it_and_lowers_the_rate_once() -> None:
    state = PacingState()
    now = answers(state, 100, 1, start=1000.0)
    epoch = state.epoch
    told = throttled(state, now, epoch, 2.0, window=0.0, adaptive=True)
    again = throttled(state, now, epoch, 2.0, window=0.0, adaptive=True)
    assert told.wait == again.wait == 2.0 and not told.probe
    assert state.pause_until == now + 2.0 and state.epoch == epoch + 1


def test_without_the_adaptive_rate_or_a_window_the_plan_decides() -> None:
    state = PacingState()
    now = answers(state, 100, 1, start=1000.0)
    assert throttled(state, now, 0, None, window=0.0, adaptive=False).wait is None


# A spell of 429s: a quota spent, not a rate exceeded.


def test_429s_with_nothing_through_since_the_last_event_probe_at_growing_intervals() -> None:
    state = PacingState()
    now = answers(state, 100, 1, start=1000.0)
    assert a_429(state, now) == 0  # the event: a lower rate
    lowered = rate(state, now)
    waits = []
    for _ in range(6):  # each probe, sent after the last 429, is refused too
        wait = a_429(state, now)
        assert wait is not None
        waits.append(wait)
        now += wait
    assert waits == pytest.approx([0.1, 0.2, 0.4, 0.8, PROBE_MAX, PROBE_MAX])
    assert rate(state, now) >= lowered  # lowered once, not once per probe


def spent_windows(state: PacingState, window: float, start: float, count: int) -> float:
    """Windows of `window` seconds, each spent a third of the way through, then probed as
    the pacing decides until the next one starts; the time after."""
    now = start
    for _ in range(count):
        now = answers(state, 300, window / 3, start=now)  # the quota, spent
        boundary = boundary_after(now, window)
        wait = a_429(state, now) or 0.01
        while now + wait < boundary:  # every request before the boundary is refused
            now += wait
            wait = a_429(state, now) or 0.01
        now = boundary + 0.02
        note(state, now, 1, 1, state.epoch)  # the first request of the next window
    return now


def test_a_window_of_the_clock_is_learnt_from_spells_that_end_at_its_boundaries() -> None:
    state = PacingState()
    now = spent_windows(state, 5.0, start=1_700_000_000.0, count=2)
    a_429(state, now + 1.0)  # the next spell's start tells of the one before
    assert state.window == 5.0
    assert not state.enabled  # a quota, not a rate: no lower rate for it
    # From now on a 429 waits for the window's end, aligned to the clock.
    later = now + 6.2
    answers(state, 10, 0.1, start=later - 0.1)
    assert a_429(state, later) == pytest.approx(boundary_after(later, 5.0) - later + 0.05)


def test_a_given_window_is_waited_out_to_its_boundary_aligned_to_the_clock() -> None:
    state = PacingState()
    now = answers(state, 100, 1, start=1_700_000_125.0)  # 125 s past a UTC minute
    decision = throttled(state, now, state.epoch, None, window=60.0, adaptive=True)
    assert decision.wait == pytest.approx(1_700_000_160.0 - now + 0.5)  # the minute, a margin
    assert not decision.probe and not state.enabled


def test_a_429_just_after_a_boundary_probes_before_waiting_a_whole_window() -> None:
    """The server's clock may run a little behind ours: a 429 to the first request of
    the new window is probed again, a few times, before the next window is waited for."""
    state = PacingState()
    now = answers(state, 100, 1, start=1_700_000_125.0)
    first = throttled(state, now, state.epoch, None, window=60.0, adaptive=True)
    now += first.wait or 0
    waits = [
        throttled(state, now, state.epoch, None, window=60.0, adaptive=True).wait for _ in range(4)
    ]
    assert waits[:3] == pytest.approx([0.1, 0.2, 0.4])
    assert waits[3] == pytest.approx(boundary_after(now, 60.0) - now + 0.5)


def test_the_quota_of_a_whole_window_is_learnt_and_sends_beyond_it_go_alone() -> None:
    state = PacingState()
    now = answers(state, 100, 1, start=1_700_000_125.0)
    decision = throttled(state, now, state.epoch, None, window=60.0, adaptive=True)
    now += decision.wait or 0  # the next window, from its start
    answers(state, 100, 3, start=now)  # 300 get through, then a 429
    throttled(state, now + 3, state.epoch, None, window=60.0, adaptive=True)
    assert state.quota == 300
    later = now + 60  # a window on: 300 go as they come, the rest one at a time
    grants = [reserve(state, later, None, 60.0, honour_pause=False) for _ in range(302)]
    assert [grant.probe for grant in grants].count(True) == 2 and not grants[299].probe


# Windows from spells.


def test_a_spell_agrees_with_a_window_that_has_a_boundary_only_where_it_ended() -> None:
    spell = Spell(start=1006.0, last_failure=1009.5, recovered=1010.02)
    assert agrees(10.0, spell) and agrees(5.0, spell)
    assert not agrees(2.0, spell)  # a boundary at 1008, inside the spell
    assert not agrees(60.0, spell)  # no boundary where it ended
    assert learn_window([spell]) == 5.0  # the shortest that agrees
    assert learn_window([spell, Spell(1012.0, 1019.9, 1020.01)]) == 10.0


def test_a_short_spell_at_no_boundary_tells_of_no_window() -> None:
    assert learn_window([Spell(1000.31, 1000.52, 1000.63)]) == 0.0
    assert learn_window([]) == 0.0
