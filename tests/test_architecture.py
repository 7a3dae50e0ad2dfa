"""The package's shape, as DESIGN.md draws it.

- Imports point down the floors of the layer map: a part of the package (a top-level
  module or a subpackage) imports parts on its own floor or below, never above.
- No cycle between any two parts of it, nor between any two modules.
- A subpackage is entered only through its public names: from outside it (`bulk/`, `cli/`,
  `models/`, `pacing/`, `testing/`), no module imports one of its private modules, nor
  a name its `__init__` leaves out of `__all__`. (The top-level private modules are the
  package's own internals: any module of it may import them, down the floors.)
- No module reads a private attribute that another module defines.

Every import counts, wherever it stands: under `TYPE_CHECKING` and inside functions too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

import pytest

# Reads the whole package's source: slow, and the same on every Python.
pytestmark = pytest.mark.slow

PACKAGE = Path(__file__).resolve().parent.parent / "vapi_phone_async"
ROOT = PACKAGE.name
SUBPACKAGES = frozenset(path.parent.name for path in PACKAGE.glob("*/__init__.py"))
# namedtuple's own API is underscored so as not to clash with field names.
_NAMEDTUPLE_API = frozenset({"_make", "_replace", "_asdict", "_fields"})

FLOORS: tuple[tuple[str, frozenset[str]], ...] = (
    # What the models stand on: their repr hides secrets, and a decoded object keeps what
    # it cannot type by path. (DESIGN.md lists _secrets beside errors; the models need it.)
    (
        "the ground",
        frozenset({"_secrets", "_encodings", "_kept", "_gc", "_version", "_progress"}),
    ),
    ("the wire models", frozenset({"models"})),
    ("the exceptions", frozenset({"errors"})),
    # When a call must be over: the transports end an attempt by it.
    ("the deadline", frozenset({"_deadline"})),
    # What an exchange carries (a Request in, an Answer out) and what carries it.
    ("the transports", frozenset({"transports"})),
    (
        "pure: decoding, validating, options, queries, reading an answer (no I/O)",
        frozenset(
            {
                "_shapes",
                "_lenient",
                "_novel",
                "_decode",
                "_wire",
                "_validate",
                "_extras",
                "_options",
                "_query",
                "_responses",
                "_logs",
                "_rules",
                "_cells",
                "_update",
            }
        ),
    ),
    # The one wait the retry engine and the client share, and the switch that makes it
    # instant in tests.
    ("waiting", frozenset({"_waits"})),
    ("pacing", frozenset({"pacing"})),
    ("the retry engine", frozenset({"_retry"})),
    (
        "the call path: the exchange and the client's parts",
        frozenset({"_call", "_events", "_raw", "_setup"}),
    ),
    ("walks", frozenset({"_walk", "pagination"})),
    ("rows of files", frozenset({"rows"})),
    ("bulk runs", frozenset({"bulk"})),
    ("the client", frozenset({"_client_base", "_aliases", "_listing", "client"})),
    ("the command line and the fake server", frozenset({"cli", "testing"})),
)
"""The layer map, lowest floor first. A new part is placed here on purpose."""


class Import(NamedTuple):
    importer: str  # the importing module, `vapi_phone_async.cli._demo`
    line: int
    module: str  # the module imported, or imported from
    names: tuple[str, ...]  # the names imported from it (none for `import x`)

    def targets(self) -> Iterator[str]:
        """The module, and each name as if it were a module below it."""
        yield self.module
        for name in self.names:
            yield f"{self.module}.{name}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, ast.Module]:
    return {
        _module_name(path): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def _is_package(name: str) -> bool:
    return (PACKAGE.parent / name.replace(".", "/")).is_dir()


def _imports_in(name: str, tree: ast.Module) -> Iterator[Import]:
    """Every import in module `name`, with relative ones made absolute."""
    here = name.split(".") if _is_package(name) else name.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                target = [*base, *(node.module.split(".") if node.module else [])]
            else:
                target = (node.module or "").split(".")
            names = tuple(alias.name for alias in node.names)
            yield Import(name, node.lineno, ".".join(target), names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, node.lineno, alias.name, ())


def _graph(level: int | None) -> dict[str, set[str]]:
    """Imports between the package's modules, or between its parts `level` deep
    (1: `client`, `bulk`, `cli`, ...)."""
    trees = _modules()

    def node(module: str) -> str:
        return ".".join(module.split(".")[: level + 1]) if level is not None else module

    graph: dict[str, set[str]] = {node(name): set() for name in trees if name != ROOT}
    for name, tree in trees.items():
        if name == ROOT:
            continue
        for found in _imports_in(name, tree):
            for target in found.targets():
                if target in trees and target != ROOT and node(target) != node(name):
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


def _upward(
    graph: Mapping[str, set[str]], floors: tuple[tuple[str, frozenset[str]], ...]
) -> list[str]:
    """The imports of `graph` (between parts, named without the package) that point up."""
    floor_of = {part: index for index, (_, parts) in enumerate(floors) for part in parts}
    return [
        f"{importer} ({floors[floor_of[importer]][0]}) imports {target}"
        f" ({floors[floor_of[target]][0]})"
        for importer in sorted(graph)
        for target in sorted(graph[importer])
        if floor_of[target] > floor_of[importer]
    ]


def _part_graph() -> dict[str, set[str]]:
    def short(name: str) -> str:
        return name.removeprefix(f"{ROOT}.")

    return {short(k): {short(v) for v in vs} for k, vs in _graph(level=1).items()}


def _exported(subpackage: str) -> frozenset[str]:
    """The names listed in `subpackage`'s `__all__`, read from its source."""
    tree = ast.parse((PACKAGE / subpackage / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            return frozenset(ast.literal_eval(node.value))
    return frozenset()


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_doors(importer: str, source: str) -> list[str]:
    """The imports in `source` (module `importer`'s) that enter another subpackage than
    its own through a private module, or a name left out of that subpackage's `__all__`."""
    own = importer.split(".")[1] if importer.count(".") else None
    doors = []
    for found in _imports_in(importer, ast.parse(source)):
        for target in found.targets():
            root, *parts = target.split(".")
            if root != ROOT or len(parts) < 2 or parts[0] not in SUBPACKAGES or parts[0] == own:
                continue
            subpackage, below = parts[0], parts[1:]
            if any(_private(part) for part in below):
                doors.append(f"{importer}:{found.line} imports {target}")
                break
            if (
                len(below) == 1
                and target != found.module  # a name from the subpackage's __init__
                and not (PACKAGE / subpackage / f"{below[0]}.py").exists()
                and not (PACKAGE / subpackage / below[0]).is_dir()
                and below[0] not in _exported(subpackage)
            ):
                doors.append(f"{importer}:{found.line} imports {target}, not in its __all__")
                break
    return doors


def test_every_part_of_the_package_has_a_floor() -> None:
    placed = [part for _, parts in FLOORS for part in parts]
    assert len(placed) == len(set(placed)), "a part is on two floors"
    parts = set(_part_graph())
    assert {"unplaced": parts - set(placed), "gone": set(placed) - parts} == {
        "unplaced": set(),
        "gone": set(),
    }


def test_imports_point_down_the_floors() -> None:
    assert _upward(_part_graph(), FLOORS) == []


def test_the_floor_check_finds_an_upward_import() -> None:
    floors = (("bottom", frozenset({"models", "errors"})), ("top", frozenset({"client"})))
    graph = {"models": {"errors"}, "errors": {"models"}, "client": {"models"}}
    assert _upward(graph, floors) == []
    graph["models"].add("client")
    assert _upward(graph, floors) == ["models (bottom) imports client (top)"]


def test_no_two_parts_of_the_package_import_each_other() -> None:
    assert _cycles(_graph(level=1)) == []


def test_no_two_modules_import_each_other() -> None:
    assert _cycles(_graph(level=None)) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c", "a"]]


def test_no_module_enters_another_package_by_a_private_door() -> None:
    doors = []
    for path in sorted(PACKAGE.rglob("*.py")):
        doors += _private_doors(_module_name(path), path.read_text(encoding="utf-8"))
    assert doors == []


@pytest.mark.parametrize(
    ("importer", "source"),
    [
        ("vapi_phone_async.cli._demo", "from ..testing._serve import serve"),
        ("vapi_phone_async.cli._demo", "from ..testing import _serve"),
        ("vapi_phone_async.bulk._diff", "from ..models import Model"),  # not in __all__
        ("vapi_phone_async._decode", "import vapi_phone_async.models._base"),
        ("vapi_phone_async", "from .pacing._pacer import Pacer"),
        (
            "vapi_phone_async.cli._fake_server",
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    from ..testing._serve import ServeOption\n",
        ),
        ("vapi_phone_async.cli._demo", "def demo():\n    from ..models._base import Decoded\n"),
    ],
)
def test_the_door_check_finds_a_private_import(importer: str, source: str) -> None:
    assert len(_private_doors(importer, source)) == 1


@pytest.mark.parametrize(
    ("importer", "source"),
    [
        ("vapi_phone_async.cli._demo", "from ..testing import FakeVapiServer"),
        ("vapi_phone_async.cli._demo", "from . import _records"),  # its own package
        ("vapi_phone_async.models._base", "from .._kept import Path"),  # a top-level module
        ("vapi_phone_async._validate", "from .models.hooks import CallEndedReason"),
        ("vapi_phone_async", "from . import bulk, models"),
    ],
)
def test_the_door_check_lets_public_imports_through(importer: str, source: str) -> None:
    assert _private_doors(importer, source) == []


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
    "vapi_phone_async._deadline",
    "vapi_phone_async._raw",
    "vapi_phone_async._events",
    "vapi_phone_async._decode",
    "vapi_phone_async.transports",
    "vapi_phone_async.pacing",
    "vapi_phone_async.pagination",
    "vapi_phone_async._walk",
)


def _importers_of(library: str) -> set[str]:
    return {
        name
        for name, tree in _modules().items()
        if any(
            found.module == library or found.module.startswith(f"{library}.")
            for found in _imports_in(name, tree)
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
