"""The exchange's messages: `Timeout`, `Request`, `Answer`, and the `Transport` Protocol."""

from __future__ import annotations

import msgspec
import pytest

from vapi_phone_async.transports import (
    AiohttpTransport,
    Answer,
    Headers,
    MockTransport,
    Request,
    Timeout,
    Transport,
)

KEY = "sk-live-very-secret-key"


def test_seconds_are_the_total_with_connect_and_read_no_longer_than_it() -> None:
    assert Timeout.of(5) == Timeout(total=5, connect=5, read=5)
    assert Timeout.of(60) == Timeout(total=60, connect=10, read=20) == Timeout()
    assert Timeout.of(None) == Timeout(total=None, connect=None, read=None)


def test_a_request_shows_its_method_path_and_query_but_no_header_or_body() -> None:
    request = Request(
        "PATCH",
        "/phone-number/1",
        {"a": "b"},
        msgspec.json.encode({"twilioAuthToken": "token-SECRET"}),
        {"Authorization": f"Bearer {KEY}"},
    )
    assert repr(request) == "Request(PATCH /phone-number/1, query={'a': 'b'})"
    assert request.json() == {"twilioAuthToken": "token-SECRET"}
    assert Request("GET", "/phone-number").json() is None


def test_an_answer_reads_its_headers_whatever_their_case_and_hides_them_and_its_body() -> None:
    answer = Answer(429, {"Retry-After": "2", "Set-Cookie": "session=SECRET"}, b"{}")
    assert answer.headers["retry-after"] == answer.headers.get("RETRY-AFTER") == "2"
    assert "SECRET" not in repr(answer) and "SECRET" not in repr(answer.headers)
    assert repr(answer) == "Answer(status=429, 2 bytes, sends=1)"


def test_an_answer_of_json_encodes_its_data() -> None:
    answer = Answer.json(201, {"id": "1"}, headers={"X-Request-Id": "r"})
    assert msgspec.json.decode(answer.body) == {"id": "1"}
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["x-request-id"] == "r"
    assert dict(Headers({"A": "1"})) == {"a": "1"}


def test_both_transports_are_transports_and_a_function_is_not() -> None:
    assert isinstance(AiohttpTransport("https://api.vapi.ai"), Transport)
    assert isinstance(MockTransport(lambda request: Answer(204)), Transport)
    assert not isinstance(lambda request: Answer(204), Transport)


def test_a_mock_transport_needs_a_function() -> None:
    with pytest.raises(TypeError):
        MockTransport("not a function")  # type: ignore[arg-type]
