"""Deprecated names and meanings, kept for a release: a call under its old name warns, then
does the same as under its new one; a result used in its old way warns, then acts as it
did."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, ParamSpec, TypeVar

from .models import PhoneNumber, PhoneNumberPage
from .pagination import Pager

__all__ = ["ListPager", "ListedPage", "deprecated_alias"]

P = ParamSpec("P")
T = TypeVar("T")


def deprecated_alias(
    new: Callable[P, Awaitable[T]], old: str, owner: str = "client"
) -> Callable[P, Awaitable[T]]:
    """`new` (a method's function) under its `old` name, warning `DeprecationWarning`;
    `owner` is what the message calls it on."""

    @functools.wraps(new)
    async def alias(*args: P.args, **kwargs: P.kwargs) -> T:
        warnings.warn(
            f"{owner}.{old}() is deprecated: call {owner}.{new.__name__}(), the same call",
            DeprecationWarning,
            stacklevel=2,
        )
        return await new(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old
    alias.__doc__ = f"Deprecated: `{new.__name__}` under its old name, for a release."
    return alias


_AS_A_LIST = (
    "await client.list() is the first page (a PhoneNumberPage) since 0.2, not a list of "
    "numbers: read page.results, walk every number with `async for n in client.list()`, "
    "or call client.list_recent() for the list v1 answers"
)


def _as_a_list() -> None:
    # stacklevel 3: the caller of the dunder method that warns.
    warnings.warn(_AS_A_LIST, DeprecationWarning, stacklevel=3)


class ListedPage(PhoneNumberPage, kw_only=True):
    """The first page of `await client.list()`, which was a list of numbers until 0.2.

    Used as that list (iterated, unpacked, indexed, measured, tested for truth, compared
    with a list), it warns `DeprecationWarning` and acts on `results`, for a release.
    """

    def __iter__(self) -> Iterator[PhoneNumber]:
        _as_a_list()
        return iter(self.results)

    def __len__(self) -> int:
        _as_a_list()
        return len(self.results)

    def __getitem__(self, index: Any) -> Any:
        _as_a_list()
        return self.results[index]

    def __repr__(self) -> str:  # a PhoneNumberPage, as the types say
        return "PhoneNumberPage" + super().__repr__().removeprefix(type(self).__name__)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, list):
            _as_a_list()
            return self.results == other
        return PhoneNumberPage.__eq__(self, other)


class ListPager(Pager):
    """The pager of `client.list()`: its first page is a `ListedPage`."""

    async def first_page(self) -> PhoneNumberPage:
        page = await super().first_page()
        listed = ListedPage(results=page.results, metadata=page.metadata)
        listed.__dict__.update(page.__dict__)  # what the decoder kept beside the fields
        return listed
