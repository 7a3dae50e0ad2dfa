"""Developer tasks: `nox -s tests lint typecheck` before every push; `bench`, `docs`, `build`."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True

PACKAGE = "vapi_phone_async"


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite against the bundled FakeVapiServer (loopback only)."""
    session.install("-e", ".[test,cli]")
    session.run(
        "pytest",
        "-W",
        "error::ResourceWarning",
        "-W",
        "error::pytest.PytestUnraisableExceptionWarning",
        *session.posargs,
    )


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole tree."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package and on the typing contract of the public API."""
    session.install("-e", ".[lint,cli]")
    session.run("mypy", "--strict", PACKAGE, "tests/typing_contract.py")


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmark script; each prints its own table."""
    session.install("-e", ".[bench,cli]")
    for script in ("decode", "crud", "paginate", "bulk"):
        path = f"benchmarks/{script}.py"
        session.run("python", path, *session.posargs)
