"""The environment: what the client reads from it, in which order, and the one docs table
that lists every variable the package reads."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async.errors import RequestValidationError
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_FILES = [
    *sorted((ROOT / "vapi_phone_async").rglob("*.py")),
    ROOT / "_vapi_phone_async_pytest.py",
]
TABLE = ROOT / "docs" / "environment.md"


# VAPI_BASE_URL: the argument, then the environment, then the default.


async def test_a_client_without_base_url_calls_the_url_of_vapi_base_url(
    fake_vapi: FakeVapiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = fake_vapi.seed(1)[0]
    monkeypatch.setenv("VAPI_BASE_URL", fake_vapi.url)
    monkeypatch.setenv("VAPI_API_KEY", TEST_API_KEY)
    async with VapiPhoneClient() as client:
        assert client.base_url == fake_vapi.url
        assert (await client.get(number["id"])).id == number["id"]
    assert [request.path for request in fake_vapi.request_log] == [f"/phone-number/{number['id']}"]


def test_base_url_given_wins_over_vapi_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAPI_BASE_URL", "http://127.0.0.1:9")
    client = VapiPhoneClient(api_key="k", base_url="https://example.com/vapi/")
    assert client.base_url == "https://example.com/vapi"


@pytest.mark.parametrize("value", [None, ""])
def test_without_vapi_base_url_the_client_calls_vapi(
    value: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if value is None:
        monkeypatch.delenv("VAPI_BASE_URL", raising=False)
    else:
        monkeypatch.setenv("VAPI_BASE_URL", value)  # empty: as unset
    assert VapiPhoneClient(api_key="k").base_url == "https://api.vapi.ai"


def test_a_bad_vapi_base_url_is_refused_by_its_name_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VAPI_BASE_URL", "https://user:hunter2@example.com")
    with pytest.raises(RequestValidationError) as caught:
        VapiPhoneClient(api_key="k")
    assert caught.value.field == "VAPI_BASE_URL"
    assert "user info" in caught.value.rule and "hunter2" not in str(caught.value)


def test_vapi_allow_http_opens_plain_http_to_a_url_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VAPI_BASE_URL", "http://fake-vapi:8787")
    with pytest.raises(RequestValidationError, match="VAPI_BASE_URL must be an https://"):
        VapiPhoneClient(api_key="k")
    monkeypatch.setenv("VAPI_ALLOW_HTTP", "1")
    assert VapiPhoneClient(api_key="k").base_url == "http://fake-vapi:8787"


# The one table of docs/environment.md.


def variables_read(path: Path) -> set[str]:
    """The names of the environment variables a module reads: `os.environ.get(X)`,
    `os.environ[X]`, `os.getenv(X)`, `X in os.environ`, and click's `envvar=X`, where X
    is a string, an expression holding strings (`"A" if flag else None`), or a constant
    of the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }

    def is_environ(node: ast.AST) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
            isinstance(node, ast.Name) and node.id == "environ"
        )

    def names_in(node: ast.AST) -> set[str]:
        found = {
            part.value
            for part in ast.walk(node)
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        }
        found |= {
            constants[part.id]
            for part in ast.walk(node)
            if isinstance(part, ast.Name) and part.id in constants
        }
        unresolved = [
            part.id
            for part in ast.walk(node)
            if isinstance(part, ast.Name) and part.id not in constants and part.id.isupper()
        ]
        assert not unresolved, f"{path}: cannot tell which variable {unresolved} names"
        return found

    read: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Attribute) and (
                (function.attr in ("get", "pop", "setdefault") and is_environ(function.value))
                or function.attr == "getenv"
            ):
                read |= names_in(node.args[0])
            for keyword in node.keywords:
                if keyword.arg == "envvar":
                    read |= names_in(keyword.value)
        elif isinstance(node, ast.Subscript) and is_environ(node.value):
            read |= names_in(node.slice)
        elif isinstance(node, ast.Compare) and any(is_environ(c) for c in node.comparators):
            read |= names_in(node.left)
    return read


def documented_variables() -> set[str]:
    """The variables in the first column of the table of docs/environment.md."""
    rows = [
        line for line in TABLE.read_text(encoding="utf-8").splitlines() if line.startswith("| `")
    ]
    return {name for row in rows for name in re.findall(r"`([A-Z_][A-Z0-9_]*)`", row.split("|")[1])}


def test_the_scan_finds_every_form_of_reading_a_variable(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        "import os\nfrom os import environ\nNAME = 'E'\n"
        "os.environ.get('A'); os.environ['B']; os.getenv('C'); 'D' in os.environ\n"
        "environ.get(NAME); option(envvar='F' if flag else None); option(envvar=['G'])\n",
        encoding="utf-8",
    )
    assert variables_read(module) == {"A", "B", "C", "D", "E", "F", "G"}


def test_every_variable_the_package_reads_is_in_the_one_table() -> None:
    read = {name: path for path in PACKAGE_FILES for name in variables_read(path)}
    assert {"VAPI_API_KEY", "VAPI_BASE_URL", "VAPI_LOG", "VAPI_LOCK_DIR"} <= set(read)
    missing = sorted(
        f"{name} ({read[name].relative_to(ROOT)})" for name in set(read) - documented_variables()
    )
    assert not missing, f"read by the package, not in docs/environment.md: {missing}"


def test_the_table_lists_only_variables_the_package_reads() -> None:
    read = {name for path in PACKAGE_FILES for name in variables_read(path)}
    # Read on the package's behalf: click's shell completion reads its own variable.
    extra = documented_variables() - read - {"_VAPI_PHONE_COMPLETE"}
    assert not extra, f"in docs/environment.md, read by no code of the package: {sorted(extra)}"
