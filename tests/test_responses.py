"""The sans-I/O answers of `_responses.py`: status → error, readable messages, and the
wait a server asks for. Pure functions: no network."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from vapi_phone_async._responses import parse_retry_after, read_answer, status_error
from vapi_phone_async.errors import (
    APIStatusError,
    NotFoundError,
    RateLimitError,
)
from vapi_phone_async.transports import Answer

from .helpers import STATUS_ERRORS


def test_a_2xx_answer_is_its_body_and_any_other_status_raises_its_error() -> None:
    assert read_answer("GET", "/p", Answer(201, body=b'{"id": "x"}')) == b'{"id": "x"}'
    with pytest.raises(NotFoundError) as caught:
        read_answer("GET", "/p", Answer(404, body=b"{}"))
    assert not caught.value.resent
    with pytest.raises(APIStatusError):
        read_answer("GET", "/p", Answer(302))


def test_an_answer_to_a_request_sent_twice_says_so_in_its_error() -> None:
    with pytest.raises(NotFoundError) as caught:
        read_answer("DELETE", "/p", Answer(404, body=b"{}", sends=2))
    assert caught.value.resent


def test_the_secrets_of_a_request_are_looked_for_only_when_an_error_needs_them() -> None:
    asked: list[bool] = []

    def secrets() -> set[str]:
        asked.append(True)
        return {"s3cret"}

    read_answer("GET", "/p", Answer(200, body=b"{}"), secrets)
    assert asked == []
    with pytest.raises(APIStatusError) as caught:
        read_answer("GET", "/p", Answer(400, body=b'{"message": "bad s3cret"}'), secrets)
    assert asked == [True] and "s3cret" not in str(caught.value)


@pytest.mark.parametrize(("code", "error_class"), STATUS_ERRORS)
def test_each_status_family_has_its_error_class(
    code: int, error_class: type[APIStatusError]
) -> None:
    error = status_error("GET", "/phone-number/1", code, {"x-request-id": "req-1"}, b"{}")
    assert type(error) is error_class
    assert error.status_code == code
    assert error.request_id == "req-1"
    assert (error.method, error.path) == ("GET", "/phone-number/1")


def test_a_list_shaped_nestjs_message_is_readable() -> None:
    body = (
        b'{"message": ["number must be a valid phone number", "name must be shorter"],'
        b' "error": "Bad Request", "statusCode": 400}'
    )
    error = status_error("POST", "/phone-number", 400, {}, body)
    assert error.message == "number must be a valid phone number; name must be shorter"
    assert "number must be a valid phone number" in str(error)
    assert error.body["error"] == "Bad Request"


def test_a_string_message_a_text_body_and_an_empty_body() -> None:
    assert status_error("GET", "/p", 404, {}, b'{"message": "Not Found"}').message == "Not Found"
    assert status_error("GET", "/p", 502, {}, b"Bad gateway").message == "Bad gateway"
    assert status_error("GET", "/p", 503, {}, b"").message == "HTTP 503"


def test_retry_after_is_read_onto_the_error() -> None:
    error = status_error("GET", "/p", 429, {"retry-after": "3"}, b"{}")
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 3


def test_retry_after_in_seconds_http_date_and_milliseconds() -> None:
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    http_date = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after({"retry-after": "7"}) == 7
    assert parse_retry_after({"retry-after": "1.5"}) == 1.5
    assert parse_retry_after({"retry-after": http_date}, now=now) == 30
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25


def test_a_missing_or_unreadable_retry_after_is_none_and_a_past_date_is_zero() -> None:
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert parse_retry_after({}) is None
    assert parse_retry_after({"retry-after": "soon"}) is None
    past = format_datetime(now - timedelta(seconds=30), usegmt=True)
    assert parse_retry_after({"retry-after": past}, now=now) == 0


def test_a_retry_after_that_is_not_a_finite_number_is_unreadable() -> None:
    for value in ("nan", "inf", "-inf"):
        assert parse_retry_after({"retry-after": value}) is None
        assert parse_retry_after({"retry-after-ms": value}) is None
    assert parse_retry_after({"retry-after": "-5"}) == 0
