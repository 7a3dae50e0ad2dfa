"""VapiPhoneClient: the six calls of the Phone Numbers API, validated, retried and typed."""

from __future__ import annotations

import builtins
import copy
import os
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from functools import partial
from types import TracebackType
from typing import Any, Final

import aiohttp

from ._call_path import (
    DEFAULT_DEADLINE,
    USE_CLIENT_DEFAULT,
    CallPath,
    UseClientDefault,
    with_max_retries,
)
from ._decode import decode_page, decode_phone_number, decode_phone_number_list
from ._events import EventHooks, checked_hooks
from ._extras import body_with_extra
from ._extras import extra_headers as extra_header_map
from ._extras import extra_query as extra_query_params
from ._logs import log_from_environment
from ._options import (
    amount,
    api_key_errors,
    check_base_url,
    count,
    flag,
    fraction,
    raise_for,
)
from ._query import (
    DATE_FILTERS,
    date_filter_params,
    item_path,
    validate_list_query,
    validate_walk,
)
from ._raw import raw_response
from ._retry import DEFAULT_BACKOFF, RetrySettings, Sleep, may_have_acted
from ._transport import DEFAULT_POOL_TIMEOUT, DEFAULT_TIMEOUT, Transport, attempt_timeout
from ._validate import validate_create_body, validate_update_body
from ._waits import default_sleep
from .bulk import (
    Account,
    ApplyLocks,
    FileLocks,
    RedisLocks,
    bulk_delete,
    bulk_import,
    bulk_update,
    hold,
    is_purchase,
    plan_sync,
)
from .errors import (
    APIConnectionError,
    APIStatusError,
    FieldError,
    OutcomeUnknownError,
    RequestValidationError,
    ResponseDecodeError,
)
from .models import (
    BackoffPlan,
    CreatePhoneNumber,
    PhoneNumber,
    PhoneNumberPage,
    UpdatePhoneNumber,
)
from .pacing import Backend, LocalPacing, Pacer, RedisPacing, RetryBudget
from .pagination import Pager

__all__ = [
    "DEFAULT_BASE_URL",
    "USE_CLIENT_DEFAULT",
    "RawResponses",
    "UseClientDefault",
    "VapiPhoneClient",
]

DEFAULT_BASE_URL: Final = "https://api.vapi.ai"
# Query parameters list() and paginate() set themselves: extra_query may not replace them.
_LIST_PARAMETERS: Final = frozenset({"limit", *DATE_FILTERS.values()})
_WALK_PARAMETERS: Final = _LIST_PARAMETERS | {"page", "cursor", "search", "sortOrder", "sortBy"}
_TRUE = frozenset({"1", "true", "yes", "on"})


