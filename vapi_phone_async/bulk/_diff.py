"""What differs between a desired row and a live number, field by field, and whether a
create buys a number.

Only fields an update can set are compared (not what the server assigns, nor a Vapi
number's `number`); a `<set>` placeholder (a secret an export hid) is not compared, nor a
secret the server does not show; a nested object is compared by the fields the row gives,
so defaults the server adds never look like a difference.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import msgspec

from .._secrets import REDACTED, SECRET_KEYS, redact_at
from ..models import (
    UPDATE_BODIES,
    CreatePhoneNumber,
    CreateVapiPhoneNumber,
    PhoneNumber,
    UnknownPhoneNumber,
)
from ..models._base import kept_extras
from ..models._wire import nest

__all__ = ["Change", "diff", "is_purchase", "unknown_changes"]

_ENCODE = msgspec.json.Encoder().encode


class Change(msgspec.Struct, frozen=True):
    """One field an update changes: its wire name, and its value now and wanted.

    `str()` gives it for a person, secrets hidden: `name 'Desk' -> 'Front'`, and
    `twilioAuthToken <set> -> <set> (changed)` where hiding makes both look alike.
    """

    field: str
    current: Any
    wanted: Any

    def shown(self) -> tuple[Any, Any]:
        """`current` and `wanted` as they may be shown: a secret as `<set>` (or None),
        the secrets inside an object hidden."""
        path = (self.field,)
        return redact_at(path, self.current), redact_at(path, self.wanted)

    def __str__(self) -> str:
        current, wanted = self.shown()
        text = f"{self.field} {_text(current)} -> {_text(wanted)}"
        return f"{text} (changed)" if current == wanted else text

    def __repr__(self) -> str:
        return f"Change({self})"


def _text(value: Any) -> str:
    return REDACTED if value == REDACTED else repr(value)


def is_purchase(body: CreatePhoneNumber) -> bool:
    """Whether creating `body` buys a number: a Vapi number without a SIP URI."""
    return isinstance(body, CreateVapiPhoneNumber) and not body.sip_uri


def diff(data: Mapping[str, Any], number: PhoneNumber, provider: str) -> list[Change]:
    """The fields of `data` an update can set whose values `number` does not have."""
    if _ENCODE(data) == _ENCODE(number):
        # A row exported from this very number, unchanged: byte for byte the same JSON
        # (the export keeps the fields' order). Most rows of a sync are such, and this
        # costs a fraction of comparing them field by field.
        return []
    settable = _settable(provider)
    attributes = _attributes(type(number)) if not isinstance(number, UnknownPhoneNumber) else {}
    changes = []
    for name, wanted in data.items():
        if name not in settable or wanted == REDACTED:
            continue
        if isinstance(number, UnknownPhoneNumber):
            current = number.get(name)
        else:
            current = getattr(number, attributes[name], None) if name in attributes else None
            if isinstance(current, msgspec.Struct | list):
                current = msgspec.to_builtins(current)
        if name in SECRET_KEYS and current is None:
            continue  # a secret the server does not show: nothing to compare with
        if not _covers(wanted, current):
            changes.append(Change(name, current, wanted))
    return changes


def unknown_changes(wanted: Mapping[str, Any], number: PhoneNumber) -> list[Change]:
    """The fields this version does not model that a row wants (`wanted`, nested, as
    `unknown_fields` gives them) and `number` does not have, top-level field by field."""
    if not wanted:
        return []
    if isinstance(number, UnknownPhoneNumber):
        current: Mapping[str, Any] = number
    else:
        extras = kept_extras(number)
        current = nest(extras.unknown) if extras is not None else {}
    return [
        Change(name, current.get(name), value)
        for name, value in wanted.items()
        if not _covers(value, current.get(name))
    ]


def _covers(wanted: Any, current: Any) -> bool:
    """Whether `current` has what `wanted` asks for: equal values, and for an object, the
    fields `wanted` gives (a `<set>` placeholder asks for nothing)."""
    if wanted == current and type(wanted) is type(current):
        return True  # the usual case, decided in one C-level comparison
    if isinstance(wanted, dict):
        if not isinstance(current, dict):
            return False
        return all(
            value == REDACTED or _covers(value, current.get(key)) for key, value in wanted.items()
        )
    if isinstance(wanted, list):
        return (
            isinstance(current, list)
            and len(wanted) == len(current)
            and all(_covers(w, c) for w, c in zip(wanted, current, strict=True))
        )
    if isinstance(wanted, bool) or isinstance(current, bool):
        return wanted is current
    return bool(wanted == current)


@functools.cache
def _settable(provider: str) -> frozenset[str]:
    """The wire names of the fields an update of `provider` numbers sets."""
    cls = UPDATE_BODIES[provider]
    return frozenset(f.encode_name for f in msgspec.structs.fields(cls)) - {"provider"}


@functools.cache
def _attributes(cls: type[Any]) -> dict[str, str]:
    """Wire name -> attribute name, for a phone number class."""
    return {f.encode_name: f.name for f in msgspec.structs.fields(cls)}
