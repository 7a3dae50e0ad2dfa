"""The exception hierarchy: every error this package raises.

```
VapiError
├── RequestValidationError          bad input, caught before anything is sent
├── ResponseDecodeError             the server's body is not what the API describes
├── ClientClosedError               a call on a client after aclose()
├── PaginationError                 a walk that would loop forever (the same page again)
│   └── IncompleteListingError      a listing that did not prove it saw every number
├── OutcomeUnknownError             a create that may or may not have happened
├── BulkCancelledError              a bulk item cut off in flight: it may have taken effect
├── ApplyLockedError                another apply to the same account holds its lock
├── ApplyLockUnavailableError       the apply lock's store (Redis) failed: nothing was sent
├── ApplyLockLostError              the apply lock was lost while held: the apply stopped
├── StalePlanError                  the account changed since the plan was made
├── UnreadableFileError             a file of rows that cannot be read (`rows.read`)
├── APIConnectionError              the network failed
│   └── APITimeoutError             ... by running out of time
└── APIStatusError                  the server answered with a non-2xx status
    ├── BadRequestError             400
    ├── AuthenticationError         401
    ├── PermissionDeniedError       403
    ├── NotFoundError               404
    ├── ConflictError               409
    ├── UnprocessableEntityError    422
    ├── RateLimitError              429
    └── InternalServerError         5xx
```

A `create` is never retried once the server may have acted on it: a 5xx, a timeout or a
dropped connection after the request went out raises `OutcomeUnknownError`, whose `cause`
is the error it stands for. Look the number up before creating it again.

An error that could have been retried but was not, because the client's retry budget
was spent (see `RetryBudget`), says so at the end of its message and in `not_retried`.

Messages never contain the API key or a secret field of a body.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "ApplyLockLostError",
    "ApplyLockUnavailableError",
    "ApplyLockedError",
    "AuthenticationError",
    "BadRequestError",
    "BulkCancelledError",
    "ClientClosedError",
    "ConflictError",
    "FieldError",
    "IncompleteListingError",
    "InternalServerError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "ResponseDecodeError",
    "StalePlanError",
    "UnprocessableEntityError",
    "UnreadableFileError",
    "VapiError",
]


class VapiError(Exception):
    """The root of every error raised by vapi_phone_async.

    `not_retried` is None, or why an error that could have been retried was not (the
    retry budget was spent); the message ends with it.
    """

    not_retried: str | None = None

    def __str__(self) -> str:
        message = super().__str__()
        return (
            message if self.not_retried is None else f"{message} (not retried: {self.not_retried})"
        )


class FieldError(msgspec.Struct, frozen=True):
    """One broken rule: `path` is the wire path of the field (`hooks[0].do[1].exact`)."""

    path: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path} {self.rule}"


class RequestValidationError(VapiError, ValueError):
    """Input that breaks the API's rules, raised before any request is sent.

    `errors` lists every broken rule; `field` and `rule` name the first.
    """

    def __init__(self, errors: Sequence[FieldError]) -> None:
        if not errors:
            raise ValueError("RequestValidationError needs at least one FieldError")
        self.errors = tuple(errors)
        super().__init__("invalid request: " + "; ".join(str(e) for e in self.errors))

    @property
    def field(self) -> str:
        """The wire path of the first broken rule's field."""
        return self.errors[0].path

    @property
    def rule(self) -> str:
        """The first broken rule, in words."""
        return self.errors[0].rule


class ResponseDecodeError(VapiError):
    """A response body that is not JSON, or not the shape the API describes.

    Such a 2xx answer is retried under the plan, like a body cut short, by every call but
    `create` (which raises `OutcomeUnknownError` instead); this is raised once the retries
    are spent. `excerpt` is the start of the body with secret values redacted.
    """

    def __init__(self, reason: str, excerpt: str) -> None:
        self.reason = reason
        self.excerpt = excerpt
        super().__init__(f"could not decode response: {reason}; body starts: {excerpt!r}")


class ClientClosedError(VapiError, RuntimeError):
    """A call on a client that has been closed."""


class PaginationError(VapiError):
    """A paginated walk that the server would make loop forever."""


class IncompleteListingError(PaginationError):
    """A listing that did not prove it saw every number, so nothing may act on it.

    `seen` is how many numbers it yielded, `expected` how many the server said match when
    it started (None if it did not say), `reason` why the walk is not complete.
    """

    def __init__(self, seen: int, expected: int | None, reason: str) -> None:
        self.seen, self.expected, self.reason = seen, expected, reason
        of = "" if expected is None else f" of {expected}"
        super().__init__(f"the listing is incomplete ({seen}{of} numbers seen): {reason}")


class OutcomeUnknownError(VapiError):
    """A `create` that the server may or may not have acted on.

    `cause` is the error that made the outcome unknown (a 5xx, a timeout, a dropped
    connection). Look the number up (by `number`, or name) before creating it again.
    `lookup_error` is set when the create's own `lookup` was tried and failed.
    """

    def __init__(
        self,
        cause: VapiError,
        *,
        method: str,
        path: str,
        lookup_error: VapiError | None = None,
    ) -> None:
        self.cause = cause
        self.method = method
        self.path = path
        self.lookup_error = lookup_error
        then = (
            "look the number up before creating it again"
            if lookup_error is None
            else f"the lookup failed: {lookup_error}"
        )
        super().__init__(
            f"{method} {path}: outcome unknown, the server may have acted on the request "
            f"({cause}); {then}"
        )


