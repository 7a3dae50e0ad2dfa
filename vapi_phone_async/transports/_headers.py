"""A session's default headers, and what of a request's headers still has to be handed
over with it.

aiohttp copies every header handed to a request into a multidict, on every request (a
few microseconds for a client's three); the headers its session sends by default cost
nothing more. So a client's own headers (key, user agent, accept) become its session's
defaults, and a read-only header set (a client's, shared by all its calls) is reduced,
once, to the headers it adds or changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["DefaultHeaders"]


class DefaultHeaders:
    """The headers a session sends with every request (`sent`); `beyond(headers)` is what
    of a request's `headers` is left to hand over (None: nothing)."""

    __slots__ = ("_reduced", "sent")

    def __init__(self, sent: Mapping[str, str] | None) -> None:
        self.sent = dict(sent or {})
        self._reduced: dict[int, tuple[Mapping[str, str], dict[str, str] | None]] = {}

    def __repr__(self) -> str:
        return f"DefaultHeaders({sorted(self.sent)})"  # the names: a value is the key

    def beyond(self, headers: Mapping[str, str]) -> Mapping[str, str] | None:
        """The headers of `headers` the defaults lack or carry otherwise; a request's own
        header replaces a default of the same name."""
        sent = self.sent
        if not sent or type(headers) is not MappingProxyType:
            return headers  # a call's own set (extra headers): handed over as it is
        known = self._reduced.get(id(headers))
        if known is not None and known[0] is headers:
            return known[1]
        beyond = {name: value for name, value in headers.items() if sent.get(name) != value}
        if len(self._reduced) > 16:  # views of a client with other headers: stay small
            self._reduced.clear()
        self._reduced[id(headers)] = (headers, beyond or None)
        return beyond or None
