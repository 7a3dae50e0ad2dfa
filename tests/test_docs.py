"""The code samples of docs/ run here, against FakeVapiServer, so the docs cannot rot.

How a page marks its samples. Every ```python fence in docs/ carries a marker in an HTML
comment on the line before it (blank lines between are allowed):

- `<!-- runnable -->`: the sample is self-contained, as a user would write it, and runs
  as it stands. Top-level `await` and `async with` are allowed (the sample runs as the
  body of an async function, as in `python -m asyncio`); a sample without them runs in a
  thread of its own, so a script ending in `asyncio.run(main())` works too.
- `<!-- runnable client seed=N cursors=true -->`: the sample runs with `server`, a started
  FakeVapiServer (api key "test-key", seeded with N numbers, 0 by default; `cursors=true`
  shows and honours cursors, off by default as on Vapi) and `client`, a VapiPhoneClient on
  it. The page says so in its text.
- `<!-- runnable environment seed=N -->`: the sample runs as it stands, with
  `VAPI_BASE_URL` and `VAPI_API_KEY` set to a started FakeVapiServer (seeded with N
  numbers) for as long as it runs, as a worker configured by its environment would.
- `typed` beside `runnable` (and not `client`, which a type checker cannot see): the
  sample also passes `mypy --strict` (tests/test_docs_typing.py).
- `<!-- runnable-pytest -->`: the sample is a test module of the reader's own project: it
  is written to a temporary directory and run there by pytest in a subprocess (with the
  package's pytest plugin and its fixtures), and every test in it must pass.
- `<!-- not-runnable: why -->`: shown, never run (a sample that needs a real account).
  The reason is required.

Python samples run in a temporary directory of their own, so that one may write a file.

A ```console fence is marked `<!-- runnable-cli numbers=N -->` (its `$ ` lines run as one
bash script with `set -euo pipefail`, with a fake served by `python -m
vapi_phone_async.testing` and `VAPI_BASE_URL` and `VAPI_API_KEY` pointing at it, and must
exit 0; other lines are output, shown and not checked) or `<!-- not-runnable: why -->`
(installing from PyPI). A python or console fence without a marker fails the suite:
nothing is skipped silently. Other fences (`text`, `toml`, output) are not code to run.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

# Every sample of the docs runs, several in subprocesses: slow.
pytestmark = pytest.mark.slow

DOCS = Path(__file__).resolve().parent.parent / "docs"
SAMPLE_TIMEOUT = 30.0
_MARKER = re.compile(
    r"^\s*<!--\s*(?P<kind>runnable-cli|runnable-pytest|runnable|not-runnable)\b(?P<rest>.*?)-->\s*$"
)
_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)$")
_PYTHON = frozenset({"python", "py", "python3"})
_MUST_MARK = _PYTHON | {"console", "bash", "sh", "shell"}


@dataclass(frozen=True)
class Sample:
    """One fenced code block of a Markdown page, with the marker before it (if any)."""

    source: str  # "page.md:LINE", LINE being the fence's opening line
    language: str
    code: str
    kind: str | None  # "runnable", "runnable-cli", "not-runnable", or None: unmarked
    options: dict[str, str] = field(default_factory=dict)
    reason: str = ""


def collect_samples(text: str, source: str) -> list[Sample]:
    """Every fenced code block of a Markdown text, with its marker and options."""
    samples: list[Sample] = []
    lines = text.splitlines()
    marker: re.Match[str] | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        opening = _FENCE_OPEN.match(line)
        if opening is None:
            found = _MARKER.match(line)
            if found is not None:
                marker = found
            elif line.strip():
                marker = None  # a marker belongs to the fence right after it
            index += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        info = opening["info"].strip()
        language = info.split()[0].lstrip(".").lower() if info else ""
        body: list[str] = []
        index += 1
        while index < len(lines):
            closing = lines[index].strip()
            if closing.startswith(fence[0] * len(fence)) and not closing.strip(fence[0]):
                break
            body.append(lines[index][len(indent) :] if lines[index].startswith(indent) else "")
            index += 1
        start = index - len(body)  # the opening fence's line number, counted from 1
        kind, options, reason = None, {}, ""
        if marker is not None:
            kind = marker["kind"]
            rest = marker["rest"].strip()
            if kind == "not-runnable":
                reason = rest.lstrip(":").strip()
            else:
                options = _options(rest, f"{source}:{start}")
        samples.append(
            Sample(f"{source}:{start}", language, "\n".join(body) + "\n", kind, options, reason)
        )
        marker = None
        index += 1  # past the closing fence
    return samples


def _options(text: str, where: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for word in text.split():
        name, equals, value = word.partition("=")
        if name in options:
            raise ValueError(f"{where}: option {name!r} given twice")
        options[name] = value if equals else "true"
    return options


def docs_samples(docs: Path = DOCS) -> list[Sample]:
    """The samples of every page under `docs`, in page order."""
    samples: list[Sample] = []
    for page in sorted(docs.rglob("*.md")):
        relative = page.relative_to(docs).as_posix()
        samples.extend(collect_samples(page.read_text(encoding="utf-8"), relative))
    return samples


# Running one sample.

_CLIENT_OPTIONS = frozenset({"client", "seed", "cursors", "environment", "typed"})


@contextmanager
def environment(**variables: str) -> Iterator[None]:
    """These environment variables set, and the environment as it was afterwards."""
    before = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@asynccontextmanager
async def sample_namespace(sample: Sample) -> AsyncIterator[dict[str, Any]]:
    """The globals a sample runs with: `server` and `client` when it asks for them."""
    unknown = set(sample.options) - _CLIENT_OPTIONS
    if unknown:
        raise ValueError(f"{sample.source}: unknown marker options {sorted(unknown)}")
    namespace: dict[str, Any] = {"__name__": "__main__"}
    if "environment" in sample.options:
        if "client" in sample.options:
            raise ValueError(f"{sample.source}: client and environment exclude each other")
        async with FakeVapiServer(api_key=TEST_API_KEY) as server:
            server.seed(int(sample.options.get("seed", "0")))
            with environment(VAPI_BASE_URL=server.url, VAPI_API_KEY=TEST_API_KEY):
                yield namespace
        return
    if "client" not in sample.options:
        yield namespace
        return
    cursors = sample.options.get("cursors", "false") == "true"
    async with FakeVapiServer(api_key=TEST_API_KEY, cursors=cursors) as server:
        server.seed(int(sample.options.get("seed", "0")))
        async with VapiPhoneClient(api_key=TEST_API_KEY, base_url=server.url) as client:
            yield {**namespace, "server": server, "client": client}


async def run_sample(sample: Sample) -> None:
    """Run a `runnable` sample; whatever it raises propagates (with its page and line)."""
    if sample.kind != "runnable":
        raise ValueError(f"{sample.source} is not marked runnable")
    # Line numbers in tracebacks point into the page: pad the code down to its fence.
    line = int(sample.source.rsplit(":", 1)[1])
    code = compile(
        "\n" * line + sample.code,
        sample.source,
        "exec",
        flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
        dont_inherit=True,
    )
    async with sample_namespace(sample) as namespace:
        if code.co_flags & inspect.CO_COROUTINE:
            await asyncio.wait_for(eval(code, namespace), SAMPLE_TIMEOUT)
        else:
            # A script with its own asyncio.run() needs a thread without a running loop.
            await asyncio.wait_for(asyncio.to_thread(exec, code, namespace), SAMPLE_TIMEOUT)


@asynccontextmanager
async def served_fake(numbers: int) -> AsyncIterator[tuple[str, str]]:
    """`python -m vapi_phone_async.testing` in a subprocess: its URL and key."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vapi_phone_async.testing",
        "--numbers",
        str(numbers),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    try:
        first = await asyncio.wait_for(process.stdout.readline(), SAMPLE_TIMEOUT)
        url, key = first.decode().split()
        yield url, key
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.communicate(), SAMPLE_TIMEOUT)


