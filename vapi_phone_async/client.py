"""VapiPhoneClient: the six calls of the Phone Numbers API, validated, retried and typed."""

from __future__ import annotations

import asyncio
import builtins
import dataclasses
import enum
import os
from collections.abc import AsyncIterable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

import anyio
import msgspec

from ._decode import decode_page, decode_phone_number, decode_phone_number_list
from ._retry import DEFAULT_BACKOFF, RetrySettings, Sleep, with_retries
from ._transport import DEFAULT_TIMEOUT, Transport, client_timeout
from ._validate import (
    date_filter_params,
    validate_backoff,
    validate_body,
    validate_id,
    validate_list_query,
    validate_walk,
)
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    FieldError,
    InternalServerError,
    NotFoundError,
    OutcomeUnknownError,
    RequestValidationError,
    ResponseDecodeError,
    VapiError,
)
from .models import (
    BackoffPlan,
    CreatePhoneNumber,
    PhoneNumber,
    PhoneNumberPage,
    UpdatePhoneNumber,
)
from .pagination import Pager

if TYPE_CHECKING:
    import aiohttp

    from .bulk import BulkRun, Lookup, Progress, UpdateItem

__all__ = ["DEFAULT_BASE_URL", "USE_CLIENT_DEFAULT", "UseClientDefault", "VapiPhoneClient"]

DEFAULT_BASE_URL: Final = "https://api.vapi.ai"


class UseClientDefault(enum.Enum):
    """The type of USE_CLIENT_DEFAULT: a per-call option left to the client's setting."""

    USE_CLIENT_DEFAULT = "USE_CLIENT_DEFAULT"


# A sentinel, because None already means "off" for timeout= and deadline=.
USE_CLIENT_DEFAULT: Final = UseClientDefault.USE_CLIENT_DEFAULT


