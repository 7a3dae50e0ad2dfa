"""What differs between a desired row and a live number, what an update must send to make
it so, and whether a create buys a number.

Only fields an update can set are compared (not what the server assigns, nor a Vapi
number's `number`). A nested object is compared by the fields the row gives, so defaults
the server adds never look like a difference; when it differs, the update sends it whole:
the live object with the row's values merged in (see `_merge`), since Vapi replaces each
top-level key a PATCH holds.

Secrets: a hidden one in the row (`<set>`, or a server's mask an export copied) stands for
the live value: never compared, never sent, and when the number has none it is counted
as not copied. A secret the server shows only masked cannot be compared: the row's value
is sent when its object is sent anyway; an object that would go without it is refused.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, NamedTuple

import msgspec

from .._kept import Path, kept_extras, path_text
from .._lenient import split_unknown
from .._secrets import REDACTED, SECRET_KEYS, redact_at
from .._wire import nest, to_wire
from ..errors import FieldError
from ..models import (
    UPDATE_BODIES,
    CreatePhoneNumber,
    CreateVapiPhoneNumber,
    PhoneNumber,
    UnknownPhoneNumber,
)
from ._merge import field_type, merge
from ._rows import holds_secret, is_hidden, unknown_fields

__all__ = ["Change", "Comparison", "compare", "diff", "is_purchase"]

_ENCODE = msgspec.json.Encoder().encode


class Change(msgspec.Struct, frozen=True):
    """One field an update changes: its wire name, and its value now and wanted (for a
    nested object, the whole object the update sends).

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


class Comparison(NamedTuple):
    """A row against its number: the `changes`; the `body` an update sends (wire names,
    the fields this version models) and its `extra` (those it does not, with
    `resend_unknown`); the hidden secrets the number does not have (`not_copied`, wire
    paths); and the `problems` that forbid the update (empty when it may be sent)."""

    changes: list[Change]
    body: dict[str, Any]
    extra: dict[str, Any]
    not_copied: list[str]
    problems: list[FieldError]


def is_purchase(body: CreatePhoneNumber) -> bool:
    """Whether creating `body` buys a number: a Vapi number without a SIP URI."""
    return isinstance(body, CreateVapiPhoneNumber) and not body.sip_uri


def diff(data: Mapping[str, Any], number: PhoneNumber, provider: str) -> list[Change]:
    """The fields of `data` an update can set whose values `number` does not have (see
    `compare` for what the update sends)."""
    return compare(data, number, provider).changes


def compare(
    data: Mapping[str, Any],
    number: PhoneNumber,
    provider: str,
    *,
    resend_unknown: bool = False,
) -> Comparison:
    """`data` (a row in wire form) against the live `number` of `provider` (see the module
    docstring). `resend_unknown` also compares and sends the fields this version does not
    model, nested ones with their object."""
    if _ENCODE(data) == _ENCODE(number):
        # A row exported from this very number, unchanged: byte for byte the same JSON
        # (the export keeps the fields' order). Most rows of a sync are such, and this
        # costs a fraction of comparing them field by field.
        return _SAME
    return _Comparer(number, provider, resend_unknown).run(data)


_SAME = Comparison([], {}, {}, [], [])
"""The comparison of a row that is its number: one, shared (never changed), since most rows
of a sync are, and ten thousand empty lists and dicts would only burden the collector."""