def shell_commands(sample: Sample) -> list[str]:
    """The `$ ` lines of a console sample (a trailing backslash continues a line)."""
    commands: list[str] = []
    pending: str | None = None
    for line in sample.code.splitlines():
        if pending is not None:
            pending += "\n" + line
        elif line.startswith("$ "):
            pending = line[2:]
        else:
            continue
        if pending.endswith("\\"):
            continue
        commands.append(pending)
        pending = None
    return commands


async def run_cli_sample(sample: Sample, tmp_path: Path) -> None:
    """Run the `$ ` commands of a `runnable-cli` sample, as one bash script, against a
    served fake; the script stops at the first command that fails."""
    unknown = set(sample.options) - {"numbers"}
    if unknown:
        raise ValueError(f"{sample.source}: unknown marker options {sorted(unknown)}")
    commands = shell_commands(sample)
    assert commands, f"{sample.source}: a runnable-cli sample without `$ ` lines"
    script = "set -euo pipefail\n" + "\n".join(commands) + "\n"
    async with served_fake(int(sample.options.get("numbers", "0"))) as (url, key):
        env = {**os.environ, "VAPI_BASE_URL": url, "VAPI_API_KEY": key}
        # `vapi-phone` from this interpreter's environment, whatever the PATH says.
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        result = await asyncio.to_thread(
            subprocess.run,
            ["bash", "-c", script],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=SAMPLE_TIMEOUT,
        )
    assert result.returncode == 0, (
        f"{sample.source}: the commands exited {result.returncode}\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )


async def run_pytest_sample(sample: Sample, tmp_path: Path) -> None:
    """Run a `runnable-pytest` sample as a test file of its own; every test must pass."""
    if sample.options:
        raise ValueError(f"{sample.source}: runnable-pytest takes no options")
    (tmp_path / "test_sample.py").write_text(sample.code, encoding="utf-8")
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_sample.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{sample.source}: pytest failed\n{output}"
    assert re.search(r"\b\d+ passed\b", output), f"{sample.source}: no test ran\n{output}"


# The docs' own samples.


def _params(kinds: set[str]) -> list[Any]:
    samples = [s for s in docs_samples() if s.kind in kinds] if DOCS.is_dir() else []
    if not samples:
        # An empty parameter set would be skipped: make its absence a failure instead.
        return [pytest.param(None, id="no-samples-found")]
    return [pytest.param(sample, id=sample.source) for sample in samples]


def test_the_docs_exist_and_have_samples() -> None:
    assert DOCS.is_dir(), f"{DOCS} is missing: the docs samples cannot be tested"
    samples = docs_samples()
    runnable = [s for s in samples if s.kind == "runnable"]
    assert len(runnable) >= 20, f"only {len(runnable)} runnable samples in docs/"


def test_every_sample_is_marked() -> None:
    unmarked = [s.source for s in docs_samples() if s.language in _MUST_MARK and s.kind is None]
    assert not unmarked, (
        "python and console samples need a marker (<!-- runnable -->, <!-- runnable-cli -->"
        f" or <!-- not-runnable: why -->) before the fence: {unmarked}"
    )


def test_markers_are_used_as_meant() -> None:
    problems = []
    for sample in docs_samples():
        if sample.kind == "runnable" and sample.language not in _PYTHON:
            problems.append(f"{sample.source}: runnable marks a {sample.language!r} fence")
        if sample.kind == "runnable-pytest" and sample.language not in _PYTHON:
            problems.append(f"{sample.source}: runnable-pytest marks a {sample.language!r} fence")
        if sample.kind == "runnable-cli" and sample.language != "console":
            problems.append(f"{sample.source}: runnable-cli marks a {sample.language!r} fence")
        if sample.kind == "not-runnable" and not sample.reason:
            problems.append(f"{sample.source}: not-runnable needs a reason")
    assert not problems


def consistent_walk_bullet(docstring: str) -> str:
    """The `consistent=True` item of pagination.py's module docstring, nested lines and all."""
    lines = docstring.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("- `consistent=True`"))
    end = next((i for i in range(first + 1, len(lines)) if lines[i].startswith("- ")), len(lines))
    return "\n".join(lines[first:end])


