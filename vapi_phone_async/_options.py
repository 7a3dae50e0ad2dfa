"""Every option of the client and of its calls, checked once, before anything is sent.

The client's options are checked at construction (`client_option_errors`); a call's
`timeout=`, `backoff=`, `deadline=`, `extra_headers=` and `extra_query=` are resolved
against the client's into one `CallOptions`, once per call (`resolve`), and a view's by
`view_options`. Each check returns or raises the broken rules (`_rules.py`) as
`FieldError`s naming the option. No rule echoes the value it checks when the value may
hold a secret (the key, a URL with user info, a header).
"""

from __future__ import annotations

import dataclasses
import enum
import ipaddress
import math
from collections.abc import Callable, Collection, Mapping
from functools import partial
from typing import Any, Final
from urllib.parse import urlsplit

import msgspec

from ._rules import amount, count, flag, fraction, raise_for, require_mapping
from ._validate import validate_backoff
from .errors import FieldError, RequestValidationError
from .models import BackoffPlan
from .transports import DEFAULT_TIMEOUT, Timeout

__all__ = [
    "DEFAULT_BACKOFF",
    "DEFAULT_BASE_URL",
    "DEFAULT_DEADLINE",
    "USE_CLIENT_DEFAULT",
    "CallOptions",
    "NativeTimeout",
    "RetrySettings",
    "TimeoutOption",
    "UseClientDefault",
    "api_key_errors",
    "attempt_timeout",
    "check_base_url",
    "client_option_errors",
    "extra_headers",
    "extra_query",
    "is_loopback",
    "resolve",
    "view_options",
    "with_max_retries",
]

DEFAULT_BASE_URL: Final = "https://api.vapi.ai"
"""Where the client sends its requests unless `base_url=` or `VAPI_BASE_URL` says otherwise."""
DEFAULT_BACKOFF = BackoffPlan(type="exponential", max_retries=3, base_delay_seconds=0.5)
DEFAULT_DEADLINE: Final = 120.0
"""Seconds a call may take in all, its retries and waits included, unless told otherwise:
two attempts' worth of the default 60 s timeout, and more than a 429 pause can ask."""


class UseClientDefault(enum.Enum):
    """The type of USE_CLIENT_DEFAULT: a per-call option left to the client's setting."""

    USE_CLIENT_DEFAULT = "USE_CLIENT_DEFAULT"


# A sentinel, because None already means "off" for timeout= and deadline=.
USE_CLIENT_DEFAULT: Final = UseClientDefault.USE_CLIENT_DEFAULT

TimeoutOption = float | Timeout | None
"""A `timeout=`: seconds for the whole attempt, a `Timeout`, or None (no bound)."""
NativeTimeout = Callable[[object], "Timeout | None"]


@dataclasses.dataclass(frozen=True)
class RetrySettings:
    """The client-side knobs around a BackoffPlan."""

    plan: BackoffPlan = DEFAULT_BACKOFF
    max_delay: float = 30.0
    max_retry_after: float = 60.0
    jitter: float = 0.2


@dataclasses.dataclass(frozen=True)
class CallOptions:
    """What one call goes by: its attempt `timeout`, its `retry` settings, its `deadline`
    (seconds for the whole call, None: none), and the extra `headers` and `query`
    parameters it sends (checked)."""

    timeout: Timeout = DEFAULT_TIMEOUT
    retry: RetrySettings = RetrySettings()
    deadline: float | None = DEFAULT_DEADLINE
    headers: Mapping[str, str] | None = None
    query: Mapping[str, Any] | None = None

    def query_with(
        self, params: dict[str, str], reserved: Collection[str] = ()
    ) -> dict[str, str] | None:
        """The call's own `params` with the extra query parameters added (None: none)."""
        if self.query is None:  # nearly every call: no function call more
            return params or None
        return extra_query(self.query, params, reserved)


def resolve(
    defaults: CallOptions,
    timeout: TimeoutOption | UseClientDefault,
    backoff: BackoffPlan | UseClientDefault,
    deadline: float | UseClientDefault | None,
    headers: Mapping[str, str] | None = None,
    query: Mapping[str, Any] | None = None,
    *,
    native: NativeTimeout | None = None,
) -> CallOptions:
    """A call's options: what it was given, checked, and the client's `defaults` where it
    gave nothing (then `defaults` itself, at no cost). `native` reads a timeout of the
    transport's own kind (deprecated)."""
    if timeout is backoff is deadline is USE_CLIENT_DEFAULT and headers is query is None:
        return defaults
    changes: dict[str, Any] = {}
    if not isinstance(timeout, UseClientDefault):
        changes["timeout"] = attempt_timeout(timeout, native=native)
    if not isinstance(backoff, UseClientDefault):
        validate_backoff(backoff)
        changes["retry"] = dataclasses.replace(defaults.retry, plan=backoff)
    if not isinstance(deadline, UseClientDefault):
        raise_for(amount("deadline", deadline, allow_zero=False))
        changes["deadline"] = deadline
    if headers is not None:
        changes["headers"] = extra_headers(headers)
    if query is not None:
        require_mapping("extra_query", query)
        changes["query"] = query
    return dataclasses.replace(defaults, **changes)


