"""Checks of the client's options (URL, key, numbers) and its bulk runs', before anything
is sent.

Each check returns the broken rules as `FieldError`s naming the option, so a caller can
report every bad option at once with `raise_for(errors)`. No rule echoes the value it
checks when the value may hold a secret (the key, a URL with user info).
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from .errors import FieldError, RequestValidationError

__all__ = [
    "amount",
    "api_key_errors",
    "check_base_url",
    "count",
    "flag",
    "fraction",
    "is_loopback",
    "raise_for",
]

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def count(name: str, value: Any, *, minimum: int = 1) -> list[FieldError]:
    """An integer of at least `minimum` (a bool is not an integer here)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return []
    return [FieldError(name, f"must be an integer of at least {minimum} (got {value!r})")]


def amount(
    name: str, value: Any, *, allow_none: bool = True, allow_zero: bool = True
) -> list[FieldError]:
    """A finite number (seconds, a rate), not negative (or, without `allow_zero`, positive)."""
    if value is None and allow_none:
        return []
    if _is_number(value) and math.isfinite(value) and (value > 0 or (allow_zero and value == 0)):
        return []
    rule = "a finite number, not negative" if allow_zero else "a positive, finite number"
    return [FieldError(name, f"must be {rule} (got {value!r})")]


def flag(name: str, value: Any) -> list[FieldError]:
    """True or False."""
    if isinstance(value, bool):
        return []
    return [FieldError(name, f"must be True or False (got {type(value).__name__})")]


def fraction(name: str, value: Any) -> list[FieldError]:
    """A number from 0 to 1."""
    if _is_number(value) and 0 <= value <= 1:
        return []
    return [FieldError(name, f"must be from 0 to 1 (got {value!r})")]


def raise_for(errors: Iterable[FieldError]) -> None:
    """Raise `RequestValidationError` with `errors`, if there are any."""
    found = list(errors)
    if found:
        raise RequestValidationError(found)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


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


def check_base_url(value: Any, *, allow_http: bool = False) -> str:
    """The base URL without a trailing slash; raises `RequestValidationError` naming the
    rule it breaks. `https://` to a host, with an optional port and path; `http://` only
    to a loopback host, or to any with `allow_http`. The URL is never echoed: it may carry
    a password."""
    rule = _base_url_rule(value, allow_http=allow_http)
    if rule is not None:
        raise RequestValidationError([FieldError("base_url", rule)])
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
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
