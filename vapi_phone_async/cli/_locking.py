"""One writer at a time on the command line: `--wait` and `--wait-timeout`, the account's
apply lock held around plan, prompt and apply, and a plan made again when the account
changed before its apply (it is shown, and asked about again unless `--yes`).

Without `--wait`, a command that finds another apply to the account running exits at once
with `LOCKED` (75, EX_TEMPFAIL: try again later), having sent nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, TypeVar

import click

from ..client import VapiPhoneClient
from ..errors import ApplyLockedError, StalePlanError
from ._prompt import confirm

__all__ = [
    "LOCKED",
    "MAX_REPLANS",
    "confirm_again",
    "locked",
    "locked_message",
    "plan_again",
    "wait_of",
    "wait_options",
]

F = TypeVar("F", bound=Callable[..., Any])
P = TypeVar("P")

LOCKED = 75
"""The exit code when another apply to the account holds its lock (EX_TEMPFAIL)."""
MAX_REPLANS = 3
"""How many times a command plans again for an account that keeps changing."""


def wait_options(function: F) -> F:
    """--wait and --wait-timeout SECONDS."""
    function = click.option(
        "--wait-timeout",
        type=click.FloatRange(min=0),
        metavar="SECONDS",
        help="Wait at most this long for another apply (implies --wait).",
    )(function)
    return click.option(
        "--wait",
        is_flag=True,
        help="Wait for another apply to this account to end (without: exit 75 at once).",
    )(function)


def wait_of(wait: bool, wait_timeout: float | None) -> bool | float:
    """The `wait` of `client.apply_lock` for --wait and --wait-timeout."""
    return wait_timeout if wait_timeout is not None else wait


@asynccontextmanager
async def locked(client: VapiPhoneClient, wait: bool | float) -> AsyncIterator[None]:
    """Hold the account's apply lock; say so on stderr when another apply makes it wait."""
    async with AsyncExitStack() as stack:
        try:
            await stack.enter_async_context(client.apply_lock())
        except ApplyLockedError:
            if wait is False:
                raise
            click.echo(
                f"waiting for another apply to the account at {client.base_url} to end ...",
                err=True,
            )
            await stack.enter_async_context(client.apply_lock(wait=wait))
        yield


def locked_message(error: ApplyLockedError) -> str:
    """The one line a command prints for `ApplyLockedError`."""
    how = (
        f"still running after {error.waited:g} s of waiting"
        if error.waited
        else "--wait waits for it to end (--wait-timeout SECONDS: at most that long)"
    )
    return f"another apply to the account at {error.base_url} is running: {how}"


async def plan_again(error: StalePlanError, attempt: int, replan: Callable[[], Awaitable[P]]) -> P:
    """The account changed since plan number `attempt` (0 the first): plan again, or
    give up with `error` after `MAX_REPLANS`."""
    if attempt + 1 >= MAX_REPLANS:
        raise error
    click.echo(
        f"the account changed since the plan was made ({error.planned} numbers then, "
        f"{error.now} now, or some were changed): planning again",
        err=True,
    )
    return await replan()


def confirm_again(yes: bool) -> None:
    """A plan made again is asked about (its table was shown), unless --yes."""
    confirm(
        "The account changed since the first plan. Apply the new plan?",
        what="apply a plan made again (the account changed; the new plan is above)",
        yes=yes,
    )