class BulkCancelledError(VapiError):
    """A bulk run was cancelled while this item's request was in flight: it may or may not
    have taken effect."""


class ApplyLockedError(VapiError):
    """Another apply to the same account holds its apply lock, and this one did not wait
    (or its wait ran out). Nothing was sent.

    `base_url` names the account (with a fingerprint of its key, never the key); `where`
    is where the lock lives (a file's path); `waited` is the seconds waited (0: none).
    """

    def __init__(self, base_url: str, *, where: str, waited: float = 0.0) -> None:
        self.base_url = base_url
        self.where = where
        self.waited = waited
        how = (
            "wait for it with wait=True (--wait on the command line)"
            if not waited
            else f"gave up after waiting {waited:g} s"
        )
        super().__init__(
            f"another apply to the account at {base_url} is running (lock {where}): {how}"
        )


class ApplyLockUnavailableError(VapiError):
    """The apply lock could not be taken because where it lives failed (a Redis server
    down or unreachable). Nothing was sent: an apply never goes on without the lock its
    client was configured with, nor falls back on a lock of one machine.

    `base_url` names the account; `where` is the lock (its Redis key, and the server's
    host and port); `reason` is the failure's type (`ConnectionError`, `TimeoutError`).
    """

    def __init__(self, base_url: str, *, where: str, reason: str) -> None:
        self.base_url = base_url
        self.where = where
        self.reason = reason
        super().__init__(
            f"cannot take the apply lock for the account at {base_url}: {where} failed "
            f"({reason}); nothing was sent"
        )


class ApplyLockLostError(VapiError):
    """The apply lock was lost while held (it could not be renewed in time, or another
    holder has it now), so the block that held it was cancelled as soon as the loss was
    seen: a bulk run takes no more items, and its requests in flight were cut short (they
    may have taken effect). Run the apply again (a sync plans only what is left).

    `base_url` names the account; `where` is the lock; `reason` says how it was lost.
    """

    def __init__(self, base_url: str, *, where: str, reason: str) -> None:
        self.base_url = base_url
        self.where = where
        self.reason = reason
        super().__init__(
            f"the apply lock for the account at {base_url} was lost while held ({where}: "
            f"{reason}): the apply stopped, sending nothing more; what was in flight may "
            "have taken effect: run it again"
        )


class StalePlanError(VapiError):
    """The account changed between the plan and its apply; nothing was sent.

    Checked under the apply lock, before the first request: the listing the plan rests
    on (the id and `updatedAt` of every number) differs now. `planned` and `now` count
    the numbers then and now. Plan again (under `client.apply_lock()` to keep others out
    meanwhile) and apply the new plan.
    """

    def __init__(self, base_url: str, *, planned: int, now: int) -> None:
        self.base_url = base_url
        self.planned = planned
        self.now = now
        super().__init__(
            f"the account at {base_url} changed since the plan was made ({planned} numbers "
            f"then, {now} now, or some were changed): plan again, then apply the new plan"
        )


class UnreadableFileError(VapiError, ValueError):
    """A file of rows (`rows.read`) that cannot be read: `source` names the file, `line`
    is where the problem is (1 is the first line; None: the file as a whole), `problem`
    says what it is. The message never quotes the file's content."""

    def __init__(self, source: str, problem: str, line: int | None = None) -> None:
        self.source = source
        self.problem = problem
        self.line = line
        where = f": line {line}" if line is not None else ""
        super().__init__(f"{source}{where}: {problem}")


class APIConnectionError(VapiError):
    """The request could not be completed over the network.

    `connect_failed` is True when no connection could be opened, so the server cannot
    have seen the request.
    """

    def __init__(
        self, message: str, *, method: str = "", path: str = "", connect_failed: bool = False
    ) -> None:
        self.method = method
        self.path = path
        self.connect_failed = connect_failed
        super().__init__(f"{method} {path}: {message}" if method else message)


class APITimeoutError(APIConnectionError):
    """The request ran out of time (a timeout or the call's deadline)."""


class APIStatusError(VapiError):
    """The server answered with a non-2xx status.

    Attributes: `status_code`, `message` (readable, from the NestJS body), `body` (the
    decoded JSON body, or its text), `request_id` (the `x-request-id` header), `method`,
    `path`, `retry_after` (seconds the server asked to wait, or None), and `resent`: True
    when aiohttp had silently sent the request twice (once on a keep-alive connection that
    turned out closed), so the first send may have acted.
    """

    def __init__(
        self,
        *,
        status_code: int,
        message: str,
        body: Any,
        request_id: str | None,
        method: str,
        path: str,
        retry_after: float | None = None,
        resent: bool = False,
    ) -> None:
        self.retry_after = retry_after
        self.resent = resent
        self.status_code = status_code
        self.message = message
        self.body = body
        self.request_id = request_id
        self.method = method
        self.path = path
        suffix = f" (request id {request_id})" if request_id else ""
        super().__init__(f"{method} {path} answered {status_code}: {message}{suffix}")


class BadRequestError(APIStatusError):
    """400: the server rejected the request's content."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this."""


class NotFoundError(APIStatusError):
    """404: no such phone number (or path)."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state."""


class UnprocessableEntityError(APIStatusError):
    """422: the server understood the request but will not act on it."""


class RateLimitError(APIStatusError):
    """429: too many requests. `retry_after` is the server's requested wait, if any."""


class InternalServerError(APIStatusError):
    """5xx: the server failed."""
