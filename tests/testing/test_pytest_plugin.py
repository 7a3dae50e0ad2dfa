"""The pytest plugin (`_vapi_phone_async_pytest`, loaded through the pytest11 entry point):
its fixtures, the tests it runs on pytest-asyncio in any mode, what it imports, and what
it says when pytest-asyncio is missing.

Most tests here run pytest in a subprocess, in a folder standing for a user's project:
no conftest, no settings but those the test writes or passes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio.plugin

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async.models import CreateVonagePhoneNumber
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer, is_testing

from .readme_sample import README, extract

# Each test runs pytest in a subprocess: slow.
pytestmark = pytest.mark.slow

TESTING_DOCS = Path(__file__).resolve().parents[2] / "docs" / "testing.md"

# A user's test of their own, marked, asking for both fixtures (nox's build session runs
# it too).
FIXTURE_TEST = (Path(__file__).parent / "fixture_sample.py").read_text(encoding="utf-8")
# The README's, unmarked.
README_TEST = extract(README.read_text(encoding="utf-8"))

# Every warning an error, but pytest-asyncio's own notice, at the start of every run
# without `asyncio_default_fixture_loop_scope` (0.24 and later), which is not ours.
WARNINGS_ARE_ERRORS = (
    "-W",
    "error",
    "-W",
    'ignore:The configuration option "asyncio_default_fixture_loop_scope" is unset',
)
MODES = {"strict": (), "auto": ("--asyncio-mode=auto",)}  # strict: pytest-asyncio's default

# Tests of a user's project in every way of asking for a fixture, and one asking for none.
MARKING_TEST = """\
import asyncio

import pytest
import pytest_asyncio

from vapi_phone_async.testing import is_testing


@pytest.fixture
def seeded(fake_vapi):
    fake_vapi.seed(3)
    return fake_vapi


@pytest_asyncio.fixture
async def my_client(vapi_client):
    yield vapi_client


async def test_asking_for_a_fixture(vapi_client):
    assert await vapi_client.list_recent() == []
    assert is_testing()


async def test_through_a_fixture_of_mine(seeded):
    await asyncio.sleep(0)
    assert len(seeded.numbers) == 3


async def test_through_an_async_fixture_of_mine(my_client):
    assert await my_client.list_recent() == []


class TestInAClass:
    async def test_a_method(self, fake_vapi):
        await asyncio.sleep(0)
        assert fake_vapi.numbers == {}


@pytest.mark.parametrize("n", [1, 2])
async def test_parametrized(fake_vapi, vapi_client, n):
    fake_vapi.seed(n)
    assert len(await vapi_client.list_recent()) == n


def test_not_async(fake_vapi):
    assert fake_vapi.url.startswith("http://127.0.0.1:")


async def test_asking_for_neither():
    await asyncio.sleep(0)


def test_after_the_fixtures_waits_are_real_again():
    assert not is_testing()
"""
ASKING = [
    "test_asking_for_a_fixture",
    "test_through_a_fixture_of_mine",
    "test_through_an_async_fixture_of_mine",
    "TestInAClass::test_a_method",
    "test_parametrized[1]",
    "test_parametrized[2]",
    "test_not_async",
    "test_after_the_fixtures_waits_are_real_again",
]


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


def outcomes(output: str) -> dict[str, str]:
    """Each test's outcome by its id (`test_file.py::name`), from a run with `-rA`."""
    found = re.findall(r"^(PASSED|FAILED|ERROR|SKIPPED) (\S+?\.py::\S+)", output, re.MULTILINE)
    return {test: outcome for outcome, test in found}


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


