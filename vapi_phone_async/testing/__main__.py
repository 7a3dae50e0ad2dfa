"""`python -m vapi_phone_async.testing`: serve a seeded FakeVapiServer until interrupted."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ._serve import parse, serve_until_interrupted


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the fake as `argv` (default: the process's arguments) asks; the exit status."""
    return serve_until_interrupted(parse(argv))


if __name__ == "__main__":
    sys.exit(main())
