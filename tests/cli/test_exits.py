"""How a command ends: every confirmation alike off a terminal (exit 2, add --yes), a
prompt answered no (exit 3), a closed pipe (exit 141, quietly), each error said once, the
time a command took, and what a plan says of the numbers a file leaves out."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from vapi_phone_async.cli import _clock, _import
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from .helpers import Run, ids_of
from .test_process import script


def _desired(server: FakeVapiServer, tmp_path: Path, keep: int) -> Path:
    """A file standing for the first `keep` numbers of the account, renamed."""
    rows = [
        {"provider": data["provider"], "id": number_id, "name": f"Kept {i}"}
        for i, (number_id, data) in enumerate(list(server.numbers.items())[:keep])
    ]
    path = tmp_path / "kept.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


# Confirmations.


def _commands(server: FakeVapiServer, tmp_path: Path) -> dict[str, list[str]]:
    return {
        "delete": ["delete", ids_of(server, "twilio")[0]],
        "sync --prune": ["sync", str(_desired(server, tmp_path, 30)), "--prune", "--apply"],
        "bulk-update": ["bulk-update", "--provider", "twilio", "--set", "name=X"],
    }


@pytest.mark.parametrize("command", ["delete", "sync --prune", "bulk-update"])
def test_off_a_terminal_every_confirmation_exits_2_asking_for_yes(
    cli: Run, server: FakeVapiServer, tmp_path: Path, command: str
) -> None:
    arguments = _commands(server, tmp_path)[command]
    server.clear_log()

    result = cli(*arguments)

    assert result.code == 2 and "add --yes to do it without a prompt" in result.err
    assert "?" not in result.err  # no prompt was shown
    assert {r.method for r in server.request_log} <= {"GET"}  # nothing changed


@pytest.mark.parametrize("command", ["delete", "sync --prune", "bulk-update"])
def test_a_prompt_answered_no_exits_3_having_changed_nothing(
    cli: Run, server: FakeVapiServer, tmp_path: Path, command: str
) -> None:
    arguments = _commands(server, tmp_path)[command]
    before = {key: dict(value) for key, value in server.numbers.items()}

    declined = cli(*arguments, stdin="n\n", terminal=True)
    closed = cli(*arguments, stdin="", terminal=True)  # the end of input at the prompt

    for result in (declined, closed):
        assert result.code == 3, result.err
        assert result.err.endswith("not confirmed: nothing changed\n")
    assert server.numbers == before


# Pipes and errors.


def test_a_closed_pipe_ends_the_listing_quietly_with_141(server: FakeVapiServer) -> None:
    server.seed(400)  # more than a pipe holds, so that the writer meets the closed end
    process = subprocess.Popen(
        [*script(), "list", "-o", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"VAPI_API_KEY": TEST_API_KEY, "VAPI_BASE_URL": server.url, "PATH": "/usr/bin:/bin"},
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()

    code = process.wait(timeout=60)
    with process.stderr:
        said = process.stderr.read()

    assert first == b"[\n" and code == 141
    assert said == b""


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_a_fake_server_on_a_busy_port_says_so_once(cli: Run, busy_port: int) -> None:
    result = cli("fake-server", "--port", str(busy_port))

    assert result.code == 1
    (line,) = result.err.splitlines()
    assert line.startswith("error: ") and line.count("address already in use") == 1


# What a plan says.


def test_a_plan_says_how_many_numbers_the_file_leaves_out(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    source = _desired(server, tmp_path, 30)

    kept = cli("sync", str(source))
    pruned = cli("sync", str(source), "--prune")

    assert "10 numbers are not in the file; --prune deletes them" in kept.out
    assert "--prune deletes them" not in pruned.out
    left_out = list(server.numbers.items())[30:]
    for number_id, data in left_out[:5]:  # each delete names the id and the number
        shown = data.get("number") or data["sipUri"]
        assert f"  delete {number_id} ({shown})" in pruned.out.splitlines()


# Timings.


class FakeClock:
    """A `time` module whose clock moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def perf_counter(self) -> float:
        return self.now


def test_an_import_reports_the_time_of_the_whole_command(
    cli: Run, server: FakeVapiServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "numbers.jsonl"
    assert cli("export", str(source)).code == 0
    clock = FakeClock()
    monkeypatch.setattr(_clock, "time", clock)
    read_input = _import.read_input

    def slow_read(*args: object) -> object:  # reading a big file takes 2.5 s
        clock.now += 2.5
        return read_input(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(_import, "read_input", slow_read)

    result = cli("import", str(source))

    assert result.code == 0
    assert result.out.startswith("import: 40 rows in 2.5 s (16 rows/s)")
