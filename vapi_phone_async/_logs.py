"""`VAPI_LOG=debug|info`: the library's logging turned on from the environment.

The package logs to the `vapi_phone_async` logger and, like any library, adds no handler
of its own: an application's logging setup decides. `VAPI_LOG` is for when there is none
(a script, a REPL): it sends the package's records at that level to stderr. Every line is
free of secrets: a method, a path, a status, a time, a wait (never a header, query or
body).
"""

from __future__ import annotations

import logging
import os
import sys

from .errors import FieldError, RequestValidationError

__all__ = ["LOG_LEVELS", "log_from_environment"]

LOG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
logger = logging.getLogger("vapi_phone_async")


class _EnvironmentHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler `VAPI_LOG` adds, told apart so that it is added once."""


def log_from_environment() -> None:
    """Apply `VAPI_LOG` (unset or empty: nothing). Raises `RequestValidationError` for a
    value other than debug or info."""
    value = os.environ.get("VAPI_LOG", "").strip().lower()
    if not value:
        return
    level = LOG_LEVELS.get(value)
    if level is None:
        raise RequestValidationError(
            [FieldError("VAPI_LOG", f"must be one of {', '.join(LOG_LEVELS)} (got {value!r})")]
        )
    logger.setLevel(level)
    if not any(isinstance(handler, _EnvironmentHandler) for handler in logger.handlers):
        handler = _EnvironmentHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
