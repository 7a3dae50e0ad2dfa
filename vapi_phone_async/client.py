"""VapiPhoneClient: the six calls of the Phone Numbers API, validated, retried and typed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from . import _query, bulk
from ._aliases import deprecated_alias
from ._call import Lookup
from ._decode import decode_phone_number
from ._events import EventHooks
from ._extras import body_with_extra
from ._listing import Listings
from ._options import (
    DEFAULT_BACKOFF,
    DEFAULT_BASE_URL,
    DEFAULT_DEADLINE,
    USE_CLIENT_DEFAULT,
    UseClientDefault,
)
from ._raw import Capture, raw_response
from ._setup import exchange_for
from ._update import UpdateFields, body_for, id_and_provider, keyword_body
from ._validate import validate_create_body
from .errors import FieldError, RequestValidationError
from .models import BackoffPlan, CreatePhoneNumber, PhoneNumber, UpdatePhoneNumber
from .pacing import RedisPacing, RetryBudget, Sleep
from .transports import DEFAULT_POOL_TIMEOUT, DEFAULT_TIMEOUT, Session, Timeout, Transport

if TYPE_CHECKING:  # typing.Unpack is 3.11's; type checkers know typing_extensions' anywhere
    from typing_extensions import Unpack

__all__ = [
    "DEFAULT_BASE_URL",
    "USE_CLIENT_DEFAULT",
    "RawResponses",
    "UseClientDefault",
    "VapiPhoneClient",
]

_PURCHASE = (
    "a vapi number without a sipUri is bought, which costs money: pass allow_purchase=True "
    "to buy it"
)


class VapiPhoneClient(Listings):
    """An async client for the Vapi Phone Numbers API.

    `api_key` falls back to the `VAPI_API_KEY` environment variable, and `base_url` to
    `VAPI_BASE_URL`, then to `https://api.vapi.ai`. Use it as an async context manager
    (or call `aclose()`). `base_url` is an `https://` URL; `http://` is refused (the key
    would travel in the clear) except to a loopback host, or with `allow_http=True` or
    `VAPI_ALLOW_HTTP=1`. Every option is checked here: a bad one raises
    `RequestValidationError` naming it.

    Transport: requests go over one aiohttp session (`AiohttpTransport`); a `session`
    you pass in is used as it is and never closed. `transport=` sends them through
    another `Transport` instead (`MockTransport` in tests), which the client closes.

    Retries: `backoff` sets them (a `BackoffPlan`, as for Vapi's webhooks), and
    `max_retries` alone changes its number of retries (0: none); `max_delay` caps an
    exponential wait, `max_retry_after` is the longest server-asked wait honoured
    (a longer one raises instead), `jitter` shortens exponential waits by up to that
    fraction. `retry_budget` bounds the retries of the whole client (`True`: a new
    `RetryBudget()`; `False`: none; or a `RetryBudget` of yours, which clients may share).

    Pacing: `rate_limit` caps the requests the client starts per second (None: no cap);
    with `adaptive_rate` (the default) 429s lower the client's send rate until they stop.
    A 429 pauses every request of the client for the wait the server asked.
    `rate_window` (seconds) says the limit is counted per window of the clock, as Vapi
    counts per UTC minute (60): a 429 without `Retry-After` then waits for the next one
    (without it, the adaptive rate learns the window). `pacing=RedisPacing(url)` shares
    all of this, and the retry budget, with every process of a fleet (docs/fleet.md).

    Time: `timeout` bounds one attempt (seconds, or a `Timeout`); `deadline` (120 s;
    None: none) bounds a whole call with its retries and waits; `pool_timeout` bounds the
    wait for one of the `max_connections` connections, which is not part of an attempt.
    `sleep` replaces `asyncio.sleep` between retries and during 429 pauses (tests;
    `vapi_phone_async.testing.set_testing(True)` makes the default one instant).

    Listing: `async for number in client.list(search=...)` walks every page (a `Pager`;
    `await client.list(...)` is the first page alone); `client.paginate()` is the same
    walk; `await client.list_recent(limit=...)` is the v1 endpoint's one request.

    Many numbers: `client.bulk_update(pairs)`, `bulk_delete(ids)`, `bulk_import(bodies)`
    and `await client.plan_sync(rows)` are the functions of `vapi_phone_async.bulk`
    (documented there) as methods of the client. One apply at a time per account:
    `client.apply_lock()` is its lock (made by `apply_locks`, default `FileLocks()`: a
    file in `$VAPI_LOCK_DIR` or the user's cache directory, one machine; with `pacing`,
    `RedisLocks(pacing)`: a key in that Redis, the whole fleet).

    Seeing what happens: `event_hooks={"request": [...], "response": [...]}` calls your
    functions with a `RequestEvent` / `ResponseEvent` for every attempt (no secret in
    them); `client.with_raw_response.get(...)` returns the answer's status, headers and
    request id with the value; `VAPI_LOG=debug` (or `info`) logs to stderr.

        async with VapiPhoneClient(api_key="...") as client:
            number = await client.get("3f1c...")
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        allow_http: bool = False,
        backoff: BackoffPlan = DEFAULT_BACKOFF,
        max_retries: int | None = None,
        timeout: float | Timeout | None = DEFAULT_TIMEOUT,
        deadline: float | None = DEFAULT_DEADLINE,
        session: Session | None = None,
        transport: Transport | None = None,
        max_connections: int = 100,
        max_connections_per_host: int = 0,
        pool_timeout: float | None = DEFAULT_POOL_TIMEOUT,
        rate_limit: float | None = None,
        adaptive_rate: bool = True,
        rate_window: float | None = None,
        pacing: RedisPacing | None = None,
        retry_budget: bool | RetryBudget = True,
        max_delay: float = 30.0,
        max_retry_after: float = 60.0,
        jitter: float = 0.2,
        sleep: Sleep | None = None,
        event_hooks: EventHooks | None = None,
        apply_locks: bulk.ApplyLocks | None = None,
    ) -> None:
        super().__init__(exchange_for(locals()), apply_locks, pacing)  # every option by its name

    @property
    def with_raw_response(self) -> RawResponses:
        """The client's calls, each returning a `RawResponse`: the answer's `status`,
        `headers` and `request_id` with the call's `value`.

            raw = await client.with_raw_response.get(number_id)
            print(raw.status, raw.request_id, raw.value.name)
        """
        return RawResponses(self._capturing)

    async def create(
        self,
        body: CreatePhoneNumber,
        *,
        allow_purchase: bool = False,
        lookup: Lookup[PhoneNumber] | None = None,
        timeout: float | Timeout | UseClientDefault | None = USE_CLIENT_DEFAULT,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> PhoneNumber:
        """Create (import or buy) a phone number.

        A Vapi number without a `sip_uri` is bought, which costs money: that needs
        `allow_purchase=True` (else `RequestValidationError`, and nothing is sent).

        Retried only where the server certainly did not act (no connection, 429). Raises
        `OutcomeUnknownError` when it may have acted (a 5xx, a timeout, a dropped
        connection, a 2xx whose body cannot be read or is too big): look the number up
        before creating it again. Or pass `lookup`, an async function that finds the
        number: after such a failure the client calls it, returns the number it finds (the
        lost create took effect), and when it finds none (`None`: the create did not
        happen) sends the create again, as a retry under the plan and the retry budget; if
        the lookup fails, `OutcomeUnknownError` says so (`lookup_error`).

        `extra_body` adds fields this version does not model (merged into the validated
        body, objects key by key); a key the models know, or one that says which number
        this is or buys one (`provider`, `number`, `sipUri`...), is refused. `extra_headers`
        and `extra_query` add headers and query parameters (none the call sets itself, in
        any case). Every call takes the last two.
        """
        validate_create_body(body)
        if bulk.is_purchase(body) and allow_purchase is not True:
            raise RequestValidationError([FieldError("allow_purchase", _PURCHASE)])
        if lookup is not None and not callable(lookup):
            raise RequestValidationError([FieldError("lookup", "must be an async function")])
        options = self._exchange.resolve(timeout, backoff, deadline, extra_headers, extra_query)
        data, query = body_with_extra(body, extra_body), options.query_with({})
        return await self._exchange.create(
            "/phone-number", decode_phone_number, options, query, data, lookup
        )

    async def get(
        self,
        phone_number_id: str,
        *,
        timeout: float | Timeout | UseClientDefault | None = USE_CLIENT_DEFAULT,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> PhoneNumber:
        """The phone number with this id; `NotFoundError` if there is none."""
        path = _query.item_path(phone_number_id)
        options = self._exchange.resolve(timeout, backoff, deadline, extra_headers, extra_query)
        query = options.query_with({})
        return await self._exchange.call("GET", path, decode_phone_number, options, query)

    async def update(
        self,
        phone_number_id: str | PhoneNumber,
        body: UpdatePhoneNumber | None = None,
        *,
        timeout: float | Timeout | UseClientDefault | None = USE_CLIENT_DEFAULT,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **fields: Unpack[UpdateFields],
    ) -> PhoneNumber:
        """Change a number: the fields given as keywords, or those set in a typed `body`.

            await client.update(number_id, name="Front desk", assistant_id=None)
            await client.update(number, UpdateTelnyxPhoneNumber(name="Front desk"))

        A field left out is not sent; `None` clears it (sent as null). Keywords build the
        update body of the number's provider: from `phone_number_id` when it is a
        `PhoneNumber`, else from one GET first (with this call's options). A field that
        provider's update does not have, a misspelt one or a bad value raises
        `RequestValidationError` naming it, before the update is sent (before the GET
        when no provider could take it). A typed body for another provider than a
        `PhoneNumber` given is refused the same way. `extra_body` adds fields this
        version does not model, as for `create`."""
        number_id, provider = id_and_provider(phone_number_id)
        path = _query.item_path(number_id)
        checked = body_for(provider, body, fields)
        options = self._exchange.resolve(timeout, backoff, deadline, extra_headers, extra_query)
        if checked is None:  # keywords, for a number known by its id: its provider first
            current = await self.get(
                number_id,
                timeout=timeout,
                backoff=backoff,
                deadline=deadline,
                extra_headers=extra_headers,
            )
            checked = keyword_body(current.provider, fields)
        data, query = body_with_extra(checked, extra_body), options.query_with({})
        return await self._exchange.call("PATCH", path, decode_phone_number, options, query, data)

    async def delete(
        self,
        phone_number_id: str,
        *,
        timeout: float | Timeout | UseClientDefault | None = USE_CLIENT_DEFAULT,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> PhoneNumber | None:
        """Delete a phone number and return it as it was.

        Returns None when an earlier send of this same call may have deleted the number
        but its answer was lost, and a later send found it gone: after our own retry, or
        after aiohttp's silent re-send of a DELETE on a reset connection (on any session).
        Raises `NotFoundError` when the number was already gone before this call.
        """
        path = _query.item_path(phone_number_id)
        options = self._exchange.resolve(timeout, backoff, deadline, extra_headers, extra_query)
        query = options.query_with({})
        return await self._exchange.delete(path, decode_phone_number, options, query)

    # Bulk runs and sync: the functions of `vapi_phone_async.bulk`, whose first argument
    # is a client, as methods of this one (documented there, with their options).
    bulk_update = bulk.bulk_update
    bulk_delete = bulk.bulk_delete
    bulk_import = bulk.bulk_import
    plan_sync = bulk.plan_sync
    sync = deprecated_alias(bulk.plan_sync, "sync")  # it only plans: named so since 0.2


class RawResponses:
    """`client.with_raw_response`: the client's calls, each returning a `RawResponse`
    of what the call returns (`list`, `paginate` and the bulk runs, which make many
    requests, are not here: event hooks see each of their answers)."""

    def __init__(self, capturing: Callable[[Capture], VapiPhoneClient]) -> None:
        self.create = raw_response(VapiPhoneClient.create, capturing)
        self.get = raw_response(VapiPhoneClient.get, capturing)
        self.update = raw_response(VapiPhoneClient.update, capturing)
        self.delete = raw_response(VapiPhoneClient.delete, capturing)
        self.list_recent = raw_response(VapiPhoneClient.list_recent, capturing)
        # v1's list under its old name: `client.list()` walks pages, which a raw call cannot.
        self.list = deprecated_alias(self.list_recent, "list", "client.with_raw_response")
