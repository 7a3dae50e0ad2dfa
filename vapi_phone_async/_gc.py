"""Keeping the cyclic garbage collector from walking the whole heap again and again while
a large piece of work allocates.

Building thousands of containers in a row triggers collections that walk the whole heap
(half the time of planning a large sync, or of seeding a large fake), though nothing built
can be garbage yet. `collector_paused` turns the collector off for a synchronous stretch:
no other task runs meanwhile, and it resumes, as it was, at the end. `heap_set_aside`
serves a longer run that awaits (a sync's walk and plan): the objects that exist when it
starts are left out of the collector's passes until it ends, so the full collections that
its tens of thousands of decoded numbers trigger walk those, not the rest of the process;
new garbage of every task is collected as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused", "heap_set_aside"]


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


@contextmanager
def heap_set_aside() -> Iterator[None]:
    """Run the block (it may await) with the objects that exist now out of the collector's
    passes (`gc.freeze`), and give them back at its end (`gc.unfreeze`): nothing is kept
    from collection longer than the block. Skipped when objects are frozen already (a
    pre-forking server freezes its startup heap for good, which must not be undone; a
    second run at once finds the first's)."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
