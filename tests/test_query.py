"""Ids, dates and list/walk parameters (`_query.py`): each rule, a good and a bad value,
refused before any request with the parameter named."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from vapi_phone_async._query import (
    date_filter_params,
    format_datetime,
    item_path,
    validate_id,
    validate_list_query,
)
from vapi_phone_async.errors import RequestValidationError

# Query parameters of list and paginate.

QUERY_RULES = [
    ("limit", 0, -1, "from 0 to 1000"),
    ("limit", 1000, 1001, "from 0 to 1000"),
    ("limit", 100, True, "integer"),
    ("limit", 100, 10.0, "integer"),
    ("search", "s" * 100, "s" * 101, "at most 100"),
    ("sort_order", "ASC", "asc", "one of ASC, DESC"),
    ("sort_by", "createdAt", "name", "one of"),
    ("page", 1, 0, "at least 1"),
    ("page", 2, "2", "integer"),
    ("page", 1, True, "integer"),
]
WIRE_NAMES = {"sort_order": "sortOrder", "sort_by": "sortBy"}


@pytest.mark.parametrize(("name", "good", "bad", "says"), QUERY_RULES)
def test_list_query_rules(name: str, good: object, bad: object, says: str) -> None:
    validate_list_query(**{name: good})  # type: ignore[arg-type]
    with pytest.raises(RequestValidationError) as caught:
        validate_list_query(**{name: bad})  # type: ignore[arg-type]
    assert caught.value.field == WIRE_NAMES.get(name, name)
    assert says in caught.value.rule


def test_list_query_defaults_are_valid() -> None:
    validate_list_query()


@pytest.mark.parametrize(
    "good", ["3f1c9e2a-b7d4-4c1e-9a3f-5f1c9e2ab7d4", "pn_123", "3f8c-uuid", "A" * 100]
)
def test_an_id_of_the_characters_of_a_uuid_is_accepted(good: str) -> None:
    validate_id(good)
    assert item_path(good) == "/phone-number/" + good


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("", "must not be empty"),
        (None, "must be a string (got NoneType)"),
        (42, "must be a string (got int)"),
        ("a" * 101, "at most 100 characters"),
        # What a request once cost each of these: a 404, percent-encoded.
        ("ünïcode", "ASCII letters, digits"),
        (" abc ", "ASCII letters, digits"),
        ("   ", "ASCII letters, digits"),
        ("a\nb", "ASCII letters, digits"),
        ("\x00", "ASCII letters, digits"),
        ("%2F..%2F", "ASCII letters, digits"),
        ("...", "ASCII letters, digits"),
        (".", "ASCII letters, digits"),
        ("..", "ASCII letters, digits"),
        ("pn/../admin", "ASCII letters, digits"),
        ("pn?limit=1", "ASCII letters, digits"),
        ("pn#frag", "ASCII letters, digits"),
    ],
)
def test_anything_that_cannot_be_an_id_is_refused_naming_the_rule(bad: Any, says: str) -> None:
    for check in (validate_id, item_path):
        with pytest.raises(RequestValidationError) as caught:
            check(bad)
        assert caught.value.field == "id"
        assert says in caught.value.rule


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (
            datetime(2025, 3, 9, 20, 16, 58, 146_999, tzinfo=timezone.utc),
            "2025-03-09T20:16:58.146Z",
        ),
        (
            datetime(2025, 3, 9, 22, 16, 58, tzinfo=timezone(timedelta(hours=2))),
            "2025-03-09T20:16:58.000Z",
        ),
        ("2025-03-09T20:16:58.146Z", "2025-03-09T20:16:58.146Z"),
        ("2025-03-09T15:16:58-05:00", "2025-03-09T20:16:58.000Z"),
        (datetime(999, 1, 1, tzinfo=timezone.utc), "0999-01-01T00:00:00.000Z"),
    ],
    ids=["utc", "an offset", "a Z string", "an offset string", "before the year 1000"],
)
def test_format_datetime_writes_utc_with_milliseconds(value: datetime | str, wire: str) -> None:
    assert format_datetime("createdAtGe", value) == wire


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (datetime(2025, 3, 9, 20, 16, 58), "timezone-aware"),
        ("2025-03-09T20:16:58", "timezone-aware"),
        ("yesterday", "ISO 8601"),
        (1741551418, "datetime or ISO 8601"),
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))), "years 1 to 9999 in UTC"),
    ],
    ids=["naive", "a naive string", "not a date", "a timestamp", "before the calendar in UTC"],
)
def test_format_datetime_rejects_what_is_ambiguous_or_not_a_date(value: Any, says: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        format_datetime("updatedAtLt", value)
    assert caught.value.field == "updatedAtLt"
    assert says in caught.value.rule


def test_date_filters_become_their_camel_case_query_parameters() -> None:
    """Unset filters are left out; each set one is written in the API's UTC form."""
    params = date_filter_params(
        {
            "created_at_ge": datetime(2025, 3, 9, tzinfo=timezone.utc),
            "updated_at_lt": "2025-03-10T01:00:00+01:00",
            "created_at_le": None,
        }
    )
    assert params == {
        "createdAtGe": "2025-03-09T00:00:00.000Z",
        "updatedAtLt": "2025-03-10T00:00:00.000Z",
    }


def test_a_bad_date_filter_is_named_by_its_query_parameter() -> None:
    with pytest.raises(RequestValidationError) as caught:
        date_filter_params({"updated_at_gt": datetime(2025, 3, 9)})
    assert caught.value.field == "updatedAtGt"
