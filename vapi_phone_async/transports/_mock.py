"""MockTransport: a function of yours answers every request, so that a unit test drives
the client's real retries, pacing and decoding with no server and no socket."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from .._deadline import bounded, ran_out
from ..errors import APIConnectionError, APITimeoutError, ClientClosedError, VapiError
from ._base import Answer, Request

__all__ = ["Handler", "MockTransport"]

Handler = Callable[[Request], Answer | Awaitable[Answer]]
"""A plain or async function from a `Request` to the `Answer` it gets."""


class MockTransport:
    """A transport whose answers come from `handler`, called once per attempt.

    The handler returns an `Answer`, or raises to say no answer came: one of this
    package's errors as it is (`APIConnectionError("refused", connect_failed=True)`: the
    request never left), or a built-in one, mapped as a network would be
    (`ConnectionRefusedError`: never sent; another `OSError`: sent, and the connection
    dropped; `TimeoutError`: timed out, maybe after the server acted). An async handler
    is cut short at the call's deadline. `requests` holds every request sent, in order.

        def handler(request: Request) -> Answer:
            return Answer.json(200, {"id": "1", "provider": "byo-phone-number"})

        client = VapiPhoneClient(api_key="test", transport=MockTransport(handler))
    """

    def __init__(self, handler: Handler) -> None:
        if not callable(handler):
            raise TypeError(f"MockTransport needs a function (got {type(handler).__name__})")
        self.handler = handler
        self.requests: list[Request] = []
        self.closed = False

    def __repr__(self) -> str:
        return f"MockTransport({getattr(self.handler, '__name__', self.handler)!r})"

    async def send(self, request: Request) -> Answer:
        """The handler's answer to `request`."""
        if self.closed:
            raise ClientClosedError("this VapiPhoneClient is closed; create a new one")
        self.requests.append(request)
        method, path = request.method, request.path
        try:
            answer = self.handler(request)
            if inspect.isawaitable(answer):
                answer = await bounded(answer, request.deadline)
        except VapiError:
            raise
        except TimeoutError as error:
            if ran_out(request.deadline):
                raise  # the call's deadline: the call path says what it cut short
            raise APITimeoutError("timed out", method=method, path=path) from error
        except ConnectionRefusedError as error:
            raise APIConnectionError(
                "could not connect (ConnectionRefusedError)",
                method=method,
                path=path,
                connect_failed=True,
            ) from error
        except OSError as error:
            raise APIConnectionError(type(error).__name__, method=method, path=path) from error
        if not isinstance(answer, Answer):
            raise TypeError(
                f"a MockTransport handler must return an Answer (got {type(answer).__name__})"
            )
        return answer

    async def aclose(self) -> None:
        """Later sends raise `ClientClosedError`."""
        self.closed = True