async def test_the_fixtures_make_retries_wait_no_time(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    assert is_testing()
    (number,) = fake_vapi.seed(1)
    fake_vapi.inject_fault("GET", status=503, times=3)  # the default plan's 3 retries
    # 0.5 + 1 + 2 s (less jitter) of waits: well past a deadline of a second, unless
    # they are not slept.
    assert (await vapi_client.get(number["id"], deadline=1.0)).id == number["id"]
    assert [record.status for record in fake_vapi.request_log] == [503, 503, 503, 200]


@pytest.mark.parametrize("mode", list(MODES))
def test_in_any_mode_the_readme_sample_and_each_coroutine_asking_for_a_fixture_run(
    tmp_path: Path, mode: str
) -> None:
    """With no settings, the README's testing sample passes as written, as does every
    test asking for a fixture, and a test asking for neither fixture runs as before."""
    (tmp_path / "test_readme.py").write_text(README_TEST, encoding="utf-8")
    (tmp_path / "test_mine.py").write_text(MARKING_TEST, encoding="utf-8")
    result = run_pytest(tmp_path, "-rA", *WARNINGS_ARE_ERRORS, *MODES[mode])
    found = outcomes(result.stdout)
    readme = {name: outcome for name, outcome in found.items() if "test_readme.py" in name}
    assert readme and set(readme.values()) == {"PASSED"}, result.stdout
    asking = {name: found.get(f"test_mine.py::{name}") for name in ASKING}
    assert asking == dict.fromkeys(ASKING, "PASSED"), result.stdout
    # Strict mode does not run a coroutine test that asks for neither fixture: as before.
    expected = "PASSED" if mode == "auto" else "FAILED"
    assert found["test_mine.py::test_asking_for_neither"] == expected, result.stdout


def test_a_test_marked_with_its_own_loop_scope_keeps_it(tmp_path: Path) -> None:
    (tmp_path / "test_mine.py").write_text(
        "import asyncio\n\nimport pytest\n\n"
        'pytestmark = pytest.mark.asyncio(loop_scope="module")\n'
        "loops = []\n\n\n"
        "async def test_one(vapi_client):\n"
        "    loops.append(asyncio.get_running_loop())\n"
        "    assert await vapi_client.list_recent() == []\n\n\n"
        "async def test_two(vapi_client):\n"
        "    loops.append(asyncio.get_running_loop())\n"
        "    assert loops[0] is loops[1]\n",
        encoding="utf-8",
    )
    settings = ("-o", "asyncio_default_fixture_loop_scope=module")
    result = run_pytest(tmp_path, *WARNINGS_ARE_ERRORS, *settings)
    assert result.returncode == 0 and "2 passed" in result.stdout, result.stdout


def test_a_test_the_plugin_marks_runs_on_each_loop_factory(tmp_path: Path) -> None:
    # pytest-asyncio parametrizes a marked test over the loop factories a hook gives
    # (1.5 and later), before the plugin marks the items: it marks their definition too.
    specs = getattr(pytest_asyncio.plugin, "PytestAsyncioSpecs", None)
    if not hasattr(specs, "pytest_asyncio_loop_factories"):
        pytest.skip("this pytest-asyncio has no loop factories")
    (tmp_path / "conftest.py").write_text(
        "import asyncio\n\n\n"
        "def pytest_asyncio_loop_factories(config, item):\n"
        '    return {"one": asyncio.new_event_loop, "two": asyncio.new_event_loop}\n',
        encoding="utf-8",
    )
    (tmp_path / "test_mine.py").write_text(
        "async def test_on_each_loop(vapi_client):\n"
        "    assert await vapi_client.list_recent() == []\n",
        encoding="utf-8",
    )
    result = run_pytest(tmp_path, "-rA", *WARNINGS_ARE_ERRORS)
    assert outcomes(result.stdout) == {
        "test_mine.py::test_on_each_loop[one]": "PASSED",
        "test_mine.py::test_on_each_loop[two]": "PASSED",
    }, result.stdout


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
    # Unmarked: the hooks that mark it come by that name too.
    (tmp_path / "test_mine.py").write_text(README_TEST, encoding="utf-8")
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    plugins = ["-p", "pytest_asyncio.plugin", "-p", "vapi_phone_async.testing.pytest_plugin"]
    result = run_pytest(tmp_path, *plugins, env=env)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout


def test_the_settings_the_docs_show_run_every_async_test_with_no_warning_at_all(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text(recommended_settings(), encoding="utf-8")
    (tmp_path / "test_mine.py").write_text(MARKING_TEST, encoding="utf-8")
    # pytest-asyncio's own notice too is an error here: the settings silence it.
    result = run_pytest(tmp_path, "-W", "error")
    assert result.returncode == 0 and "9 passed" in result.stdout, result.stdout
