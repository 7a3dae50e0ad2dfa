"""A limit counted per window of the clock (Vapi's: the UTC minute), learnt from 429s.

A server that counts requests per tumbling window, aligned to the clock, answers every
request with 429 from the moment the window's quota is spent until the next window starts,
and it sends no reset header (Vapi's generated SDKs describe its organisation limit so:
`OrgApiLimitsDto`, "the next boundary is (floor(now / 60) + 1) * 60"). A spell of 429s
(probes failing, nothing succeeding) that ends when requests succeed again tells where a
boundary lies: after the last probe that failed, no later than the first that succeeded,
and not within the spell. The window is the shortest of the usual lengths that agrees
with every spell seen. Pure functions of times in wall-clock seconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["WINDOWS", "Spell", "boundary_after", "learn_window"]

# The window lengths servers count by, in seconds: the divisors of a minute and of an hour.
WINDOWS: tuple[float, ...] = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 300, 600, 900)
WINDOWS += (1200, 1800, 3600)
# The time a request takes to reach the server, at most, for placing a boundary.
SLACK = 0.05


class Spell(NamedTuple):
    """A spell of 429s: when the limit was first found spent, when the last probe failed,
    and when a request next succeeded (wall-clock seconds)."""

    start: float
    last_failure: float
    recovered: float


def agrees(window: float, spell: Spell) -> bool:
    """Whether a window of `window` seconds could have made `spell`: no boundary from its
    start to its last failure, one between that and the recovery."""
    spent = math.floor((spell.last_failure - SLACK) / window)
    return (
        math.floor(spell.start / window) == spent and math.floor(spell.recovered / window) > spent
    )


def learn_window(spells: Sequence[Spell]) -> float:
    """The shortest usual window that agrees with every spell (0.0: none does, or no spell
    was seen)."""
    if not spells:
        return 0.0
    for window in WINDOWS:
        if all(agrees(window, spell) for spell in spells):
            return window
    return 0.0


def boundary_after(now: float, window: float) -> float:
    """When the window after the one holding `now` starts: `(floor(now / w) + 1) * w`."""
    return (math.floor(now / window) + 1) * window
