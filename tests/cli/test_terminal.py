"""The command line as a person at a terminal meets it: whole ids and numbers at 80 and
120 columns, a first screen, streamed pages, messages in the words of the flags, nothing
half-written on stdout, and the environment and completion documented."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from typing import Any

import pytest

from vapi_phone_async.cli import main
from vapi_phone_async.cli._screen import COLUMN_ORDER, fit_columns
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from .helpers import Result, Run
from .test_process import script

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def screen_text(raw: str) -> str:
    """What a terminal shows of `raw`, less the progress bar: no escape codes, and of a
    line rewritten after a carriage return, the last version."""
    lines = [line.rsplit("\r", 1)[-1] for line in ESCAPE.sub("", raw).split("\n")]
    return "\n".join(line for line in lines if "━" not in line)


class Terminal(io.StringIO):
    """A stdout that says it is a terminal, as rich and the command line ask."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(
    server: FakeVapiServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    """Runs `vapi-phone ARGS` with stdout a terminal `columns` wide."""
    monkeypatch.setenv("VAPI_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("VAPI_BASE_URL", server.url)

    def run(*args: str, columns: int = 120) -> Result:
        monkeypatch.setenv("COLUMNS", str(columns))
        screen = Terminal()
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdout", screen)
        code = main(list(args))
        result = Result(code, screen_text(screen.getvalue()), capsys.readouterr().err)
        assert TEST_API_KEY not in result.out + result.err
        return result

    return run


def _long_names(server: FakeVapiServer) -> None:
    for data in server.numbers.values():
        data["name"] = "A rather long name for a phone number of the front desk"[:40]


# Whole ids and numbers.


@pytest.mark.parametrize("columns", [80, 120])
def test_list_on_a_terminal_shows_every_id_and_number_whole(
    terminal: Any, server: FakeVapiServer, columns: int
) -> None:
    _long_names(server)

    result = terminal("list", "--all", columns=columns)

    assert result.code == 0
    lines = result.out.splitlines()
    assert all(len(line) <= columns for line in lines)
    for data in server.numbers.values():
        shown = data.get("number") or data["sipUri"]
        row = next(line for line in lines if data["id"] in line)
        assert shown in row, (shown, row)
    assert "…" not in result.out


def test_at_80_columns_the_table_drops_columns_rather_than_cut_an_id(terminal: Any) -> None:
    wide = terminal("list", "--all", columns=120).out.splitlines()[0].split()
    narrow = terminal("list", "--all", columns=80).out.splitlines()[0].split()

    assert narrow[:1] == ["id"] and "number" in narrow
    assert set(narrow) < set(wide) and "provider" in wide


def test_columns_leave_a_narrow_table_least_needed_first() -> None:
    widest = {
        "id": 36,
        "provider": 16,
        "number": 12,
        "name": 40,
        "status": 6,
        "assistantId": 36,
        "createdAt": 24,
    }

    assert tuple(fit_columns(widest, 200)) == COLUMN_ORDER
    assert list(fit_columns(widest, 120)) == [
        "id",
        "provider",
        "number",
        "name",
        "status",
        "createdAt",
    ]
    at_80 = fit_columns(widest, 80)
    assert list(at_80) == ["id", "number", "name"] and at_80["name"] == 80 - 36 - 12 - 6
    assert list(fit_columns(widest, 30)) == ["id", "number"]  # never fewer than these two


def test_a_value_longer_than_its_column_folds_whole() -> None:
    from rich.console import Console

    from vapi_phone_async.cli._screen import StreamedTable

    screen = Terminal()
    table = StreamedTable(screen, Console(file=screen, width=80))
    table.write(["a" * 36, "twilio", "+14155550100", "Desk", "active", "", ""])
    table.flush()
    table.write(["b" * 36, "vapi", "sip:" + "x" * 60 + "@sip.vapi.ai", "Desk", "active", "", ""])
    table.close()

    lines = screen_text(screen.getvalue()).splitlines()
    start = lines[0].index("number")
    width = lines[0].index("name") - start - 3
    column = "".join(line[start : start + width].strip() for line in lines[3:])
    assert column == "sip:" + "x" * 60 + "@sip.vapi.ai"
    assert all(len(line) <= 80 for line in lines) and "…" not in screen.getvalue()


# The first screen, streaming and progress.


def test_list_on_a_terminal_shows_a_first_screen_and_says_how_to_see_the_rest(
    terminal: Any, server: FakeVapiServer
) -> None:
    server.seed(60)  # 100 in all
    server.clear_log()

    result = terminal("list")

    ids = UUID.findall(result.out)
    assert len(ids) == 30
    assert "30 of 100 numbers shown: --all shows every one" in result.err
    assert len(server.request_log) == 1


def test_list_all_on_a_terminal_streams_every_page(
    terminal: Any, server: FakeVapiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.seed(2460)  # 2,500 in all: 25 pages of the 100 the API answers at most
    pages_seen: list[int] = []
    from vapi_phone_async.cli import _screen

    flush = _screen.StreamedTable.flush

    def counting_flush(self: Any) -> None:
        pages_seen.append(len(self._rows))  # noqa: SLF001: the test's own spy
        flush(self)

    monkeypatch.setattr(_screen.StreamedTable, "flush", counting_flush)

    result = terminal("list", "--all")

    assert result.code == 0 and len(set(UUID.findall(result.out))) == 2500
    assert pages_seen[:25] == [100] * 25
    headers = [line for line in result.out.splitlines() if line.startswith("id ")]
    assert len(headers) == 1 and result.out.index(headers[0]) == 0  # above the first page


def test_piped_list_writes_every_number_without_a_first_screen(cli: Run) -> None:
    result = cli("list")

    assert result.code == 0 and len(result.out.splitlines()) == 41  # header + 40
    assert "shown" not in result.err


def test_all_and_limit_together_are_a_usage_error(cli: Run) -> None:
    result = cli("list", "--all", "--limit", "5")

    assert result.code == 2 and "--all and --limit" in result.err


# Messages in the words of the flags.


def test_a_plain_date_means_midnight_utc(cli: Run, server: FakeVapiServer) -> None:
    server.clear_log()

    result = cli("list", "--created-at-ge", "2024-01-01", "-o", "jsonl")

    assert result.code == 0
    assert server.request_log[0].query["createdAtGe"] == "2024-01-01T00:00:00.000Z"


def test_a_time_without_a_zone_is_refused_showing_how_to_write_one(
    cli: Run, server: FakeVapiServer
) -> None:
    server.clear_log()

    result = cli("list", "--created-at-ge", "2024-01-01T01:30:00")

    assert result.code == 2
    assert "'--created-at-ge'" in result.err and "no time zone" in result.err
    assert "2024-01-01T01:30:00Z" in result.err and "2024-01-01T01:30:00+02:00" in result.err
    assert server.request_log == []


def test_a_long_search_is_refused_naming_the_flag(cli: Run, server: FakeVapiServer) -> None:
    server.clear_log()

    result = cli("list", "--search", "x" * 101)

    assert result.code == 2 and "'--search'" in result.err and "at most 100" in result.err
    assert server.request_log == []


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--sort", "asc", "-o", "JSONL"],
        ["list", "--sort", "Desc", "--output", "Csv"],
        ["bulk-update", "--provider", "TWILIO", "--set", "name=x", "--dry-run"],
    ],
)
def test_choices_take_any_case(cli: Run, args: list[str]) -> None:
    assert cli(*args).code == 0


