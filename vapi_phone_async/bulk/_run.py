"""The bulk engine: a BulkRun takes items lazily, works on them concurrently, and streams
one BulkOutcome per item taken.

How a run goes. A driver task (an anyio task group and a `CapacityLimiter` of
`concurrency` tokens) takes a token, then the next item from the input (a sync or async
iterable, never listed), and starts a worker for it; the worker's outcome goes into a
memory stream of `concurrency` slots, and its token comes back only once the outcome is in
the stream. So at most `concurrency` items are taken and not yet handed over, and memory
stays bounded however long the input is. The consumer reads outcomes in completion order.

Stopping:

- `run.cancel()` (and `fail_fast=True` at the first failed item) stops taking items; the
  items in flight finish and are reported; the stream then ends. Items never taken from
  the input have no outcome.
- Leaving the `async for` early, or cancelling the task that consumes the run, cancels
  the requests in flight and waits until they have let go of their connections. Nothing
  taken is forgotten: an item whose request was cut short gets a `failed` outcome with a
  `BulkCancelledError` (its request may or may not have reached the server), and every
  outcome the consumer did not receive is kept in `run.undelivered`.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterable,
    Sized,
)
from contextlib import AbstractAsyncContextManager, nullcontext
from types import TracebackType
from typing import Any, Generic, TypeVar

import anyio
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectSendStream

from ..errors import BulkCancelledError
from ._outcomes import BulkOutcome, BulkResult, BulkSummary, Progress, failed

__all__ = ["BulkRun", "Operation"]

T = TypeVar("T")


Operation = Callable[[int, T], Awaitable[BulkOutcome[T]]]


class BulkRun(Generic[T]):
    """One bulk operation over an iterable; made by `client.bulk_update()` and friends.

    `async for outcome in run` streams outcomes in completion order, holding about
    `concurrency` of them at a time; `await run` returns a `BulkResult` with every
    outcome in input order. A run is consumed once. `run.summary` counts the outcomes so
    far; `run.cancel()` stops it gracefully; `run.undelivered` holds the outcomes a
    consumer that left early never received. See the module docstring for stopping.

        async for outcome in client.bulk_delete(ids, concurrency=8):
            if outcome.kind == "failed":
                print(outcome.index, outcome.reason)
    """

    def __init__(
        self,
        items: Iterable[T] | AsyncIterable[T],
        operation: Operation[T],
        *,
        concurrency: int,
        fail_fast: bool = False,
        progress: Progress | None = None,
        total: int | None = None,
        setup: Callable[[], Awaitable[None]] | None = None,
        guard: Callable[[], AbstractAsyncContextManager[None]] | None = None,
    ) -> None:
        if total is None and isinstance(items, Sized):
            total = len(items)
        self._items = items
        self._operation = operation
        self._concurrency = concurrency
        self._fail_fast = fail_fast
        self._progress = progress
        self._setup = setup
        # Entered when the run starts and left when it ends, setup included (the apply
        # lock): what it raises on entering reaches the consumer, nothing taken.
        self._guard = guard
        self.summary = BulkSummary(total=total)
        self.stopped_early = False
        # Made when the run starts: anyio's primitives need a running event loop, and a
        # run may be built outside one.
        self._intake: anyio.CancelScope | None = None
        self._finished: anyio.Event | None = None
        self._in_flight: dict[int, T] = {}
        self._undelivered: list[BulkOutcome[T]] = []
        self._error: BaseException | None = None
        # Weak: once the consumer's loop lets go of the stream (a `break`), the generator
        # is finalized at once, and that cancels the run, as leaving early should.
        self._stream: weakref.ref[AsyncGenerator[BulkOutcome[T], None]] | None = None

    def __repr__(self) -> str:
        return f"BulkRun(concurrency={self._concurrency}, summary={self.summary!r})"

    @property
    def undelivered(self) -> list[BulkOutcome[T]]:
        """Outcomes the consumer did not receive because it left early, in input order."""
        return sorted(self._undelivered, key=lambda outcome: outcome.index)

    def cancel(self) -> None:
        """Take no more items; those in flight finish and are reported, then the run ends."""
        self.stopped_early = True
        if self._intake is not None:
            self._intake.cancel()

    def __aiter__(self) -> AsyncIterator[BulkOutcome[T]]:
        if self._stream is not None:
            raise RuntimeError("a BulkRun is consumed once; start another bulk call")
        stream = self._outcomes()
        self._stream = weakref.ref(stream)
        return stream

    def __await__(self) -> Generator[Any, None, BulkResult[T]]:
        return self.collect().__await__()

    async def collect(self) -> BulkResult[T]:
        """Run to the end; every outcome in input order (holds them all: mind the size)."""
        outcomes: list[BulkOutcome[T]] = []
        stream = self.__aiter__()
        try:
            async for outcome in stream:
                outcomes.append(outcome)
        except BaseException:
            # Nothing reached the caller, so everything collected so far is undelivered.
            self._undelivered.extend(outcomes)
            raise
        outcomes.sort(key=lambda outcome: outcome.index)
        return BulkResult(outcomes, self.summary, self.stopped_early)

    async def aclose(self) -> None:
        """Stop the run now (as leaving `async for` early does) and wait until it has."""
        stream = self._stream() if self._stream is not None else None
        if stream is not None:
            await stream.aclose()
        elif self._finished is not None:  # already finalized: wait for its cleanup
            await self._finished.wait()

    async def __aenter__(self) -> BulkRun[T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    # The consumer's side.

    async def _outcomes(self) -> AsyncGenerator[BulkOutcome[T], None]:
        self._finished = anyio.Event()
        send, receive = anyio.create_memory_object_stream[BulkOutcome[T]](self._concurrency)
        # Its own task, not a task group here: a task group's cancel scope must not stay
        # open across a `yield`, and a consumer that breaks out is closed from another task.
        driver = asyncio.ensure_future(self._drive(send))
        try:
            while True:
                try:
                    outcome = await receive.receive()
                except anyio.EndOfStream:
                    break
                yield outcome
            await driver  # raises what stopped the input, if anything did
        finally:
            driver.cancel()
            with anyio.CancelScope(shield=True):
                await asyncio.wait([driver])
            while True:
                try:
                    self._undelivered.append(receive.receive_nowait())
                except (anyio.WouldBlock, anyio.EndOfStream):
                    break
            receive.close()
            if not driver.cancelled():
                driver.exception()  # retrieved: reported through the stream instead
            self._finished.set()

    # The producer's side.

    async def _drive(self, send: MemoryObjectSendStream[BulkOutcome[T]]) -> None:
        limiter = anyio.CapacityLimiter(self._concurrency)
        intake = self._intake = anyio.CancelScope()
        if self.stopped_early:  # cancel() came before the run started
            intake.cancel()
        try:
            async with self._guard() if self._guard is not None else nullcontext():
                if self._setup is not None:
                    await self._setup()
                async with anyio.create_task_group() as workers:
                    with intake:
                        await self._take_items(limiter, workers, intake, send)
        except BaseException:
            self._abandon_in_flight()
            raise
        finally:
            send.close()
        if self._error is not None:
            raise self._error

    async def _take_items(
        self,
        limiter: anyio.CapacityLimiter,
        workers: TaskGroup,
        intake: anyio.CancelScope,
        send: MemoryObjectSendStream[BulkOutcome[T]],
    ) -> None:
        pull = _puller(self._items)
        index = 0
        while True:
            borrower = object()
            try:
                # A free token is taken without a checkpoint: otherwise the driver starts
                # one worker per turn of the event loop and never reaches `concurrency`.
                limiter.acquire_on_behalf_of_nowait(borrower)
            except anyio.WouldBlock:
                await limiter.acquire_on_behalf_of(borrower)
            if intake.cancel_called:
                # Stopped while waiting for the token (fail_fast, cancel()): take no more.
                limiter.release_on_behalf_of(borrower)
                return
            try:
                item = await pull()
            except StopAsyncIteration:
                limiter.release_on_behalf_of(borrower)
                return
            except Exception as error:
                # The input failed: finish what was taken, then raise this to the consumer.
                limiter.release_on_behalf_of(borrower)
                self._stop_with(error)
                return
            except BaseException:
                limiter.release_on_behalf_of(borrower)
                raise
            self._in_flight[index] = item
            workers.start_soon(self._work, index, item, limiter, borrower, send)
            index += 1

    async def _work(
        self,
        index: int,
        item: T,
        limiter: anyio.CapacityLimiter,
        borrower: object,
        send: MemoryObjectSendStream[BulkOutcome[T]],
    ) -> None:
        try:
            try:
                outcome = await self._operation(index, item)
            except Exception as error:  # an operation reports its errors; this is a bug's
                outcome = failed(index, item, error)
            del self._in_flight[index]
            self._record(outcome)
            try:
                try:
                    send.send_nowait(outcome)
                except anyio.WouldBlock:
                    await send.send(outcome)  # the consumer is behind: wait for it
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                self._undelivered.append(outcome)
            except BaseException:  # cancelled while waiting for the consumer
                self._undelivered.append(outcome)
                raise
        finally:
            limiter.release_on_behalf_of(borrower)

    def _record(self, outcome: BulkOutcome[T]) -> None:
        self.summary.add(outcome)
        if self._progress is not None:
            summary = self.summary
            try:
                self._progress(summary.done, summary.failed, summary.total)
            except Exception as error:
                self._stop_with(error)
        if self._fail_fast and outcome.kind == "failed":
            self.cancel()

    def _stop_with(self, error: BaseException) -> None:
        if self._error is None:
            self._error = error
        self.cancel()

    def _abandon_in_flight(self) -> None:
        """Report the items whose requests were cut short by cancellation."""
        for index, item in sorted(self._in_flight.items()):
            outcome = failed(
                index,
                item,
                BulkCancelledError("cancelled while in flight; it may have taken effect"),
            )
            self.summary.add(outcome)
            self._undelivered.append(outcome)
        self._in_flight.clear()


def _puller(items: Iterable[T] | AsyncIterable[T]) -> Callable[[], Awaitable[T]]:
    """A coroutine function returning the next item, raising StopAsyncIteration at the end."""
    if isinstance(items, AsyncIterable):
        iterator = aiter(items)
        return iterator.__anext__
    sync_iterator = iter(items)

    async def pull() -> T:
        try:
            return next(sync_iterator)
        except StopIteration:
            raise StopAsyncIteration from None

    return pull
