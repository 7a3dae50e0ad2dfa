"""The client's listings: `list()` walks every page of `/v2/phone-number` (a `Pager`,
awaitable for its first page, as openai's `list()` is), `paginate()` is the same walk
under its first name, and `list_recent()` is the v1 endpoint's single request.

`list(limit=...)` was the v1 listing until 0.2: it still is for a release, warning
`DeprecationWarning`. `await client.list()` without `limit` is now the first page, a
`PhoneNumberPage`; used as the list it was (iterated, indexed, measured), it warns too
(`_aliases.py`), so no call changes what it returns without a word.
"""

from __future__ import annotations

import builtins
import warnings
from collections.abc import Coroutine, Mapping
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, overload

from . import _query
from ._aliases import ListPager
from ._client_base import ClientBase
from ._decode import decode_page, decode_phone_number_list
from ._options import USE_CLIENT_DEFAULT, UseClientDefault
from .errors import FieldError, RequestValidationError
from .models import BackoffPlan, PhoneNumber
from .pagination import Pager
from .transports import Timeout

if TYPE_CHECKING:  # type checkers and editors show the old form struck out
    from typing_extensions import deprecated
else:

    def deprecated(message: str) -> Any:
        return lambda function: function


__all__ = ["Listings"]

_V1_FORM = (
    "client.list(limit=...) is the v1 listing, deprecated since 0.2: call "
    "client.list_recent(limit=...) for the same list, or client.list(...) without limit "
    "to walk every number"
)
# The walk's arguments and their defaults: none goes with the old form's `limit`.
_WALK_DEFAULTS: dict[str, Any] = {
    "search": None,
    "sort_order": None,
    "sort_by": None,
    "page_size": 100,
    "max_items": None,
    "prefetch": 1,
    "consistent": True,
}

Dates = datetime | str | None
CallTimeout = float | Timeout | UseClientDefault | None


