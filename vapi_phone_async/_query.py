"""Ids, dates and the parameters of list and walk, checked before any request is made.

Every check raises `RequestValidationError` naming the parameter (or its wire name) and
the rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from ._validate import one_of
from .errors import FieldError, RequestValidationError

__all__ = [
    "DATE_FILTERS",
    "LIMIT_MAX",
    "LIST_PARAMETERS",
    "SEARCH_MAX",
    "WALK_PARAMETERS",
    "date_filter_params",
    "format_datetime",
    "item_path",
    "list_params",
    "validate_id",
    "validate_list_query",
    "validate_walk",
    "walk_params",
]

SORT_ORDERS = frozenset({"ASC", "DESC"})
SORT_BY = frozenset({"createdAt", "duration", "cost"})
SEARCH_MAX = 100
LIMIT_MAX = 1000


ID_MAX = 100
# The spec's ids are UUIDs; ids of other Vapi resources use these characters too. Anything
# else (a space, a dot, %, non-ASCII) cannot be an id, and would only cost a 404.
_ID = re.compile(r"[A-Za-z0-9_-]+")


def item_path(phone_number_id: str) -> str:
    """`/phone-number/{id}`, the id checked by `validate_id` (it needs no quoting)."""
    if not (
        isinstance(phone_number_id, str)
        and len(phone_number_id) <= ID_MAX
        and _ID.fullmatch(phone_number_id)
    ):
        validate_id(phone_number_id)
    return "/phone-number/" + phone_number_id


def validate_id(phone_number_id: str) -> None:
    """Raise `RequestValidationError` for anything that cannot be a phone number's id: not
    a string, empty, longer than 100 characters, or with a character other than ASCII
    letters, digits, `-` and `_` (so no whitespace, control character, `/ ? # % .`)."""
    rule = None
    if not isinstance(phone_number_id, str):
        rule = f"must be a string (got {type(phone_number_id).__name__})"
    elif not phone_number_id:
        rule = "must not be empty"
    elif len(phone_number_id) > ID_MAX:
        rule = f"must be at most {ID_MAX} characters (got {len(phone_number_id)})"
    elif not _ID.fullmatch(phone_number_id):
        rule = "must be made of ASCII letters, digits, '-' and '_', like a UUID"
    if rule is not None:
        raise RequestValidationError([FieldError("id", rule)])


def format_datetime(field: str, value: datetime | str) -> str:
    """An aware datetime or ISO 8601 string as the API's UTC form, `...T20:16:58.146Z`."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise RequestValidationError(
                [FieldError(field, f"must be an ISO 8601 date-time (got {value!r})")]
            ) from None
    if not isinstance(value, datetime):
        raise RequestValidationError([FieldError(field, "must be a datetime or ISO 8601 string")])
    if value.tzinfo is None or value.utcoffset() is None:
        raise RequestValidationError(
            [FieldError(field, "must be timezone-aware (naive datetimes are ambiguous)")]
        )
    try:
        utc = value.astimezone(timezone.utc)
    except OverflowError:  # year 1 or 9999 pushed past the calendar by its offset
        raise RequestValidationError(
            [FieldError(field, "must fall within the years 1 to 9999 in UTC")]
        ) from None
    # Not strftime: it writes year 999 as "999", which no ISO 8601 reader takes.
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
        f"{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


DATE_FILTERS = {
    "created_at_gt": "createdAtGt",
    "created_at_lt": "createdAtLt",
    "created_at_ge": "createdAtGe",
    "created_at_le": "createdAtLe",
    "updated_at_gt": "updatedAtGt",
    "updated_at_lt": "updatedAtLt",
    "updated_at_ge": "updatedAtGe",
    "updated_at_le": "updatedAtLe",
}


# Query parameters list_recent() and the walk set themselves: extra_query may not replace them.
LIST_PARAMETERS = frozenset({"limit", *DATE_FILTERS.values()})
WALK_PARAMETERS = LIST_PARAMETERS | {"page", "cursor", "search", "sortOrder", "sortBy"}


def date_filter_params(arguments: Mapping[str, Any]) -> dict[str, str]:
    """Query parameters for the date filters among a call's `arguments` (by their
    snake_case names, `created_at_gt`...; other names are left alone)."""
    params: dict[str, str] = {}
    for name, wire in DATE_FILTERS.items():
        value = arguments.get(name)
        if value is not None:
            params[wire] = format_datetime(wire, value)
    return params


def list_params(arguments: Mapping[str, Any]) -> dict[str, str]:
    """The query of `client.list_recent()` from its `arguments` by name (`limit` and the date
    filters), checked."""
    params = date_filter_params(arguments)
    limit = arguments["limit"]
    validate_list_query(limit=limit)
    if limit is not None:
        params["limit"] = str(limit)
    return params


def walk_params(arguments: Mapping[str, Any]) -> dict[str, str]:
    """The query of a walk (`client.list()`) from its `arguments` by name (the date filters,
    `search`, `sort_order`, `sort_by`), every argument of the walk checked."""
    names = ("page_size", "prefetch", "max_items", "consistent", "search", "sort_order")
    validate_walk(**{name: arguments[name] for name in names}, sort_by=arguments["sort_by"])
    params = date_filter_params(arguments)
    for name, wire in (("search", "search"), ("sort_order", "sortOrder"), ("sort_by", "sortBy")):
        if arguments[name] is not None:
            params[wire] = arguments[name]
    return params


def validate_list_query(
    *,
    limit: int | None = None,
    search: str | None = None,
    sort_order: str | None = None,
    sort_by: str | None = None,
    page: int | None = None,
) -> None:
    """Check list and pagination parameters; raise `RequestValidationError` naming them."""
    errors = _query_errors(search, sort_order, sort_by)
    errors += _integer("limit", limit, 0, LIMIT_MAX)
    errors += _integer("page", page, 1, None)
    if errors:
        raise RequestValidationError(errors)


def validate_walk(
    *,
    page_size: int,
    prefetch: int,
    max_items: int | None,
    consistent: bool,
    search: str | None,
    sort_order: str | None,
    sort_by: str | None,
) -> None:
    """Check the arguments of a walk (`client.list()`); raise `RequestValidationError`."""
    errors = _query_errors(search, sort_order, sort_by)
    errors += _integer("page_size", page_size, 1, LIMIT_MAX, required=True)
    errors += _integer("prefetch", prefetch, 1, None, required=True)
    errors += _integer("max_items", max_items, 0, None)
    if consistent and sort_by not in (None, "createdAt"):
        errors.append(
            FieldError("sort_by", "consistent walks sort by createdAt; pass consistent=False")
        )
    if errors:
        raise RequestValidationError(errors)


def _query_errors(
    search: str | None, sort_order: str | None, sort_by: str | None
) -> list[FieldError]:
    errors: list[FieldError] = []
    if search is not None and (not isinstance(search, str) or len(search) > SEARCH_MAX):
        errors.append(FieldError("search", f"must be a string of at most {SEARCH_MAX} characters"))
    errors.extend(one_of("sortOrder", sort_order, SORT_ORDERS))
    errors.extend(one_of("sortBy", sort_by, SORT_BY))
    return errors


def _integer(
    path: str, value: Any, minimum: int, maximum: int | None, *, required: bool = False
) -> list[FieldError]:
    if value is None and not required:
        return []
    is_integer = isinstance(value, int) and not isinstance(value, bool)
    if is_integer and value >= minimum and (maximum is None or value <= maximum):
        return []
    bounds = f"of at least {minimum}" if maximum is None else f"from {minimum} to {maximum}"
    return [FieldError(path, f"must be an integer {bounds} (got {value!r})")]
