"""What every subcommand shares: the API settings (`--api-key`, `--base-url`, `--retries`,
`--debug`), the client they make, and the options common to several commands."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click
from msgspec.structs import replace

from .._options import DEFAULT_BACKOFF
from .._query import DATE_FILTERS
from ..client import DEFAULT_BASE_URL, VapiPhoneClient
from ..pacing import RedisPacing
from ._output import FORMATS
from ._params import choice, parse_datetime

__all__ = [
    "Settings",
    "api_options",
    "date_filters",
    "output_option",
    "run",
    "show_secrets_option",
]

F = TypeVar("F", bound=Callable[..., Any])
_LOGGER = logging.getLogger("vapi_phone_async")
R = TypeVar("R")


@dataclass
class Settings:
    """The API settings of one invocation; the key is never printed (see `__repr__`)."""

    api_key: str | None = None
    base_url: str = DEFAULT_BASE_URL
    debug: bool = False
    retries: int | None = None
    _log_handler: logging.Handler | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"Settings(base_url={self.base_url!r}, debug={self.debug})"

    def client(self, **options: Any) -> VapiPhoneClient:
        """A client for these settings; a usage error when there is no key."""
        if not self.api_key:
            raise click.UsageError("no API key: pass --api-key or set VAPI_API_KEY")
        if self.debug and self._log_handler is None:
            # Requests and retries on stderr; the library's log lines never hold the key.
            self._log_handler = logging.StreamHandler(sys.stderr)
            self._log_handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
            _LOGGER.addHandler(self._log_handler)
            _LOGGER.setLevel(logging.DEBUG)
        if self.retries is not None:
            options.setdefault("backoff", replace(DEFAULT_BACKOFF, max_retries=self.retries))
        if os.environ.get("VAPI_REDIS_URL"):  # a fleet: its pacing, and its apply locks
            try:
                options.setdefault("pacing", RedisPacing(os.environ["VAPI_REDIS_URL"]))
            except ImportError as error:
                raise click.UsageError(f"VAPI_REDIS_URL is set, but {error}") from error
        return VapiPhoneClient(api_key=self.api_key, base_url=self.base_url, **options)

    def close(self) -> None:
        """Undo what this invocation changed in the process (the debug log handler)."""
        if self._log_handler is not None:
            _LOGGER.removeHandler(self._log_handler)
            _LOGGER.setLevel(logging.NOTSET)
            self._log_handler = None


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    # Given on the group or on the subcommand, the value lands in the one Settings.
    if value is not None and value is not False and param.name is not None:
        setattr(ctx.ensure_object(Settings), param.name, value)


def api_options(*, from_environment: bool = False) -> Callable[[F], F]:
    """--api-key, --base-url, --retries and --debug; the group also reads the key and the
    URL from the environment.

    Subcommands never read the environment, so a key given on the command line is not
    overridden by VAPI_API_KEY.
    """

    def decorate(function: F) -> F:
        options = [
            click.option(
                "--api-key",
                envvar="VAPI_API_KEY" if from_environment else None,
                show_envvar=from_environment,
                metavar="KEY",
                expose_value=False,
                callback=_remember,
                help="Vapi private API key (default: $VAPI_API_KEY). Never printed.",
            ),
            click.option(
                "--base-url",
                envvar="VAPI_BASE_URL" if from_environment else None,
                metavar="URL",
                expose_value=False,
                callback=_remember,
                help=f"API base URL (default: {DEFAULT_BASE_URL}).",
            ),
            click.option(
                "--retries",
                type=click.IntRange(0, 10),
                expose_value=False,
                callback=_remember,
                help="Retries of a failed request (default 3, exponential backoff).",
            ),
            click.option(
                "--debug",
                is_flag=True,
                expose_value=False,
                callback=_remember,
                help="Show tracebacks and log requests.",
            ),
        ]
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


def date_filters(function: F) -> F:
    """One option per date filter of the API: --created-at-gt ... --updated-at-le."""
    for name in reversed(DATE_FILTERS):
        wire = DATE_FILTERS[name]
        function = click.option(
            "--" + name.replace("_", "-"),
            name,
            callback=parse_datetime,
            metavar="DATE",
            help=f"Only numbers with {wire} (2024-01-31: midnight UTC; or with a time and "
            "zone: 2024-01-31T09:30:00Z).",
        )(function)
    return function


def output_option(default: str = "table") -> Callable[[F], F]:
    return click.option(
        "--output",
        "-o",
        type=choice(FORMATS),
        default=default,
        show_default=True,
        help="Output format (tables are plain tab-separated text when not on a terminal).",
    )


show_secrets_option = click.option(
    "--show-secrets",
    is_flag=True,
    help="Print secret values (auth tokens, SIP passwords, server secrets) instead of <set>.",
)


def run(coroutine: Coroutine[Any, Any, R]) -> R:
    """Run one command's async body to completion."""
    return asyncio.run(coroutine)
