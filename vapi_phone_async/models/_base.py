"""The shared base of every wire model: msgspec config, secret-safe repr, raw unknowns."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import msgspec

from .._secrets import REDACTED, redact_mapping, redact_values

__all__ = ["Model", "UnknownItem"]


class Model(msgspec.Struct, rename="camel", omit_defaults=True, kw_only=True, gc=False):
    # kw_only is not inherited by msgspec, so every subclass repeats it.
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