def view_options(
    defaults: CallOptions,
    *,
    rate_limit: float | None,
    backoff: BackoffPlan | UseClientDefault,
    max_retries: int | None,
    timeout: TimeoutOption | UseClientDefault,
    deadline: float | UseClientDefault | None,
    native: NativeTimeout | None = None,
) -> CallOptions:
    """The options of a view made by `with_options`, checked (`rate_limit` too, which the
    view's pacer applies)."""
    raise_for(amount("rate_limit", rate_limit, allow_zero=False))
    options = resolve(defaults, timeout, backoff, deadline, native=native)
    if max_retries is None and options.retry.plan is defaults.retry.plan:
        return options
    plan = with_max_retries(options.retry.plan, max_retries)
    return dataclasses.replace(options, retry=dataclasses.replace(options.retry, plan=plan))


def attempt_timeout(
    value: object, name: str = "timeout", *, native: NativeTimeout | None = None
) -> Timeout:
    """The `Timeout` of a `timeout=`: seconds (the total; connect and read no longer than
    it), a `Timeout` (each bound positive or None), or None (no bound at all). `native`
    may read another kind (the aiohttp transport's `ClientTimeout`, deprecated). Raises
    `RequestValidationError` for anything else."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if value is None or (isinstance(value, int | float) and number and 0 < value < math.inf):
        return Timeout.of(value)
    timeout = value if isinstance(value, Timeout) else native(value) if native else None
    if timeout is None:
        got = repr(value) if number else type(value).__name__
        rule = f"must be positive seconds, a vapi_phone_async.Timeout or None (got {got})"
        raise RequestValidationError([FieldError(name, rule)])
    bounds = ("total", "connect", "read")
    positive = partial(amount, allow_zero=False)
    raise_for(e for b in bounds for e in positive(f"{name}.{b}", getattr(timeout, b)))
    return timeout


def with_max_retries(plan: BackoffPlan, max_retries: int | None) -> BackoffPlan:
    """`plan`, checked, with `max_retries` retries when given."""
    if max_retries is not None:
        if count("max_retries", max_retries, minimum=0) or max_retries > 10:
            # A BackoffPlan's own bound, as Vapi sets it for webhooks.
            rule = f"must be an integer from 0 to 10 (got {max_retries!r})"
            raise RequestValidationError([FieldError("max_retries", rule)])
        if isinstance(plan, BackoffPlan):
            plan = msgspec.structs.replace(plan, max_retries=max_retries)
    validate_backoff(plan)
    return plan


def api_key_errors(value: Any, name: str = "api_key") -> list[FieldError]:
    """A non-empty string without whitespace or control characters; never echoed."""
    if not isinstance(value, str):
        return [FieldError(name, f"must be a string (got {type(value).__name__})")]
    if not value:
        return [FieldError(name, "must not be empty")]
    if any(char.isspace() or not char.isprintable() for char in value):
        # A key pasted with its newline, say: aiohttp would refuse the header at the first
        # call, and its error would show the header.
        return [FieldError(name, "must not contain whitespace or control characters")]
    return []


def check_base_url(value: Any, *, allow_http: bool = False, name: str = "base_url") -> str:
    """The base URL without a trailing slash; raises `RequestValidationError` naming the
    rule it breaks, and where the URL came from (`name`: `base_url`, `VAPI_BASE_URL`).
    `https://` to a host, with an optional port and path; `http://` only to a loopback
    host, or to any with `allow_http`. The URL is never echoed: it may carry a password."""
    rule = _base_url_rule(value, allow_http=allow_http)
    if rule is not None:
        raise RequestValidationError([FieldError(name, rule)])
    text: str = value
    return text.rstrip("/")


def _base_url_rule(value: Any, *, allow_http: bool) -> str | None:
    if not isinstance(value, str):
        return f"must be a string (got {type(value).__name__})"
    if any(char.isspace() or not char.isprintable() for char in value):
        return "must not contain whitespace or control characters"
    try:
        parts = urlsplit(value)
        port = parts.port  # parsed on access: raises for a port that is not one
    except ValueError:
        return "must be a URL like https://api.vapi.ai, with a port from 1 to 65535 if any"
    if parts.scheme not in ("https", "http"):
        return "must be an https:// URL (http:// only for loopback hosts)"
    if not parts.hostname:
        return "must name a host, like https://api.vapi.ai"
    if parts.username is not None or parts.password is not None:
        return "must not hold user info (user:password@); give the key as api_key"
    if port == 0:
        return "must have a port from 1 to 65535, if it has one"
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        return "must not have a query or a fragment (? or #): paths are added to it"
    if parts.scheme == "http" and not (allow_http or is_loopback(parts.hostname)):
        return (
            "must be an https:// URL: http:// sends the key in the clear, so it is allowed "
            "only to a loopback host, or with allow_http=True (or VAPI_ALLOW_HTTP=1)"
        )
    return None


def is_loopback(host: str) -> bool:
    """Whether `host` is a name or address of this machine's loopback interface."""
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _instance_of(
    name: str, value: Any, kind: type[Any] | tuple[type[Any], ...], *, required: bool = False
) -> list[FieldError]:
    if (value is None and not required) or isinstance(value, kind):
        return []
    kinds = kind if isinstance(kind, tuple) else (kind,)
    expected = " or ".join(k.__name__ for k in kinds)
    return [FieldError(name, f"must be {expected} (got {type(value).__name__})")]


