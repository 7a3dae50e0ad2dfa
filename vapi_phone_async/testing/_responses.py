"""The fake server's answers: JSON bodies and NestJS-shaped errors, as Vapi sends them."""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus

import msgspec
from aiohttp import web

__all__ = ["Rejected", "error", "json_response"]

_ENCODE = msgspec.json.Encoder().encode
# NestJS's own wording for the statuses it answers without a custom message.
_MESSAGES = {500: "Internal server error", 429: "ThrottlerException: Too Many Requests"}


class Rejected(Exception):
    """An operation refused: becomes a NestJS error answer (a list message means a 400)."""

    def __init__(self, status: int, message: str | Sequence[str] | None = None) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message

    def response(self) -> web.Response:
        if self.status == 400 and not isinstance(self.message, str | None):
            body = {"message": list(self.message), "error": "Bad Request", "statusCode": 400}
            return json_response(_ENCODE(body), 400)
        return error(self.status, self.message if isinstance(self.message, str) else None)


def json_response(body: bytes, status: int = 200) -> web.Response:
    """An `application/json` answer with an already encoded body."""
    return web.Response(body=body, status=status, content_type="application/json")


def error(status: int, message: str | None = None, *, reason: str | None = None) -> web.Response:
    """`{"message": ..., "error": ..., "statusCode": ...}`, as Vapi answers every error.

    `error` is `reason`, by default the status's phrase (`"Not Found"`).
    """
    if message is None:
        message = _MESSAGES.get(status) or _phrase(status)
    body = {"message": message, "error": reason or _phrase(status), "statusCode": status}
    return json_response(_ENCODE(body), status)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
