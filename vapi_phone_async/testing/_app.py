"""The HTTP side of the fake: routes, auth, the request log, and faults applied to answers.

Each request is logged first, then meets, in order: an injected fault, chaos, the rate
limiter, route matching, the bearer key, and the operation. A fault that "acts" lets the
operation run and then spoils the answer; one that does not answers (or drops the
connection) before the operation sees the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import math
import time
import uuid
from collections.abc import Awaitable, Callable, Collection
from typing import Any, cast

import msgspec
from aiohttp import web

from ._bodies import decode_json
from ._echo import echoed
from ._faults import NOT_ACTING, Fault, Faults
from ._listing import PAGE_CAP, CursorMode, Lister, PageOffsets
from ._operations import Operations
from ._responses import Rejected, error, json_response
from ._shown import SecretsShown, hide_secrets
from ._store import Store

__all__ = ["FakeApp", "RequestRecord"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class RequestRecord(msgspec.Struct, kw_only=True):
    """One request the server received.

    `headers` are the request's headers but `Authorization` (it holds the key);
    `body` is the parsed JSON (the raw text if it was not JSON, None if empty); `status` is
    what was answered (None when the connection was dropped); `fault` names what spoiled
    the answer: a fault mode, `"chaos"` or `"rate-limit"`; `received_at` is when it
    arrived, in `time.monotonic()` seconds.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str] = msgspec.field(default_factory=dict)
    body: Any = None
    body_error: str | None = None
    status: int | None = None
    fault: str | None = None
    request_id: str = ""
    received_at: float = 0.0


Operation = Callable[[web.Request, "RequestRecord"], web.Response]


