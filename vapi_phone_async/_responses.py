"""What an answer means, without I/O: an `Answer` in, its body or an error out.

`read_answer` is the whole decision for one response (the transport performed the I/O;
the call path hands its `Answer` here); `status_error` builds the error of a
non-2xx one (its readable message comes from Vapi's NestJS body) and `parse_retry_after`
reads the wait a server asks for. Tests call these directly, with no network.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import msgspec

from ._secrets import redact_mapping, redact_text
from .errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from .transports import Answer

__all__ = ["STATUS_ERRORS", "parse_retry_after", "read_answer", "status_error"]

STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def read_answer(
    method: str, path: str, answer: Answer, secrets: Callable[[], Collection[str]] = tuple
) -> bytes:
    """The body of a 2xx answer; raises the `APIStatusError` of any other status, its body
    redacted.

    `secrets()` gives the secret values the request carried; it is called only for an
    error, so that a success never pays for finding them."""
    status = answer.status
    if 200 <= status < 300:
        return answer.body
    raise status_error(
        method, path, status, answer.headers, answer.body, secrets(), resent=answer.sends > 1
    )


def status_error(
    method: str,
    path: str,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    secrets: Collection[str] = (),
    *,
    resent: bool = False,
) -> APIStatusError:
    """The error for a non-2xx response; the message comes from the NestJS body.

    The body, JSON or not, is redacted before anything of it is kept: secret fields, and
    the `secrets` the request carried (the API key, the secrets of its body) wherever the
    server echoed them. `resent`: the transport sent the request more than once.
    """
    try:
        parsed: Any = redact_mapping(msgspec.json.decode(body), secrets)
    except (msgspec.DecodeError, RecursionError):
        parsed = redact_text(body.decode("utf-8", errors="replace"), secrets)
    error_class = STATUS_ERRORS.get(status)
    if error_class is None:
        error_class = InternalServerError if status >= 500 else APIStatusError
    return error_class(
        status_code=status,
        message=_readable_message(parsed, status),
        body=parsed,
        request_id=headers.get("x-request-id"),
        method=method,
        path=path,
        retry_after=parse_retry_after(headers),
        resent=resent,
    )


def _readable_message(body: Any, status: int) -> str:
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(message, list):
        return "; ".join(str(item) for item in message)
    if isinstance(message, str) and message:
        return message
    if isinstance(body, str) and body.strip():
        return body.strip()[:200]
    return f"HTTP {status}"


def parse_retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """The wait a response asks for: `retry-after-ms`, or `Retry-After` in seconds or as
    an HTTP date. None when absent or unreadable."""
    milliseconds = _seconds(headers.get("retry-after-ms"))
    if milliseconds is not None:
        return milliseconds / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max((when - (now or datetime.now(timezone.utc))).total_seconds(), 0.0)


def _seconds(value: str | None) -> float | None:
    """A finite, non-negative number of the header (negatives count as 0); else None."""
    try:
        number = float(value) if value is not None else math.nan
    except ValueError:
        return None
    return max(number, 0.0) if math.isfinite(number) else None
