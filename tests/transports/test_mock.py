"""MockTransport: each attempt answered by a function, its failures read as a network's."""

from __future__ import annotations

import pytest

from vapi_phone_async.errors import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    InternalServerError,
)
from vapi_phone_async.transports import Answer, MockTransport, Request

GET = Request("GET", "/phone-number/1")


async def test_a_plain_or_async_handler_answers_and_every_request_is_kept() -> None:
    async def later(request: Request) -> Answer:
        return Answer(204)

    plain = MockTransport(lambda request: Answer(200, body=request.path.encode()))
    assert (await plain.send(GET)).body == b"/phone-number/1"
    assert (await MockTransport(later).send(GET)).status == 204
    await plain.send(Request("DELETE", "/phone-number/2"))
    assert [request.method for request in plain.requests] == ["GET", "DELETE"]


@pytest.mark.parametrize(
    ("raised", "error", "connect_failed"),
    [
        (ConnectionRefusedError(), APIConnectionError, True),
        (ConnectionResetError(), APIConnectionError, False),
        (OSError("network is down"), APIConnectionError, False),
        (TimeoutError(), APITimeoutError, False),
        (APIConnectionError("refused", connect_failed=True), APIConnectionError, True),
    ],
)
async def test_a_handler_that_raises_is_a_request_with_no_answer(
    raised: BaseException, error: type[APIConnectionError], connect_failed: bool
) -> None:
    def handler(request: Request) -> Answer:
        raise raised

    with pytest.raises(error) as caught:
        await MockTransport(handler).send(GET)
    assert caught.value.connect_failed is connect_failed


async def test_a_bug_in_a_handler_is_not_taken_for_a_network_failure() -> None:
    def handler(request: Request) -> Answer:
        raise KeyError("oops")

    with pytest.raises(KeyError):
        await MockTransport(handler).send(GET)


async def test_a_handler_must_answer_an_answer() -> None:
    transport = MockTransport(lambda request: 500)  # type: ignore[arg-type,return-value]
    with pytest.raises(TypeError, match="must return an Answer"):
        await transport.send(GET)


async def test_a_status_is_an_answer_not_an_error() -> None:
    """What a status means is the client's business: the transport only carries it."""
    answer = await MockTransport(lambda request: Answer.json(503, {"message": "x"})).send(GET)
    assert answer.status == 503 and not isinstance(answer, InternalServerError)


async def test_a_closed_mock_refuses_to_send() -> None:
    transport = MockTransport(lambda request: Answer(200))
    await transport.aclose()
    with pytest.raises(ClientClosedError):
        await transport.send(GET)
    assert transport.requests == []
