"""The `vapi-phone` command line (the optional `[cli]` extra: click and rich).

`main()` is the console script's entry point; the commands live in `_app` and the modules
it imports. Without the extra installed, `main()` says how to get it instead of failing
with an import error.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run `vapi-phone`; returns the exit code (0 ok, 1 API or network error, 2 usage)."""
    try:
        from ._app import main as run_app
    except ImportError as error:
        if error.name not in ("click", "rich"):
            raise
        import sys

        print(
            f"vapi-phone needs the [cli] extra ({error.name} is missing): "
            "python -m pip install 'vapi-phone-async[cli]'",
            file=sys.stderr,
        )
        return 2
    return run_app(argv)
