"""The `vapi-phone` group, and how a run ends: exit codes, one-line errors, no secrets.

Exit codes: 0 success; 1 an API or network error (or items that failed); 2 a usage error,
bad input included, which names the field (a confirmation off a terminal without --yes
too); 3 a prompt answered no (nothing changed); 75 another apply to the account holds its
apply lock (nothing sent: try again, or --wait); 130 stopped by Ctrl+C; 141 stdout closed
early (`vapi-phone list | head`: quietly, as a process ended by SIGPIPE). An error is one
line on stderr; `--debug` adds the traceback. The API key is never printed: the library
keeps it out of every message, and this module blanks it out of anything it prints, in
case.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

import click

from .._version import __version__
from ..errors import ApplyLockedError, RequestValidationError, VapiError
from ._bulk import bulk_update, export
from ._clock import start as start_clock
from ._commands import create, delete, get, list_numbers, update
from ._context import Settings, api_options
from ._demo import demo
from ._fake_server import fake_server
from ._import import import_
from ._locking import LOCKED, locked_message
from ._params import ENVIRONMENT_HELP
from ._prompt import DECLINED, Declined
from ._records import describe
from ._sync import sync

__all__ = ["cli", "main"]

_REDACTED = "<redacted>"
CLOSED_PIPE = 141
"""The exit code when stdout is closed before the output ends (128 + SIGPIPE)."""


class _ClosedPipe(Exception):
    """stdout was closed before the output ended (`vapi-phone list | head`)."""


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        # click turns a closed pipe into a bare exit 1; it is told apart here instead.
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise _ClosedPipe() from None


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=ENVIRONMENT_HELP,
)
@api_options(from_environment=True)
@click.version_option(__version__, prog_name="vapi-phone")
def cli() -> None:
    """Manage Vapi phone numbers: list, get, create, update, delete, export, import, sync.

    Give the API key with --api-key or VAPI_API_KEY. `vapi-phone demo` and
    `vapi-phone fake-server` need neither a key nor a network.
    """


for command in (list_numbers, get, create, update, delete, export, import_, sync, bulk_update):
    cli.add_command(command)
cli.add_command(demo)
cli.add_command(fake_server)


def main(argv: Sequence[str] | None = None) -> int:
    """Run `vapi-phone` with `argv` (default: the process's arguments); the exit code."""
    settings = Settings()
    start_clock()
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="vapi-phone",
            standalone_mode=False,
            obj=settings,
        )
        sys.stdout.flush()  # a closed pipe is met here, not at the interpreter's exit
    except (BrokenPipeError, _ClosedPipe):
        _stdout_to_devnull()
        return CLOSED_PIPE
    except click.ClickException as error:  # usage errors (2), and click's own (1)
        error.show()
        return error.exit_code
    except (Declined, click.Abort):
        _say("not confirmed: nothing changed", settings)
        return DECLINED
    except RequestValidationError as error:
        _fail(f"invalid input: {describe(error)}", settings)
        return 2
    except ApplyLockedError as error:
        _fail(locked_message(error), settings)
        return LOCKED
    except VapiError as error:
        _fail(str(error), settings)
        return 1
    except KeyboardInterrupt:
        _say("interrupted", settings)
        return 130
    except OSError as error:
        _fail(_os_error(error), settings)
        return 1
    except Exception as error:  # a bug: still one line, the traceback with --debug
        _fail(f"unexpected {type(error).__name__}: {error} (--debug shows where)", settings)
        return 1
    finally:
        settings.close()
    # In standalone_mode=False click returns the exit code of ctx.exit(), or None.
    return result if isinstance(result, int) else 0


def _os_error(error: OSError) -> str:
    """One line: what went wrong and with which file, each said once."""
    what = error.strerror or str(error) or type(error).__name__
    return f"{what}: {error.filename}" if error.filename else what


def _stdout_to_devnull() -> None:
    """Whatever is still buffered for the closed stdout goes nowhere, quietly (Python
    would otherwise report the pipe at exit)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # a stdout with no descriptor (in-process tests)
        pass


def _fail(message: str, settings: Settings) -> None:
    _say(f"error: {message}", settings)
    if settings.debug:
        _say(traceback.format_exc().rstrip(), settings)


def _say(message: str, settings: Settings) -> None:
    key = settings.api_key
    if key and len(key) >= 4:
        message = message.replace(key, _REDACTED)
    click.echo(message, err=True)
