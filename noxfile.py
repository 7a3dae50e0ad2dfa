"""Developer tasks: `nox -s tests lint typecheck` before every push; `schemathesis`, `bench`,
`docs`, `build`.

`nox -t ci` runs what CI runs after `tests` (the whole suite, on the Python running nox):
the suite less its slow tests (`-m "not slow"`: subprocesses, thousands of requests, a
real clock) with the lowest allowed version of every runtime dependency on the oldest
supported Python (`tests-lowest`), and with the newest on the newest (`tests-3.13`;
`nox -s tests-3.10` or `tests-3.12` runs another, `nox -l` lists the ones found, and
`-- -m ""` after a session's name runs its slow tests too), mypy --strict on the package,
the typing contract and the docs' typed samples (`typecheck`), requests generated from
the spec against the fake (`schemathesis`), and the built wheel tried in a fresh virtual
environment (`build`). The slow tests depend on no Python version of their own; the
corners of the matrix (oldest Python with the oldest dependencies, newest with newest)
are where a version shows a difference.

Every session installs the package with its public extras (`cli`, `pytest`, `redis`) and
the development tools from pyproject's `[dependency-groups]` (PEP 735), nothing else. The
tests of pacing through Redis run a real `redis-server`: without one they skip, unless
`VAPI_REQUIRE_REDIS=1` (which `.ci/run` sets) makes them fail.
"""

from __future__ import annotations

import email.parser
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path

import nox

# 2025.2.9: nox.project.dependency_groups.
nox.needs_version = ">=2025.2.9"
nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True
# uv makes the virtual environments and installs into them when it is installed (CI
# installs it beside nox: a fresh run of every session spends a minute less installing).
nox.options.default_venv_backend = "uv|virtualenv"

PACKAGE = "vapi_phone_async"
ROOT = Path(__file__).resolve().parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
PYTEST = (
    "pytest",
    "-W",
    "error::ResourceWarning",
    "-W",
    "error::pytest.PytestUnraisableExceptionWarning",
    # Two workers: the suite is mostly waiting on loopback sockets and small sleeps.
    "-n",
    "2",
)
# The other interpreters' sessions: the suite less its slow tests, unless told otherwise.
NOT_SLOW = ("-m", "not slow")


def _groups(*names: str) -> tuple[str, ...]:
    """The requirements of these dependency groups of pyproject.toml."""
    return nox.project.dependency_groups(PYPROJECT, *names)


