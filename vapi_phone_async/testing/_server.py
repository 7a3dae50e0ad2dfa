"""FakeVapiServer: the public face of the fake, its lifecycle on a host and port, and its
controls."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Collection, Mapping
from types import TracebackType
from typing import Any

from aiohttp import web

from .._gc import collector_paused
from ._app import FakeApp, RequestRecord
from ._controls import FakeControls
from ._dates import format_us, now_us
from ._listing import PAGE_CAP, CursorMode, PageOffsets
from ._seed import DEFAULT_START_US, generate
from ._shown import SECRETS_SHOWN, SecretsShown

__all__ = ["DEFAULT_HOST", "DEFAULT_ORG_ID", "TEST_API_KEY", "FakeVapiServer"]

TEST_API_KEY = "test-key"
"""The key FakeVapiServer accepts unless given another (the pytest fixtures use it)."""
DEFAULT_ORG_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/vapi-phone-async/fake-org"))
DEFAULT_HOST = "127.0.0.1"
_SECOND = 1_000_000


class FakeVapiServer(FakeControls):
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
    plain HTTP to it. `port=0` picks a free port. `seed` makes the numbers it assigns
    repeatable. `max_log` keeps only about the last that many request records (default:
    all of them).

    Where the spec is silent it behaves as the live API is reported to, each behaviour a
    knob whose default is the live one (`docs/real-api.md` gives the evidence):

    - `page_cap` (default 100; None for none) caps every listing answer whatever `limit`
      asks; `page_offsets` says how a capped page counts its offset, from the `limit`
      asked (`"asked"`, the default: page 2 of `limit=1000` starts at the 1,001st number)
      or from the cap (`"capped"`); `full_metadata=True` adds to a page's metadata the
      fields the spec leaves optional (`totalPages`, `hasNextPage`, `sortOrder`, the
      `createdAt` bounds), which by default it leaves out.
    - unknown query parameters of the two listings are refused as unknown body properties
      are, `property foo should not exist` (NestJS whitelists a query DTO as a body);
      `newer_parameters` names those a newer Vapi takes, accepted and ignored. The other
      operations take no query, and do not read one.
    - `cursors=False`: the spec has no `cursor` parameter, so pages carry no `nextCursor`
      and `cursor` is refused as unknown. `True` shows `nextCursor` and honours `cursor`
      (keyset paging); `"shown-only"` shows it yet refuses `cursor`; `"ignored"` shows it
      and takes `cursor` without using it (the page asked by number comes back).
    - `nested_nulls=False`: a body may hold `null` at its top level only (an optional
      field; a PATCH clears it), since the spec allows null nowhere and a number keeping
      `server: {"url": null}` could not be answered in the spec's shape. `True` takes a
      null for any optional property, as class-validator's `@IsOptional` would, and keeps
      and answers it as sent.
    - `secrets` is how answers show a number's secrets (Twilio tokens, `server.secret`,
      header values, SIP passwords), which Vapi does not document: `"shown"` as stored
      (the default), `"masked"` as `********`, or `"omitted"`; the stored number keeps
      them either way.
    - `newer_fields` imitates a newer Vapi: fields of a number that this version does not
      model (`"tier"`, or `"server.region"` inside an object), which the fake then accepts
      on create and update, keeps and returns (any other unknown property is refused, as
      Vapi refuses it).

    The paging knobs, `cursors` and `latency` are settable on a running server.
    """

    def __init__(
        self,
        api_key: str = TEST_API_KEY,
        *,
        host: str = DEFAULT_HOST,
        port: int = 0,
        cursors: CursorMode = False,
        latency: float = 0.0,
        org_id: str = DEFAULT_ORG_ID,
        seed: int = 0,
        max_log: int | None = None,
        newer_fields: Collection[str] = (),
        page_cap: int | None = PAGE_CAP,
        page_offsets: PageOffsets = "asked",
        full_metadata: bool = False,
        secrets: SecretsShown = "shown",
        newer_parameters: Collection[str] = (),
        nested_nulls: bool = False,
    ) -> None:
        if not isinstance(host, str) or not host:
            raise ValueError(f"host must be a host name or an address (got {host!r})")
        if secrets not in SECRETS_SHOWN:
            raise ValueError(f"secrets must be one of {', '.join(SECRETS_SHOWN)} (got {secrets!r})")
        self.api_key = api_key
        self.org_id = org_id
        self._host = host
        self._requested_port = port
        super().__init__(
            FakeApp(
                api_key=api_key,
                org_id=org_id,
                cursors=cursors,
                seed=seed,
                max_log=max_log,
                newer_fields=newer_fields,
                page_cap=page_cap,
                page_offsets=page_offsets,
                full_metadata=full_metadata,
                secrets=secrets,
                newer_parameters=newer_parameters,
                nested_nulls=nested_nulls,
            ),
            latency,
        )
        self._paging: dict[str, Any] = {
            "page_cap": page_cap,
            "page_offsets": page_offsets,
            "full_metadata": full_metadata,
        }
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
        """Remove every number, pending fault and log record; chaos and limits go off, and
        the paging knobs go back to what the constructor was given."""
        self._fake.store.clear()
        self._fake.faults.clear()
        self._fake.request_log.clear()
        self._fake.lister.set_paging(**self._paging)

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
