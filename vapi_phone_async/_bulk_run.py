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
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar

import anyio
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectSendStream

from .errors import FieldError, RequestValidationError, VapiError
from .models import PhoneNumber

__all__ = [
    "Action",
    "BulkCancelledError",
    "BulkOutcome",
    "BulkResult",
    "BulkRun",
    "BulkSummary",
    "Operation",
    "OutcomeKind",
    "Progress",
    "check_options",
    "summarize",
]

T = TypeVar("T")
OutcomeKind = Literal["succeeded", "failed", "skipped"]
Action = Literal["created", "adopted", "updated", "deleted"]
Progress = Callable[[int, int, int | None], None]
"""Called after each outcome with (done, failed, total): `done` counts every outcome so
far (failed and skipped ones too); `total` is None when the input's length is unknown."""


class BulkCancelledError(VapiError):
    """The run was cancelled while this item's request was in flight: it may or may not
    have taken effect."""


@dataclass(frozen=True)
class BulkOutcome(Generic[T]):
    """What happened to one item of a bulk run.

    `kind` is `succeeded` (with `number`, the phone number as the server returned it, and
    `action`: `created`, `adopted` (a create whose answer was lost, found on the server),
    `updated` or `deleted`), `failed` (with `error`, and `reason`, its message) or
    `skipped` (with `reason`). `index` is the item's position in the input, `item` the
    input item itself. A delete that finds the number already gone is skipped.
    """

    kind: OutcomeKind
    index: int
    item: T
    number: PhoneNumber | None = None
    action: Action | None = None
    error: BaseException | None = None
    reason: str | None = None


def succeeded(index: int, item: T, number: PhoneNumber | None, action: Action) -> BulkOutcome[T]:
    """A `succeeded` outcome."""
    return BulkOutcome("succeeded", index, item, number=number, action=action)


def failed(index: int, item: T, error: BaseException) -> BulkOutcome[T]:
    """A `failed` outcome; the reason is the error's one-line message."""
    return BulkOutcome(
        "failed", index, item, error=error, reason=str(error) or type(error).__name__
    )


def skipped(index: int, item: T, reason: str) -> BulkOutcome[T]:
    """A `skipped` outcome."""
    return BulkOutcome("skipped", index, item, reason=reason)


@dataclass
class BulkSummary:
    """Counts of a run's outcomes: by kind, and succeeded ones by action."""

    total: int | None = None
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    created: int = 0
    adopted: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def done(self) -> int:
        """Items with an outcome."""
        return self.succeeded + self.failed + self.skipped

    def add(self, outcome: BulkOutcome[Any]) -> None:
        """Count one more outcome."""
        if outcome.kind == "succeeded":
            self.succeeded += 1
            if outcome.action is not None:
                setattr(self, outcome.action, getattr(self, outcome.action) + 1)
        elif outcome.kind == "failed":
            self.failed += 1
        else:
            self.skipped += 1


def summarize(outcomes: Iterable[BulkOutcome[Any]]) -> BulkSummary:
    """The summary of outcomes collected elsewhere (say, from `async for`); their number
    is the total."""
    summary = BulkSummary(total=0)
    for outcome in outcomes:
        summary.add(outcome)
    summary.total = summary.done
    return summary


@dataclass
class BulkResult(Generic[T]):
    """A finished run: every outcome in input order, their summary, and whether the run
    stopped before the end of its input (`cancel()`, `fail_fast`)."""

    outcomes: list[BulkOutcome[T]]
    summary: BulkSummary
    stopped_early: bool = False
    failures: list[BulkOutcome[T]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.failures = [outcome for outcome in self.outcomes if outcome.kind == "failed"]


Operation = Callable[[int, T], Awaitable[BulkOutcome[T]]]


def check_options(concurrency: int, rate_limit: float | None) -> None:
    """Raise `RequestValidationError` for a concurrency or rate limit that cannot work."""
    errors = []
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        errors.append(
            FieldError("concurrency", f"must be an integer of at least 1 (got {concurrency!r})")
        )
    if rate_limit is not None and (isinstance(rate_limit, bool) or not rate_limit > 0):
        errors.append(FieldError("rate_limit", f"must be a positive number (got {rate_limit!r})"))
    if errors:
        raise RequestValidationError(errors)


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
    ) -> None:
        if total is None and isinstance(items, Sized):
            total = len(items)
        self._items = items
        self._operation = operation
        self._concurrency = concurrency
        self._fail_fast = fail_fast
        self._progress = progress
        self._setup = setup
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
