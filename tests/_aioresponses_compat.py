"""A ClientResponse that aioresponses 0.7.9 can build under every aiohttp we support."""

from __future__ import annotations

import inspect
from types import SimpleNamespace
from typing import Any

import aiohttp

# aiohttp 3.14 added a required `stream_writer` argument; 3.12 and 3.13 refuse it.
_NEEDS_STREAM_WRITER = "stream_writer" in inspect.signature(aiohttp.ClientResponse).parameters


class CompatResponse(aiohttp.ClientResponse):
    """aioresponses 0.7.9 predates the `stream_writer` argument aiohttp 3.14 requires
    (aioresponses issue 289); pass `response_class=CompatResponse` to its stubs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if _NEEDS_STREAM_WRITER:
            kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
        super().__init__(*args, **kwargs)