def _callable_or_none(name: str, value: Any) -> list[FieldError]:
    if value is None or callable(value):
        return []
    return [FieldError(name, f"must be callable (got {type(value).__name__})")]


_Rule = Callable[[str, Any], list[FieldError]]
_CLIENT_RULES: dict[str, _Rule] = {
    "allow_http": flag,
    "adaptive_rate": flag,
    "max_connections": partial(count, minimum=0),
    "max_connections_per_host": partial(count, minimum=0),
    "pool_timeout": amount,
    "rate_limit": partial(amount, allow_zero=False),
    "rate_window": partial(amount, allow_zero=False),
    "deadline": partial(amount, allow_zero=False),
    "max_delay": partial(amount, allow_none=False),
    "max_retry_after": partial(amount, allow_none=False),
    "jitter": fraction,
    "sleep": _callable_or_none,
    "apply_locks": _callable_or_none,
}


def client_option_errors(
    given: Mapping[str, Any], kinds: Mapping[str, type[Any] | tuple[type[Any], ...]]
) -> list[FieldError]:
    """The broken rules of `VapiPhoneClient`'s options, `given` by name: numbers, flags
    and functions here, and `kinds`, the classes some must be instances of (the client
    names them: they live in layers above this one)."""
    errors = [error for name, rule in _CLIENT_RULES.items() for error in rule(name, given[name])]
    for name, kind in kinds.items():
        errors += _instance_of(name, given[name], kind, required=name == "retry_budget")
    return errors


# Headers the client sets, and those that frame the message or steer the connection
# (RFC 9110 7.6.1): a call that set them would send its key elsewhere, or a body the
# server reads differently from what was sent (`Transfer-Encoding: chunked` on a body
# of known length leaves every attempt waiting).
_OWN_HEADERS = frozenset(
    {"authorization", "content-type", "content-length", "host", "transfer-encoding"}
    | {"connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade"}
)


def extra_headers(headers: Mapping[str, str] | None) -> dict[str, str] | None:
    """`extra_headers`, checked: strings without line breaks, none the client sets or
    that frames the request, each name once (names are case-insensitive)."""
    if headers is None:
        return None
    require_mapping("extra_headers", headers)
    errors = []
    seen: set[str] = set()
    for name, value in headers.items():
        where = f"extra_headers[{name!r}]"
        if not isinstance(value, str) or any(c in value for c in "\r\n\0"):
            # The value is never shown: a header may well hold a secret.
            errors.append(FieldError(where, "must be a string without line breaks"))
        elif any(c in name for c in "\r\n\0: ") or not name:
            errors.append(FieldError(where, "is not a header name"))
        elif name.lower() in _OWN_HEADERS:
            errors.append(FieldError(where, "is set by the client and cannot be replaced"))
        elif name.lower() in seen:
            errors.append(FieldError(where, "is given twice (header names are case-insensitive)"))
        seen.add(name.lower())
    raise_for(errors)
    return dict(headers) or None


def extra_query(
    query: Mapping[str, Any] | None, params: dict[str, str], reserved: Collection[str] = ()
) -> dict[str, str] | None:
    """`params` with `extra_query` added (numbers and booleans written as JSON does), or
    None when there are none; a parameter the call sets itself (`reserved`, or already in
    `params`), in any case, is refused."""
    if query is None:
        return params or None
    require_mapping("extra_query", query)
    errors = []
    added = dict(params)
    # Compared case-insensitively: a server may read `Limit` as `limit`.
    taken = {name.lower() for name in (*params, *reserved)}
    seen: set[str] = set()
    for name, value in query.items():
        where = f"extra_query[{name!r}]"
        if name.lower() in taken:
            errors.append(FieldError(where, "is a parameter of this call: pass it by name"))
        elif name.lower() in seen:
            errors.append(FieldError(where, "is given twice (names are case-insensitive)"))
        elif isinstance(value, bool):
            added[name] = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            added[name] = str(value)
        else:
            errors.append(FieldError(where, "must be a string, number or boolean"))
        seen.add(name.lower())
    raise_for(errors)
    return added or None
