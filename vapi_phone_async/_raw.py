"""Raw responses: a call's parsed value with the status, headers and request id of the
answer it came from (`client.with_raw_response.get(...)`).

A raw call runs the plain call on a view of the client whose call path notes each answer
in the call's own `Capture`: passed down explicitly, so the calls keep one signature and
a plain call pays for nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Concatenate, Generic, ParamSpec, TypeVar

__all__ = ["Capture", "RawResponse", "raw_response"]

T = TypeVar("T")
C = TypeVar("C")
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


def raw_response(
    call: Callable[Concatenate[C, P], Awaitable[T]], capturing: Callable[[Capture], C]
) -> Callable[P, Awaitable[RawResponse[T]]]:
    """`call` (a method, unbound) returning a `RawResponse` of its value, with the same
    arguments: it runs on `capturing(capture)`, a view of the client noting its answers
    in a `Capture` of this call's own."""

    @functools.wraps(call)
    async def raw(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        capture = Capture()
        value = await call(capturing(capture), *args, **kwargs)
        return RawResponse(capture.status, capture.headers, value, capture.attempt)

    return raw
