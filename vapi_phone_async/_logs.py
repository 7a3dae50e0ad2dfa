"""`VAPI_LOG=debug|info`: the library's logging turned on from the environment.

The package logs to the `vapi_phone_async` logger and, like any library, adds no handler
of its own: an application's logging setup decides. `VAPI_LOG` is for when there is none
(a script, a REPL): it sends the package's records at that level to stderr. Every line is
free of secrets: a method, a path, a status, a time, a wait (never a header, query or
body). A value it does not know is ignored with one warning, as `OPENAI_LOG` ignores
one: a setting meant for logging never stops a worker from starting.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings

__all__ = ["LOG_LEVELS", "log_from_environment"]

LOG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
logger = logging.getLogger("vapi_phone_async")
# The unknown values warned about already: one warning each per process, however many
# clients are made.
_warned: set[str] = set()


class _EnvironmentHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler `VAPI_LOG` adds, told apart so that it is added once."""


def log_from_environment() -> None:
    """Apply `VAPI_LOG` (unset or empty: nothing). A value other than debug or info is
    ignored, with a `UserWarning` the first time it is seen."""
    value = os.environ.get("VAPI_LOG", "").strip().lower()
    if not value:
        return
    level = LOG_LEVELS.get(value)
    if level is None:
        if value not in _warned:
            _warned.add(value)
            known = " or ".join(LOG_LEVELS)
            warnings.warn(
                f"VAPI_LOG={value[:40]!r} is ignored: it takes {known}",
                UserWarning,
                stacklevel=4,  # the line that made the client
            )
        return
    logger.setLevel(level)
    if not any(isinstance(handler, _EnvironmentHandler) for handler in logger.handlers):
        handler = _EnvironmentHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