def test_a_connection_error_names_the_host(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAPI_BASE_URL", "http://127.0.0.1:9")  # discard: nothing listens

    result = cli("list", "--retries", "0")

    assert result.code == 1
    assert "could not connect to 127.0.0.1:9" in result.err


# stdout: nothing half-written, one shape of JSON.


@pytest.mark.parametrize("output", ["json", "jsonl", "csv", "table"])
def test_a_listing_refused_at_once_writes_nothing_on_stdout(
    cli: Run, monkeypatch: pytest.MonkeyPatch, output: str
) -> None:
    monkeypatch.setenv("VAPI_API_KEY", "not-the-key")

    result = cli("list", "-o", output)

    assert result.code == 1 and result.out == "" and "401" in result.err


def _second_page_fails(server: FakeVapiServer) -> None:
    server.seed(2460)  # 2,500: the walk needs 25 pages of the 100 the API answers at most
    # Faults queue: the first page meets a harmless one, the second a 400 (not retried).
    server.inject_fault("GET", "/v2/phone-number", mode="delay", delay=0.001)
    server.inject_fault("GET", "/v2/phone-number", status=400)


def test_a_json_listing_that_fails_halfway_writes_nothing_on_stdout(
    cli: Run, server: FakeVapiServer
) -> None:
    _second_page_fails(server)

    result = cli("list", "-o", "json")

    assert result.code == 1 and result.out == ""
    assert "the listing stopped after 100 numbers" in result.err


def test_a_line_listing_that_fails_halfway_holds_only_whole_lines(
    cli: Run, server: FakeVapiServer
) -> None:
    _second_page_fails(server)

    result = cli("list", "-o", "jsonl")

    assert result.code == 1 and result.out.endswith("\n")
    assert [json.loads(line)["id"] for line in result.out.splitlines()][:1]
    assert len(result.out.splitlines()) == 100
    assert "the listing stopped after 100 numbers" in result.err


def test_json_is_the_same_shape_in_list_and_get(cli: Run, server: FakeVapiServer) -> None:
    listed = cli("list", "-o", "json", "--limit", "3")
    number_id = json.loads(listed.out)[0]["id"]
    got = cli("get", number_id, "-o", "json")

    documents = json.loads(listed.out)
    assert listed.out == json.dumps(documents, indent=2, ensure_ascii=False) + "\n"
    assert got.out == json.dumps(documents[0], indent=2, ensure_ascii=False) + "\n"
    assert json.loads(cli("list", "-o", "json", "--search", "no such").out) == []


# The delete prompt, the environment, completion.


def test_the_delete_prompt_shows_the_number_and_its_name(cli: Run, server: FakeVapiServer) -> None:
    number_id, data = next(
        (i, d) for i, d in server.numbers.items() if d.get("number") and d.get("name")
    )

    result = cli("delete", number_id, stdin="n\n")

    assert result.code == 1 and number_id in server.numbers
    prompt = result.err.splitlines()[0]
    assert data["number"] in prompt and data["name"] in prompt and number_id in prompt


def test_help_lists_the_environment_variables_read(cli: Run) -> None:
    group = cli("--help").out
    create = cli("create", "--help").out

    for variable in ("VAPI_API_KEY", "VAPI_BASE_URL", "VAPI_ALLOW_HTTP", "VAPI_LOG"):
        assert variable in group
    for variable in ("TWILIO_AUTH_TOKEN", "TWILIO_API_SECRET"):
        assert variable in group and variable in create


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_scripts_are_generated(shell: str) -> None:
    completed = subprocess.run(
        script(),
        env={"_VAPI_PHONE_COMPLETE": f"{shell}_source", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0 and "vapi-phone" in completed.stdout
    assert "_VAPI_PHONE_COMPLETE" in completed.stdout


def test_list_and_export_say_how_many_items_they_could_not_read(
    cli: Run, server: FakeVapiServer, tmp_path: Any
) -> None:
    server.insert({"number": "+14155550199", "name": "no provider"})

    listed = cli("list", "-o", "jsonl")
    exported = cli("export", str(tmp_path / "all.jsonl"))

    assert listed.code == 0 and len(listed.out.splitlines()) == 41
    assert "1 item of the listing could not be read (no id or provider)" in listed.err
    assert exported.code == 0 and "1 item of the account could not be read" in exported.err
