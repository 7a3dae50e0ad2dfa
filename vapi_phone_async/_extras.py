"""`extra_body`, `extra_headers` and `extra_query`: what a call sends beyond its typed
arguments, for fields and parameters this version does not model yet.

They are checked before anything is sent, like every argument: a mapping with string
keys, values the wire can carry, and nothing that would take the place of what the call
sets or checks itself. The typed body is validated and encoded first; `extra_body` is
merged into those bytes last (objects key by key), so it may carry only what the models
do not know: a key of a field the body's model has, at any depth, is refused whether the
body sets it or not (it would bypass the checks), as are the keys that say which number a
body is or whether a create buys one. An object the typed body holds is only entered, to
reach the unknown keys inside it (`{"server": {"region": "eu"}}` beside a typed `server`);
one it does not hold cannot be made of extras. The server is the judge of a field this
client does not know.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator, Mapping
from typing import Any

import msgspec

from ._wire import merge_extra
from .errors import FieldError, RequestValidationError

__all__ = ["body_with_extra", "extra_headers", "extra_query"]

# Headers the transport sets, and those that frame the message or steer the connection
# (RFC 9110 7.6.1): a call that set them would send its key elsewhere, or a body the
# server reads differently from what was sent (`Transfer-Encoding: chunked` on a body
# of known length leaves every attempt waiting).
_OWN_HEADERS = frozenset(
    {
        "authorization",
        "content-type",
        "content-length",
        "host",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
    }
)
# What says which number a body is, or whether a create buys one (a Vapi number with an
# area code and no SIP URI): never from extras, whatever the body's model.
_IDENTIFYING = frozenset({"provider", "id", "number", "sipUri", "numberDesiredAreaCode"})


def body_with_extra(body: msgspec.Struct, extra: Mapping[str, Any] | None) -> bytes:
    """`body` encoded, with `extra_body` merged in (objects key by key); a key of `extra`
    that the body's model knows is refused (see the module docstring)."""
    encoded = msgspec.json.encode(body)
    if extra is None:
        return encoded
    _require_mapping("extra_body", extra)
    sent = msgspec.json.decode(encoded)
    errors = list(_known_keys(extra, type(body), body, sent, "extra_body", top=True))
    if errors:
        raise RequestValidationError(errors)
    try:
        return merge_extra(encoded, extra)
    except (TypeError, msgspec.EncodeError) as error:
        raise RequestValidationError(
            [FieldError("extra_body", f"must hold JSON values only ({error})")]
        ) from None


def _known_keys(
    extra: Mapping[str, Any],
    model: type[msgspec.Struct],
    value: msgspec.Struct,
    sent: Mapping[str, Any],
    where: str,
    *,
    top: bool = False,
) -> Iterator[FieldError]:
    """A `FieldError` for each key of `extra`, at any depth, that `model` knows.

    `value` is the typed object at this place and `sent` what it encodes to. An object
    the body holds is entered; one it does not hold is refused whole: made of extras
    alone, it would skip its checks, and a PATCH would replace the live object with it.
    """
    for key, item in extra.items():
        path = f"{where}.{key}"
        if top and key in _IDENTIFYING:
            yield FieldError(
                path, "says which number this is (or buys one): set it on the typed body"
            )
            continue
        name = _attributes(model).get(key)
        if name is None and key != model.__struct_config__.tag_field:
            continue  # a field this version does not model: what extras are for
        inner = getattr(value, name) if name is not None and key in sent else None
        if isinstance(item, Mapping) and isinstance(inner, msgspec.Struct):
            yield from _known_keys(item, type(inner), inner, sent[key], path)
        elif key in sent:
            yield FieldError(path, "is set by the typed body: extras cannot replace it")
        else:
            yield FieldError(
                path,
                "is a field this version models: set it on the typed body, where it is "
                "checked (extras carry only fields the models do not know, inside objects "
                "the body holds)",
            )


@functools.cache
def _attributes(model: type[msgspec.Struct]) -> dict[str, str]:
    """The wire names of a model's fields -> their attribute names."""
    return {f.encode_name: f.name for f in msgspec.structs.fields(model)}


def extra_headers(headers: Mapping[str, str] | None) -> dict[str, str] | None:
    """`extra_headers`, checked: strings without line breaks, none the client sets or
    that frames the request, each name once (names are case-insensitive)."""
    if headers is None:
        return None
    _require_mapping("extra_headers", headers)
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
    if errors:
        raise RequestValidationError(errors)
    return dict(headers) or None


def extra_query(
    query: Mapping[str, Any] | None, params: dict[str, str], reserved: Collection[str] = ()
) -> dict[str, str] | None:
    """`params` with `extra_query` added (numbers and booleans written as JSON does), or
    None when there are none; a parameter the call sets itself (`reserved`, or already in
    `params`), in any case, is refused."""
    if query is None:
        return params or None
    _require_mapping("extra_query", query)
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
    if errors:
        raise RequestValidationError(errors)
    return added or None


def _require_mapping(name: str, value: Any) -> None:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        got = type(value).__name__
        raise RequestValidationError(
            [FieldError(name, f"must be a mapping with string keys (got {got})")]
        )