class VapiPhoneClient:
    """An async client for the Vapi Phone Numbers API.

    `api_key` falls back to the `VAPI_API_KEY` environment variable. Use it as an async
    context manager (or call `aclose()`); one aiohttp session serves every call. A
    `session` you pass in is used as it is and never closed by the client. `base_url` is
    an `https://` URL; `http://` is refused (the key would travel in the clear) except to
    a loopback host, or with `allow_http=True` or `VAPI_ALLOW_HTTP=1`. Every option is
    checked here: a bad one raises `RequestValidationError` naming it.

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

    Time: `timeout` is seconds or an `aiohttp.ClientTimeout` for one attempt; `deadline`
    (120 s; None: none) bounds a whole call with its retries and waits; `pool_timeout`
    bounds the wait for one of the `max_connections` connections, which is not part of
    an attempt. `sleep` replaces `asyncio.sleep` between retries and during 429 pauses
    (tests; `vapi_phone_async.testing.set_testing(True)` makes the default one instant).

    Many numbers: `client.bulk_update(pairs)`, `bulk_delete(ids)`, `bulk_import(bodies)`
    and `await client.sync(rows)` are the functions of `vapi_phone_async.bulk` (documented
    there) as methods of the client. One apply at a time per account:
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
        base_url: str = DEFAULT_BASE_URL,
        allow_http: bool = False,
        backoff: BackoffPlan = DEFAULT_BACKOFF,
        max_retries: int | None = None,
        timeout: float | aiohttp.ClientTimeout | None = DEFAULT_TIMEOUT,
        deadline: float | None = DEFAULT_DEADLINE,
        session: aiohttp.ClientSession | None = None,
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
        apply_locks: ApplyLocks | None = None,
    ) -> None:
        log_from_environment()
        key, key_name = api_key, "api_key"
        if key is None:
            key, key_name = os.environ.get("VAPI_API_KEY"), "VAPI_API_KEY"
        if key is None:
            raise RequestValidationError(
                [FieldError("api_key", "is required: pass api_key= or set VAPI_API_KEY")]
            )
        raise_for(
            api_key_errors(key, key_name)
            + flag("allow_http", allow_http)
            + flag("adaptive_rate", adaptive_rate)
            + count("max_connections", max_connections, minimum=0)
            + count("max_connections_per_host", max_connections_per_host, minimum=0)
            + amount("pool_timeout", pool_timeout)
            + amount("rate_limit", rate_limit, allow_zero=False)
            + amount("rate_window", rate_window, allow_zero=False)
            + amount("deadline", deadline, allow_zero=False)
            + amount("max_delay", max_delay, allow_none=False)
            + amount("max_retry_after", max_retry_after, allow_none=False)
            + fraction("jitter", jitter)
            + _instance_of("session", session, aiohttp.ClientSession)
            + _instance_of("pacing", pacing, RedisPacing)
            + _instance_of("retry_budget", retry_budget, (bool, RetryBudget), required=True)
            + _callable_or_none("sleep", sleep)
            + _callable_or_none("apply_locks", apply_locks)
        )
        backoff = with_max_retries(backoff, max_retries)
        hooks = checked_hooks(event_hooks)
        url = check_base_url(
            base_url, allow_http=allow_http or os.environ.get("VAPI_ALLOW_HTTP", "") in _TRUE
        )
        transport = Transport(
            api_key=key,
            base_url=url,
            session=session,
            max_connections=max_connections,
            max_connections_per_host=max_connections_per_host,
            pool_timeout=pool_timeout,
            hooks=hooks,
        )
        if retry_budget is True:
            retry_budget = RetryBudget()
        budget = retry_budget if isinstance(retry_budget, RetryBudget) else None
        backend: Backend
        if pacing is None:
            backend = LocalPacing(budget=budget, window=rate_window or 0.0, adaptive=adaptive_rate)
        else:
            backend = pacing.backend_for(
                url, key, budget=budget, window=rate_window or 0.0, adaptive=adaptive_rate
            )
        pacer = Pacer(backend, rate_limit=rate_limit)
        settings = RetrySettings(
            plan=backoff, max_delay=max_delay, max_retry_after=max_retry_after, jitter=jitter
        )
        self._path = CallPath(
            transport, pacer, settings, attempt_timeout(timeout), deadline, sleep or default_sleep
        )
        self._owns_transport = True
        self._account = Account.of(url, key)  # a fingerprint of the key, not the key
        if apply_locks is None:  # a fleet that paces through Redis locks there too
            apply_locks = FileLocks() if pacing is None else RedisLocks(pacing)
        self._apply_locks = apply_locks

    def __repr__(self) -> str:
        return f"VapiPhoneClient(base_url={self.base_url!r})"

    @property
    def base_url(self) -> str:
        """The API's base URL, without a trailing slash."""
        return self._path.transport.base_url

    @property
    def account(self) -> Account:
        """Whose apply lock this client takes: its base URL and its key's fingerprint."""
        return self._account

    def apply_lock(self, *, wait: bool | float = False) -> AbstractAsyncContextManager[None]:
        """Hold the account's apply lock for an `async with` block: no other apply to this
        account (on this machine with `FileLocks`, in the fleet with `RedisLocks`) runs
        meanwhile.

        `plan.apply()` and `bulk_import` take it themselves; hold it around plan and apply
        to keep others out in between. Re-entrant in the task that holds it and in the
        tasks it starts. `wait`: False raises `ApplyLockedError` at once when another
        holds it, True waits as long as it takes, a number waits that many seconds.

            async with client.apply_lock(wait=60):
                plan = await client.sync(rows)
                await plan.apply()
        """
        return hold(self._account, self._apply_locks, wait=wait)

    @property
    def backoff(self) -> BackoffPlan:
        """The retry plan calls follow unless they pass their own."""
        return self._path.settings.plan

    @property
    def retry_budget(self) -> RetryBudget | None:
        """The client's retry budget (None when it has none); its `tokens` are live (with
        `RedisPacing`: the fleet's, as last seen)."""
        return self._path.pacer.budget

    @property
    def session(self) -> aiohttp.ClientSession:
        """The aiohttp session calls go through (created on first use)."""
        return self._path.transport.session

    @property
    def with_raw_response(self) -> RawResponses:
        """The client's calls, each returning a `RawResponse`: the answer's `status`,
        `headers` and `request_id` with the call's `value`.

            raw = await client.with_raw_response.get(number_id)
            print(raw.status, raw.request_id, raw.value.name)
        """
        return RawResponses(self)

    def with_options(
        self,
        *,
        rate_limit: float | None = None,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        max_retries: int | None = None,
        timeout: float | aiohttp.ClientTimeout | UseClientDefault | None = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
    ) -> VapiPhoneClient:
        """A view of this client with other options; it shares the session, the 429
        pause, the adaptive rate and the retry budget.

        `rate_limit` adds a token bucket that only the view's requests pass (a bulk run
        makes one so). `max_retries` changes the number of retries of the view's plan.
        Closing a view does nothing: the client it came from owns the session.

            slow = client.with_options(rate_limit=5, backoff=BackoffPlan(...))
            once = client.with_options(max_retries=0)
        """
        raise_for(amount("rate_limit", rate_limit, allow_zero=False))
        if not isinstance(deadline, UseClientDefault):
            raise_for(amount("deadline", deadline, allow_zero=False))
        view = copy.copy(self)
        view._owns_transport = False
        view._path = self._path.with_options(
            rate_limit=rate_limit,
            backoff=backoff,
            max_retries=max_retries,
            timeout=timeout,
            deadline=deadline,
        )
        return view

    async def __aenter__(self) -> VapiPhoneClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client's own session; any later call raises ClientClosedError.

        On a view made by `with_options`, this does nothing."""
        if self._owns_transport:
            await self._path.transport.aclose()
            await self._path.pacer.aclose()

    # The six calls.

    async def create(
        self,
        body: CreatePhoneNumber,
        *,
        allow_purchase: bool = False,
        timeout: float | aiohttp.ClientTimeout | UseClientDefault | None = USE_CLIENT_DEFAULT,
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
        before creating it again.

        `extra_body` adds fields this version does not model (merged into the validated
        body, objects key by key); a key the models know, or one that says which number
        this is or buys one (`provider`, `number`, `sipUri`...), is refused. `extra_headers`
        and `extra_query` add headers and query parameters (none the call sets itself, in
        any case). Every call takes the last two.
        """
        validate_create_body(body)
        if is_purchase(body) and allow_purchase is not True:
            raise RequestValidationError(
                [
                    FieldError(
                        "allow_purchase",
                        "a vapi number without a sipUri is bought, which costs money: pass "
                        "allow_purchase=True to buy it",
                    )
                ]
            )
        path = "/phone-number"
        try:
            return await self._path.send(
                "POST",
                path,
                decode_phone_number,
                params=extra_query_params(extra_query, {}),
                body=body_with_extra(body, extra_body),
                headers=extra_header_map(extra_headers),
                timeout=timeout,
                backoff=backoff,
                deadline=deadline,
            )
        except (APIConnectionError, APIStatusError, ResponseDecodeError) as error:
            # A ResponseDecodeError is a 2xx whose body cannot be read: the number
            # exists, but not its id.
            if not may_have_acted(error):
                raise
            raise OutcomeUnknownError(error, method="POST", path=path) from error

    async def get(
        self,
        phone_number_id: str,
        *,
        timeout: float | aiohttp.ClientTimeout | UseClientDefault | None = USE_CLIENT_DEFAULT,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> PhoneNumber:
        """The phone number with this id; `NotFoundError` if there is none."""
        return await self._path.send(
            "GET",
            item_path(phone_number_id),
            decode_phone_number,
            params=extra_query_params(extra_query, {}),
            headers=extra_header_map(extra_headers),
            timeout=timeout,
            backoff=backoff,
            deadline=deadline,
        )

    async def update(
        self,
        phone_number_id: str,
        body: UpdatePhoneNumber,
        *,
        timeout: float | aiohttp.ClientTimeout | UseClientDefault | None = USE_CLIENT_DEFAULT,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> PhoneNumber:
        """Change the fields set in `body` (UNSET fields are not sent, None clears);
        `extra_body` adds fields this version does not model, as for `create`."""
        path = item_path(phone_number_id)
        validate_update_body(body)
        return await self._path.send(
            "PATCH",
            path,
            decode_phone_number,
            params=extra_query_params(extra_query, {}),
            body=body_with_extra(body, extra_body),
            headers=extra_header_map(extra_headers),
            timeout=timeout,
            backoff=backoff,
            deadline=deadline,
        )

    async def delete(
        self,
        phone_number_id: str,
        *,
        timeout: float | aiohttp.ClientTimeout | UseClientDefault | None = USE_CLIENT_DEFAULT,
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
        return await self._path.send_or_gone(
            "DELETE",
            item_path(phone_number_id),
            decode_phone_number,
            params=extra_query_params(extra_query, {}),
            headers=extra_header_map(extra_headers),
            timeout=timeout,
            backoff=backoff,
            deadline=deadline,
        )

    async def list(
        self,
        *,
        limit: int | None = None,
        created_at_gt: datetime | str | None = None,
        created_at_lt: datetime | str | None = None,
        created_at_ge: datetime | str | None = None,
        created_at_le: datetime | str | None = None,
        updated_at_gt: datetime | str | None = None,
        updated_at_lt: datetime | str | None = None,
        updated_at_ge: datetime | str | None = None,
        updated_at_le: datetime | str | None = None,
        timeout: float | aiohttp.ClientTimeout | UseClientDefault | None = USE_CLIENT_DEFAULT,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> builtins.list[PhoneNumber]:
        """Up to `limit` numbers (0..1000, server default 100), newest first, in one request
        to the v1 endpoint. Dates are aware datetimes or ISO 8601 strings. To walk every
        number, use `paginate()`."""
        validate_list_query(limit=limit)
        params = date_filter_params(
            {
                "created_at_gt": created_at_gt,
                "created_at_lt": created_at_lt,
                "created_at_ge": created_at_ge,
                "created_at_le": created_at_le,
                "updated_at_gt": updated_at_gt,
                "updated_at_lt": updated_at_lt,
                "updated_at_ge": updated_at_ge,
                "updated_at_le": updated_at_le,
            }
        )
        if limit is not None:
            params["limit"] = str(limit)
        return await self._path.send(
            "GET",
            "/phone-number",
            decode_phone_number_list,
            params=extra_query_params(extra_query, params, _LIST_PARAMETERS),
            headers=extra_header_map(extra_headers),
            timeout=timeout,
            backoff=backoff,
            deadline=deadline,
        )

    def paginate(
        self,
        *,
        search: str | None = None,
        sort_order: str | None = None,
        sort_by: str | None = None,
        page_size: int = 100,
        created_at_gt: datetime | str | None = None,
        created_at_lt: datetime | str | None = None,
        created_at_ge: datetime | str | None = None,
        created_at_le: datetime | str | None = None,
        updated_at_gt: datetime | str | None = None,
        updated_at_lt: datetime | str | None = None,
        updated_at_ge: datetime | str | None = None,
        updated_at_le: datetime | str | None = None,
        max_items: int | None = None,
        prefetch: int = 1,
        consistent: bool = True,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Pager:
        """Walk `/v2/phone-number`: `async for number in client.paginate(...)`.

        `search` matches name, number or SIP URI (partial, case-insensitive, at most 100
        characters); `sort_order` is `"ASC"` or `"DESC"` (the default); `page_size` is
        1..1000. Dates are aware datetimes or ISO 8601 strings, sent as UTC milliseconds.
        `max_items` stops the walk after that many numbers. `prefetch` is how many page
        requests may be in flight at once (items still come out in order). With
        `consistent=True` (it sorts by `createdAt`) every number that matches for the
        whole walk is yielded exactly once and no id twice, whatever is created or
        deleted meanwhile; `consistent=False` is plain offset paging. See `Pager` for the
        exact guarantee. Every page request is retried like any other call. Raises
        `RequestValidationError` for bad arguments before any request.
        """
        validate_walk(
            page_size=page_size,
            prefetch=prefetch,
            max_items=max_items,
            consistent=consistent,
            search=search,
            sort_order=sort_order,
            sort_by=sort_by,
        )
        params = date_filter_params(
            {
                "created_at_gt": created_at_gt,
                "created_at_lt": created_at_lt,
                "created_at_ge": created_at_ge,
                "created_at_le": created_at_le,
                "updated_at_gt": updated_at_gt,
                "updated_at_lt": updated_at_lt,
                "updated_at_ge": updated_at_ge,
                "updated_at_le": updated_at_le,
            }
        )
        for name, value in (("search", search), ("sortOrder", sort_order), ("sortBy", sort_by)):
            if value is not None:
                params[name] = value
        headers = extra_header_map(extra_headers)
        return Pager(
            self._fetch_page if headers is None else partial(self._fetch_page, headers=headers),
            extra_query_params(extra_query, params, _WALK_PARAMETERS) or {},
            page_size=page_size,
            max_items=max_items,
            prefetch=prefetch,
            consistent=consistent,
        )

    async def _fetch_page(
        self, params: dict[str, str], *, headers: Mapping[str, str] | None = None
    ) -> PhoneNumberPage:
        return await self._path.send(
            "GET",
            "/v2/phone-number",
            decode_page,
            params=params,
            headers=headers,
            timeout=USE_CLIENT_DEFAULT,
            backoff=USE_CLIENT_DEFAULT,
            deadline=USE_CLIENT_DEFAULT,
        )

    # The one path every call takes.

    # Bulk runs and sync: the functions of `vapi_phone_async.bulk`, whose first argument
    # is a client, as methods of this one (documented there, with their options).
    bulk_update = bulk_update
    bulk_delete = bulk_delete
    bulk_import = bulk_import
    sync = plan_sync


class RawResponses:
    """`client.with_raw_response`: the client's calls, each returning a `RawResponse`
    of what the call returns (`paginate` and the bulk runs, which make many requests, are
    not here: event hooks see each of their answers)."""

    def __init__(self, client: VapiPhoneClient) -> None:
        self.create = raw_response(client.create)
        self.get = raw_response(client.get)
        self.update = raw_response(client.update)
        self.delete = raw_response(client.delete)
        self.list = raw_response(client.list)


def _instance_of(
    name: str, value: Any, kind: type[Any] | tuple[type[Any], ...], *, required: bool = False
) -> list[FieldError]:
    if (value is None and not required) or isinstance(value, kind):
        return []
    kinds = kind if isinstance(kind, tuple) else (kind,)
    expected = " or ".join(k.__name__ for k in kinds)
    return [FieldError(name, f"must be {expected} (got {type(value).__name__})")]


def _callable_or_none(name: str, value: Any) -> list[FieldError]:
    if value is None or callable(value):
        return []
    return [FieldError(name, f"must be callable (got {type(value).__name__})")]