class _Comparer:
    def __init__(self, number: PhoneNumber, provider: str, resend_unknown: bool) -> None:
        self.number = number
        self.provider = provider
        self.resend = resend_unknown
        self.result = Comparison([], {}, {}, [], [])
        self._wire: dict[str, Any] | None = None
        self._typed = not isinstance(number, UnknownPhoneNumber) and kept_extras(number) is None

    def run(self, data: Mapping[str, Any]) -> Comparison:
        settable = _settable(self.provider)
        for name, wanted in data.items():
            if name not in settable:
                continue
            current = self._live(name)
            if wanted == current and type(wanted) is type(current):
                continue  # the usual case, decided in one C-level comparison
            if isinstance(wanted, dict):
                self._object(name, wanted, current)
            else:
                self._field(name, wanted, current)
        if self.resend:
            self._unknown(data)
        return self.result

    def _field(self, name: str, wanted: Any, current: Any) -> None:
        secret = name in SECRET_KEYS
        if is_hidden(wanted, secret=secret):
            if current is None:
                self.result.not_copied.append(name)
        elif not _covers(wanted, current, name, secret):
            self.result.changes.append(Change(name, current, wanted))
            self.result.body[name] = wanted

    def _object(self, name: str, wanted: dict[str, Any], current: Any) -> None:
        _absent(wanted, current, name, self.result.not_copied)
        if _covers(wanted, current, name):
            return
        cls = UPDATE_BODIES[self.provider]
        if not self.resend:  # what this version does not model is neither compared nor sent
            wanted = split_unknown({"provider": self.provider, name: wanted}, cls)[0][name]
            if _covers(wanted, current, name):
                return
        merged = merge(current, wanted, field_type(cls, name), (name,))
        known, unknown = split_unknown({"provider": self.provider, name: merged.value}, cls)
        if merged.unknowable:
            one = len(merged.unknowable) == 1
            is_, it, its = ("is", "it", "its value") if one else ("are", "them", "their values")
            rule = (
                f"{is_} set on the number, but the server shows {it} only masked, and an "
                f"update of {name} sends the whole object, which would drop {it}: give {its} "
                f"in the row (or export with --show-secrets where the server shows {it})"
            )
            self._refuse(merged.unknowable, rule)
        if unknown and not self.resend:
            one = len(unknown) == 1
            is_, it = ("is a field", "it") if one else ("are fields", "them")
            rule = (
                f"{is_} this version does not model: an update of {name} sends the whole "
                f"object, which would drop {it}; resend_unknown=True (--resend-unknown) "
                f"sends {it} too"
            )
            self._refuse(list(unknown), rule)
        self.result.changes.append(Change(name, current, merged.value))
        self.result.body[name] = known[name]
        if unknown:
            self.result.extra.update(_merged(self.result.extra, nest(unknown)))

    def _refuse(self, paths: list[Path], rule: str) -> None:
        shown = ", ".join(path_text(path) for path in paths)
        self.result.problems.append(FieldError(shown, rule))

    def _unknown(self, data: Mapping[str, Any]) -> None:
        """The top-level fields this version does not model (nested ones went with their
        object), compared with what the number keeps of its own."""
        known = _attributes(type(self.number))
        if isinstance(self.number, UnknownPhoneNumber):
            kept: Mapping[str, Any] = self.number
        else:
            extras = kept_extras(self.number)
            kept = nest(extras.unknown) if extras is not None else {}
        for name, wanted in unknown_fields(data).items():
            if name in known:
                continue
            current = kept.get(name)
            if _covers(wanted, current, name):
                continue
            value = merge(current, wanted, None, (name,)).value
            self.result.changes.append(Change(name, current, value))
            self.result.extra[name] = value

    def _live(self, name: str) -> Any:
        """The number's value of `name` in wire form, with what it keeps beside its fields
        (unknown fields, values its fields could not hold)."""
        number = self.number
        if self._typed:
            attribute = _attributes(type(number)).get(name)
            current = getattr(number, attribute, None) if attribute is not None else None
            if isinstance(current, msgspec.Struct | list):
                current = msgspec.to_builtins(current)
            return current
        if isinstance(number, UnknownPhoneNumber):
            return number.get(name)
        if self._wire is None:
            self._wire = to_wire(number)
        return self._wire.get(name)


def _absent(wanted: dict[str, Any], current: Any, path: str, found: list[str]) -> None:
    """Add to `found` the wire paths of the hidden secrets of `wanted` (an object of a row,
    at `path`) that `current` (the number's) does not have."""
    parent = path.rpartition(".")[2]
    for key, value in wanted.items():
        here = f"{path}.{key}"
        live = current.get(key) if isinstance(current, dict) else None
        if isinstance(value, dict):
            _absent(value, live, here, found)
        elif live is None and is_hidden(value, secret=holds_secret(key, parent)):
            found.append(here)


def _covers(wanted: Any, current: Any, key: Any = None, secret: bool = False) -> bool:
    """Whether `current` has what `wanted` asks for: equal values, and for an object, the
    fields `wanted` gives. A hidden secret asks for nothing; a masked one cannot be told
    apart from any value."""
    if wanted == current and type(wanted) is type(current):
        return True  # the usual case, decided in one C-level comparison
    if isinstance(wanted, str):
        return is_hidden(wanted, secret=secret) or (secret and is_hidden(current))
    if secret and wanted is not None and is_hidden(current):
        return True
    if isinstance(wanted, dict):
        if current is None:
            current = {}
        elif not isinstance(current, dict):
            return False
        return all(
            _covers(value, current.get(name), name, holds_secret(name, key))
            for name, value in wanted.items()
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


def _merged(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(out.get(key), dict) and isinstance(value, Mapping):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


@functools.cache
def _settable(provider: str) -> frozenset[str]:
    """The wire names of the fields an update of `provider` numbers sets."""
    cls = UPDATE_BODIES[provider]
    return frozenset(f.encode_name for f in msgspec.structs.fields(cls)) - {"provider"}


@functools.cache
def _attributes(cls: type[Any]) -> dict[str, str]:
    """Wire name -> attribute name, for a phone number class."""
    if not issubclass(cls, msgspec.Struct):
        return {}
    return {f.encode_name: f.name for f in msgspec.structs.fields(cls)}
