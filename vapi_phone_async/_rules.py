"""The small rules that arguments and options are checked by: integers, amounts, flags,
fractions, mappings. Each returns the broken rule as `FieldError`s naming the argument, so
a caller reports every bad one at once with `raise_for(errors)`."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import FieldError, RequestValidationError

__all__ = ["amount", "count", "flag", "fraction", "is_number", "raise_for", "require_mapping"]


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
    if is_number(value) and math.isfinite(value) and (value > 0 or (allow_zero and value == 0)):
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
    if is_number(value) and 0 <= value <= 1:
        return []
    return [FieldError(name, f"must be from 0 to 1 (got {value!r})")]


def raise_for(errors: Iterable[FieldError]) -> None:
    """Raise `RequestValidationError` with `errors`, if there are any."""
    found = list(errors)
    if found:
        raise RequestValidationError(found)


def is_number(value: Any) -> bool:
    """An int or a float, not a bool."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def require_mapping(name: str, value: Any) -> None:
    """Raise `RequestValidationError` unless `value` is a mapping with string keys."""
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        got = type(value).__name__
        raise RequestValidationError(
            [FieldError(name, f"must be a mapping with string keys (got {got})")]
        )
