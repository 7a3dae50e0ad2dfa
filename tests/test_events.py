"""Event hooks (`_events.py`) on their own: what an event holds, hooks called in order,
plain or async, one that raises logged without stopping the others, and `event_hooks=`
checked. What a client tells its hooks, end to end: tests/test_observability.py."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
import pytest

from vapi_phone_async import RequestEvent, ResponseEvent
from vapi_phone_async._events import Hooks, checked_hooks
from vapi_phone_async.errors import RequestValidationError

REQUEST = RequestEvent("GET", "/phone-number/pn-1", 1)
RESPONSE = ResponseEvent("GET", "/phone-number/pn-1", 1, status=200, elapsed=0.01)


def test_an_event_holds_no_header_query_or_body_and_cannot_be_changed() -> None:
    """So it never holds a secret: a hook may log it whole."""
    assert [field.name for field in msgspec.structs.fields(RequestEvent)] == [
        "method",
        "path",
        "attempt",
    ]
    assert [field.name for field in msgspec.structs.fields(ResponseEvent)] == [
        "method",
        "path",
        "attempt",
        "status",
        "elapsed",
        "request_id",
        "error",
    ]
    with pytest.raises(AttributeError):
        REQUEST.path = "/elsewhere"  # type: ignore[misc]


async def test_hooks_are_called_in_order_plain_or_async() -> None:
    called: list[str] = []

    async def later(event: Any) -> None:
        called.append(f"async {type(event).__name__}")

    def now(event: Any) -> None:
        called.append(f"plain {type(event).__name__}")

    hooks = checked_hooks({"request": [now, later], "response": [later, now]})
    assert isinstance(hooks, Hooks)
    await hooks.request(REQUEST)
    await hooks.response(RESPONSE)

    assert called == [
        "plain RequestEvent",
        "async RequestEvent",
        "async ResponseEvent",
        "plain ResponseEvent",
    ]


async def test_a_hook_that_raises_is_logged_and_the_next_one_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[ResponseEvent] = []

    def broken(event: ResponseEvent) -> None:
        raise RuntimeError("a metrics bug")

    hooks = checked_hooks({"response": [broken, seen.append]})
    assert hooks is not None
    with caplog.at_level(logging.ERROR, logger="vapi_phone_async"):
        await hooks.response(RESPONSE)

    assert seen == [RESPONSE]
    (record,) = caplog.records
    assert "event hook" in record.getMessage() and "failed" in record.getMessage()
    assert record.exc_info is not None and "a metrics bug" in str(record.exc_info[1])


@pytest.mark.parametrize("value", [None, {}, {"request": []}, {"request": [], "response": ()}])
def test_no_hooks_at_all_is_none_so_an_attempt_calls_nothing(value: Any) -> None:
    assert checked_hooks(value) is None


def test_every_wrong_key_and_item_is_named_at_once() -> None:
    with pytest.raises(RequestValidationError) as caught:
        checked_hooks({"request": [print, None], "sent": [print], "response": "print"})  # type: ignore[dict-item, list-item]

    assert [error.path for error in caught.value.errors] == [
        "event_hooks['request'][1]",
        "event_hooks['sent']",
        "event_hooks['response']",
    ]
