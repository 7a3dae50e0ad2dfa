"""The shared base of every wire model: msgspec config, secret-safe repr, raw unknowns, and
what a decoded object keeps beside its fields (`unknown_fields`, `invalid_fields`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar

import msgspec

from .._kept import Path, kept_extras, path_text
from .._secrets import REDACTED, redact_at, redact_mapping, redact_values

__all__ = ["MAY_BE_UNKNOWN", "Decoded", "Lenient", "Model", "UnknownItem"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


class Model(
    msgspec.Struct,
    rename="camel",
    omit_defaults=True,
    kw_only=True,
    gc=False,
    forbid_unknown_fields=True,
):
    # kw_only is not inherited by msgspec, so every subclass repeats it. Unknown fields
    # fail msgspec's own decoding on purpose: that failure is how the package's decoder
    # learns that a body holds fields to keep, and which and where (see `_novel`), and a
    # strict decode that succeeds proves none is left.
    """Base of every model: snake_case attributes, camelCase on the wire.

    Fields named in `__secret_fields__` show only that they are set in `repr`; a field in
    `__secret_mapping_fields__` shows its keys but not its values.
    """

    __secret_fields__: ClassVar[frozenset[str]] = frozenset()
    __secret_mapping_fields__: ClassVar[frozenset[str]] = frozenset()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(self._repr_parts())})"

    def __str__(self) -> str:
        return repr(self)

    def _repr_parts(self) -> Iterator[str]:
        for field in msgspec.structs.fields(self):
            value = getattr(self, field.name)
            # Like repr_omit_defaults, except that a None set on an update body (where it
            # clears the field) is shown.
            if value is msgspec.UNSET or (value is None and field.default is None):
                continue
            if field.name in self.__secret_fields__ and value is not None:
                yield f"{field.name}={REDACTED!r}"
            elif field.name in self.__secret_mapping_fields__ and value is not None:
                yield f"{field.name}={redact_values(value)!r}"
            else:
                yield f"{field.name}={value!r}"


class UnknownItem(dict[str, Any]):
    """A nested object whose shape this version does not know (say, a new hook `on`).

    It holds the raw JSON mapping unchanged, so writing the parent back sends it as it came.
    """

    def __repr__(self) -> str:
        return f"{type(self).__name__}({redact_mapping(self)!r})"

    def __str__(self) -> str:
        return repr(self)


@dataclass(frozen=True)
class Lenient:
    """`Annotated` metadata of a union the lenient decoder may fill with `fallback`.

    msgspec ignores it and decodes the known members; type checkers see the fallback in
    the union itself (the `TYPE_CHECKING` branch beside each such alias).
    """

    fallback: type[UnknownItem]


MAY_BE_UNKNOWN = Lenient(UnknownItem)


class Decoded(Model, gc=True, dict=True, kw_only=True):
    # dict=True (which msgspec allows only with gc=True) gives each instance the room to
    # keep what the decoder found beside its fields, without a field of its own.
    """Base of what a response holds at its top (a number, a page, its metadata).

    Besides its fields it keeps, read-only and keyed by wire path (`"server.region"`,
    `"hooks[0].do[0].voice"`):

    - `unknown_fields`: the JSON fields this version has no attribute for;
    - `invalid_fields`: values of a type the field cannot hold (the field is None).

    Both show in `repr` with secrets hidden, and an export writes them back in place.
    """

    @property
    def unknown_fields(self) -> Mapping[str, Any]:
        """The fields the server sent that this version does not know, by wire path."""
        return _texts(self, "unknown")

    @property
    def invalid_fields(self) -> Mapping[str, Any]:
        """Values the server sent that their field cannot hold (it is None), by wire path."""
        return _texts(self, "invalid")

    def _repr_parts(self) -> Iterator[str]:
        yield from super()._repr_parts()
        extras = kept_extras(self)
        if extras is None:
            return
        for name, found in (("unknown_fields", extras.unknown), ("invalid_fields", extras.invalid)):
            if found:
                shown = {path_text(path): redact_at(path, value) for path, value in found.items()}
                yield f"{name}={shown!r}"


def _texts(obj: Decoded, kind: str) -> Mapping[str, Any]:
    extras = kept_extras(obj)
    found: dict[Path, Any] | None = None if extras is None else getattr(extras, kind)
    if not found:
        return _EMPTY
    return MappingProxyType({path_text(path): value for path, value in found.items()})
