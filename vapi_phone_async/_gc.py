"""Pausing the cyclic garbage collector for a synchronous, allocation-heavy stretch.

Building thousands of containers in a row triggers collections that walk the whole heap
again and again (half the time of planning a large sync, or of seeding a large fake),
though nothing built can be garbage yet. Only for code that does not await: no other task
runs while the collector is paused, and it resumes, as it was, at the end.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off (as it was after)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
