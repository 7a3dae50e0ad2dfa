"""Raw responses: a call's parsed value with the status, headers and request id of the
answer it came from (`client.with_raw_response.get(...)`).

The transport notes each answer's status and headers in the `Capture` a raw call puts in
a context variable, so the calls themselves keep one signature and a plain call pays only
for reading an empty variable.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Generic, ParamSpec, TypeVar

__all__ = ["CAPTURE", "Capture", "RawResponse", "raw_response"]

T = TypeVar("T")
P = ParamSpec("P")


class Capture:
    """The last answer of a call: its status, headers and attempt number."""

    __slots__ = ("attempt", "headers", "status")

    def __init__(self) -> None:
        self.status = 0
        self.headers: Mapping[str, str] = {}
        self.attempt = 0

    def answered(self, status: int, headers: Mapping[str, str], attempt: int) -> None:
        """Note an answer; a later attempt's replaces an earlier one's."""
        self.status, self.headers, self.attempt = status, headers, attempt


CAPTURE: ContextVar[Capture | None] = ContextVar("vapi_phone_async_capture", default=None)


@dataclass(frozen=True)
class RawResponse(Generic[T]):
    """A call's answer: `status`, `headers` (case-insensitive), `value` (what the call
    returns), and `attempts` (1 when the first attempt answered)."""

    status: int
    headers: Mapping[str, str]
    value: T
    attempts: int

    @property
    def request_id(self) -> str | None:
        """Vapi's id for the request (`x-request-id`), for its support; None if absent."""
        return self.headers.get("x-request-id")

    def __repr__(self) -> str:
        # The value's repr hides its secrets; headers are left out (a server may echo one).
        return (
            f"RawResponse(status={self.status}, request_id={self.request_id!r}, "
            f"attempts={self.attempts}, value={self.value!r})"
        )


def raw_response(call: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[RawResponse[T]]]:
    """`call` returning a `RawResponse` of its value, with the same arguments."""

    @functools.wraps(call)
    async def raw(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        capture = Capture()
        token = CAPTURE.set(capture)
        try:
            value = await call(*args, **kwargs)
        finally:
            CAPTURE.reset(token)
        return RawResponse(capture.status, capture.headers, value, capture.attempt)

    return raw
