"""Questions before a change, asked the same way by every command (delete, sync, import,
bulk-update): `--yes` asks nothing; on a terminal, a yes/no prompt, where anything but a
yes (Ctrl+C and the end of input too) exits `DECLINED` having changed nothing; off a
terminal, never a prompt: a usage error (exit 2) that says to add --yes."""

from __future__ import annotations

import sys

import click

from ._clock import waiting

__all__ = ["DECLINED", "Declined", "ask", "can_ask", "confirm"]

DECLINED = 3
"""The exit code when a prompt is answered no: nothing was changed."""


class Declined(Exception):
    """A prompt answered no (or closed): the command stops, having changed nothing."""

    def __init__(self) -> None:
        super().__init__("not confirmed: nothing changed")


def can_ask(what: str, *, yes: bool) -> bool:
    """Whether to ask before doing `what` ("delete 3 numbers"): not with --yes; on a
    terminal, yes; off one, a usage error saying to add --yes."""
    if yes:
        return False
    if not sys.stdin.isatty():
        raise click.UsageError(
            f"this would {what}, which asks first: add --yes to do it without a prompt"
        )
    return True


def ask(question: str) -> None:
    """Ask `question` on stderr; raise `Declined` unless the answer is yes."""
    try:
        with waiting():
            confirmed = click.confirm(question, err=True)
    except click.Abort:  # Ctrl+C or the end of input at the prompt
        click.echo(err=True)
        raise Declined() from None
    if not confirmed:
        raise Declined()


def confirm(question: str, *, what: str, yes: bool) -> None:
    """Ask `question` before doing `what`, unless `yes` (see `can_ask` and `ask`)."""
    if can_ask(what, yes=yes):
        ask(question)
