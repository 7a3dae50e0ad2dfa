"""vapi-phone, run in-process through `main()` against a FakeVapiServer on its own thread:
every subcommand and output format, exit codes 0/1/2, and the API key never printed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from vapi_phone_async.cli._records import COLUMNS
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from .helpers import Run, ids_of

# list


def test_list_prints_every_number_as_plain_columns_off_a_terminal(cli: Run) -> None:
    result = cli("list")

    header, *rows = result.out.splitlines()
    assert result.code == 0
    assert header.split("\t") == [
        "id",
        "provider",
        "number",
        "name",
        "status",
        "assistantId",
        "createdAt",
    ]
    assert len(rows) == 40


@pytest.mark.parametrize("output", ["json", "jsonl", "csv"])
def test_list_writes_each_machine_format(cli: Run, server: FakeVapiServer, output: str) -> None:
    result = cli("list", "--output", output)

    assert result.code == 0
    if output == "json":
        numbers = json.loads(result.out)
    elif output == "jsonl":
        numbers = [json.loads(line) for line in result.out.splitlines()]
    else:
        reader = csv.DictReader(io.StringIO(result.out))
        assert tuple(reader.fieldnames or ()) == COLUMNS
        numbers = list(reader)
    assert sorted(number["id"] for number in numbers) == sorted(server.numbers)


def test_list_applies_search_sort_limit_and_date_filters(cli: Run, server: FakeVapiServer) -> None:
    oldest_first = [
        json.loads(line) for line in cli("list", "--sort", "ASC", "-o", "jsonl").out.splitlines()
    ]
    middle = oldest_first[20]["createdAt"]

    limited = cli("list", "--sort", "ASC", "--limit", "3", "-o", "jsonl").out.splitlines()
    after = cli("list", "--created-at-ge", middle, "-o", "jsonl").out.splitlines()
    found = cli("list", "--search", oldest_first[5]["name"], "-o", "jsonl").out.splitlines()

    assert [json.loads(line)["id"] for line in limited] == [n["id"] for n in oldest_first[:3]]
    assert len(after) == 20
    assert json.loads(found[0])["id"] == oldest_first[5]["id"]
    assert list(server.requests("GET"))[-1].query["search"] == oldest_first[5]["name"]


def test_a_bad_filter_is_a_usage_error_naming_it(cli: Run, server: FakeVapiServer) -> None:
    server.clear_log()

    result = cli("list", "--created-at-gt", "yesterday")

    assert result.code == 2
    assert "Invalid value for '--created-at-gt': 'yesterday' is not a date" in result.err
    assert "createdAtGt" not in result.err
    assert server.request_log == []


# get, create, update, delete


def test_get_shows_one_number_as_fields_or_json(cli: Run, server: FakeVapiServer) -> None:
    number_id = ids_of(server, "twilio")[0]

    table = cli("get", number_id)
    as_json = cli("get", number_id, "--output", "json")

    assert table.code == as_json.code == 0
    assert ["id", number_id] in [line.split() for line in table.out.splitlines()]
    assert json.loads(as_json.out)["id"] == number_id


def test_secrets_print_as_set_unless_asked_for(cli: Run, server: FakeVapiServer) -> None:
    number_id = ids_of(server, "twilio")[0]
    token = server.numbers[number_id]["twilioAuthToken"]

    hidden = json.loads(cli("get", number_id, "-o", "json").out)
    shown = json.loads(cli("get", number_id, "-o", "json", "--show-secrets").out)

    assert hidden["twilioAuthToken"] == "<set>" and token not in json.dumps(hidden)
    assert shown["twilioAuthToken"] == token


def test_get_of_an_unknown_id_fails_with_one_line_and_code_1(cli: Run) -> None:
    result = cli("get", "no-such-id")

    assert result.code == 1
    assert result.err.startswith("error: GET /phone-number/no-such-id answered 404")
    assert result.err.count("\n") == 1 and "Traceback" not in result.err


def test_create_from_flags(cli: Run, server: FakeVapiServer) -> None:
    result = cli(
        "create",
        "--provider",
        "twilio",
        "--number",
        "+14155550100",
        "--twilio-account-sid",
        "AC123",
        "--no-sms-enabled",
        "--name",
        "Front desk",
        "-o",
        "jsonl",
    )

    created = json.loads(result.out)
    assert result.code == 0
    assert server.numbers[created["id"]]["name"] == "Front desk"
    assert server.numbers[created["id"]]["smsEnabled"] is False


def test_create_from_a_json_file(cli: Run, server: FakeVapiServer, tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text('{"provider": "vonage", "number": "+14155550111", "credentialId": "c1"}')

    result = cli("create", "--json", str(body), "-o", "json")

    assert result.code == 0
    assert server.numbers[json.loads(result.out)["id"]]["provider"] == "vonage"


@pytest.mark.parametrize(
    ("flags", "field"),
    [
        (["--provider", "twilio", "--number", "+14155550100"], "twilioAccountSid"),
        (["--provider", "byo-phone-number", "--number", "0800", "--credential-id", "c"], "number"),
    ],
)
def test_bad_create_input_is_a_usage_error_naming_the_field(
    cli: Run, server: FakeVapiServer, flags: list[str], field: str
) -> None:
    server.clear_log()

    result = cli("create", *flags)

    assert result.code == 2
    assert result.err.startswith(f"error: invalid input: {field} ")
    assert server.requests("POST") == []


def test_update_sets_strings_json_values_and_clears_fields(
    cli: Run, server: FakeVapiServer
) -> None:
    number_id = ids_of(server, "twilio")[0]
    assert cli("update", number_id, "--set", "squadId=s1").code == 0

    result = cli(
        "update",
        number_id,
        "--set",
        "name=123",
        "--set",
        "smsEnabled=true",
        "--set",
        'server={"url": "https://example.com/hook"}',
        "--unset",
        "squadId",
    )

    stored = server.numbers[number_id]
    assert result.code == 0
    assert (stored["name"], stored["smsEnabled"]) == ("123", True)
    assert stored["server"] == {"url": "https://example.com/hook"}
    assert "squadId" not in stored


def test_update_of_a_field_the_provider_lacks_names_it(cli: Run, server: FakeVapiServer) -> None:
    number_id = ids_of(server, "vonage")[0]

    result = cli("update", number_id, "--set", "smsEnabled=true")
    nothing = cli("update", number_id)

    assert result.code == 2 and "smsEnabled is not a field of vonage numbers" in result.err
    assert nothing.code == 2 and "nothing to change" in nothing.err


def test_delete_asks_first_and_keeps_the_number_on_no(cli: Run, server: FakeVapiServer) -> None:
    number_id = ids_of(server, "telnyx")[0]

    declined = cli("delete", number_id, stdin="n\n", terminal=True)
    accepted = cli("delete", number_id, stdin="y\n", terminal=True)

    assert declined.code == 3 and declined.err.startswith("Delete +")
    assert declined.err.endswith("not confirmed: nothing changed\n")
    assert accepted.code == 0 and accepted.out.startswith(f"deleted {number_id}")
    assert number_id not in server.numbers


def test_delete_with_yes_does_not_ask(cli: Run, server: FakeVapiServer) -> None:
    number_id = ids_of(server, "telnyx")[0]

    result = cli("delete", "--yes", number_id)

    assert result.code == 0 and result.err == ""
    assert number_id not in server.numbers


# Errors, keys and URLs.


def test_a_wrong_key_fails_with_one_line_and_never_shows_either_key(
    cli: Run, server: FakeVapiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = cli("--api-key", "sk-wrong-key-0000", "list")

    assert result.code == 1
    assert result.err.count("\n") == 1 and "401" in result.err
    assert "sk-wrong-key-0000" not in result.err + result.out


def test_debug_adds_the_traceback_and_request_log_but_not_the_key(cli: Run) -> None:
    result = cli("--debug", "get", "no-such-id")

    assert result.code == 1
    assert "Traceback" in result.err and "NotFoundError" in result.err
    assert "GET /phone-number/no-such-id -> 404" in result.err


def test_no_key_at_all_is_a_usage_error(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VAPI_API_KEY")

    result = cli("list")

    assert result.code == 2 and "VAPI_API_KEY" in result.err


def test_a_key_given_to_the_subcommand_wins_over_the_environment(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAPI_API_KEY", "sk-stale-key-1111")

    result = cli("list", "--api-key", TEST_API_KEY, "--limit", "1", "-o", "jsonl")

    assert result.code == 0 and len(result.out.splitlines()) == 1


def test_a_plain_http_url_off_loopback_is_refused_by_name(cli: Run) -> None:
    result = cli("--base-url", "http://api.example.com", "list")

    assert result.code == 2 and "base_url" in result.err


def test_a_server_that_is_not_there_is_a_network_error(cli: Run) -> None:
    result = cli("--base-url", "http://127.0.0.1:9", "--retries", "0", "get", "x")

    assert result.code == 1 and result.err.startswith("error: ")
    assert result.err.count("\n") == 1


def test_an_unknown_option_is_a_usage_error(cli: Run) -> None:
    result = cli("list", "--colour")

    assert result.code == 2 and "No such option" in result.err


def test_help_shows_the_variable_but_not_its_value(cli: Run) -> None:
    result = cli("--help")

    assert result.code == 0 and "VAPI_API_KEY" in result.out


TOKEN, API_SECRET = "TOKSECRET-0123456789", "APISECRET-0123456789"


@pytest.mark.parametrize("debug", [(), ("--debug",)], ids=["plain", "--debug"])
def test_an_error_echoing_the_request_shows_no_secret_on_stderr(
    cli: Run, server: FakeVapiServer, debug: tuple[str, ...]
) -> None:
    server.inject_fault("POST", mode="echo", status=500)

    result = cli(
        *debug,
        "create",
        "--provider",
        "twilio",
        "--number",
        "+14155550100",
        "--twilio-account-sid",
        "AC1",
        "--twilio-auth-token",
        TOKEN,
        "--twilio-api-secret",
        API_SECRET,
    )

    assert result.code == 1 and "answered 500" in result.err
    if debug:
        assert "Traceback" in result.err
    for secret in (TOKEN, API_SECRET):
        assert secret[:8] not in result.err + result.out
