"""FakeVapiServer: the public face of the fake, its lifecycle on a host and port, and its
controls."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Collection, Iterable, Mapping
from types import TracebackType
from typing import Any

from aiohttp import web

from .._gc import collector_paused
from ._app import FakeApp, RequestRecord
from ._dates import format_us, now_us
from ._faults import Fault, FaultMode
from ._seed import DEFAULT_START_US, generate

__all__ = ["DEFAULT_HOST", "DEFAULT_ORG_ID", "TEST_API_KEY", "FakeVapiServer"]

TEST_API_KEY = "test-key"
"""The key FakeVapiServer accepts unless given another (the pytest fixtures use it)."""
DEFAULT_ORG_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/vapi-phone-async/fake-org"))
DEFAULT_HOST = "127.0.0.1"
_SECOND = 1_000_000


class FakeVapiServer:
    """A stateful fake of the Vapi Phone Numbers API, served over HTTP.

    It validates requests as the spec does, answers errors in Vapi's NestJS shape, logs
    every request, and fails on demand::

        async with FakeVapiServer(api_key="test-key") as server:
            server.seed(1_000)
            server.inject_fault("POST", "/phone-number", mode="reset-after")
            ...  # talk to server.url with "Authorization: Bearer test-key"

    `host` is the address to listen on: 127.0.0.1 by default; `"0.0.0.0"` (every IPv4
    interface) lets other machines and containers reach it, say as a docker-compose
    service, and clients there need `allow_http=True` (or `VAPI_ALLOW_HTTP=1`) to speak
    plain HTTP to it. `port=0` picks a free port. `cursors=False` imitates a server that
    neither returns `nextCursor` nor honours `cursor`. `seed` makes the numbers it assigns
    repeatable. `max_log` keeps only about the last that many request records (default:
    all of them). `newer_fields` imitates a newer Vapi: top-level fields of a number that
    this version does not model, which the fake then accepts on create and update, keeps
    and returns (any other unknown property is refused, as Vapi refuses it).
    """

    def __init__(
        self,
        api_key: str = TEST_API_KEY,
        *,
        host: str = DEFAULT_HOST,
        port: int = 0,
        cursors: bool = True,
        latency: float = 0.0,
        org_id: str = DEFAULT_ORG_ID,
        seed: int = 0,
        max_log: int | None = None,
        newer_fields: Collection[str] = (),
    ) -> None:
        if not isinstance(host, str) or not host:
            raise ValueError(f"host must be a host name or an address (got {host!r})")
        self.api_key = api_key
        self.org_id = org_id
        self._host = host
        self._requested_port = port
        self._fake = FakeApp(
            api_key=api_key,
            org_id=org_id,
            cursors=cursors,
            seed=seed,
            max_log=max_log,
            newer_fields=newer_fields,
        )
        self._fake.latency = latency
        self._runner: web.AppRunner | None = None
        self._address: tuple[str, int] | None = None

    # Lifecycle.

    async def start(self) -> FakeVapiServer:
        """Start serving; returns the server. `async with` does this for you."""
        if self._runner is not None:
            raise RuntimeError("FakeVapiServer is already started")
        self._fake.closing.clear()
        # A short shutdown: delayed answers wake up on close, nothing else lingers.
        runner = web.AppRunner(self._fake.app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, self._requested_port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        # The first socket's own address: a name that resolves to several addresses gets
        # a socket (and, with port 0, a port) for each.
        address, port = runner.addresses[0][:2]
        self._address = (str(address), int(port))
        return self

    async def close(self) -> None:
        """Stop serving and close every connection. Safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            self._fake.closing.set()
            await runner.cleanup()

    async def __aenter__(self) -> FakeVapiServer:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def url(self) -> str:
        """The base URL to give a client on this machine, `http://127.0.0.1:<port>` by
        default: the address listened on, or loopback when that is every interface."""
        host = _reachable(self._started()[0])
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def host(self) -> str:
        """The host it was told to listen on (`host=`)."""
        return self._host

    @property
    def port(self) -> int:
        """The port it listens on (chosen when started, unless given)."""
        return self._started()[1]

    def _started(self) -> tuple[str, int]:
        if self._address is None:
            raise RuntimeError("FakeVapiServer is not started: use `async with` or start()")
        return self._address

    # State.

    @property
    def numbers(self) -> Mapping[str, dict[str, Any]]:
        """The stored numbers by id, as wire-format dicts (a live, read-only view)."""
        return self._fake.store.numbers

    def seed(self, n: int, *, seed: int = 0, tie_rate: float = 0.0) -> list[dict[str, Any]]:
        """Add `n` deterministic, realistic numbers, newer than any stored, and return them.

        The returned dicts are the stored ones: read them, change numbers through the API.
        Providers take turns; one in three has hooks, a fallback destination and a server
        with a backoff plan. `tie_rate` (0..1) is the share of numbers that get the same
        `createdAt` millisecond as the number before them.
        """
        if n < 0:
            raise ValueError(f"n must not be negative (got {n})")
        if not 0 <= tie_rate <= 1:
            raise ValueError(f"tie_rate must be between 0 and 1 (got {tie_rate})")
        store = self._fake.store
        newest = store.newest_created
        start = DEFAULT_START_US if newest is None else newest + _SECOND
        rows = generate(
            n,
            seed=seed,
            start_us=start,
            org_id=self.org_id,
            first_index=len(store),
            tie_rate=tie_rate,
        )
        with collector_paused():
            return store.add_many(rows)

    def insert(self, number: Mapping[str, Any]) -> dict[str, Any]:
        """Store a number exactly as given (any provider, any fields) and return it.

        For numbers the API would not create: an unknown provider, a field from a newer
        API version. A missing `id`, `orgId`, `createdAt` or `updatedAt` is filled in; an
        existing number with the same id is replaced.
        """
        data = dict(number)
        stamp = format_us(now_us())
        data.setdefault("id", str(uuid.uuid4()))
        data.setdefault("orgId", self.org_id)
        data.setdefault("createdAt", stamp)
        data.setdefault("updatedAt", data["createdAt"])
        return self._fake.store.add(data).data

    def clear(self) -> None:
        """Remove every number, pending fault and log record; chaos and limits go off."""
        self._fake.store.clear()
        self._fake.faults.clear()
        self._fake.request_log.clear()

    # Observation.

    @property
    def request_log(self) -> list[RequestRecord]:
        """One record per request received, oldest first (the live list)."""
        return self._fake.request_log

    def clear_log(self) -> None:
        """Forget the requests logged so far (numbers and faults stay)."""
        self._fake.request_log.clear()

    def requests(self, method: str | None = None, path: str | None = None) -> list[RequestRecord]:
        """The logged requests with this method and path (each optional)."""
        return [
            record
            for record in self._fake.request_log
            if (method is None or record.method == method.upper())
            and (path is None or record.path == path)
        ]

    # Faults.

    def inject_fault(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        times: int = 1,
        status: int | None = None,
        retry_after: float | None = None,
        mode: FaultMode = "status",
        delay: float = 0.0,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> Fault:
        """Spoil the next `times` requests matching `method` and `path` (None matches any).

        Faults queue in the order injected; a request meets the first one that matches.
        `mode`: `status` answers `status` (default 503) with `Retry-After: retry_after` if
        given, without acting; `reset-before` drops the connection without acting;
        `reset-after` acts, then drops it; `truncate` acts and sends half the body;
        `stall` acts, sends the headers and half the body, and the rest `delay` later;
        `trickle` acts and sends the body a byte every `delay` seconds; `malformed` acts
        and answers invalid JSON (with `status` if given); `echo` answers `status`
        (default 500) with the first half of the request's body, without acting; `raw`
        answers `status` (default 200) with `body` as `content_type` (default JSON),
        without acting; `delay` acts and answers after `delay` seconds. `delay` also
        postpones any other mode but `stall` and `trickle`.
        """
        fault = Fault(
            mode=mode,
            method=method,
            path=path,
            times=times,
            status=status,
            retry_after=retry_after,
            delay=delay,
            body=body,
            content_type=content_type,
        )
        return self._fake.faults.inject(fault)

    @property
    def pending_faults(self) -> list[Fault]:
        """Injected faults not yet used up, in the order they apply."""
        return list(self._fake.faults.pending)

    def clear_faults(self) -> None:
        """Drop pending faults and turn chaos and rate limiting off."""
        self._fake.faults.clear()

    def chaos(self, rate: float, statuses: Iterable[int] = (500, 502, 503), seed: int = 0) -> None:
        """Fail a share `rate` (0..1) of requests with a random status; `chaos(0)` stops."""
        self._fake.faults.set_chaos(rate, statuses, seed)

    def rate_limit(
        self, per_second: float | None, burst: int | None = None, *, retry_after: bool = True
    ) -> None:
        """Answer 429 with `Retry-After` (whole seconds) beyond `per_second` requests.

        A token bucket holding `burst` requests (default: `per_second`, at least 1).
        `retry_after=False` answers the 429 without `Retry-After`: a limit the client must
        find for itself. `rate_limit(None)` turns it off.
        """
        self._fake.faults.set_rate_limit(per_second, burst, retry_after=retry_after)

    def window_limit(
        self, requests: int | None, seconds: float = 60.0, *, retry_after: bool = False
    ) -> None:
        """Answer 429 beyond `requests` per tumbling window of `seconds`, aligned to the
        wall clock, without `Retry-After` (unless `retry_after=True`): the way Vapi counts
        an organisation's limit, per UTC minute, with no reset header. Both limits may be
        set; a request must pass each. `window_limit(None)` turns it off.
        """
        self._fake.faults.set_window_limit(requests, seconds, retry_after=retry_after)

    @property
    def latency(self) -> float:
        """Seconds added before every answer (settable)."""
        return self._fake.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"latency must not be negative (got {seconds})")
        self._fake.latency = seconds

    @property
    def cursors(self) -> bool:
        """Whether `/v2/phone-number` returns `nextCursor` and honours `cursor` (settable)."""
        return self._fake.lister.cursors

    @cursors.setter
    def cursors(self, enabled: bool) -> None:
        self._fake.lister.cursors = enabled

    def __repr__(self) -> str:
        where = self.url if self._address is not None else "not started"
        return f"FakeVapiServer({where}, numbers={len(self._fake.store)})"


def _reachable(address: str) -> str:
    """`address`, or the loopback address of its family when it means every interface."""
    try:
        parsed = ipaddress.ip_address(address.split("%")[0])  # without an IPv6 zone
    except ValueError:
        return address
    if not parsed.is_unspecified:
        return address
    return "::1" if parsed.version == 6 else "127.0.0.1"
