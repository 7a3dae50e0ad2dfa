"""Ids, dates and the parameters of list and walk, checked before any request is made.

Every check raises `RequestValidationError` naming the parameter (or its wire name) and
the rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from ._validate import one_of
from .errors import FieldError, RequestValidationError

__all__ = [
    "DATE_FILTERS",
    "LIMIT_MAX",
    "SEARCH_MAX",
    "date_filter_params",
    "format_datetime",
    "item_path",
    "validate_id",
    "validate_list_query",
    "validate_walk",
]

SORT_ORDERS = frozenset({"ASC", "DESC"})
SORT_BY = frozenset({"createdAt", "duration", "cost"})
SEARCH_MAX = 100
LIMIT_MAX = 1000


_URL_SYNTAX = frozenset("/?#")
# An id of these characters needs no quoting (a UUID, as Vapi's ids are): the fast path.
_PLAIN_ID = re.compile(r"(?!\.{1,2}\Z)[A-Za-z0-9_~.-]+\Z")


def item_path(phone_number_id: str) -> str:
    """`/phone-number/{id}`, the id checked (`validate_id`) and quoted into one segment."""
    if isinstance(phone_number_id, str) and _PLAIN_ID.match(phone_number_id):
        return "/phone-number/" + phone_number_id
    validate_id(phone_number_id)
    return "/phone-number/" + quote(phone_number_id, safe="")


def validate_id(phone_number_id: str) -> None:
    """Reject an id that is empty or would change the URL's path or query."""
    if not isinstance(phone_number_id, str) or not phone_number_id.strip():
        raise RequestValidationError([FieldError("id", "must be a non-empty string")])
    if not _URL_SYNTAX.isdisjoint(phone_number_id):
        raise RequestValidationError([FieldError("id", "must not contain '/', '?' or '#'")])
    if phone_number_id in (".", ".."):
        # The URL library resolves these as path segments: GET /phone-number/. is the list.
        raise RequestValidationError([FieldError("id", "must not be '.' or '..'")])


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
    utc = value.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


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


def date_filter_params(filters: Mapping[str, datetime | str | None]) -> dict[str, str]:
    """Query parameters for the date filters given by their snake_case names."""
    params: dict[str, str] = {}
    for name, value in filters.items():
        if value is not None:
            wire = DATE_FILTERS[name]
            params[wire] = format_datetime(wire, value)
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
    """Check the arguments of `client.paginate()`; raise `RequestValidationError`."""
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
