"""A client's parts, made from its options: every option checked, then the transport, the
pacer over the pacing backend, and the exchange that joins them.

The client's environment is read here, each variable where an argument is not given:
`VAPI_API_KEY`, `VAPI_BASE_URL`, `VAPI_ALLOW_HTTP` and `VAPI_LOG` (docs/environment.md
lists every variable the package reads).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ._call import Exchange, own_headers
from ._events import checked_hooks
from ._logs import log_from_environment
from ._options import (
    DEFAULT_BASE_URL,
    CallOptions,
    RetrySettings,
    api_key_errors,
    attempt_timeout,
    check_base_url,
    client_option_errors,
    with_max_retries,
)
from ._rules import raise_for
from ._waits import default_sleep
from .errors import FieldError, RequestValidationError
from .pacing import Backend, LocalPacing, Pacer, RedisPacing, RetryBudget
from .transports import AiohttpTransport, Session, Transport, from_client_timeout

__all__ = ["exchange_for"]

_TRUE = frozenset({"1", "true", "yes", "on"})


def exchange_for(given: Mapping[str, Any]) -> Exchange:
    """The exchange of a `VapiPhoneClient` made with `given`, its options by name. Raises
    `RequestValidationError` naming every bad option, before anything is made."""
    log_from_environment()
    key, key_name = given["api_key"], "api_key"
    if key is None:
        key, key_name = os.environ.get("VAPI_API_KEY"), "VAPI_API_KEY"
    if key is None:
        rule = "is required: pass api_key= or set VAPI_API_KEY"
        raise RequestValidationError([FieldError("api_key", rule)])
    kinds: dict[str, type[Any] | tuple[type[Any], ...]] = {
        "session": Session,
        "transport": Transport,
        "pacing": RedisPacing,
        "retry_budget": (bool, RetryBudget),
    }
    raise_for(api_key_errors(key, key_name) + client_option_errors(given, kinds))
    if given["session"] is not None and given["transport"] is not None:
        rule = "goes with the default transport: pass session= or transport=, not both"
        raise RequestValidationError([FieldError("session", rule)])
    allow_http = given["allow_http"] or os.environ.get("VAPI_ALLOW_HTTP", "") in _TRUE
    base_url, url_name = _base_url(given["base_url"])
    url = check_base_url(base_url, allow_http=allow_http, name=url_name)
    plan = with_max_retries(given["backoff"], given["max_retries"])
    retry = RetrySettings(plan, given["max_delay"], given["max_retry_after"], given["jitter"])
    timeout = attempt_timeout(given["timeout"], native=from_client_timeout)
    transport = given["transport"] or AiohttpTransport(
        url,
        session=given["session"],
        max_connections=given["max_connections"],
        max_connections_per_host=given["max_connections_per_host"],
        pool_timeout=given["pool_timeout"],
        headers=own_headers(key),
    )
    return Exchange(
        transport,
        Pacer(_backend(given, url, key), rate_limit=given["rate_limit"]),
        CallOptions(timeout, retry, given["deadline"]),
        given["sleep"] or default_sleep,
        key,
        url,
        checked_hooks(given["event_hooks"]),
        from_client_timeout,
    )


def _base_url(given: str | None) -> tuple[str, str]:
    """The base URL and where it came from: the argument, else `VAPI_BASE_URL` (unless
    empty), else the default."""
    if given is not None:
        return given, "base_url"
    from_environment = os.environ.get("VAPI_BASE_URL", "")
    if from_environment:
        return from_environment, "VAPI_BASE_URL"
    return DEFAULT_BASE_URL, "base_url"


def _backend(given: Mapping[str, Any], url: str, key: str) -> Backend:
    """Where the client's pacing state lives: in this process, or in Redis for a fleet."""
    budget = given["retry_budget"]
    budget = RetryBudget() if budget is True else budget or None
    window, adaptive = given["rate_window"] or 0.0, given["adaptive_rate"]
    pacing: RedisPacing | None = given["pacing"]
    if pacing is None:
        return LocalPacing(budget=budget, window=window, adaptive=adaptive)
    return pacing.backend_for(url, key, budget=budget, window=window, adaptive=adaptive)
