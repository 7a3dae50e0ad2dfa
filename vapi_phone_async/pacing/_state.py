"""The pacing state of one client (shared by its views, and through Redis by a fleet), and
the decisions on it: when may the next request start, and what does a 429 mean.

Two kinds of operation, each owning its own fields of the state:

- the hot path, once a request: `reserve` (may a request start, and when?) and `note`
  (answers counted for the measured rate). The Redis backend runs the same steps in Lua
  (`_scripts.py`), with this module as their reference.
- the rare path, once a 429: `throttled` decides what the 429 means, and changes only
  the `RARE` fields; the Redis backend runs it here too, on a snapshot of the state, and
  commits those fields unless another process committed first.

What a 429 means, when it carries no `Retry-After`:

- a **throttling event**, answered by a lower send rate: the rate drops once per event to
  `BETA` times the rate of answers actually measured, then climbs back along a cubic curve
  (CUBIC, as botocore's adaptive mode and smithy's DefaultRateLimiter do). A 429 to a
  request sent before the last event (its `epoch`) is that event, not a new one: a burst
  of 429s to requests already in flight lowers the rate once. Answers that came with the
  429 may not be counted yet when it is decided (handled after it, or, in a fleet, not yet
  told by their process), which matters when the measurement is young (a run's first
  burst): `revise` raises the cut to what the answers to requests sent before it show
  `SETTLE` seconds later (`decide` says which cut to revise).
- a **spell**: a 429 to a request sent after the last event, when nothing sent since has
  succeeded. The limit is not a rate but a quota that is spent. Every request of the
  client waits, then one probes, at growing intervals (0.1 s doubling to 1 s); the rate is
  not lowered further.
- a **spent window**: when the limit is known to be counted per window of the clock
  (`window`, given or learnt from spells, see `_window.py`), everything waits for the next
  window, and the quota is learnt from what succeeded in a whole one; sends beyond it go
  one at a time.

Times are wall-clock seconds (a window is aligned to the UTC clock).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import NamedTuple

from ._window import Spell, boundary_after, learn_window

__all__ = [
    "BETA",
    "HOT",
    "RARE",
    "Clock",
    "Decision",
    "Grant",
    "Limit",
    "PacingState",
    "Revision",
    "decide",
    "measured_rate",
    "note",
    "rate",
    "reserve",
    "revise",
    "throttled",
]

Clock = Callable[[], float]

BETA = 0.7  # the rate after an event, as a share of the rate measured before it
SCALE = 0.4  # CUBIC's C: how fast the rate climbs back (requests/s per s³)
MIN_RATE = 0.5
SLOTS = 10  # the measured rate counts answers per tenth of a second, over the last second
MIN_SPAN = 0.05  # the shortest time a rate is measured over
SETTLE = MIN_SPAN  # seconds after a cut by which a fleet's processes have told their answers
PROBE_FIRST = 0.1  # the first wait of a spell; it doubles up to PROBE_MAX
PROBE_MAX = 1.0
LEARN_AFTER = 3  # probes failed in a row before a spell tells of a window ...
LEARN_SPAN = 1.0  # ... and seconds it lasted: a rate's spells end sooner
KEEP_SPELLS = 3

# What the last pause was, in `PacingState.paused`.
NONE, PROBE, BOUNDARY, TOLD = 0, 1, 2, 3


class Limit(NamedTuple):
    """A token bucket: `rate` starts a second, `burst` at once after a quiet spell."""

    rate: float
    burst: float = 1.0


class Grant(NamedTuple):
    """The answer to `reserve`: go after `wait` seconds (`go`), or a pause of the client
    for `wait` seconds after which to ask again. `probe`: send this one alone (it is
    beyond the window's quota), or, for a pause, let one request probe after it."""

    wait: float
    go: bool
    epoch: int
    probe: bool = False


class Decision(NamedTuple):
    """What to do about a 429: wait `wait` seconds before the retry, holding every other
    request of the client (0: none; None: the pacing has no view, the backoff plan's
    delay applies); `probe`: after the wait, one request goes alone first."""

    wait: float | None
    probe: bool = False


class Revision(NamedTuple):
    """A cut of the rate to `revise` after `SETTLE` seconds: the time it was made (the
    state's `decreased_at`) and the rate it was cut from."""

    cut_at: float
    ceiling: float


@dataclass
class PacingState:
    """Everything one client's pacing knows; see the module docstring."""

    # The hot path's: the buckets, answers counted, the window's sends.
    limit_tat: float = 0.0  # the client's `rate_limit` bucket (its next free start)
    tat: float = 0.0  # the adaptive rate's bucket
    counts: list[int] = field(default_factory=lambda: [0] * SLOTS)  # answers per tenth
    stamps: list[int] = field(default_factory=lambda: [0] * SLOTS)  # which tenth each holds
    noted_at: float = 0.0
    measuring_since: float = 0.0
    fresh_epoch: int = 0  # answers (not 429) to requests sent in this epoch:
    fresh: int = 0
    fresh_at: float = 0.0  # when the first of them came
    window_index: int = 0
    window_sent: int = 0
    # The rare path's: events, the adaptive rate, spells, the window, the last pause.
    epoch: int = 0
    event_at: float = 0.0
    enabled: bool = False
    peak: float = 0.0  # CUBIC's W_max
    recovery: float = 0.0  # CUBIC's K: seconds from a decrease back to the peak
    decreased_at: float = 0.0
    spell: int = 0  # 429s in a row to requests sent after the event before
    spell_start: float = 0.0
    spell_last: float = 0.0
    spells: list[Spell] = field(default_factory=list)
    window: float = 0.0  # learnt (0: not known)
    quota: int = 0  # requests that succeed in a window (0: not known)
    pause_until: float = 0.0
    paused: int = NONE


RARE = (
    "epoch",
    "event_at",
    "enabled",
    "peak",
    "recovery",
    "decreased_at",
    "spell",
    "spell_start",
    "spell_last",
    "spells",
    "window",
    "quota",
    "pause_until",
    "paused",
)
HOT = tuple(f.name for f in fields(PacingState) if f.name not in RARE)


def rate(state: PacingState, now: float) -> float:
    """The adaptive send rate at `now` (inf while it is off)."""
    if not state.enabled:
        return math.inf
    elapsed = now - state.decreased_at - state.recovery
    return max(SCALE * elapsed**3 + state.peak, MIN_RATE)


def note(state: PacingState, now: float, answered: int, fresh: int, epoch: int) -> None:
    """`answered` answers that were not 429s came; `fresh` of them to requests sent in
    `epoch` (those of an older one do not count as fresh)."""
    if now - state.noted_at > 1.0:
        state.measuring_since = now  # after a quiet second, the measured rate starts over
    state.noted_at = now
    slot = math.floor(now * SLOTS)
    index = slot % SLOTS
    if state.stamps[index] != slot:
        state.stamps[index], state.counts[index] = slot, 0
    state.counts[index] += answered
    if fresh and epoch == state.epoch:
        if state.fresh_epoch != epoch:
            state.fresh_epoch, state.fresh, state.fresh_at = epoch, 0, now
        state.fresh += fresh


def measured_rate(state: PacingState, now: float) -> float:
    """Answers (not 429s) a second, over the last second, or over the time since answers
    began to come or the last pause ended, if that is shorter."""
    count, span = _measured(state, now)
    return count / span


def _measured(state: PacingState, now: float) -> tuple[int, float]:
    """The answers `measured_rate` counts, and the seconds it counts them over."""
    start = state.measuring_since
    if state.pause_until <= now:
        start = max(start, state.pause_until)
    slot, first = math.floor(now * SLOTS), math.floor(start * SLOTS)
    count = sum(
        state.counts[i]
        for i in range(SLOTS)
        if slot - SLOTS < state.stamps[i] <= slot and state.stamps[i] >= first
    )
    return count, max(min(now - start, 1.0), MIN_SPAN)


def reserve(
    state: PacingState,
    now: float,
    limit: Limit | None,
    window: float,
    *,
    honour_pause: bool,
    delay: float = 0.0,
) -> Grant:
    """Reserve one start, no sooner than `delay` seconds from now, in every bucket at the
    first moment all allow it, and count it in the window (`window`: the one given, else
    the state's; 0: none). With `honour_pause`, a pause in the state is answered instead
    (a fleet's; in one process the pause is the pacer's gate)."""
    if honour_pause and state.pause_until > now:
        return Grant(state.pause_until - now, False, state.epoch, state.paused == PROBE)
    at = now + delay
    adaptive = rate(state, now)
    if limit is not None:
        at = max(at, state.limit_tat - (limit.burst - 1) / limit.rate)
        state.limit_tat = max(state.limit_tat, at) + 1 / limit.rate
    if adaptive < math.inf:
        at = max(at, state.tat)
        state.tat = max(state.tat, at) + 1 / adaptive
    over = False
    window = window or state.window
    if window:
        index = math.floor(at / window)
        if index != state.window_index:
            state.window_index, state.window_sent = index, 0
        over = 0 < state.quota <= state.window_sent
        state.window_sent += 1
    return Grant(at - now, True, state.epoch, over)


def throttled(
    state: PacingState,
    now: float,
    epoch: int,
    retry_after: float | None,
    *,
    window: float,
    adaptive: bool,
) -> Decision:
    """A request sent in `epoch` was answered 429 (with `retry_after`, if the server said
    how long to wait). `window`: the window given (0: none); `adaptive`: whether rates
    and windows are learnt."""
    new = epoch >= state.epoch
    if retry_after is not None:
        if new:
            if adaptive:
                _decrease(state, now)
            _event(state, now)
        state.pause_until = max(state.pause_until, now + retry_after)
        state.paused = TOLD
        return Decision(retry_after)
    if not (adaptive or window):
        return Decision(None)
    if not new:
        return Decision(0.0)  # the event already seen: its pause or rate holds this one
    fresh = state.fresh if state.fresh_epoch == state.epoch else 0
    # Requests got through after a spell: it ended at a boundary, if there are windows.
    at_boundary = bool(fresh and state.spell) and _end_spell(state, learn=adaptive and not window)
    window = window or state.window
    if window and fresh and (state.paused == BOUNDARY or at_boundary):
        state.quota = fresh  # all that got through in a whole window
    quiet = not fresh and state.event_at > 0  # nothing sent since the last event got through
    if window:
        if quiet and state.spell < LEARN_AFTER:
            return _probe(state, now)  # at a boundary: clocks differ, or others spent it
        if quiet:
            state.spell += 1
            state.spell_last = now
        _event(state, now, spell=quiet)
        until = boundary_after(now, window) + min(0.5, 0.01 * window)
        return _pause(state, until - now, BOUNDARY, now)
    if quiet or not (adaptive and _decrease(state, now)):
        return _probe(state, now)
    _event(state, now)
    state.paused = NONE
    return Decision(0.0)


def decide(
    state: PacingState,
    now: float,
    epoch: int,
    retry_after: float | None,
    *,
    window: float,
    adaptive: bool,
) -> tuple[Decision, Revision | None]:
    """`throttled`, and the revision of the cut it made (None: it made none)."""
    cut_before, ceiling = state.decreased_at, rate(state, now)
    decision = throttled(state, now, epoch, retry_after, window=window, adaptive=adaptive)
    if state.decreased_at == cut_before:
        return decision, None
    return decision, Revision(state.decreased_at, ceiling)


def _event(state: PacingState, now: float, *, spell: bool = False) -> None:
    """A new event: later 429s to requests sent before it are this one."""
    state.epoch += 1
    state.event_at = now
    if not spell:
        state.spell, state.spell_start = 0, now


def _probe(state: PacingState, now: float) -> Decision:
    """One more 429 of a spell: wait longer each time, then probe."""
    if not state.spell and not state.event_at:
        state.spell_start = now
    state.spell += 1
    state.spell_last = now
    _event(state, now, spell=True)
    wait = min(PROBE_MAX, PROBE_FIRST * 2 ** (state.spell - 1))
    return _pause(state, wait, PROBE, now)


def _pause(state: PacingState, wait: float, kind: int, now: float) -> Decision:
    state.pause_until = now + wait
    state.paused = kind
    return Decision(wait, probe=kind == PROBE)


def _end_spell(state: PacingState, *, learn: bool) -> bool:
    """Requests got through after a spell: where it ended tells of a window. True if it
    was long enough to have ended at a window's boundary."""
    long = state.spell >= LEARN_AFTER and state.spell_last - state.spell_start >= LEARN_SPAN
    if long:
        spell = Spell(state.spell_start, state.spell_last, state.fresh_at)
        state.spells = [*state.spells, spell][-KEEP_SPELLS:]
        if learn:
            state.window = learn_window(state.spells)
            if state.window:
                state.enabled = False  # the limit is a quota, not a rate
    state.spell = 0
    return long


def revise(state: PacingState, now: float, revision: Revision) -> bool:
    """Raise the cut of `revision` to the rate of the answers to requests sent before it,
    as measured now, if that is higher.

    A 429 is decided on the answers counted by then. When the measurement is young (a
    run's first burst), the successes that came with the 429 but were handled after it,
    or, in a fleet, not yet told by their process, can be most of it, and a cut on the
    rest leaves the rate a fraction of the limit's for many seconds. Answers to requests
    sent since the cut are left out, counted as many as the lowered rate let go since:
    they say nothing of the limit. False: nothing changed (a cut made since stands, or the
    measurement is no higher)."""
    cut_at = revision.cut_at
    if not state.enabled or state.decreased_at != cut_at:
        return False
    count, span = _measured(state, now)
    since = rate(state, now) * max(now - cut_at, 0.0)
    peak = min(revision.ceiling, (count - since) / span)
    if peak <= state.peak:
        return False
    _cut(state, peak, cut_at)
    return True


def _decrease(state: PacingState, now: float) -> bool:
    """Lower the rate to BETA times the rate measured (False: nothing measured)."""
    measured = measured_rate(state, now)
    if measured <= 0:
        return False
    _cut(state, max(min(rate(state, now), measured), MIN_RATE), now)
    return True


def _cut(state: PacingState, peak: float, at: float) -> None:
    """The rate, cut at `at` from `peak` to BETA times it, climbs back to `peak` along a
    cubic."""
    state.peak = peak
    state.recovery = (peak * (1 - BETA) / SCALE) ** (1 / 3)
    state.decreased_at = at
    state.enabled = True
