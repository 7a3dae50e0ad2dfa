"""The exchange's two messages and its one interface: a `Request` goes into a `Transport`,
an `Answer` comes back.

A transport performs the I/O and nothing else: it does not retry, read what a status
means, log or call hooks (the call path does, around `send`). It raises this package's
`APIConnectionError` (or `APITimeoutError`) when no answer came, with `connect_failed`
True when the request certainly never reached the server, and `ResponseDecodeError` for
an answer too big to read. Everything else, a 4xx or 5xx included, is an `Answer`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

import msgspec

from .._progress import Progress

__all__ = ["DEFAULT_TIMEOUT", "Answer", "Headers", "Request", "Timeout", "Transport"]

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 20.0


class Timeout(msgspec.Struct, frozen=True):
    """What bounds one attempt (seconds; None: no bound).

    `total`: the whole attempt, from sending to the last byte of the answer. `connect`:
    opening a connection (not the wait for a free one: see `pool_timeout`). `read`: the
    body going quiet after the headers came, no byte of it for that long. A number given
    as a call's `timeout=` is the total, with `connect` and `read` no longer than it.
    """

    total: float | None = 60.0
    connect: float | None = CONNECT_TIMEOUT
    read: float | None = READ_TIMEOUT

    @classmethod
    def of(cls, seconds: float | None) -> Timeout:
        """The timeout a number of seconds means (None: no bound at all)."""
        if seconds is None:
            return NO_TIMEOUT
        return cls(seconds, min(seconds, CONNECT_TIMEOUT), min(seconds, READ_TIMEOUT))


DEFAULT_TIMEOUT = Timeout()
NO_TIMEOUT = Timeout(None, None, None)


class Headers(Mapping[str, str]):
    """A mapping of header names to values whose lookups ignore case."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self._items = {name.lower(): value for name, value in (items or {}).items()}

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        # The names only: a value may be a secret (an echoed header, a cookie).
        return f"Headers({sorted(self._items)})"


# Structs, not dataclasses: a call builds a Request and an Answer of each attempt, and a
# frozen dataclass costs ten times as much to build.


class Request(msgspec.Struct, frozen=True):
    """One request of a call, as the call path hands it to a transport (every attempt of
    the call sends the same one).

    `path` starts with `/` and is relative to the client's base URL; `query` holds the
    query parameters (None: none); `body` is the JSON body's bytes (None: no body);
    `headers` are every header to send, `Authorization` included; `timeout` bounds one
    attempt. `progress` is for a transport that can tell where an attempt is (waiting for
    a connection, reading the body) so that a call's deadline can say what it cut short;
    a transport may ignore it.

    `deadline` is the event loop's time (`loop.time()`) by which the call must be over
    (None: it has none). A transport ends `send` by then: it waits no longer for a
    connection, and shortens an attempt whose `timeout` would outlast it; when the
    deadline is what ended the attempt, it raises the built-in `TimeoutError`, and the
    call path says what the deadline cut short. (The call path bounds its own waits; it
    arms no timer of its own around an attempt, which would cost every call.)
    """

    method: str
    path: str
    query: Mapping[str, str] | None = None
    body: bytes | None = None
    headers: Mapping[str, str] = msgspec.field(default_factory=dict)
    timeout: Timeout = DEFAULT_TIMEOUT
    progress: Progress | None = None
    deadline: float | None = None

    def json(self) -> Any:
        """The body, decoded from JSON (None when there is none)."""
        return None if self.body is None else msgspec.json.decode(self.body)

    def __repr__(self) -> str:
        # Neither headers nor body: the key and a number's secrets travel there.
        query = f", query={dict(self.query)!r}" if self.query else ""
        return f"Request({self.method} {self.path}{query})"


class Answer(msgspec.Struct):
    """What the server answered one attempt: `status`, `headers` (lookups ignore case),
    `body`, and `sends`, how many times the transport put the request on the wire to get
    it (an HTTP library may send an idempotent request again by itself when a reused
    connection fails under it; a DELETE answered 404 after that may have done its work).

        Answer(200, body=b'{"id": "..."}')
        Answer.json(429, {"message": "slow down"}, headers={"Retry-After": "2"})
    """

    status: int
    headers: Mapping[str, str] = msgspec.field(default_factory=Headers)
    body: bytes = b""
    sends: int = 1

    def __post_init__(self) -> None:
        if type(self.headers) is dict:  # a plain dict given by hand: make lookups ignore case
            self.headers = Headers(self.headers)

    @classmethod
    def json(cls, status: int, data: Any, *, headers: Mapping[str, str] | None = None) -> Answer:
        """An answer whose body is `data` encoded as JSON (a msgspec Struct, a dict...)."""
        return cls(
            status,
            Headers({"Content-Type": "application/json", **(headers or {})}),
            msgspec.json.encode(data),
        )

    def __repr__(self) -> str:
        # No headers or body: a server may echo a secret of the request.
        return f"Answer(status={self.status}, {len(self.body)} bytes, sends={self.sends})"


@runtime_checkable
class Transport(Protocol):
    """What a client sends its requests through: `VapiPhoneClient(transport=...)`.

    The default is `AiohttpTransport` (one aiohttp session); `MockTransport` answers with
    a function of yours, for tests. `send` performs one attempt; `aclose` lets go of what
    the transport holds (the client calls it on `aclose()`).
    """

    async def send(self, request: Request) -> Answer:
        """One attempt of `request`: the server's answer, whatever its status; over by
        `request.timeout` after it is sent and by `request.deadline` (see `Request`)."""
        ...

    async def aclose(self) -> None:
        """Release the transport's connections; it is not used afterwards."""
        ...
