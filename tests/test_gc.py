"""The collector's helpers: what `heap_set_aside` leaves out of the collector's passes,
for how long, and what it never undoes."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from vapi_phone_async._gc import collector_paused, heap_set_aside


class Node:
    """An object that can stand in a reference cycle, and be watched by a weak reference."""

    def __init__(self) -> None:
        self.other: Node | None = None


def cycle() -> weakref.ref[Node]:
    """A cycle no one refers to any more (garbage only the cyclic collector frees)."""
    first, second = Node(), Node()
    first.other, second.other = second, first
    return weakref.ref(first)


@pytest.fixture(autouse=True)
def nothing_frozen() -> Iterator[None]:
    assert gc.get_freeze_count() == 0
    yield
    gc.unfreeze()


def test_what_exists_is_set_aside_for_the_block_and_given_back_after() -> None:
    before = cycle()
    with heap_set_aside():
        assert gc.get_freeze_count() > 0
        gc.collect()
        assert before() is not None  # set aside: not collected, though garbage
        during = cycle()
        gc.collect()
        assert during() is None  # garbage made meanwhile is collected as usual
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert before() is None


def test_the_heap_is_given_back_when_the_block_fails() -> None:
    with pytest.raises(RuntimeError), heap_set_aside():
        raise RuntimeError("the work failed")
    assert gc.get_freeze_count() == 0


def test_objects_frozen_by_someone_else_stay_frozen() -> None:
    gc.freeze()  # as a pre-forking server does with its startup heap
    frozen = gc.get_freeze_count()
    with heap_set_aside():
        assert gc.get_freeze_count() == frozen
    assert gc.get_freeze_count() == frozen


def test_the_paused_collector_resumes_as_it_was() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
