"""What a call is doing, for the message of its deadline: the call path marks each attempt
on the call's `Progress` (handed to the transport in the `Request`, which marks the
waits inside an attempt); when the deadline runs out, the call path says which step it
cut short, and whether anything may have reached the server."""

from __future__ import annotations

import time

__all__ = ["Progress"]

WAITING, POOL, ANSWER, BODY, FAILED = range(5)


class Progress:
    """The step of the current attempt of one call, and what it has read."""

    # Class-level starting values, not an __init__: every call with a deadline makes one,
    # and setting seven attributes was most of the cost of its deadline.
    step = WAITING
    attempt = 0
    pool_size = 0
    received = 0  # bytes of the body read so far
    last_byte_at = 0.0  # time.monotonic() of the last chunk
    error: BaseException | None = None  # what ended the last attempt that failed
    acted = False  # whether that failure may have acted on the server

    def attempting(self, attempt: int) -> None:
        """Attempt `attempt` goes to the transport (sent, unless the transport says it
        waits for a connection first)."""
        self.attempt, self.step = attempt, ANSWER

    def waiting_for_connection(self, pool_size: int) -> None:
        """For transports: the attempt waits for one of `pool_size` connections."""
        self.step, self.pool_size = POOL, pool_size

    def sending(self) -> None:
        """For transports: the attempt got its connection and goes out."""
        self.step = ANSWER

    def read(self, size: int) -> None:
        """For transports: `size` more bytes of the body came."""
        self.step = BODY
        self.received += size
        self.last_byte_at = time.monotonic()

    def failed(self, error: BaseException, *, acted: bool) -> None:
        """The attempt ended with `error`, which may have `acted` on the server (a 5xx, an
        answer lost after sending); the call may retry it."""
        self.step, self.error, self.received, self.acted = FAILED, error, 0, acted

    @property
    def in_flight(self) -> bool:
        """Whether an attempt was sent and is not over."""
        return self.step in (ANSWER, BODY)

    def describe(self) -> str:
        """The step, as the end of a sentence: "while reading the body of attempt 2 ..."."""
        if self.step == POOL:
            return (
                f"while attempt {self.attempt} waited for a free connection "
                f"(max_connections={self.pool_size}); nothing of it was sent"
            )
        if self.step == ANSWER:
            return f"while waiting for the answer to attempt {self.attempt}"
        if self.step == BODY:
            ago = time.monotonic() - self.last_byte_at
            return (
                f"while reading the body of attempt {self.attempt}, still arriving: "
                f"{self.received} bytes so far, the last {ago:.1f} s ago"
            )
        if self.step == FAILED:
            return f"while waiting to retry after attempt {self.attempt} failed ({self.error})"
        return "before its first attempt, waiting for its turn (a rate limit or a 429 pause)"
