"""Deprecated names, kept for a release: a call under its old name warns, then does the
same as under its new one."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

__all__ = ["deprecated_alias"]

P = ParamSpec("P")
T = TypeVar("T")


def deprecated_alias(new: Callable[P, Awaitable[T]], old: str) -> Callable[P, Awaitable[T]]:
    """`new` (a method's function) under its `old` name, warning `DeprecationWarning`."""

    @functools.wraps(new)
    async def alias(*args: P.args, **kwargs: P.kwargs) -> T:
        warnings.warn(
            f"client.{old}() is deprecated: call client.{new.__name__}(), the same call",
            DeprecationWarning,
            stacklevel=2,
        )
        return await new(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old
    alias.__doc__ = f"Deprecated: `{new.__name__}` under its old name, for a release."
    return alias
