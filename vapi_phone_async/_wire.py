"""Models back to JSON with what they keep beside their fields, and extra fields merged
into a body: the wire format of what this version does not model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from ._kept import Path, kept_extras
from .models import Decoded, UnknownItem

__all__ = ["merge_extra", "nest", "to_wire"]

_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode


def to_wire(value: Any) -> Any:
    """`value` as JSON builtins, with the unknown fields and invalid values a decoded
    object keeps put back where the server sent them (secrets are not hidden here)."""
    if isinstance(value, UnknownItem):
        return dict(value) if getattr(value, "is_object", True) else getattr(value, "source", None)
    if isinstance(value, list):
        return [to_wire(item) for item in value]
    if not isinstance(value, msgspec.Struct):
        return msgspec.to_builtins(value)
    data: dict[str, Any] = msgspec.to_builtins(value)
    if isinstance(value, Decoded):
        # A page holds decoded numbers and metadata, each with extras of its own.
        cls = type(value)
        for name, wire_name in zip(
            cls.__struct_fields__, cls.__struct_encode_fields__, strict=True
        ):
            item = getattr(value, name)
            if isinstance(item, Decoded | list) and wire_name in data:
                data[wire_name] = to_wire(item)
        extras = kept_extras(value)
        if extras is not None:
            for path, found in (*extras.invalid.items(), *extras.unknown.items()):
                _put(data, path, found)
    return data


def _put(data: Any, path: Path, value: Any) -> None:
    *parents, last = path
    for part in parents:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return  # its parent was not kept typed: the raw value kept there holds it
    if isinstance(data, dict) and isinstance(last, str):
        data[last] = value


def nest(found: Mapping[Path, Any]) -> dict[str, Any]:
    """Values by path as one nested mapping (`{("server", "region"): "eu"}` gives
    `{"server": {"region": "eu"}}`); a path through a list is left out, since a partial
    list cannot be merged into a body."""
    out: dict[str, Any] = {}
    for path, value in found.items():
        if not all(isinstance(part, str) for part in path):
            continue
        *parents, last = path
        node = out
        for part in parents:
            node = node.setdefault(str(part), {})
        node[str(last)] = value
    return out


def merge_extra(body: bytes, extra: Mapping[str, Any]) -> bytes:
    """A JSON object `body` with `extra` merged in: objects are merged key by key (so
    `{"server": {"region": "eu"}}` keeps the body's server url), anything else replaces.

    This is how `extra_body` reaches the wire: the typed body is validated and encoded
    first, and what this version does not model is merged into the bytes last.
    """
    if not extra:
        return body
    data = _decode(body)
    if not isinstance(data, dict):
        raise TypeError("extra fields can only be merged into a JSON object body")
    return _encode(_merged(data, extra))


def _merged(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        current = out.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            out[key] = _merged(current, value)
        else:
            out[key] = value
    return out
