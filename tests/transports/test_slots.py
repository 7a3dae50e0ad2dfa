"""A transport's connection slots: a free one is taken at once, the others wait in line,
first come first served, and a wait given up never loses a slot."""

from __future__ import annotations

import asyncio
import contextlib

from vapi_phone_async.transports._slots import Slots


async def test_free_slots_are_taken_at_once_and_given_back() -> None:
    slots = Slots(2)
    assert slots.take_now() and slots.take_now()
    assert not slots.take_now()
    slots.give_back()
    assert slots.take_now()


async def test_the_line_is_served_in_order_before_anyone_who_comes_later() -> None:
    slots = Slots(1)
    assert slots.take_now()
    served: list[str] = []

    async def wait(name: str) -> None:
        await slots.wait_for_one()
        served.append(name)

    first = asyncio.ensure_future(wait("first"))
    second = asyncio.ensure_future(wait("second"))
    await asyncio.sleep(0)
    slots.give_back()
    # A slot handed to the line is not free to someone who did not wait.
    assert not slots.take_now()
    await first
    slots.give_back()
    await second
    assert served == ["first", "second"]
    slots.give_back()
    assert slots.take_now()


async def test_a_wait_given_up_leaves_the_line() -> None:
    slots = Slots(1)
    assert slots.take_now()
    waiting = asyncio.ensure_future(slots.wait_for_one())
    await asyncio.sleep(0)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    slots.give_back()
    assert slots.take_now()  # nobody left in line: the slot is free


async def test_a_slot_handed_over_as_its_wait_is_given_up_goes_to_the_next_in_line() -> None:
    slots = Slots(1)
    assert slots.take_now()
    gives_up = asyncio.ensure_future(slots.wait_for_one())
    next_in_line = asyncio.ensure_future(slots.wait_for_one())
    await asyncio.sleep(0)
    slots.give_back()  # handed to the first waiter...
    gives_up.cancel()  # ...which is cancelled before it runs
    await asyncio.gather(gives_up, return_exceptions=True)
    await asyncio.wait_for(next_in_line, 1)
    assert not slots.take_now()  # the next one holds it
    slots.give_back()
    assert slots.take_now()


async def test_a_wait_cut_by_a_timeout_loses_nothing() -> None:
    slots = Slots(1)
    assert slots.take_now()
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(slots.wait_for_one(), 0.01)
    slots.give_back()
    assert slots.take_now()
