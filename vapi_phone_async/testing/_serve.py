"""A FakeVapiServer served until interrupted, and the options of both command lines that
serve one (`python -m vapi_phone_async.testing` and `vapi-phone fake-server`).

`ServeOptions` is the one definition of those options: each field is a flag of both
(`tie_rate` is `--tie-rate`), with its type, default, help and bounds, and `ServeOption.check`
the one check of a value given. This module builds the argparse parser from them; the CLI
builds its click options from `SERVE_OPTIONS`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import signal
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ._listing import PAGE_CAP, CursorMode
from ._server import DEFAULT_HOST, TEST_API_KEY, FakeVapiServer

__all__ = [
    "CURSORS",
    "SERVE_OPTIONS",
    "ServeOption",
    "ServeOptions",
    "parse",
    "serve",
    "serve_until_interrupted",
]


def _option(
    default: Any,
    help: str,
    minimum: int | None = None,
    maximum: int | None = None,
    *,
    secret: bool = False,
    choices: tuple[str, ...] | None = None,
) -> Any:
    return dataclasses.field(
        default=default,
        repr=not secret,
        metadata={"help": help, "minimum": minimum, "maximum": maximum, "choices": choices},
    )


# `--cursors` by name, as FakeVapiServer(cursors=...) takes it.
CURSORS: dict[str, CursorMode] = {
    "off": False,
    "on": True,
    "shown-only": "shown-only",
    "ignored": "ignored",
}


@dataclass(frozen=True)
class ServeOptions:
    """How to serve the fake: one field per command-line option, with its default."""

    host: str = _option(DEFAULT_HOST, "address to listen on; 0.0.0.0 for every interface")
    port: int = _option(0, "port to listen on; 0 for a free one", 0, 65535)
    numbers: int = _option(0, "numbers to seed", 0)
    # A fake's key, yet kept out of the repr as every key is.
    api_key: str = _option(TEST_API_KEY, "the bearer key the fake accepts", secret=True)
    seed: int = _option(0, "seed of the generated numbers")
    tie_rate: float = _option(
        0.0, "share of numbers that get the previous number's createdAt millisecond", 0, 1
    )
    latency: float = _option(0.0, "seconds before each answer", 0)
    cursors: str = _option(
        "off",
        "nextCursor and `cursor`: off (neither, as the spec), on (shown and honoured),"
        " shown-only (shown, `cursor` refused) or ignored (shown, `cursor` ignored)",
        choices=tuple(CURSORS),
    )
    no_cursors: bool = _option(False, "the same as --cursors off, the default")
    page_cap: int = _option(
        PAGE_CAP, "most numbers a listing answer holds, as the live API; 0 for no cap", 0
    )
    capped_offsets: bool = _option(False, "count a capped page's offset from the cap, not limit")
    full_metadata: bool = _option(False, "add the metadata fields the spec leaves optional")


@dataclass(frozen=True)
class ServeOption:
    """One option of `ServeOptions`, as a command-line parser needs it."""

    name: str  # the field's name, `tie_rate`
    kind: type[Any]  # str, int, float, or bool for a flag without a value
    default: Any
    help: str
    minimum: int | None  # the bounds, inclusive
    maximum: int | None
    choices: tuple[str, ...] | None = None  # the values a text option takes

    @property
    def flag(self) -> str:
        """`--tie-rate` for `tie_rate`."""
        return "--" + self.name.replace("_", "-")

    @property
    def bounds(self) -> str:
        """`0 <= x <= 1`, say, or "" for an option without bounds."""
        if self.minimum is None and self.maximum is None:
            return ""
        low = "" if self.minimum is None else f"{self.minimum} <= "
        high = "" if self.maximum is None else f" <= {self.maximum}"
        return f"{low}x{high}"

    def describe(self) -> str:
        """The help, with the bounds if there are any."""
        return f"{self.help} ({self.bounds})" if self.bounds else self.help

    def convert(self, text: str) -> Any:
        """The value of `text`; raises ValueError saying what is wrong with it."""
        try:
            value = self.kind(text)
        except ValueError:
            what = "a whole number" if self.kind is int else "a number"
            raise ValueError(f"{text!r} is not {what}") from None
        self.check(value)
        return value

    def check(self, value: Any) -> None:
        """Raise ValueError if `value` is out of bounds (NaN always is) or not a choice."""
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"{value!r} is not one of {', '.join(self.choices)}")
        if (self.minimum is not None and not value >= self.minimum) or (
            self.maximum is not None and not value <= self.maximum
        ):
            raise ValueError(f"{value} is not in the range {self.bounds}")


def _options() -> tuple[ServeOption, ...]:
    kinds = typing.get_type_hints(ServeOptions)
    return tuple(
        ServeOption(
            name=field.name,
            kind=kinds[field.name],
            default=field.default,
            help=field.metadata["help"],
            minimum=field.metadata["minimum"],
            maximum=field.metadata["maximum"],
            choices=field.metadata["choices"],
        )
        for field in dataclasses.fields(ServeOptions)
    )


SERVE_OPTIONS = _options()
"""Every option of both command lines, in the order their help lists them."""


def parse(argv: Sequence[str] | None = None) -> ServeOptions:
    """The options in `argv` (default: the process's arguments) of `python -m
    vapi_phone_async.testing`. A bad one exits with argparse's usage error (status 2)."""
    parser = argparse.ArgumentParser(
        prog="python -m vapi_phone_async.testing",
        description="Serve a fake Vapi Phone Numbers API until interrupted.",
    )
    for option in SERVE_OPTIONS:
        if option.kind is bool:
            parser.add_argument(option.flag, action="store_true", help=option.help)
            continue
        parser.add_argument(
            option.flag,
            type=_converter(option),
            default=option.default,
            help=f"{option.describe()} (default: {option.default})",
        )
    return ServeOptions(**vars(parser.parse_args(argv)))


def _converter(option: ServeOption) -> Callable[[str], Any]:
    """`option.convert`, with its error in the form argparse reports."""

    def convert(text: str) -> Any:
        try:
            return option.convert(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return convert


async def serve(options: ServeOptions) -> None:
    """Start the fake, print where it is, and serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Not on Windows: there Ctrl+C still raises KeyboardInterrupt, which
        # serve_until_interrupted handles.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    # Served until interrupted: keep the request log from growing without end.
    server = FakeVapiServer(
        api_key=options.api_key,
        host=options.host,
        port=options.port,
        cursors=False if options.no_cursors else CURSORS[options.cursors],
        seed=options.seed,
        latency=options.latency,
        max_log=10_000,
        page_cap=options.page_cap or None,
        page_offsets="capped" if options.capped_offsets else "asked",
        full_metadata=options.full_metadata,
    )
    server.seed(options.numbers, seed=options.seed, tie_rate=options.tie_rate)
    async with server:
        # The first line is for scripts: the URL, then the key.
        print(f"{server.url} {options.api_key}", flush=True)
        where = "" if options.host == DEFAULT_HOST else f", listening on {options.host}"
        print(
            f"Fake Vapi server with {len(server.numbers)} numbers on {server.url}{where}"
            f" (Authorization: Bearer {options.api_key}); Ctrl+C stops it.",
            flush=True,
        )
        if where:
            print(
                "A client on another host speaks plain HTTP to it: allow it with"
                " VAPI_ALLOW_HTTP=1 (or allow_http=True).",
                flush=True,
            )
        await stop.wait()


def serve_until_interrupted(options: ServeOptions) -> int:
    """Serve the fake until interrupted; the exit status (0)."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(options))
    return 0
