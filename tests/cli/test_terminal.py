"""The command line as a person at a terminal meets it: whole ids and numbers at 80 and
120 columns, a first screen, streamed pages, messages in the words of the flags, nothing
half-written on stdout, and the environment and completion documented."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from vapi_phone_async.testing import FakeVapiServer

from .helpers import UUID, Run
from .test_process import script

# The first screen, streaming and progress.


def test_list_on_a_terminal_shows_a_first_screen_and_says_how_to_see_the_rest(
    terminal: Any, server: FakeVapiServer
) -> None:
    server.seed(60)  # 100 in all
    server.clear_log()

    result = terminal("list")
    assert len(server.request_log) == 1
    short = terminal("list", lines=24)

    ids = UUID.findall(result.out)
    assert len(ids) == 30 and len(result.out.splitlines()) == 32  # one line a number
    assert "30 of 100 numbers shown: --all shows every one" in result.err
    # A shorter terminal: as many as fit with the header, the note and the prompt.
    assert len(short.out.splitlines()) + 1 + 1 <= 24
    assert f"{len(UUID.findall(short.out))} of 100 numbers shown" in short.err


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

    result = cli("delete", number_id, stdin="n\n", terminal=True)

    assert result.code == 3 and number_id in server.numbers
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
