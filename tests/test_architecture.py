"""The package's shape: imports point one way (no cycle between any two parts of it), and
no module reads a private attribute that another module defines."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "vapi_phone_async"
# namedtuple's own API is underscored so as not to clash with field names.
_NAMEDTUPLE_API = frozenset({"_make", "_replace", "_asdict", "_fields"})


def _modules() -> dict[str, ast.Module]:
    trees = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        trees[name] = ast.parse(path.read_text(encoding="utf-8"))
    return trees


def _imports(name: str, tree: ast.Module, is_package: bool) -> set[str]:
    """Every module of the package that `name` imports, wherever the import stands
    (under TYPE_CHECKING and inside functions too)."""
    found: set[str] = set()
    here = name.split(".") if is_package else name.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                target = [*base, *(node.module.split(".") if node.module else [])]
            else:
                target = (node.module or "").split(".")
            found.add(".".join(target))
            found.update(".".join([*target, alias.name]) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _graph(level: int | None) -> dict[str, set[str]]:
    """Imports between the package's modules, or between its parts `level` deep
    (1: `client`, `bulk`, `cli`, ...)."""
    trees = _modules()
    packages = {name for name in trees if (PACKAGE.parent / name.replace(".", "/")).is_dir()}

    def node(module: str) -> str:
        return ".".join(module.split(".")[: level + 1]) if level is not None else module

    graph: dict[str, set[str]] = {node(name): set() for name in trees if name != PACKAGE.name}
    for name, tree in trees.items():
        if name == PACKAGE.name:
            continue
        for target in _imports(name, tree, name in packages):
            if target in trees and target != PACKAGE.name and node(target) != node(name):
                graph[node(name)].add(node(target))
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(vertex: str) -> None:
        state[vertex] = 1
        path.append(vertex)
        for successor in sorted(graph[vertex]):
            if state.get(successor) == 1:
                cycles.append([*path[path.index(successor) :], successor])
            elif successor not in state:
                visit(successor)
        path.pop()
        state[vertex] = 2

    for vertex in sorted(graph):
        if vertex not in state:
            visit(vertex)
    return cycles


def test_no_two_parts_of_the_package_import_each_other() -> None:
    assert _cycles(_graph(level=1)) == []


def test_no_two_modules_import_each_other() -> None:
    assert _cycles(_graph(level=None)) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c", "a"]]


def test_no_module_reads_a_private_attribute_defined_in_another() -> None:
    readings = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        own = {
            target.attr
            for node in ast.walk(tree)
            if isinstance(node, (ast.Assign, ast.AnnAssign))
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Attribute)
        }
        own |= {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and node.attr.startswith("_")):
                continue
            if node.attr.startswith("__") or node.attr in own | _NAMEDTUPLE_API:
                continue
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            readings.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {ast.unparse(node)}")
    assert readings == []


# The call path: one module knows aiohttp, and nothing travels by context variable.

CALL_PATH = (
    "vapi_phone_async.client",
    "vapi_phone_async._client_base",
    "vapi_phone_async._setup",
    "vapi_phone_async._options",
    "vapi_phone_async._rules",
    "vapi_phone_async._call",
    "vapi_phone_async._retry",
    "vapi_phone_async._responses",
    "vapi_phone_async._progress",
    "vapi_phone_async._raw",
    "vapi_phone_async._events",
    "vapi_phone_async._decode",
    "vapi_phone_async.transports",
    "vapi_phone_async.pacing",
    "vapi_phone_async.pagination",
    "vapi_phone_async._walk",
)


def _importers_of(library: str) -> set[str]:
    trees = _modules()
    packages = {name for name in trees if (PACKAGE.parent / name.replace(".", "/")).is_dir()}
    return {
        name
        for name, tree in trees.items()
        if any(
            target == library or target.startswith(f"{library}.")
            for target in _imports(name, tree, name in packages)
        )
    }


def _on_the_call_path(module: str) -> bool:
    return any(module == part or module.startswith(f"{part}.") for part in CALL_PATH)


def test_only_the_aiohttp_transport_imports_aiohttp() -> None:
    """The client side knows aiohttp in one module; the fake server (`testing`, an
    aiohttp.web application) is a server of its own."""
    importers = {m for m in _importers_of("aiohttp") if not m.startswith(f"{PACKAGE.name}.testing")}
    assert importers == {"vapi_phone_async.transports._aiohttp"}


def test_no_module_of_the_call_path_passes_anything_by_context_variable() -> None:
    assert {m for m in _importers_of("contextvars") if _on_the_call_path(m)} == set()
    modules = _modules()
    # The list names modules that exist (a module renamed must be renamed here too).
    assert all(any(m == p or m.startswith(f"{p}.") for m in modules) for p in CALL_PATH)


def test_the_import_finder_finds_an_import() -> None:
    assert "vapi_phone_async.transports._aiohttp" in _importers_of("aiohttp")