class Listings(ClientBase):
    """The listing calls of `VapiPhoneClient` (documented there, and each below)."""

    @overload
    @deprecated(_V1_FORM)
    def list(
        self,
        *,
        limit: int,
        created_at_gt: Dates = None,
        created_at_lt: Dates = None,
        created_at_ge: Dates = None,
        created_at_le: Dates = None,
        updated_at_gt: Dates = None,
        updated_at_lt: Dates = None,
        updated_at_ge: Dates = None,
        updated_at_le: Dates = None,
        timeout: CallTimeout = USE_CLIENT_DEFAULT,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Coroutine[Any, Any, builtins.list[PhoneNumber]]: ...

    @overload
    def list(
        self,
        *,
        search: str | None = None,
        sort_order: str | None = None,
        sort_by: str | None = None,
        page_size: int = 100,
        created_at_gt: Dates = None,
        created_at_lt: Dates = None,
        created_at_ge: Dates = None,
        created_at_le: Dates = None,
        updated_at_gt: Dates = None,
        updated_at_lt: Dates = None,
        updated_at_ge: Dates = None,
        updated_at_le: Dates = None,
        max_items: int | None = None,
        prefetch: int = 1,
        consistent: bool = True,
        timeout: CallTimeout = USE_CLIENT_DEFAULT,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Pager: ...

    def list(
        self,
        *,
        limit: int | None = None,
        search: str | None = None,
        sort_order: str | None = None,
        sort_by: str | None = None,
        page_size: int = 100,
        created_at_gt: Dates = None,
        created_at_lt: Dates = None,
        created_at_ge: Dates = None,
        created_at_le: Dates = None,
        updated_at_gt: Dates = None,
        updated_at_lt: Dates = None,
        updated_at_ge: Dates = None,
        updated_at_le: Dates = None,
        max_items: int | None = None,
        prefetch: int = 1,
        consistent: bool = True,
        timeout: CallTimeout = USE_CLIENT_DEFAULT,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Pager | Coroutine[Any, Any, builtins.list[PhoneNumber]]:
        """Every number matching the filters, page by page: `async for number in
        client.list(...)`; `await client.list(...)` is the first page alone (one
        request), `.pages()` the pages, `.collect()` a list. The walk of `paginate()`,
        with its arguments (see there).

        `timeout`, `backoff` and `deadline` apply to each page request. For the v1
        endpoint's one request (the newest numbers, up to `limit`), see `list_recent()`.

        Deprecated: with `limit=`, this is still `list_recent()` for a release, warning
        `DeprecationWarning`; `await client.list()` is the first page (`PhoneNumberPage`),
        where it was a list: used as one, it warns too.
        """
        arguments = dict(locals())
        if limit is None:
            return self._walk(arguments, ListPager)
        walk = [name for name, default in _WALK_DEFAULTS.items() if arguments[name] != default]
        if walk:
            rule = "is the v1 listing's, which takes no " + ", ".join(walk)
            raise RequestValidationError([FieldError("limit", rule + ": call list_recent()")])
        warnings.warn(_V1_FORM, DeprecationWarning, stacklevel=2)
        return self.list_recent(
            limit=limit,
            **{name: arguments[name] for name in _query.DATE_FILTERS},
            timeout=timeout,
            backoff=backoff,
            deadline=deadline,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    def paginate(
        self,
        *,
        search: str | None = None,
        sort_order: str | None = None,
        sort_by: str | None = None,
        page_size: int = 100,
        created_at_gt: Dates = None,
        created_at_lt: Dates = None,
        created_at_ge: Dates = None,
        created_at_le: Dates = None,
        updated_at_gt: Dates = None,
        updated_at_lt: Dates = None,
        updated_at_ge: Dates = None,
        updated_at_le: Dates = None,
        max_items: int | None = None,
        prefetch: int = 1,
        consistent: bool = True,
        timeout: CallTimeout = USE_CLIENT_DEFAULT,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Pager:
        """Walk `/v2/phone-number`: `async for number in client.paginate(...)`, or
        `await client.paginate(...)` for its first page. `client.list(...)` is the same.

        `search` matches name, number or SIP URI (partial, case-insensitive, at most 100
        characters); `sort_order` is `"ASC"` or `"DESC"` (the default); `page_size` is
        1..1000. Dates are aware datetimes or ISO 8601 strings, sent as UTC milliseconds.
        `max_items` stops the walk after that many numbers. `prefetch` is how many page
        requests may be in flight at once (items still come out in order). With
        `consistent=True` (it sorts by `createdAt`) every number that matches for the
        whole walk is yielded exactly once and no id twice, whatever is created or
        deleted meanwhile; `consistent=False` is plain offset paging. See `Pager` for the
        exact guarantee. Every page request is retried like any other call, under
        `timeout`, `backoff` and `deadline` when given. Raises `RequestValidationError`
        for bad arguments before any request.
        """
        return self._walk(dict(locals()), Pager)

    async def list_recent(
        self,
        *,
        limit: int | None = None,
        created_at_gt: Dates = None,
        created_at_lt: Dates = None,
        created_at_ge: Dates = None,
        created_at_le: Dates = None,
        updated_at_gt: Dates = None,
        updated_at_lt: Dates = None,
        updated_at_ge: Dates = None,
        updated_at_le: Dates = None,
        timeout: CallTimeout = USE_CLIENT_DEFAULT,
        backoff: BackoffPlan | UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: float | UseClientDefault | None = USE_CLIENT_DEFAULT,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> builtins.list[PhoneNumber]:
        """The newest numbers, up to `limit` (0..1000; the server's default is 100), in one
        request to the v1 endpoint (`GET /phone-number`), as a list.

        The live API answers at most 100 whatever `limit` asks, and a list cannot say it
        was cut short: to see every number, walk them with `list()`. Dates are aware
        datetimes or ISO 8601 strings."""
        params = _query.list_params(locals())  # limit and the date filters, by name
        options = self._exchange.resolve(timeout, backoff, deadline, extra_headers, extra_query)
        query = options.query_with(params, _query.LIST_PARAMETERS)
        decode = decode_phone_number_list
        return await self._exchange.call("GET", "/phone-number", decode, options, query)

    def _walk(self, arguments: dict[str, Any], pager: type[Pager]) -> Pager:
        """The pager of a walk with these `arguments`, by name, every one checked."""
        params = _query.walk_params(arguments)
        options = self._exchange.resolve(
            arguments["timeout"],
            arguments["backoff"],
            arguments["deadline"],
            arguments["extra_headers"],
            arguments["extra_query"],
        )
        return pager(
            partial(self._exchange.call, "GET", "/v2/phone-number", decode_page, options),
            options.query_with(params, _query.WALK_PARAMETERS) or {},
            page_size=arguments["page_size"],
            max_items=arguments["max_items"],
            prefetch=arguments["prefetch"],
            consistent=arguments["consistent"],
        )
