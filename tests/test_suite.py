"""The suite's own shape: tests speak to the package through what it offers, and the call
path has a test file for each of its modules.

- No test reads a private attribute of an object (a client, a session, a connector, a
  transport, anything): in the source of every file under tests/, no `x._name` but on
  `self` or `cls` (a helper class's own state) or on an imported module (a private
  function of the module under test, `_decode._item`), and no `getattr`, `setattr`,
  `hasattr` or `delattr` of a literal `"_name"`. What it does not see: a name reached
  another way (`vars()`, a variable holding the name), and the dotted strings of
  `monkeypatch.setattr("package.module.NAME", ...)`, which patch a module's constant.
- Every module of the call path has a test file named after it, where tests mirror the
  package: `vapi_phone_async/_setup.py` in tests/test_setup.py,
  `vapi_phone_async/transports/_mock.py` in tests/transports/test_mock.py.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_architecture import CALL_PATH as ARCHITECTURE_CALL_PATH
from .test_architecture import PACKAGE

TESTS = Path(__file__).resolve().parent

# Private attributes.

_ATTRIBUTE_FUNCTIONS = frozenset({"getattr", "setattr", "hasattr", "delattr"})


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


@functools.cache
def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _imported(tree: ast.Module) -> dict[str, str]:
    """The names imports bind, and what each may be (`import a.b`: `a`; `from a import
    b`: `a.b`, a module or a name in `a`)."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                bound[name] = alias.name if alias.asname else name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def _on_a_module_or_itself(node: ast.Attribute, imported: dict[str, str]) -> bool:
    if not isinstance(node.value, ast.Name):
        return False
    name = node.value.id
    return name in ("self", "cls") or (name in imported and _is_module(imported[name]))


def private_readings(source: str) -> Iterator[tuple[int, str]]:
    """Where `source` reads a private attribute of an object: (line, the expression)."""
    tree = ast.parse(source)
    imported = _imported(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            if not _on_a_module_or_itself(node, imported):
                yield node.lineno, ast.unparse(node)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _ATTRIBUTE_FUNCTIONS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _is_private(node.args[1].value)
        ):
            yield node.lineno, ast.unparse(node)


def test_no_test_reads_a_private_attribute_of_an_object() -> None:
    readings = [
        f"{path.relative_to(TESTS.parent)}:{line} {text}"
        for path in sorted(TESTS.rglob("*.py"))
        for line, text in private_readings(path.read_text(encoding="utf-8"))
    ]
    assert readings == []


@pytest.mark.parametrize(
    "source",
    [
        "client._exchange.transport",
        "vapi_client._fetch_page({})",
        "session.connector._acquired",
        "len(client.session._connector._conns)",
        "getattr(client, '_exchange')",
        "setattr(transport, '_closed', True)",
        "import vapi_phone_async\nvapi_phone_async.VapiPhoneClient(api_key='k')._owner",
        "from vapi_phone_async.testing import TEST_API_KEY\nTEST_API_KEY._x",
    ],
)
def test_the_scan_finds_a_private_reading(source: str) -> None:
    assert list(private_readings(source)) != []


@pytest.mark.parametrize(
    "source",
    [
        "self._names[host]",
        "cls._cache",
        "from vapi_phone_async import _decode\n_decode._item",
        "import vapi_phone_async._waits\nvapi_phone_async._waits",
        "client.transport.in_flight",
        "value.__struct_config__",
        "getattr(client, 'session')",
        "monkeypatch.setattr('vapi_phone_async.transports._aiohttp.MAX_RESPONSE_BYTES', 1)",
    ],
)
def test_the_scan_lets_public_readings_through(source: str) -> None:
    assert list(private_readings(source)) == []


# A test file for every module of the call path.

CALL_PATH = (
    "client",
    "_client_base",
    "_setup",
    "_options",
    "_rules",
    "_call",
    "_retry",
    "_responses",
    "_progress",
    "_deadline",
    "_raw",
    "_events",
    "transports",
)
"""One call's path from the client to the transport, as DESIGN.md's layer map draws it:
the client and its parts, the options, the exchange, the retry engine, reading an answer,
and the transports. (Pacing, walks and decoding have folders and files of their own.)"""


def modules_of(part: str) -> list[Path]:
    """The module files of `part`: itself, or each module of the package it is."""
    package = PACKAGE / part
    if package.is_dir():
        return sorted(path for path in package.glob("*.py") if path.name != "__init__.py")
    return [PACKAGE / f"{part}.py"]


def mirror_of(module: Path) -> Path:
    """Where the tests of `module` are: the same folder under tests/, `test_` and the
    module's name without its leading underscore."""
    folder = module.parent.relative_to(PACKAGE)
    return TESTS / folder / f"test_{module.stem.lstrip('_')}.py"


def test_every_module_of_the_call_path_has_a_test_file() -> None:
    missing = [
        f"{module.relative_to(PACKAGE.parent)}: {mirror_of(module).relative_to(TESTS.parent)}"
        for part in CALL_PATH
        for module in modules_of(part)
        if not mirror_of(module).is_file()
    ]
    assert missing == []


def test_the_call_path_is_the_architectures_and_every_part_of_it_exists() -> None:
    assert {f"{PACKAGE.name}.{part}" for part in CALL_PATH} <= set(ARCHITECTURE_CALL_PATH)
    assert all(module.is_file() for part in CALL_PATH for module in modules_of(part))


def test_the_test_file_of_a_module_mirrors_its_place_in_the_package() -> None:
    transport = PACKAGE / "transports" / "_mock.py"
    assert mirror_of(transport) == TESTS / "transports" / "test_mock.py"
    assert mirror_of(PACKAGE / "_setup.py") == TESTS / "test_setup.py"
    assert mirror_of(PACKAGE / "client.py") == TESTS / "test_client.py"