class FakeApp:
    """The aiohttp application and the state behind it."""

    def __init__(
        self,
        *,
        api_key: str,
        org_id: str,
        cursors: CursorMode,
        seed: int,
        max_log: int | None = None,
        newer_fields: Collection[str] = (),
        page_cap: int | None = PAGE_CAP,
        page_offsets: PageOffsets = "asked",
        full_metadata: bool = False,
        secrets: SecretsShown = "shown",
        newer_parameters: Collection[str] = (),
        nested_nulls: bool = False,
    ) -> None:
        self.api_key = api_key
        self.max_log = max_log
        self.secrets = secrets
        self.store = Store() if secrets == "shown" else Store(_renderer(secrets))
        self.operations = Operations(
            self.store,
            org_id=org_id,
            seed=seed,
            newer_fields=newer_fields,
            nested_nulls=nested_nulls,
        )
        self.lister = Lister(
            self.store,
            cursors=cursors,
            newer_parameters=newer_parameters,
            page_cap=page_cap,
            page_offsets=page_offsets,
            full_metadata=full_metadata,
        )
        self.faults = Faults()
        self.request_log: list[RequestRecord] = []
        self.latency = 0.0
        self.closing = asyncio.Event()
        # The router only matches; the middleware calls the operation with the parsed
        # request (its record), so nothing is stashed on the aiohttp request.
        self._routes: dict[str, Operation] = {
            "create": self._create,
            "list": self._list,
            "paginate": self._paginate,
            "get": self._get,
            "update": self._update,
            "delete": self._delete,
        }
        # Bodies up to 16 MiB (aiohttp's default is 1 MiB, and would answer a bare 413).
        self.app = web.Application(middlewares=[self._middleware], client_max_size=16 << 20)
        add = self.app.router.add_route
        add("POST", "/phone-number", _matched, name="create")
        add("GET", "/phone-number", _matched, name="list")
        add("GET", "/v2/phone-number", _matched, name="paginate")
        add("GET", "/phone-number/{id}", _matched, name="get")
        add("PATCH", "/phone-number/{id}", _matched, name="update")
        add("DELETE", "/phone-number/{id}", _matched, name="delete")

    # The operations.

    def _create(self, request: web.Request, record: RequestRecord) -> web.Response:
        return json_response(self.operations.create(_json(record)), 201)

    def _list(self, request: web.Request, record: RequestRecord) -> web.Response:
        return json_response(self.lister.list_body(record.query))

    def _paginate(self, request: web.Request, record: RequestRecord) -> web.Response:
        return json_response(self.lister.page_body(record.query))

    def _get(self, request: web.Request, record: RequestRecord) -> web.Response:
        return json_response(self.operations.get(request.match_info["id"]))

    def _update(self, request: web.Request, record: RequestRecord) -> web.Response:
        number_id = request.match_info["id"]
        return json_response(self.operations.update(number_id, _json(record)))

    def _delete(self, request: web.Request, record: RequestRecord) -> web.Response:
        return json_response(self.operations.delete(request.match_info["id"]))

    # Everything around them.

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        record = RequestRecord(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers={k: v for k, v in request.headers.items() if k.lower() != "authorization"},
            request_id=str(uuid.uuid4()),
            received_at=time.monotonic(),
        )
        self.request_log.append(record)
        log = self.request_log
        if self.max_log is not None and len(log) > 2 * self.max_log:
            del log[: len(log) - self.max_log]  # in batches: a long-running server stays small
        raw = await request.read()
        try:
            record.body = decode_json(raw) if raw else None
        except ValueError as exc:
            record.body = raw.decode("utf-8", errors="replace")
            record.body_error = str(exc)
        fault = self.faults.take(request.method, request.path)
        record.fault = fault.mode if fault is not None else None

        if fault is not None and fault.mode in NOT_ACTING:
            response = _fault_answer(fault, raw)  # not acted on (and never sent, if reset)
        else:
            response = self._act(request, record)
        paced = fault is not None and fault.mode in ("stall", "trickle")
        await self._sleep((fault.delay if fault is not None and not paced else 0.0) + self.latency)
        if fault is not None and fault.mode in ("reset-before", "reset-after"):
            return _drop(request)
        response.headers["x-request-id"] = record.request_id
        record.status = response.status
        if fault is not None and fault.mode == "truncate":
            return await _truncate(request, response)
        if fault is not None and fault.mode == "stall":
            return await self._stall(request, response, fault.delay)
        if fault is not None and fault.mode == "trickle":
            return await self._trickle(request, response, fault.delay)
        if fault is not None and fault.mode == "malformed":
            response = _malform(response, fault)
            record.status = response.status
        return response

    def _act(self, request: web.Request, record: RequestRecord) -> web.Response:
        """The answer of a request no injected fault stopped: chaos, limits, auth, route."""
        status = self.faults.chaos_status()
        if status is not None:
            record.fault = record.fault or "chaos"
            return error(status)
        refusal = self.faults.throttle(asyncio.get_running_loop().time(), time.time())
        if refusal is not None:
            record.fault = record.fault or "rate-limit"
            response = error(429)
            if refusal.retry_after:
                response.headers["Retry-After"] = str(max(1, math.ceil(refusal.wait)))
            return response
        if request.match_info.http_exception is not None:
            return error(404, f"Cannot {request.method} {request.path}", reason="Not Found")
        if not self._authorized(request):
            return error(401, "Unauthorized")
        operation = self._routes[request.match_info.route.name or ""]
        try:
            return operation(request, record)
        except Rejected as exc:
            return exc.response()

    def _authorized(self, request: web.Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self.api_key.encode()
        )

    async def _stall(
        self, request: web.Request, response: web.Response, seconds: float
    ) -> web.StreamResponse:
        """The headers and half the body now, the rest `seconds` later."""
        body = cast(bytes, response.body)
        stream = web.StreamResponse(status=response.status, headers=response.headers)
        stream.content_length = len(body)
        await stream.prepare(request)
        await stream.write(body[: len(body) // 2])
        await self._sleep(seconds)
        if request.transport is not None and not request.transport.is_closing():
            await stream.write(body[len(body) // 2 :])
        return stream

    async def _trickle(
        self, request: web.Request, response: web.Response, seconds: float
    ) -> web.StreamResponse:
        """The headers now, then the body a byte every `seconds`."""
        body = cast(bytes, response.body)
        stream = web.StreamResponse(status=response.status, headers=response.headers)
        stream.content_length = len(body)
        await stream.prepare(request)
        for index in range(len(body)):
            if request.transport is None or request.transport.is_closing():
                break  # the client gave up
            await stream.write(body[index : index + 1])
            await self._sleep(seconds)
        return stream

    async def _sleep(self, seconds: float) -> None:
        # Closing the server wakes every waiting answer, so shutdown never waits on a delay.
        if seconds > 0:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.closing.wait(), seconds)


def _renderer(secrets: SecretsShown) -> Callable[[dict[str, Any]], bytes]:
    encode = msgspec.json.Encoder().encode

    def render(data: dict[str, Any]) -> bytes:
        return encode(hide_secrets(data, secrets))

    return render


async def _matched(request: web.Request) -> web.StreamResponse:  # pragma: no cover
    raise AssertionError("FakeApp's middleware answers every matched route")


def _json(record: RequestRecord) -> Any:
    if record.body_error is not None:
        raise Rejected(400, [record.body_error])
    return {} if record.body is None else record.body


def _fault_answer(fault: Fault, request_body: bytes) -> web.Response:
    if fault.mode == "echo":
        if fault.encoding is not None:
            echo, content_type = echoed(request_body, fault.encoding)
        else:
            echo, content_type = request_body[: len(request_body) // 2], "text/plain"
        return web.Response(body=echo, status=fault.status or 500, content_type=content_type)
    if fault.mode == "raw":
        content_type = fault.content_type or "application/json"
        return web.Response(body=fault.body, status=fault.status or 200, content_type=content_type)
    response = error(fault.status or 503)
    if fault.retry_after is not None:
        seconds = fault.retry_after
        response.headers["Retry-After"] = str(int(seconds) if seconds == int(seconds) else seconds)
    return response


def _drop(request: web.Request) -> web.StreamResponse:
    # Abort the socket: the client sees a disconnect. aiohttp then fails to write this
    # empty response to the closed transport, which it treats as a client disconnection.
    transport = request.transport
    if transport is not None:
        transport.abort()
    return web.Response()


async def _truncate(request: web.Request, response: web.Response) -> web.StreamResponse:
    body = cast(bytes, response.body)
    stream = web.StreamResponse(status=response.status, headers=response.headers)
    stream.content_length = len(body)
    await stream.prepare(request)
    await stream.write(body[: len(body) // 2])
    # close() (unlike abort()) sends what is buffered first, so half the body arrives.
    transport = request.transport
    if transport is not None:
        transport.close()
    return stream


def _malform(response: web.Response, fault: Fault) -> web.Response:
    body = cast(bytes, response.body)
    return web.Response(
        body=body[: max(1, len(body) // 2)],
        status=fault.status or response.status,
        headers=response.headers,
    )
