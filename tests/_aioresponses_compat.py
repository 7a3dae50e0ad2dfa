"""A ClientResponse that aioresponses 0.7.9 can build under aiohttp 3.14."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import aiohttp


class CompatResponse(aiohttp.ClientResponse):
    """aioresponses 0.7.9 predates the `stream_writer` argument aiohttp 3.14 requires
    (aioresponses issue 289); pass `response_class=CompatResponse` to its stubs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
        super().__init__(*args, **kwargs)
