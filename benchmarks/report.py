"""Run every benchmark script and write benchmarks/RESULTS.md from what they print.

    python benchmarks/report.py [--out benchmarks/RESULTS.md] [--only decode,crud]

Each script of benchmarks/ (except this one and `_helpers`) runs in a subprocess with
this interpreter, one after the other so they do not compete for the cores. Its printed
table goes into RESULTS.md verbatim, under its own heading with its command line and
wall time, after a header that describes the machine. Nothing is computed or rounded
here: every number in the file is one a script printed in this run. A script that is
expected but missing, or that fails, is said so in the file, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import ast
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The benchmarks the project promises, in report order, with their arguments. Any other
# script found in benchmarks/ runs too, without arguments, after these.
EXPECTED: dict[str, list[str]] = {
    "decode": [],
    "crud": [],
    "paginate": [],
    "bulk": [],
    "storm": [],
    "adaptive": [],
    "window": [],
    "fleet": [],
    "sync": [],
    "fake_server": ["--loopback"],
    "import_cost": [],
}
EXCLUDE = ":(exclude)benchmarks/RESULTS.md"
TIMEOUT = 300.0  # seconds per script; the whole run must fit in 10 minutes on 2 cores
PACKAGES = (
    "vapi-phone-async",
    "msgspec",
    "aiohttp",
    "tenacity",
    "anyio",
    "filelock",
    "pytest",
    "pytest-asyncio",
    "vapi-server-sdk",
    "pydantic",
    "httpx",
    "redis",
)


def scripts() -> dict[str, Path | None]:
    """The benchmark scripts by name: the expected ones (None when missing), then others."""
    found = {
        path.stem: path
        for path in sorted(HERE.glob("*.py"))
        if not path.name.startswith("_") and path.resolve() != Path(__file__).resolve()
    }
    ordered: dict[str, Path | None] = {name: found.pop(name, None) for name in EXPECTED}
    ordered.update(found)
    return ordered


def summary_line(path: Path) -> str:
    """The first line of a script's docstring."""
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return docstring.strip().splitlines()[0] if docstring.strip() else ""


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cores() -> int | None:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()


def git_revision() -> str:
    try:
        revision = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            # RESULTS.md itself does not count: it is this script's output.
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", EXCLUDE],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{revision} (with uncommitted changes)" if dirty else revision


def load_average() -> str:
    """The system's load averages: other work on the machine skews every timing."""
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except (AttributeError, OSError):
        return "unknown"


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_header(started: datetime) -> list[str]:
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.1f} GiB RAM"
    except (AttributeError, ValueError, OSError):
        pass
    lines = [
        f"- Date: {started:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {cpu_model()}, {os.cpu_count()} logical cores "
        f"({usable_cores()} usable by this process){memory}",
        f"- System: {platform.platform()}",
        f"- Load average at the start (1, 5, 15 min): {load_average()}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        "- Packages: " + ", ".join(f"{name} {version(name)}" for name in PACKAGES),
        f"- Commit: {git_revision()}",
    ]
    return lines


def run_script(path: Path, arguments: list[str]) -> tuple[list[str], bool, float]:
    """Run one script; the Markdown lines of its section, whether it passed, seconds."""
    command = [sys.executable, str(path.relative_to(ROOT)), *arguments]
    shown = " ".join(["python", *command[1:]])
    print(f"running {shown} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        result = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as expired:
        seconds = time.perf_counter() - started
        output = expired.stdout or ""
        output = output.decode() if isinstance(output, bytes) else output
        return (
            [
                f"**Not measured: `{shown}` did not finish within {TIMEOUT:.0f} s.** "
                "What it printed until then:",
                "",
                *_code_block(output),
            ],
            False,
            seconds,
        )
    seconds = time.perf_counter() - started
    print(f"  done in {seconds:.1f} s (exit {result.returncode})", file=sys.stderr, flush=True)
    lines = [f"`{shown}`, {seconds:.1f} s wall time:", ""]
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-20:])
        lines = [
            f"**Failed: `{shown}` exited with status {result.returncode}.** "
            "Its output and the end of its error output:",
            "",
            *_code_block(result.stdout),
            "",
            *_code_block(tail),
        ]
        return lines, False, seconds
    return [*lines, *_code_block(result.stdout)], True, seconds


def _code_block(text: str) -> list[str]:
    fence = "```"
    while fence in text:
        fence += "`"
    return [fence + "text", text.rstrip("\n"), fence]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--only", help="comma-separated script names (default: all)")
    args = parser.parse_args()

    started = datetime.now(timezone.utc)
    machine = machine_header(started)  # now: the load and the commit before the runs
    chosen = scripts()
    if args.only:
        wanted = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = [name for name in wanted if name not in chosen]
        if unknown:
            parser.error(f"no such benchmark: {', '.join(unknown)}")
        chosen = {name: chosen[name] for name in wanted}

    sections: list[str] = []
    problems: list[str] = []
    total = 0.0
    for name, path in chosen.items():
        sections += ["", f"## {name}", ""]
        if path is None:
            problems.append(f"`benchmarks/{name}.py` is missing")
            sections.append(f"**Not measured: `benchmarks/{name}.py` does not exist yet.**")
            continue
        summary = summary_line(path)
        if summary:
            sections += [summary, ""]
        lines, passed, seconds = run_script(path, EXPECTED.get(name, []))
        total += seconds
        sections += lines
        if not passed:
            problems.append(f"`benchmarks/{name}.py` did not complete")

    header = [
        "# Benchmark results",
        "",
        "Written by `benchmarks/report.py` (`nox -s bench`) from one run of every script in",
        "`benchmarks/`; each table is the script's own output, verbatim. How they measure",
        "and how to read them: `docs/performance.md`, which shows this file from here on.",
        "",
        # docs/performance.md includes the file from this marker on (pymdownx.snippets).
        "<!-- --8<-- [start:results] -->",
        "",
        "## Machine",
        "",
        *machine,
        f"- Total benchmark time: {total:.0f} s",
    ]
    if problems:
        header += ["", "**Incomplete run:** " + "; ".join(problems) + "."]
    footer = ["", "<!-- --8<-- [end:results] -->"]
    args.out.write_text("\n".join([*header, *sections, *footer]) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({total:.0f} s of benchmarks)", file=sys.stderr)
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
