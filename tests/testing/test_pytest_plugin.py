"""The pytest plugin (`_vapi_phone_async_pytest`, loaded through the pytest11 entry point):
its fixtures, what it imports, and what it says when pytest-asyncio is missing.

Most tests here run pytest in a subprocess, in a folder standing for a user's project:
no conftest, no settings but those the test writes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import aiohttp

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async.models import CreateVonagePhoneNumber
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

TESTING_DOCS = Path(__file__).resolve().parents[2] / "docs" / "testing.md"

# A user's test of their own, asking for both fixtures (nox's build session runs it too).
FIXTURE_TEST = (Path(__file__).parent / "fixture_sample.py").read_text(encoding="utf-8")


def run_pytest(
    project: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """pytest in a subprocess, in `project`; stdout and stderr together."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
        check=False,
    )


def recommended_settings() -> str:
    """The `[tool.pytest.ini_options]` that docs/testing.md recommends."""
    found = re.search(
        r"^```toml[^\n]*\n(\[tool\.pytest\.ini_options\]\n.*?)^```",
        TESTING_DOCS.read_text(encoding="utf-8"),
        re.MULTILINE | re.DOTALL,
    )
    assert found is not None, "docs/testing.md shows no [tool.pytest.ini_options]"
    return found[1]


async def test_fake_vapi_is_a_started_server_with_the_test_key(
    fake_vapi: FakeVapiServer,
) -> None:
    assert isinstance(fake_vapi, FakeVapiServer) and fake_vapi.api_key == TEST_API_KEY
    async with (
        aiohttp.ClientSession(headers={"Authorization": "Bearer test-key"}) as http,
        http.get(f"{fake_vapi.url}/phone-number") as response,
    ):
        assert response.status == 200
        assert await response.json() == []


async def test_vapi_client_talks_to_fake_vapi(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    body = CreateVonagePhoneNumber(number="+14155550100", credential_id="cred-1")
    created = await vapi_client.create(body)
    assert created.id in fake_vapi.numbers
    assert (await vapi_client.get(created.id)).number == "+14155550100"
    assert [record.method for record in fake_vapi.request_log] == ["POST", "GET"]


def test_the_fixtures_work_in_a_project_without_a_conftest(tmp_path: Path) -> None:
    (tmp_path / "test_mine.py").write_text(FIXTURE_TEST, encoding="utf-8")
    result = run_pytest(tmp_path)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout


def test_a_run_that_asks_for_no_fixture_does_not_import_the_package(tmp_path: Path) -> None:
    # The plugin is loaded in every run; what it costs is measured by
    # benchmarks/import_cost.py. Here: that it leaves the package (and aiohttp with it) alone.
    (tmp_path / "test_other.py").write_text(
        "import sys\n\n\n"
        "def test_the_plugin_is_loaded_and_the_package_is_not():\n"
        "    assert '_vapi_phone_async_pytest' in sys.modules\n"
        "    assert [name for name in sys.modules if name.startswith('vapi_phone_async')] == []\n",
        encoding="utf-8",
    )
    result = run_pytest(tmp_path)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout


def test_without_pytest_asyncio_a_fixture_says_what_to_install(tmp_path: Path) -> None:
    # As if pytest-asyncio were not installed: its plugin is not loaded, and importing it
    # fails (a module that is None in sys.modules cannot be imported).
    (tmp_path / "no_pytest_asyncio.py").write_text(
        "import sys\n\nsys.modules['pytest_asyncio'] = None\n", encoding="utf-8"
    )
    (tmp_path / "test_mine.py").write_text(FIXTURE_TEST, encoding="utf-8")
    result = run_pytest(tmp_path, "-p", "no_pytest_asyncio", "-p", "no:asyncio")
    assert result.returncode == 1, result.stdout
    assert "1 error" in result.stdout, result.stdout
    assert (
        "the fixtures of vapi-phone-async (fake_vapi, vapi_client) need pytest-asyncio, "
        'which is not installed: pip install "vapi-phone-async[pytest]"'
    ) in result.stdout
    assert "not found" not in result.stdout


def test_the_fixtures_load_by_the_package_name_without_autoload(tmp_path: Path) -> None:
    (tmp_path / "test_mine.py").write_text(FIXTURE_TEST, encoding="utf-8")
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    plugins = ["-p", "pytest_asyncio.plugin", "-p", "vapi_phone_async.testing.pytest_plugin"]
    result = run_pytest(tmp_path, *plugins, env=env)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout


def test_the_recommended_settings_run_the_fixtures_without_a_deprecation_warning(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text(recommended_settings(), encoding="utf-8")
    # Unmarked: the recommended asyncio_mode = "auto" runs it.
    unmarked = FIXTURE_TEST.replace("@pytest.mark.asyncio\n", "")
    (tmp_path / "test_mine.py").write_text(unmarked, encoding="utf-8")
    result = run_pytest(tmp_path, "-W", "error::pytest.PytestDeprecationWarning")
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout
