"""The installed `vapi-phone` script, run as a process, the way a user runs it."""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

# Each test starts vapi-phone processes: slow.
pytestmark = pytest.mark.slow


def script() -> list[str]:
    """The console script next to this Python, or the module if it is not installed."""
    found = shutil.which("vapi-phone", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "vapi_phone_async.cli"]


def vapi_phone(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VAPI_")}
    result = subprocess.run(
        [*script(), *args],
        capture_output=True,
        text=True,
        env={**environment, **env},
        timeout=120,
        check=False,
    )
    assert TEST_API_KEY not in result.stdout + result.stderr
    return result


def test_list_through_the_script(server: FakeVapiServer) -> None:
    result = vapi_phone("list", "-o", "jsonl", VAPI_API_KEY=TEST_API_KEY, VAPI_BASE_URL=server.url)

    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 40


def test_an_api_error_is_one_line_and_exit_code_1(server: FakeVapiServer) -> None:
    result = vapi_phone("--api-key", "sk-not-the-key-2222", "--base-url", server.url, "list")

    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: GET /v2/phone-number answered 401: Unauthorized")
    assert "sk-not-the-key-2222" not in result.stderr


def test_a_usage_error_is_exit_code_2() -> None:
    result = vapi_phone("lst")

    assert result.returncode == 2 and "No such command 'lst'" in result.stderr


def test_without_the_cli_extra_the_script_says_how_to_install_it() -> None:
    code = (
        "import sys; sys.modules['click'] = None\n"
        "from vapi_phone_async.cli import main\n"
        "sys.exit(main(['list']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )

    assert result.returncode == 2
    assert "pip install 'vapi-phone-async[cli]'" in result.stderr


def test_fake_server_serves_until_interrupted() -> None:
    # Bound to every interface, and reached at another loopback address than its URL's.
    args = ["--host", "0.0.0.0", "--port", "0", "--numbers", "7", "--api-key", "fake-key"]
    process = subprocess.Popen(
        [*script(), "fake-server", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[0]
        elsewhere = url.replace("http://127.0.0.1:", "http://127.0.0.2:")
        assert elsewhere != url
        listed = vapi_phone("list", "-o", "jsonl", VAPI_API_KEY="fake-key", VAPI_BASE_URL=elsewhere)
        assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 7
    finally:
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors


def test_demo_runs_to_its_final_table_without_a_key(tmp_path: Path) -> None:
    result = vapi_phone("demo", "--numbers", "1500", "--keep", str(tmp_path))

    assert result.returncode == 0, result.stderr
    table = result.stdout.splitlines()
    assert table[0] == "vapi-phone demo: what it did, and how fast"
    rows = {line.split("  ")[0]: line for line in table[2:]}
    assert "1000 updated, 0 failed" in rows["bulk-update assistantId"]
    assert "250 created, 0 updated, 250 skipped, 0 failed" in rows["import import.csv"]
    assert "0 created, 0 updated, 500 skipped, 0 failed" in rows["import it again"]
    assert "10 creates, 100 updates, 900 unchanged" in rows["sync desired.jsonl --apply"]
    assert "0 creates, 0 updates, 1010 unchanged" in rows["sync it again"]
    assert "sync plan for desired.jsonl" in result.stderr
    assert (tmp_path / "numbers.jsonl").read_text().count("\n") == 1500


@pytest.mark.parametrize("args", [["--help"], ["list", "--help"]])
def test_help_never_shows_the_key_from_the_environment(args: list[str]) -> None:
    result = vapi_phone(*args, VAPI_API_KEY=TEST_API_KEY)

    assert result.returncode == 0 and "--api-key" in result.stdout


@pytest.mark.parametrize("command", ["import", "sync"])
def test_ctrl_c_stops_cleanly_says_what_was_done_and_exits_130(
    server: FakeVapiServer, tmp_path: Path, command: str
) -> None:
    rows = "".join(f"twilio,+1999000{i:04d},AC1,Row {i}\n" for i in range(300))
    source = tmp_path / "big.csv"
    source.write_text("provider,number,twilioAccountSid,name\n" + rows)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VAPI_")}
    environment.update(VAPI_API_KEY=TEST_API_KEY, VAPI_BASE_URL=server.url)
    arguments = [command, str(source), "--concurrency", "2"]
    arguments += ["--apply"] if command == "sync" else []
    server.latency = 0.05  # 300 creates two at a time: about eight seconds, if let run
    try:
        process = subprocess.Popen(
            [*script(), *arguments],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while len(server.requests("POST")) < 10 and time.monotonic() < deadline:
                time.sleep(0.02)
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:  # pragma: no cover - only if the test fails
                process.kill()
                process.communicate()
    finally:
        server.latency = 0.0

    assert process.returncode == 130, err
    created = [d for d in server.numbers.values() if d.get("number", "").startswith("+1999")]
    assert 10 <= len(created) < 300
    done = {
        row[0]: int(row[-1])
        for row in (line.split() for line in out.splitlines())
        if row and row[-1].isdigit() and row[0] in ("created", "failed")
    }
    assert done["created"] == len(created)  # the summary matches the server's state
    assert "(interrupted)" in out and "rows not done written to" in out
    with (tmp_path / "big.failures.csv").open(newline="") as stream:
        not_done = list(csv.DictReader(stream))
    assert len(not_done) == 300 - len(created)
    assert {row["number"] for row in not_done}.isdisjoint(d["number"] for d in created)


def two_thousand_rows(tmp_path: Path) -> Path:
    source = tmp_path / "numbers.csv"
    rows = "".join(f"twilio,+1999000{i:04d},AC1,Row {i}\n" for i in range(2000))
    source.write_text("provider,number,twilioAccountSid,name\n" + rows)
    return source


def started(tmp_path: Path, server: FakeVapiServer, *args: str) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VAPI_")}
    environment.update(
        VAPI_API_KEY=TEST_API_KEY, VAPI_BASE_URL=server.url, VAPI_LOCK_DIR=str(tmp_path / "locks")
    )
    return subprocess.Popen(
        [*script(), *args],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def made(server: FakeVapiServer) -> list[str]:
    return [d["number"] for d in server.numbers.values() if d.get("number", "").startswith("+1999")]


def one_created_all_the_other_nothing(
    server: FakeVapiServer, processes: list[subprocess.Popen[str]]
) -> list[tuple[str, str]]:
    """Two syncs of the 2,000 rows have ended: each number made once, by one of them; the
    other waited, then planned on the account as it was then, and found nothing to do.
    Returns what each printed (stdout, stderr)."""
    try:
        outputs = [process.communicate(timeout=300) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:  # pragma: no cover - only if the test fails
                process.kill()
                process.communicate()

    assert [process.returncode for process in processes] == [0, 0], outputs
    assert len(made(server)) == 2000 and len(set(made(server))) == 2000
    assert len(server.requests("POST")) == 2000
    done = sorted(out for out, _ in outputs)
    assert "(nothing to do)" in done[0] or "(nothing to do)" in done[1]
    assert any(re.search(r"created +2000\n", out) for out in done)
    return outputs


def test_two_syncs_at_once_that_wait_make_each_number_once(
    server: FakeVapiServer, tmp_path: Path
) -> None:
    source = two_thousand_rows(tmp_path)
    processes = [started(tmp_path, server, "sync", str(source), "--apply", "--yes", "--wait")]
    processes.append(started(tmp_path, server, "sync", str(source), "--apply", "--yes", "--wait"))
    one_created_all_the_other_nothing(server, processes)


def test_a_second_sync_without_wait_exits_75_at_once(
    server: FakeVapiServer, tmp_path: Path
) -> None:
    source = two_thousand_rows(tmp_path)
    server.latency = 0.02  # two at a time: the first apply runs for about 20 s if let run
    first = started(tmp_path, server, "sync", str(source), "--apply", "--yes", "--concurrency", "2")
    second: subprocess.Popen[str] | None = None
    try:
        deadline = time.monotonic() + 60
        while not server.requests("POST") and time.monotonic() < deadline:
            time.sleep(0.02)
        second = started(tmp_path, server, "sync", str(source), "--apply", "--yes")
        out, err = second.communicate(timeout=60)
        posted = len(server.requests("POST"))
        server.latency = 0.0
        _, first_err = first.communicate(timeout=120)
    finally:
        server.latency = 0.0
        for process in (first, second):
            if process is not None and process.poll() is None:  # pragma: no cover
                process.kill()
                process.communicate()

    assert second is not None and second.returncode == 75 and out == ""
    assert err.startswith(f"error: another apply to the account at {server.url} is running")
    assert 0 < posted < 2000  # the first was still at it
    assert first.returncode == 0, first_err
    assert len(made(server)) == 2000 and len(set(made(server))) == 2000