def test_the_pagination_guarantee_is_quoted_exactly() -> None:
    """docs/pagination.md quotes pagination.py's docstring, the source of truth, verbatim."""
    import vapi_phone_async.pagination

    def words(text: str) -> str:
        return " ".join(text.split())

    source = consistent_walk_bullet(vapi_phone_async.pagination.__doc__ or "")
    source = words(source.removeprefix("- "))
    page = (DOCS / "pagination.md").read_text(encoding="utf-8")
    quoted = words("\n".join(line[1:] for line in page.splitlines() if line.startswith(">")))
    assert "The guarantee" in source or "Guarantee" in source
    assert source in quoted, "docs/pagination.md no longer quotes pagination.py verbatim"


@pytest.mark.parametrize("sample", _params({"runnable"}))
async def test_python_sample(
    sample: Sample | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sample is not None, f"no runnable samples found under {DOCS}"
    monkeypatch.chdir(tmp_path)  # a sample may write files, as a reader's script would
    await run_sample(sample)


@pytest.mark.parametrize("sample", _params({"runnable-cli"}))
async def test_cli_sample(sample: Sample | None, tmp_path: Path) -> None:
    assert sample is not None, f"no runnable-cli samples found under {DOCS}"
    await run_cli_sample(sample, tmp_path)


@pytest.mark.parametrize("sample", _params({"runnable-pytest"}))
async def test_pytest_sample(sample: Sample | None, tmp_path: Path) -> None:
    assert sample is not None, f"no runnable-pytest samples found under {DOCS}"
    await run_pytest_sample(sample, tmp_path)


# The collector itself: a broken sample must fail.

PAGE = textwrap.dedent(
    """\
    # A page

    <!-- runnable -->
    ```python
    from vapi_phone_async.testing import FakeVapiServer

    async with FakeVapiServer(api_key="test-key") as server:
        assert server.url.startswith("http://127.0.0.1:")
    ```

    Some prose, then a broken sample:

    <!-- runnable client seed=3 -->

    ```python title="broken.py"
    numbers = await client.list_recent()
    assert len(numbers) == 4, "the fake was seeded with 3"
    ```

    ```python
    print("unmarked")
    ```

    !!! note
        <!-- not-runnable: needs a real key -->
        ```python
        client = VapiPhoneClient(api_key="sk-live")
        ```

    ```console
    $ echo hello
    ```
    """
)


def test_the_collector_reads_markers_fences_and_indentation() -> None:
    samples = collect_samples(PAGE, "page.md")
    assert [(s.source, s.language, s.kind) for s in samples] == [
        ("page.md:4", "python", "runnable"),
        ("page.md:15", "python", "runnable"),
        ("page.md:20", "python", None),
        ("page.md:26", "python", "not-runnable"),
        ("page.md:30", "console", None),
    ]
    assert samples[1].options == {"client": "true", "seed": "3"}
    assert samples[3].reason == "needs a real key"
    assert samples[3].code == 'client = VapiPhoneClient(api_key="sk-live")\n'
    assert shell_commands(samples[4]) == ["echo hello"]


async def test_a_working_sample_runs() -> None:
    await run_sample(collect_samples(PAGE, "page.md")[0])


async def test_a_broken_sample_fails_with_its_page_and_line() -> None:
    broken = collect_samples(PAGE, "page.md")[1]
    with pytest.raises(AssertionError, match="seeded with 3") as caught:
        await run_sample(broken)
    frames = [(entry.frame.code.raw.co_filename, entry.lineno + 1) for entry in caught.traceback]
    assert ("page.md:15", 17) in frames  # the failing assert's line in the page


async def test_a_sample_that_raises_fails() -> None:
    (sample,) = collect_samples("<!-- runnable -->\n```python\n1 / 0\n```\n", "zero.md")
    with pytest.raises(ZeroDivisionError):
        await run_sample(sample)


async def test_a_script_with_asyncio_run_runs_in_its_own_thread() -> None:
    script = textwrap.dedent(
        """\
        <!-- runnable -->
        ```python
        import asyncio

        async def main() -> int:
            await asyncio.sleep(0)
            return 1

        if __name__ == "__main__":
            result = asyncio.run(main())
            assert result == 2
        ```
        """
    )
    (sample,) = collect_samples(script, "script.md")
    with pytest.raises(AssertionError):
        await run_sample(sample)


async def test_a_broken_cli_sample_fails(tmp_path: Path) -> None:
    (sample,) = collect_samples(
        "<!-- runnable-cli -->\n```console\n$ X=3\n$ true\nan output line\n$ exit $X\n```\n",
        "cli.md",
    )
    with pytest.raises(AssertionError, match="exited 3"):
        await run_cli_sample(sample, tmp_path)


async def test_a_failing_pytest_sample_fails(tmp_path: Path) -> None:
    page = textwrap.dedent(
        """\
        <!-- runnable-pytest -->
        ```python
        import pytest

        @pytest.mark.asyncio
        async def test_empty(vapi_client):
            assert await vapi_client.list_recent() == ["not empty"]
        ```
        """
    )
    (sample,) = collect_samples(page, "testing.md")
    with pytest.raises(AssertionError, match="pytest failed"):
        await run_pytest_sample(sample, tmp_path)


def test_every_test_named_in_the_reliability_page_exists() -> None:
    """docs/reliability.md names a test for each case: each must be there, by that name."""
    page = (DOCS / "reliability.md").read_text(encoding="utf-8")
    named = re.findall(r"`([\w/]+\.py)::(\w+)`", page)
    assert len(named) > 30
    tests = Path(__file__).resolve().parent
    for path, name in named:
        tree = ast.parse((tests / path).read_text(encoding="utf-8"))
        defined = {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        assert name in defined, f"{path}::{name}"
