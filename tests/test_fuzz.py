"""Property-based tests of the client against hostile input (hypothesis).

- Whatever a server answers (truncated, mistyped, huge numbers, deep nesting, invalid
  UTF-8, empty, any status), a call returns typed data or raises a `VapiError`: never an
  AttributeError, TypeError, KeyError or another library's error.
- Whatever a caller passes, a call raises `RequestValidationError` before anything is
  sent, or sends a request the server accepts (no 400, no 5xx).

Bounded in the normal suite; `pytest --hypothesis-profile=deep tests/test_fuzz.py` runs
5,000 examples each.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, timezone
from typing import Any

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from vapi_phone_async import (
    decode_page,
    decode_phone_number,
    decode_phone_number_list,
)
from vapi_phone_async._responses import parse_retry_after, status_error
from vapi_phone_async.errors import (
    APIStatusError,
    RequestValidationError,
    ResponseDecodeError,
    VapiError,
)
from vapi_phone_async.models import (
    CreateTwilioPhoneNumber,
    CreateVapiPhoneNumber,
    CreateVonagePhoneNumber,
    Server,
    UpdateByoPhoneNumber,
    UpdateTwilioPhoneNumber,
)
from vapi_phone_async.testing import FakeVapiServer

from .helpers import NO_RETRIES, MakeClient, json_paths, json_values

NUMBER = {
    "id": "3f1c9e2a-b7d4-4c1e-9a3f-5f1c9e2ab7d4",
    "provider": "twilio",
    "number": "+14155550100",
    "twilioAccountSid": "AC1",
    "createdAt": "2024-01-01T00:00:00.000Z",
    "hooks": [{"on": "call.ringing", "do": [{"type": "say", "exact": "hi"}]}],
    "fallbackDestination": {"type": "number", "number": "+14155550101"},
    "server": {"url": "https://x.example", "backoffPlan": {"type": "fixed", "maxRetries": 1}},
}
PAGE = {"results": [NUMBER], "metadata": {"itemsPerPage": 1, "totalItems": 1, "currentPage": 1}}

ANY_JSON = json_values(large=True)


def _mutations(document: Any) -> st.SearchStrategy[Any]:
    """`document` with one value somewhere replaced by anything JSON can hold."""

    def replace(value: Any, at: tuple[Any, ...], new: Any) -> Any:
        if not at:
            return new
        copy = json.loads(json.dumps(value))
        target = copy
        for step in at[:-1]:
            target = target[step]
        target[at[-1]] = new
        return copy

    return st.tuples(st.sampled_from(json_paths(document)), ANY_JSON).map(
        lambda pair: replace(document, *pair)
    )


def _encoded(values: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    return values.map(lambda value: json.dumps(value).encode())


answers = st.one_of(
    _encoded(_mutations(NUMBER)),
    _encoded(_mutations(PAGE)),
    _encoded(_mutations([NUMBER, NUMBER])),
    _encoded(ANY_JSON),
    st.binary(max_size=200),  # invalid UTF-8, garbage
    st.integers(min_value=1, max_value=len(json.dumps(PAGE)) - 1).map(
        lambda cut: json.dumps(PAGE).encode()[:cut]  # cut short
    ),
    st.integers(min_value=1, max_value=3000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.sampled_from([b"", b"null", b"1e400", b"-1e400", b"123456789012345678901234567890"]),
)


# The decoders and the error reader, as pure functions: many examples, no network.


@given(answers)
def test_a_decoder_returns_typed_data_or_raises_a_decode_error(data: bytes) -> None:
    for decode in (decode_phone_number, decode_phone_number_list, decode_page):
        with contextlib.suppress(ResponseDecodeError):
            decode(data)


@given(
    st.integers(min_value=300, max_value=599),
    st.dictionaries(st.sampled_from(["retry-after", "retry-after-ms", "x-request-id"]), st.text()),
    answers,
)
def test_any_error_answer_reads_as_an_api_status_error(
    status: int, headers: dict[str, str], body: bytes
) -> None:
    error = status_error("GET", "/phone-number", status, headers, body)
    assert isinstance(error, APIStatusError) and error.status_code == status
    assert isinstance(str(error), str)
    assert error.retry_after is None or error.retry_after >= 0


@given(st.text())
def test_any_retry_after_header_is_a_wait_or_none(value: str) -> None:
    for name in ("retry-after", "retry-after-ms"):
        wait = parse_retry_after({name: value})
        assert wait is None or wait >= 0


# The client over HTTP, against a fake that answers what hypothesis makes.

CALLS = {
    "get": lambda c: c.get(NUMBER["id"]),
    "list": lambda c: c.list_recent(),
    "paginate": lambda c: c.paginate(page_size=10, consistent=False).collect(),
    "create": lambda c: c.create(CreateVonagePhoneNumber(number="+14155550100", credential_id="c")),
    "update": lambda c: c.update(NUMBER["id"], UpdateTwilioPhoneNumber(name="x")),
    "delete": lambda c: c.delete(NUMBER["id"]),
}


@given(
    st.sampled_from(sorted(CALLS)),
    st.sampled_from([200, 201, 204, 302, 400, 404, 418, 429, 500, 502]),
    answers,
    st.sampled_from(["application/json", "text/html", "text/plain"]),
)
async def test_whatever_the_server_answers_a_call_gives_data_or_a_vapi_error(
    fake_vapi: FakeVapiServer,
    make_client: MakeClient,
    call: str,
    status: int,
    body: bytes,
    content_type: str,
) -> None:
    fake_vapi.clear_faults()
    fake_vapi.inject_fault(mode="raw", status=status, body=body, content_type=content_type)
    async with make_client(backoff=NO_RETRIES) as client:
        with contextlib.suppress(VapiError):
            await CALLS[call](client)


# The client, called with what hypothesis makes.

ids = st.text(max_size=40) | st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True) | st.integers()
dates = st.none() | st.datetimes() | st.datetimes(timezones=st.just(timezone.utc)) | st.text()
texts = st.none() | st.text(max_size=60)
bodies = st.one_of(
    st.builds(
        CreateTwilioPhoneNumber,
        number=st.text(max_size=20) | st.just("+14155550100"),
        twilio_account_sid=st.text(max_size=10),
        name=texts,
    ),
    st.builds(
        CreateVapiPhoneNumber,
        number_desired_area_code=st.none() | st.text(max_size=5),
        sip_uri=texts,
        server=st.none() | st.builds(Server, url=texts, timeout_seconds=st.floats(-5, 500)),
    ),
    ANY_JSON,
)
updates = st.one_of(
    st.builds(UpdateByoPhoneNumber, name=texts, number=st.none() | st.text(max_size=45)),
    ANY_JSON,
)


@given(
    st.sampled_from(["get", "delete", "update", "create", "list", "paginate"]),
    ids,
    bodies,
    updates,
    st.none() | st.integers(-5, 2000) | st.floats() | st.text(max_size=4),
    dates,
    texts,
    texts,
)
async def test_random_arguments_are_refused_before_sending_or_make_a_valid_request(
    fake_vapi: FakeVapiServer,
    make_client: MakeClient,
    call: str,
    number_id: Any,
    body: Any,
    update: Any,
    limit: Any,
    date: Any,
    search: Any,
    sort_order: Any,
) -> None:
    fake_vapi.clear_log()
    calls = {
        "get": lambda c: c.get(number_id),
        "delete": lambda c: c.delete(number_id),
        "update": lambda c: c.update(number_id, update),
        "create": lambda c: c.create(body),
        "list": lambda c: c.list_recent(limit=limit, created_at_ge=date),
        "paginate": lambda c: c.paginate(
            search=search, sort_order=sort_order, page_size=limit, updated_at_lt=date
        ).collect(),
    }
    async with make_client(backoff=NO_RETRIES) as client:
        try:
            await calls[call](client)
        except RequestValidationError:
            assert fake_vapi.request_log == []  # refused before anything was sent
            return
        except APIStatusError as error:
            assert error.status_code == 404, error  # an id that is no number's: fine
    for record in fake_vapi.request_log:
        assert record.status is not None and record.status < 500
        assert record.status != 400, msgspec.json.encode(record.body)


def test_dates_in_the_strategy_are_sometimes_naive_and_sometimes_aware() -> None:
    """The date strategy above reaches both branches of the timezone rule."""
    assert datetime(2024, 1, 1).tzinfo is None
    assert datetime(2024, 1, 1, tzinfo=timezone.utc).tzinfo is not None
