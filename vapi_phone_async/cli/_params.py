"""How the command line reads its values: choices in any case, dates a person types, and
the environment variables it reads. A bad value is refused by click naming the flag
(`--created-at-ge`), never by the library naming the wire field (`createdAtGe`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import click

from .._query import SEARCH_MAX, format_datetime
from ..errors import RequestValidationError

__all__ = ["ENVIRONMENT_HELP", "check_search", "choice", "parse_datetime"]

ENVIRONMENT_HELP = """\b
Environment variables:
  VAPI_API_KEY       the API key (--api-key)
  VAPI_BASE_URL      the API's URL (--base-url)
  VAPI_ALLOW_HTTP    1: allow http:// to a host that is not loopback
  VAPI_LOG           debug or info: log requests and retries to stderr
  VAPI_LOCK_DIR      where the apply locks are (import, sync --apply, bulk-update)
  VAPI_REDIS_URL     a Redis for a fleet: pace through it, and hold the locks there
  TWILIO_AUTH_TOKEN  create --twilio-auth-token
  TWILIO_API_SECRET  create --twilio-api-secret
"""
"""The epilog of `--help`: every variable the command reads (`\\b` keeps its lines)."""

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def choice(values: Sequence[str]) -> click.Choice[str]:
    """One of `values`, in any case (`--sort asc`); the value as written in `values`."""
    return click.Choice(values, case_sensitive=False)


def parse_datetime(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """A date (`2024-01-31`, midnight UTC) or a date and time with its zone
    (`2024-01-31T09:30:00Z`, `...+02:00`), as an aware datetime; a click callback."""
    if value is None:
        return None
    text = value.strip()
    if _DATE.fullmatch(text):
        text += "T00:00:00+00:00"
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "Zz" else text)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date (2024-01-31) or an ISO 8601 date and time "
            "(2024-01-31T09:30:00Z)",
            ctx,
            param,
        ) from None
    if moment.tzinfo is None:
        raise click.BadParameter(
            f"{value!r} has no time zone, so it means another moment in every zone: "
            f"write {text}Z for UTC, or {text}+02:00 for two hours ahead of it",
            ctx,
            param,
        )
    try:
        format_datetime("date", moment)
    except RequestValidationError:
        raise click.BadParameter(
            f"{value!r} falls outside the years 1 to 9999 in UTC", ctx, param
        ) from None
    return moment


def check_search(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """`--search` as the API takes it: at most 100 characters; a click callback."""
    if value is not None and len(value) > SEARCH_MAX:
        raise click.BadParameter(
            f"is {len(value)} characters long; at most {SEARCH_MAX}", ctx, param
        )
    return value