class VapiPhoneClient:
    """An async client for the Vapi Phone Numbers API.

    `api_key` falls back to the `VAPI_API_KEY` environment variable. Use it as an async
    context manager (or call `aclose()`); one aiohttp session serves every call. A
    `session` you pass in is used as it is and never closed by the client.

    `backoff` sets the retries (a `BackoffPlan`, as for Vapi's webhooks); `max_delay` caps
    an exponential wait, `max_retry_after` is the longest server-asked wait honoured (a
    longer one raises instead), `jitter` shortens exponential waits by up to that fraction.
    `timeout` is seconds or an `aiohttp.ClientTimeout` for one attempt; `deadline` bounds a
    whole call with its retries. `sleep` replaces `asyncio.sleep` between retries (tests).

        async with VapiPhoneClient(api_key="...") as client:
            number = await client.get("3f1c...")
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        backoff: BackoffPlan = DEFAULT_BACKOFF,
        timeout: float | aiohttp.ClientTimeout | None = DEFAULT_TIMEOUT,
        deadline: float | None = None,
        session: aiohttp.ClientSession | None = None,
        max_connections: int = 100,
        max_connections_per_host: int = 0,
        max_delay: float = 30.0,
        max_retry_after: float = 60.0,
        jitter: float = 0.2,
        sleep: Sleep | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("VAPI_API_KEY")
        if not key:
            raise RequestValidationError(
                [FieldError("api_key", "is required: pass api_key= or set VAPI_API_KEY")]
            )
        self._transport = Transport(
            api_key=key,
            base_url=base_url,
            session=session,
            max_connections=max_connections,
            max_connections_per_host=max_connections_per_host,
        )
        validate_backoff(backoff)
        if not 0 <= jitter <= 1:
            raise RequestValidationError(
                [FieldError("jitter", f"must be from 0 to 1 (got {jitter})")]
            )
        self._settings = RetrySettings(
            plan=backoff, max_delay=max_delay, max_retry_after=max_retry_after, jitter=jitter
        )
        self._timeout = client_timeout(timeout)
        self._deadline = deadline
        self._sleep: Sleep = sleep or asyncio.sleep

    def __repr__(self) -> str:
        return f"VapiPhoneClient(base_url={self.base_url!r})"

    @property
    def base_url(self) -> str:
        """The API's base URL, without a trailing slash."""
        return self._transport.base_url

    @property
    def session(self) -> aiohttp.ClientSession:
        """The aiohttp session calls go through (created on first use)."""
        return self._transport.session

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
        """Close the client's own session; any later call raises ClientClosedError."""
        await self._transport.aclose()

    # The six calls.

    async def create(
        self,
        body: CreatePhoneNumber,
        *,
        timeout: float | aiohttp.ClientTimeout | UseClientDefault | None = USE_CLIENT_DEFAULT,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
    ) -> PhoneNumber:
        """Create (import or buy) a phone number.

        Retried only where the server certainly did not act (no connection, 429). Raises
        `OutcomeUnknownError` when it may have acted (a 5xx, a timeout, a dropped
        connection, a 2xx whose body cannot be read): look the number up before creating
        it again.
        """
        validate_body(body)
        path = "/phone-number"
        try:
            data = await self._call(
                "POST",
                path,
                body=msgspec.json.encode(body),
                timeout=timeout,
                backoff=backoff,
                deadline=deadline,
            )
        except (APIConnectionError, InternalServerError) as error:
            if isinstance(error, APIConnectionError) and error.connect_failed:
                raise
            raise OutcomeUnknownError(error, method="POST", path=path) from error
        try:
            return decode_phone_number(_required(data))
        except ResponseDecodeError as error:
            # A 2xx whose body cannot be read: the number exists, but not its id.
            raise OutcomeUnknownError(error, method="POST", path=path) from error

    async def get(
        self,
        phone_number_id: str,
        *,
        timeout: float | aiohttp.ClientTimeout | UseClientDefault | None = USE_CLIENT_DEFAULT,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
    ) -> PhoneNumber:
        """The phone number with this id; `NotFoundError` if there is none."""
        data = await self._call(
            "GET", _item_path(phone_number_id), timeout=timeout, backoff=backoff, deadline=deadline
        )
        return decode_phone_number(_required(data))

    async def update(
        self,
        phone_number_id: str,
        body: UpdatePhoneNumber,
        *,
        timeout: float | aiohttp.ClientTimeout | UseClientDefault | None = USE_CLIENT_DEFAULT,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
    ) -> PhoneNumber:
        """Change the fields set in `body` (UNSET fields are not sent, None clears)."""
        path = _item_path(phone_number_id)
        validate_body(body)
        data = await self._call(
            "PATCH",
            path,
            body=msgspec.json.encode(body),
            timeout=timeout,
            backoff=backoff,
            deadline=deadline,
        )
        return decode_phone_number(_required(data))

    async def delete(
        self,
        phone_number_id: str,
        *,
        timeout: float | aiohttp.ClientTimeout | UseClientDefault | None = USE_CLIENT_DEFAULT,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
    ) -> PhoneNumber | None:
        """Delete a phone number and return it as it was.

        Returns None when an earlier send of this same call may have deleted the number
        but its answer was lost, and a later send found it gone: after our own retry, or
        after aiohttp's silent re-send of a DELETE on a reset keep-alive connection (seen
        only on the client's own session). Raises `NotFoundError` when the number was
        already gone before this call.
        """
        data = await self._call(
            "DELETE",
            _item_path(phone_number_id),
            gone_ok_on_retry=True,
            timeout=timeout,
            backoff=backoff,
            deadline=deadline,
        )
        return None if data is None else decode_phone_number(data)

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
        data = await self._call(
            "GET",
            "/phone-number",
            params=params,
            timeout=timeout,
            backoff=backoff,
            deadline=deadline,
        )
        return decode_phone_number_list(_required(data))

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
        return Pager(
            self._fetch_page,
            params,
            page_size=page_size,
            max_items=max_items,
            prefetch=prefetch,
            consistent=consistent,
        )

    async def _fetch_page(self, params: dict[str, str]) -> PhoneNumberPage:
        data = await self._call(
            "GET",
            "/v2/phone-number",
            params=params,
            timeout=USE_CLIENT_DEFAULT,
            backoff=USE_CLIENT_DEFAULT,
            deadline=USE_CLIENT_DEFAULT,
        )
        return decode_page(_required(data))

    # The one path every call takes.

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: bytes | None = None,
        timeout: float | aiohttp.ClientTimeout | UseClientDefault | None,
        backoff: BackoffPlan | UseClientDefault,
        deadline: float | UseClientDefault | None,
        gone_ok_on_retry: bool = False,
    ) -> bytes | None:
        """Send one call with its retries; None only for `gone_ok_on_retry` (see delete)."""
        settings = self._settings
        if not isinstance(backoff, UseClientDefault):
            validate_backoff(backoff)
            settings = dataclasses.replace(settings, plan=backoff)
        attempt_timeout = (
            self._timeout if isinstance(timeout, UseClientDefault) else client_timeout(timeout)
        )
        limit = self._deadline if isinstance(deadline, UseClientDefault) else deadline
        transport = self._transport
        may_have_acted = False

        async def attempt(number: int) -> bytes | None:
            nonlocal may_have_acted
            try:
                return await transport.request(
                    method, path, params=params, body=body, timeout=attempt_timeout, attempt=number
                )
            except NotFoundError as error:
                if gone_ok_on_retry and (may_have_acted or error.resent):
                    return None
                raise
            except (APIConnectionError, APIStatusError) as error:
                may_have_acted = may_have_acted or _may_have_acted(error)
                raise

        try:
            with _fail_after(limit):
                return await with_retries(attempt, method, path, settings, self._sleep)
        except TimeoutError:
            raise APITimeoutError(
                f"deadline of {limit} s exceeded", method=method, path=path
            ) from None

    # Bulk operations: thin delegates to vapi_phone_async.bulk, where they are documented.

    def bulk_update(
        self,
        pairs: Iterable[UpdateItem] | AsyncIterable[UpdateItem],
        *,
        concurrency: int = 16,
        rate_limit: float | None = None,
        fail_fast: bool = False,
        progress: Progress | None = None,
        total: int | None = None,
    ) -> BulkRun[UpdateItem]:
        """Apply `(id, UpdatePhoneNumber)` pairs concurrently, one outcome per pair.

        `async for outcome in client.bulk_update(pairs)` streams outcomes as they finish;
        `await client.bulk_update(pairs)` returns them all in input order. See
        `vapi_phone_async.bulk.bulk_update`.
        """
        from .bulk import bulk_update  # bulk builds on the client: imported on use

        return bulk_update(
            self,
            pairs,
            concurrency=concurrency,
            rate_limit=rate_limit,
            fail_fast=fail_fast,
            progress=progress,
            total=total,
        )

    def bulk_delete(
        self,
        ids: Iterable[str] | AsyncIterable[str],
        *,
        concurrency: int = 16,
        rate_limit: float | None = None,
        fail_fast: bool = False,
        progress: Progress | None = None,
        total: int | None = None,
    ) -> BulkRun[str]:
        """Delete numbers by id concurrently; see `vapi_phone_async.bulk.bulk_delete`."""
        from .bulk import bulk_delete  # bulk builds on the client: imported on use

        return bulk_delete(
            self,
            ids,
            concurrency=concurrency,
            rate_limit=rate_limit,
            fail_fast=fail_fast,
            progress=progress,
            total=total,
        )

    def bulk_import(
        self,
        bodies: Iterable[CreatePhoneNumber] | AsyncIterable[CreatePhoneNumber],
        *,
        concurrency: int = 16,
        rate_limit: float | None = None,
        fail_fast: bool = False,
        progress: Progress | None = None,
        total: int | None = None,
        update_existing: bool = False,
        lookup: Lookup = "walk",
    ) -> BulkRun[CreatePhoneNumber]:
        """Create the numbers that do not exist yet, never twice; existing ones are skipped
        (or updated with `update_existing=True`). See `vapi_phone_async.bulk.bulk_import`.
        """
        from .bulk import bulk_import  # bulk builds on the client: imported on use

        return bulk_import(
            self,
            bodies,
            concurrency=concurrency,
            rate_limit=rate_limit,
            fail_fast=fail_fast,
            progress=progress,
            total=total,
            update_existing=update_existing,
            lookup=lookup,
        )


def _fail_after(seconds: float | None) -> AbstractContextManager[Any]:
    return nullcontext() if seconds is None else anyio.fail_after(seconds)


def _may_have_acted(error: VapiError) -> bool:
    if isinstance(error, APIConnectionError):
        return not error.connect_failed
    return isinstance(error, APIStatusError) and error.status_code >= 500


def _item_path(phone_number_id: str) -> str:
    validate_id(phone_number_id)
    return "/phone-number/" + quote(phone_number_id, safe="")


def _required(data: bytes | None) -> bytes:
    if data is None:  # pragma: no cover - only delete asks for gone_ok_on_retry
        raise AssertionError("a body was expected")
    return data
