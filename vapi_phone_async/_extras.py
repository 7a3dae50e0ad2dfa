"""`extra_body`, `extra_headers` and `extra_query`: what a call sends beyond its typed
arguments, for fields and parameters this version does not model yet.

They are checked before anything is sent, like every argument: a mapping with string
keys, values the wire can carry, and nothing that would take a call's own place (the
`Authorization` header, a query parameter the call sets itself). The typed body is
validated and encoded first; `extra_body` is merged into those bytes last, unvalidated:
the server is the judge of a field this client does not know.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import msgspec

from .errors import FieldError, RequestValidationError
from .models._wire import merge_extra

__all__ = ["body_with_extra", "extra_headers", "extra_query"]

# Headers the transport sets: a call that replaced them would send its key elsewhere,
# or a body the server cannot read.
_OWN_HEADERS = frozenset({"authorization", "content-type", "content-length", "host"})


def body_with_extra(body: bytes, extra: Mapping[str, Any] | None) -> bytes:
    """The encoded `body` with `extra_body` merged in (objects key by key)."""
    if extra is None:
        return body
    _require_mapping("extra_body", extra)
    try:
        return merge_extra(body, extra)
    except (TypeError, msgspec.EncodeError) as error:
        raise RequestValidationError(
            [FieldError("extra_body", f"must hold JSON values only ({error})")]
        ) from None


def extra_headers(headers: Mapping[str, str] | None) -> dict[str, str] | None:
    """`extra_headers`, checked: strings without line breaks, none the client sets."""
    if headers is None:
        return None
    _require_mapping("extra_headers", headers)
    errors = []
    for name, value in headers.items():
        where = f"extra_headers[{name!r}]"
        if not isinstance(value, str) or any(c in value for c in "\r\n\0"):
            # The value is never shown: a header may well hold a secret.
            errors.append(FieldError(where, "must be a string without line breaks"))
        elif any(c in name for c in "\r\n\0: ") or not name:
            errors.append(FieldError(where, "is not a header name"))
        elif name.lower() in _OWN_HEADERS:
            errors.append(FieldError(where, "is set by the client and cannot be replaced"))
    if errors:
        raise RequestValidationError(errors)
    return dict(headers) or None


def extra_query(
    query: Mapping[str, Any] | None, params: dict[str, str], reserved: Collection[str] = ()
) -> dict[str, str] | None:
    """`params` with `extra_query` added (numbers and booleans written as JSON does), or
    None when there are none; a parameter the call sets itself (`reserved`, or already in
    `params`) is refused."""
    if query is None:
        return params or None
    _require_mapping("extra_query", query)
    errors = []
    added = dict(params)
    for name, value in query.items():
        where = f"extra_query[{name!r}]"
        if name in params or name in reserved:
            errors.append(FieldError(where, "is a parameter of this call: pass it by name"))
        elif isinstance(value, bool):
            added[name] = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            added[name] = str(value)
        else:
            errors.append(FieldError(where, "must be a string, number or boolean"))
    if errors:
        raise RequestValidationError(errors)
    return added or None


def _require_mapping(name: str, value: Any) -> None:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        got = type(value).__name__
        raise RequestValidationError(
            [FieldError(name, f"must be a mapping with string keys (got {got})")]
        )
