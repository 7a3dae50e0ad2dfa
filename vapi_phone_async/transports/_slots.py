"""A transport's connection slots: at most so many requests in flight, first come first
served.

Not `asyncio.Semaphore`: taking a free slot is the path of nearly every request, and a
semaphore's `acquire` is a coroutine whose check of its waiters builds a generator, a
few microseconds of a loopback request (benchmarks/crud.py). Here a free slot is taken by
one plain call, and only a request that finds none waits.
"""

from __future__ import annotations

import asyncio
from collections import deque

__all__ = ["Slots"]


class Slots:
    """`size` slots: `take_now` takes a free one at once, `wait_for_one` waits in line for
    one, `give_back` returns one (to the first request in line, if any)."""

    __slots__ = ("_free", "_line", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self._free = size
        self._line: deque[asyncio.Future[None]] = deque()

    def take_now(self) -> bool:
        """Take a slot if one is free and nobody waits for one (who would come first)."""
        if self._free and not self._line:
            self._free -= 1
            return True
        return False

    async def wait_for_one(self) -> None:
        """Wait in line until a slot is handed over; cancelled, give up the place in line
        (or the slot, if it was handed over meanwhile)."""
        handed = asyncio.get_running_loop().create_future()
        self._line.append(handed)
        try:
            await handed
        except asyncio.CancelledError:
            if handed.done() and not handed.cancelled():
                self.give_back()  # handed over as the wait was cancelled: the next one's
            elif handed in self._line:  # give_back may have passed it over already
                self._line.remove(handed)
            raise

    def give_back(self) -> None:
        """Return a slot: to the first in line still waiting, else to the free ones."""
        line = self._line
        while line:
            handed = line.popleft()
            if not handed.done():
                handed.set_result(None)
                return
        self._free += 1
