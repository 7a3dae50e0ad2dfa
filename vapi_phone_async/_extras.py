"""`extra_body`: fields a body sends beyond its typed ones, for fields this version does
not model yet (`extra_headers` and `extra_query`, which need no model, are checked with
the other options in `_options.py`).

It is checked before anything is sent, like every argument: a mapping with string keys,
values the wire can carry, and nothing that would take the place of what the call sets
or checks itself. The typed body is validated and encoded first; `extra_body` is
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
from collections.abc import Iterator, Mapping
from typing import Any

import msgspec

from ._rules import require_mapping
from ._wire import merge_extra
from .errors import FieldError, RequestValidationError

__all__ = ["body_with_extra"]

# What says which number a body is, or whether a create buys one (a Vapi number with an
# area code and no SIP URI): never from extras, whatever the body's model.
_IDENTIFYING = frozenset({"provider", "id", "number", "sipUri", "numberDesiredAreaCode"})


def body_with_extra(body: msgspec.Struct, extra: Mapping[str, Any] | None) -> bytes:
    """`body` encoded, with `extra_body` merged in (objects key by key); a key of `extra`
    that the body's model knows is refused (see the module docstring)."""
    encoded = msgspec.json.encode(body)
    if extra is None:
        return encoded
    require_mapping("extra_body", extra)
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
