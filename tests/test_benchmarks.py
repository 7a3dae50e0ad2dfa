"""The benchmark scripts still import: every name they take from the package exists.

Benchmarks run outside the suite (`nox -s bench`, minutes each); a name moved or renamed in
the package would otherwise be found only when RESULTS.md is regenerated.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPTS = sorted(BENCHMARKS.glob("*.py"))


def package_imports(script: Path) -> list[tuple[str, str]]:
    """(module, name) for each `from vapi_phone_async... import name` of the script."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    return [
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
        if node.module.split(".")[0] == "vapi_phone_async"
        for alias in node.names
    ]


def importable(module: str, name: str) -> bool:
    """Whether `from module import name` works: an attribute, or a submodule."""
    if hasattr(importlib.import_module(module), name):
        return True
    try:
        importlib.import_module(f"{module}.{name}")
    except ModuleNotFoundError:
        return False
    return True


def test_there_are_benchmark_scripts_that_use_the_package() -> None:
    assert any(package_imports(script) for script in SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_every_name_a_benchmark_imports_from_the_package_exists(script: Path) -> None:
    missing = [
        f"{module}.{name}"
        for module, name in package_imports(script)
        if not importable(module, name)
    ]
    assert not missing, f"{script.name} imports names the package no longer has: {missing}"
