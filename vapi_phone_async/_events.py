"""Event hooks: a caller's functions told of every attempt's request and response.

For metrics and tracing (a Prometheus histogram, an OpenTelemetry span): an event holds
the method, the path, the attempt and, for a response, its status and time, and never a
header, a query or a body, so never a secret. A hook that raises is logged and does not
fail the call: a metrics bug must not lose a create whose outcome the caller needs.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Literal

import msgspec

from .errors import FieldError, RequestValidationError

__all__ = ["EventHook", "EventHooks", "Hooks", "RequestEvent", "ResponseEvent", "checked_hooks"]

logger = logging.getLogger("vapi_phone_async")


class RequestEvent(msgspec.Struct, frozen=True):
    """An attempt is about to be sent: `attempt` counts from 1 for each call."""

    method: str
    path: str
    attempt: int


class ResponseEvent(msgspec.Struct, frozen=True):
    """An attempt ended: with an answer (`status`, and Vapi's `request_id` if it sent one),
    or with no answer (`status` None, `error` the name of this package's error for it).
    `elapsed` is seconds from the attempt's start (a wait for a free connection
    included) to the whole body read; `error` also names the error a non-2xx answer
    raises."""

    method: str
    path: str
    attempt: int
    status: int | None
    elapsed: float
    request_id: str | None = None
    error: str | None = None


EventHook = Callable[[RequestEvent], Awaitable[None] | None]
ResponseHook = Callable[[ResponseEvent], Awaitable[None] | None]
EventHooks = Mapping[
    Literal["request", "response"],
    Sequence[Callable[..., Awaitable[None] | None]],
]
"""`{"request": [...], "response": [...]}`: plain or async functions, called in order."""

_KINDS = ("request", "response")


class Hooks:
    """A client's validated hooks; `request` and `response` call them in order."""

    __slots__ = ("_request", "_response")

    def __init__(self, request: Sequence[EventHook], response: Sequence[ResponseHook]) -> None:
        self._request = tuple(request)
        self._response = tuple(response)

    async def request(self, event: RequestEvent) -> None:
        """Tell every request hook of `event`."""
        for hook in self._request:
            await _call(hook, event)

    async def response(self, event: ResponseEvent) -> None:
        """Tell every response hook of `event`."""
        for hook in self._response:
            await _call(hook, event)


async def _call(hook: Callable[..., Awaitable[None] | None], event: object) -> None:
    try:
        result = hook(event)
        if inspect.isawaitable(result):
            await result
    except Exception:
        # The event holds no secret, so the traceback may be logged whole.
        logger.exception("event hook %r failed; the request goes on", hook)


def checked_hooks(value: EventHooks | None) -> Hooks | None:
    """`event_hooks=` checked: None (no hooks, no cost) or a `Hooks`. Raises
    `RequestValidationError` naming the key or item that is wrong."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        got = type(value).__name__
        raise RequestValidationError(
            [
                FieldError(
                    "event_hooks", f'must be a mapping of "request" and "response" (got {got})'
                )
            ]
        )
    errors = []
    for key, hooks in value.items():
        name = f"event_hooks[{key!r}]"
        if key not in _KINDS:
            errors.append(FieldError(name, 'is not a hook kind: use "request" or "response"'))
        elif isinstance(hooks, (str, bytes)) or not isinstance(hooks, Sequence):
            errors.append(FieldError(name, "must be a list of functions"))
        else:
            errors += [
                FieldError(f"{name}[{index}]", f"must be callable (got {type(hook).__name__})")
                for index, hook in enumerate(hooks)
                if not callable(hook)
            ]
    if errors:
        raise RequestValidationError(errors)
    request, response = value.get("request", ()), value.get("response", ())
    return Hooks(request, response) if request or response else None
