"""What the pytest plugin costs a pytest run that uses none of its fixtures.

pytest imports the plugin (`_vapi_phone_async_pytest`, a pytest11 entry point) at the
start of every run wherever vapi-phone-async is installed. Prints, each the median of
fresh interpreters: the plugin's import once pytest and pytest-asyncio are loaded (as
in a run), beside what importing the package and its fake costs (what the plugin did
in 0.1.0, and what the first test asking for a fixture pays); the modules a pytest run
of one test imports with and without the plugin; and the wall time of such runs.

    python benchmarks/import_cost.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLUGIN = "_vapi_phone_async_pytest"
TARGET_MS = 30.0
# A run's own plugins, loaded before ours as pytest's startup loads them.
PRELUDE = "import pytest, pytest_asyncio, pytest_asyncio.plugin"
# What each row imports. The second is what the plugin imported in 0.1.0, and what the
# first test asking for a fixture imports now.
IMPORTS = {
    "the plugin": PLUGIN,
    "the package and its fake": "vapi_phone_async.testing",
}
WIDTH = 54


def import_ms(module: str) -> float:
    """Milliseconds to import `module` in a new interpreter that has loaded pytest."""
    code = (
        f"{PRELUDE}\nimport time\nstarted = time.perf_counter()\nimport {module}\n"
        "print((time.perf_counter() - started) * 1000)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return float(output)


# The one test of the runs: it writes down the modules imported by then.
TRIVIAL_TEST = """\
import os, sys


def test_one():
    with open(os.environ["MODULES_FILE"], "w") as stream:
        stream.write("\\n".join(sorted(sys.modules)))
"""


def pytest_run_ms(folder: Path, with_plugin: bool) -> tuple[float, set[str]]:
    """Wall milliseconds of `pytest` on the trivial test, pytest-asyncio loaded, and the
    modules imported when the test ran."""
    plugins = ["-p", "pytest_asyncio.plugin"] + (["-p", PLUGIN] if with_plugin else [])
    modules = folder / "modules.txt"
    # Only the plugins named here: whatever else is installed would add its own noise.
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "MODULES_FILE": str(modules)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugins]
    started = time.perf_counter()
    subprocess.run(command, cwd=folder, env=env, capture_output=True, check=True)
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, set(modules.read_text(encoding="utf-8").split())


def row(name: str, samples: list[float]) -> str:
    median = statistics.median(samples)
    return f"{name:<{WIDTH}} {median:>9.1f} {min(samples):>9.1f} - {max(samples):>7.1f}"


def main(runs: int) -> None:
    header = f"{'':<{WIDTH}} {'median':>9} {'min':>9} - {'max':>7}"
    print(f"Imports in a new interpreter with pytest and pytest-asyncio loaded; {runs} runs, ms")
    print()
    print(f"{'import':<{WIDTH}} {header[WIDTH + 1 :]}")
    print("-" * len(header))
    measured = {name: [import_ms(module) for _ in range(runs)] for name, module in IMPORTS.items()}
    for name, samples in measured.items():
        print(row(f"{name} ({IMPORTS[name]})", samples))
    print()

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "test_one.py").write_text(TRIVIAL_TEST, encoding="utf-8")
        runs_with: list[float] = []
        runs_without: list[float] = []
        _, modules_with = pytest_run_ms(folder, with_plugin=True)  # warms the file cache too
        _, modules_without = pytest_run_ms(folder, with_plugin=False)
        for _ in range(runs):  # interleaved, so that drift in the machine's load hits both
            runs_without.append(pytest_run_ms(folder, with_plugin=False)[0])
            runs_with.append(pytest_run_ms(folder, with_plugin=True)[0])
    added = sorted(modules_with - modules_without)
    print("A pytest run of one test using no fixture (pytest-asyncio loaded)")
    print()
    print(f"modules imported without the plugin: {len(modules_without)}")
    print(f"modules imported with the plugin:    {len(modules_with)}")
    print(f"imported only with it: {', '.join(added) or 'none'}")
    print()
    print(f"Wall time of such runs (noisy: a whole interpreter each); {runs} runs each, ms")
    print()
    print(f"{'pytest run':<{WIDTH}} {header[WIDTH + 1 :]}")
    print("-" * len(header))
    print(row("with pytest-asyncio only", runs_without))
    print(row("with pytest-asyncio and the plugin", runs_with))
    print()

    cost = statistics.median(measured["the plugin"])
    whole = statistics.median(runs_with) - statistics.median(runs_without)
    spread = max(runs_without) - min(runs_without)
    verdict = "met" if cost <= TARGET_MS else "NOT met"
    print(f"the plugin's import: {cost:.1f} ms a run (target <= {TARGET_MS:.0f} ms: {verdict})")
    print(
        f"median run with the plugin minus without: {whole:+.1f} ms "
        f"(runs without it alone vary by {spread:.1f} ms)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each measurement")
    main(parser.parse_args().runs)
