"""What a decoded object keeps beside its fields, by path: the fields this version does
not know and the values its fields cannot hold.

The decoders store them (`keep_extras`); the models show them (`unknown_fields`,
`invalid_fields`, `repr`); an export writes them back in place and a sync compares them.
Below the models, so that each of those can reach it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["Extras", "Path", "keep_extras", "kept_extras", "path_text"]

Path = tuple[str | int, ...]
"""Where a value sits inside a decoded object: keys and list indexes, outermost first."""

_new_tuple = tuple.__new__


class Extras(NamedTuple):
    """What a decoded object keeps beside its fields, by `Path`."""

    unknown: dict[Path, Any]
    invalid: dict[Path, Any]


def keep_extras(obj: object, unknown: dict[Path, Any], invalid: dict[Path, Any]) -> None:
    """Keep what the decoder found beside `obj`'s fields (nothing is stored when empty).

    `obj` is a `Decoded` model: its `__dict__` is the room msgspec gives it for this."""
    if unknown or invalid:
        # tuple.__new__ skips the Python-level __new__ of a NamedTuple: a page can keep
        # extras on each of its thousand numbers.
        obj.__dict__["_extras"] = _new_tuple(Extras, (unknown, invalid))


def kept_extras(obj: object) -> Extras | None:
    """What `keep_extras` stored on `obj`, if anything."""
    extras: Extras | None = obj.__dict__.get("_extras")
    return extras


def path_text(path: Path) -> str:
    """`("hooks", 0, "do")` as `"hooks[0].do"`, the style of validation errors."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