def _install(session: nox.Session, *groups: str) -> None:
    """The package, editable, with its public extras, and these dependency groups."""
    session.install("-e", ".[cli,pytest,redis]", *_groups(*groups))


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite against the bundled FakeVapiServer (loopback only)."""
    _install(session, "test")
    session.run(*PYTEST, *session.posargs)


def tests_lowest(session: nox.Session) -> None:
    """The suite (less its slow tests) with the lowest version of every runtime dependency
    pyproject allows, on the oldest supported Python found."""
    _install(session, "test")
    session.install(*_lowest_runtime_dependencies())
    # Shown, so that a log says which floors were tried (with pip or uv alike).
    session.run("python", "-c", _PRINT_VERSIONS, silent=False)
    session.run(*PYTEST, *NOT_SLOW, *session.posargs)


_PRINT_VERSIONS = (
    "import importlib.metadata as m\n"
    "for name in ('aiohttp', 'msgspec', 'tenacity', 'anyio', 'filelock', 'redis'):\n"
    "    print(name, m.version(name))"
)


def _lowest_runtime_dependencies() -> list[str]:
    """`name==floor` for each `name>=floor` in [project] dependencies and the `redis`
    extra (the other extras serve the tests and the command line)."""
    pins = []
    project = PYPROJECT["project"]
    for requirement in [*project["dependencies"], *project["optional-dependencies"]["redis"]]:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*>=\s*([^,;\s]+)\s*", requirement)
        if match is None:
            raise ValueError(f"a runtime dependency without a plain floor: {requirement!r}")
        pins.append(f"{match[1]}=={match[2]}")
    return pins


def _interpreter(version: str) -> str | None:
    """A working Python `version` on this machine: on PATH, or installed by pyenv."""
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates = [shutil.which(f"python{version}")]
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"))
    for candidate in candidates:
        if candidate is None:
            continue
        # A pyenv shim of a version that is not active is on PATH, but does not run.
        ran = subprocess.run([candidate, "--version"], capture_output=True, check=False)
        if ran.returncode == 0:
            return candidate
    return None


def _tests_on(session: nox.Session) -> None:
    """The test suite, less its slow tests, on this Python."""
    _install(session, "test")
    session.run(*PYTEST, *NOT_SLOW, *session.posargs)


_RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"
_OLDEST = next(filter(None, map(_interpreter, PYTHONS)), None)
# The lowest dependencies on the oldest Python: a new Python needs newer wheels anyway.
nox.session(name="tests-lowest", python=_OLDEST, tags=["ci"])(tests_lowest)
for _version in PYTHONS:
    _python = _interpreter(_version)
    if _python is not None:
        # CI runs the newest beside `tests` (the Python running nox) and `tests-lowest`
        # (the oldest): each run is close to a minute of a CI kept near five.
        nox.session(
            name=f"tests-{_version}",
            python=_python,
            tags=["ci"] if _version == PYTHONS[-1] != _RUNNING else [],
        )(_tests_on)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole tree."""
    session.install(*_groups("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(tags=["ci"])
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package, its pytest plugin and the typing contract of the API,
    then on the docs' samples marked `typed` (the sync guide's worker), through
    tests/test_docs_typing.py, which fails here rather than skip if mypy is missing."""
    # Both extras: the CLI's modules import click and rich, the pytest plugin pytest-asyncio.
    # The test group: the docs' samples are read by the suite's own tests/test_docs.py.
    _install(session, "typecheck", "test")
    session.run(
        "mypy", "--strict", PACKAGE, "_vapi_phone_async_pytest.py", "tests/typing_contract.py"
    )
    session.run(
        "pytest",
        "tests/test_docs_typing.py",
        "-q",
        "-p",
        "no:cacheprovider",
        env={"VAPI_REQUIRE_MYPY": "1"},
    )


@nox.session(tags=["ci"])
def schemathesis(session: nox.Session) -> None:
    """Requests generated from Vapi's published spec, valid and invalid, against
    FakeVapiServer (loopback only): no server error, valid ones accepted, invalid ones
    refused, no answer that breaks the spec's schema. Bounded for CI: 100 examples per
    operation (`VAPI_SCHEMATHESIS_EXAMPLES` changes it; `VAPI_SCHEMATHESIS_COVERAGE=1`
    adds the coverage phase, minutes long)."""
    _install(session, "test", "fuzz")
    session.env["VAPI_SCHEMATHESIS"] = "1"
    session.run(
        "pytest", "tests/testing/test_spec_fuzz.py", "-p", "no:cacheprovider", *session.posargs
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmark script and write benchmarks/RESULTS.md from their tables."""
    _install(session, "bench")
    session.run("python", "benchmarks/report.py", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the docs with MkDocs (--strict: any warning fails) and run their samples."""
    # The test group too: the docs' samples run through the suite's tests/test_docs.py.
    _install(session, "docs", "test")
    # Material prints a banner about MkDocs 2.0 on every build; it is not a warning.
    session.env["NO_MKDOCS_2_WARNING"] = "1"
    session.run("mkdocs", "build", "--strict", "--site-dir", str(ROOT / "site"))
    session.run("pytest", "tests/test_docs.py", "-q")


# A test of a user's project that asks for the pytest plugin's fixtures.
WHEEL_TEST = ROOT / "tests" / "testing" / "fixture_sample.py"
# Writes the README's testing sample, taken from README.md, to the file it is given.
README_SAMPLE = ROOT / "tests" / "testing" / "readme_sample.py"


@nox.session(tags=["ci"])
def build(session: nox.Session) -> None:
    """Build the sdist and wheel, check their metadata, and try the wheel in a fresh venv.

    The metadata: the license, the classifiers, and no public extras but `cli`,
    `pytest` and `redis`. The wheel then goes into a new virtual environment outside the checkout
    with its `pytest` extra alone: the package imports from there, and in empty folders, with
    no conftest and no pytest settings, the README's testing sample (read from README.md)
    passes as written, and so does a marked test using the plugin's `fake_vapi` and
    `vapi_client` fixtures. Without pytest-asyncio the latter fails saying to install the
    extra. Last, with the `cli` extra, `vapi-phone --help` runs.
    """
    session.install(*_groups("build"))
    work = Path(session.create_tmp()).resolve()
    dist = work / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    # Without flags, build makes the sdist and then the wheel from the sdist, so a file
    # missing from the sdist breaks the wheel here rather than for a user.
    session.run("python", "-m", "build", "--outdir", str(dist), str(ROOT))
    sdists, wheels = sorted(dist.glob("*.tar.gz")), sorted(dist.glob("*.whl"))
    if len(sdists) != 1 or len(wheels) != 1:
        session.error(f"expected one sdist and one wheel in {dist}, found {sdists + wheels}")
    session.run("twine", "check", "--strict", str(sdists[0]), str(wheels[0]))
    problems = _metadata_problems(wheels[0])
    if problems:
        session.error("the wheel's metadata: " + "; ".join(problems))

    venv = work / "wheel-venv"
    shutil.rmtree(venv, ignore_errors=True)
    session.run("python", "-m", "venv", str(venv))
    bin_dir = venv / ("Scripts" if sys.platform == "win32" else "bin")
    python = str(bin_dir / "python")

    def pip(*args: str) -> None:
        session.run(python, "-m", "pip", *args, "--quiet", external=True)

    pip("install", f"{wheels[0]}[pytest]")

    # Folders standing for a user's project, outside the checkout: nothing can import the
    # source tree instead, and no pytest settings of the checkout's apply to them.
    with tempfile.TemporaryDirectory(prefix="vapi-phone-async-wheel-") as projects:
        check, readme = Path(projects) / "wheel-check", Path(projects) / "readme-check"
        check.mkdir()
        readme.mkdir()
        shutil.copyfile(WHEEL_TEST, check / "test_wheel.py")
        session.run("python", str(README_SAMPLE), str(readme / "test_readme.py"))
        expected = _source_version()
        probe = textwrap.dedent(
            f"""\
            import pathlib, _vapi_phone_async_pytest, vapi_phone_async
            for module in (vapi_phone_async, _vapi_phone_async_pytest):
                where = pathlib.Path(module.__file__).resolve()
                assert "site-packages" in where.parts, where
            assert vapi_phone_async.__version__ == {expected!r}, vapi_phone_async.__version__
            print("imported vapi_phone_async", vapi_phone_async.__version__, "from", where.parent)
            """
        )
        pytest = (python, "-m", "pytest", "-p", "no:cacheprovider")
        with session.chdir(readme):
            # Not quiet: the header names a settings file if pytest found one.
            output = str(session.run(*pytest, external=True, silent=True))
            if "configfile:" in output or " passed" not in output:
                session.error(f"the README's sample, with no settings:\n{output}")
            session.log(f"the README's sample, with no settings: {output.splitlines()[-1]}")
        with session.chdir(check):
            session.run(python, "-c", probe, external=True)
            session.run(*pytest, "-q", external=True)

            pip("uninstall", "--yes", "pytest-asyncio")
            output = str(session.run(*pytest, "-q", external=True, success_codes=[1], silent=True))
            said = [line for line in output.splitlines() if "vapi-phone-async[pytest]" in line]
            if not said:
                session.error(f"without pytest-asyncio, no word of the pytest extra:\n{output}")
            session.log(f"without pytest-asyncio, the test fails saying: {said[0].strip()}")

    pip("install", f"{wheels[0]}[cli]")
    session.run(str(bin_dir / "vapi-phone"), "--help", external=True)


def _metadata_problems(wheel: Path) -> list[str]:
    """What is wrong with the license, classifiers and extras in the wheel's METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
        metadata = email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))
    problems = []
    if metadata["License-Expression"] != "MIT" or metadata.get_all("License-File") != ["LICENSE"]:
        problems.append("License-Expression MIT and License-File LICENSE expected")
    classifiers = set(metadata.get_all("Classifier") or [])
    wanted = {f"Programming Language :: Python :: {version}" for version in PYTHONS}
    wanted.add("Operating System :: OS Independent")
    if wanted - classifiers:
        problems.append(f"classifiers missing: {sorted(wanted - classifiers)}")
    if not any(classifier.startswith("Development Status ::") for classifier in classifiers):
        problems.append("no Development Status classifier")
    extras = sorted(metadata.get_all("Provides-Extra") or [])
    if extras != ["cli", "pytest", "redis"]:
        problems.append(f"the public extras are {extras}, not cli, pytest and redis alone")
    return problems


def _source_version() -> str:
    namespace: dict[str, str] = {}
    exec((ROOT / PACKAGE / "_version.py").read_text(encoding="utf-8"), namespace)
    return namespace["__version__"]
