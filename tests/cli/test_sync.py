"""vapi-phone sync and the guards of the commands that change many numbers or buy them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from .helpers import Run, fake_on_a_thread, ids_of


def exported(cli: Run, tmp_path: Path, name: str = "numbers.jsonl") -> Path:
    path = tmp_path / name
    assert cli("export", "--show-secrets", str(path)).code == 0
    return path


def table(out: str) -> dict[str, int]:
    rows = [line.rsplit(None, 1) for line in out.splitlines()]
    return {row[0].strip(): int(row[1]) for row in rows if len(row) == 2 and row[1].isdigit()}


def test_reimporting_an_export_with_bought_numbers_creates_and_buys_nothing_each_time(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    for digits in ("+14155550101", "+14155550102", "+14155550103"):
        server.insert({"provider": "vapi", "number": digits, "numberDesiredAreaCode": "415"})
    source = exported(cli, tmp_path)
    count = len(server.numbers)
    server.clear_log()

    for _ in range(3):
        result = cli("import", str(source), "--allow-purchase")
        assert result.code == 0 and table(result.out)["created"] == 0
        assert table(result.out)["skipped"] == count
    assert len(server.numbers) == count and server.requests("POST") == []


def test_sync_prints_the_plan_and_changes_nothing_without_apply(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    rows = [json.loads(line) for line in exported(cli, tmp_path).read_text().splitlines()]
    rows[0]["name"] = "Renamed"
    source = tmp_path / "desired.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows[:-1]))
    server.clear_log()

    planned = cli("sync", str(source))
    as_lines = cli("sync", str(source), "--prune", "-o", "jsonl")

    assert planned.code == 0 and "nothing changed; --apply does it" in planned.out
    assert table(planned.out)["update"] == 1 and table(planned.out)["unchanged"] == 38
    assert f"update {rows[0]['id']}: name" in planned.out and "-> 'Renamed'" in planned.out
    actions = [json.loads(line) for line in as_lines.out.splitlines()]
    assert {a["action"] for a in actions} == {"update", "unchanged", "delete"}
    (delete,) = [a for a in actions if a["action"] == "delete"]
    assert delete["id"] == rows[-1]["id"]
    assert {r.method for r in server.request_log} == {"GET"}


def test_sync_apply_does_the_plan_and_a_second_sync_finds_nothing_to_do(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    rows = [json.loads(line) for line in exported(cli, tmp_path).read_text().splitlines()]
    rows[3]["name"] = "Renamed"
    rows.append({"provider": "twilio", "number": "+19990000001", "twilioAccountSid": "AC1"})
    source = tmp_path / "desired.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))

    applied = cli("sync", str(source), "--apply")
    again = cli("sync", str(source))

    assert applied.code == 0, applied.err
    assert (table(applied.out)["created"], table(applied.out)["updated"]) == (1, 1)
    assert server.numbers[rows[3]["id"]]["name"] == "Renamed"
    assert again.code == 0 and "nothing to do" in again.out


def test_deletes_and_purchases_need_yes_and_purchases_allow_purchase(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    rows: list[dict[str, Any]] = [
        json.loads(line) for line in exported(cli, tmp_path).read_text().splitlines()
    ]
    rows = [*rows[1:], {"provider": "vapi", "numberDesiredAreaCode": "415", "name": "Bought"}]
    source = tmp_path / "desired.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    server.clear_log()

    not_allowed = cli("sync", str(source), "--prune", "--apply", "--yes")
    not_confirmed = cli("sync", str(source), "--prune", "--apply", "--allow-purchase")
    assert {r.method for r in server.request_log} == {"GET"}  # nothing changed yet

    done = cli("sync", str(source), "--prune", "--apply", "--allow-purchase", "--yes")

    assert not_allowed.code == 2 and "add --allow-purchase" in not_allowed.err
    assert not_confirmed.code == 2 and "would buy 1 number and delete 1 number" in not_confirmed.err
    assert done.code == 0 and (table(done.out)["bought"], table(done.out)["deleted"]) == (1, 1)


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (
            ["--provider", "vapi", "--number", "+14155550105"],
            "--number is not for vapi numbers",
        ),
        (
            ["--provider", "vonage", "--number", "+14155550100", "--twilio-account-sid", "AC1"],
            "--twilio-account-sid is not for vonage numbers",
        ),
        (["--provider", "vapi", "--area-code", "415"], "add --allow-purchase"),
    ],
)
def test_create_refuses_what_does_not_fit_the_provider_and_sends_nothing(
    cli: Run, server: FakeVapiServer, arguments: list[str], says: str
) -> None:
    server.clear_log()
    result = cli("create", *arguments)
    assert result.code == 2 and says in result.err
    assert server.requests("POST") == []


def test_create_from_json_refuses_an_unknown_key_with_the_field_it_may_mean(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    body = tmp_path / "body.json"
    body.write_text(
        json.dumps(
            {"provider": "twilio", "number": "+1415", "twilioAccountSid": "AC", "assistantID": "a"}
        )
    )
    server.clear_log()

    result = cli("create", "--json", str(body))

    assert result.code == 2
    assert "assistantID is not a field of twilio numbers (did you mean assistantId?)" in result.err
    assert server.requests("POST") == []


def test_an_update_json_key_that_is_not_a_field_is_refused(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    body = tmp_path / "fields.json"
    body.write_text(json.dumps({"asistantId": "a"}))
    number_id = ids_of(server, "twilio")[0]
    result = cli("update", number_id, "--json", str(body))
    assert result.code == 2 and "did you mean assistantId?" in result.err
    assert server.requests("PATCH") == []


def test_bulk_update_without_a_scope_exits_2_and_sends_nothing(
    cli: Run, server: FakeVapiServer
) -> None:
    server.clear_log()
    result = cli("bulk-update", "--set", "name=Everything")
    assert result.code == 2 and "--all for every number" in result.err
    assert server.request_log == []
    dry = cli("bulk-update", "--all", "--set", "name=Everything", "--dry-run")
    assert dry.code == 0 and table(dry.out)["update"] == len(server.numbers)
    assert {r.method for r in server.request_log} == {"GET"}


def test_bulk_update_of_more_than_one_number_asks_first(cli: Run, server: FakeVapiServer) -> None:
    refused = cli("bulk-update", "--all", "--set", "name=Everything")
    assert refused.code == 2 and f"would update {len(server.numbers)} numbers" in refused.err
    assert "add --yes" in refused.err and server.requests("PATCH") == []


def test_update_existing_counts_only_the_rows_that_changed(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    rows = [json.loads(line) for line in exported(cli, tmp_path).read_text().splitlines()][:4]
    rows[2]["name"] = "Renamed"
    source = tmp_path / "four.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))

    result = cli("import", str(source), "--update-existing")

    assert result.code == 0
    assert (table(result.out)["updated"], table(result.out)["unchanged"]) == (1, 3)
    assert len(server.requests("PATCH")) == 1


@pytest.mark.parametrize("command", ["import", "sync"])
def test_resend_unknown_sends_the_fields_a_newer_vapi_added(
    cli: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str
) -> None:
    rows = [
        {"provider": "twilio", "number": "+14155550170", "twilioAccountSid": "AC1", "tier": "gold"}
    ]
    source = tmp_path / "rows.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    apply = ["--apply"] if command == "sync" else []
    newer = FakeVapiServer(api_key=TEST_API_KEY, newer_fields=["tier"])
    with fake_on_a_thread(newer):
        monkeypatch.setenv("VAPI_BASE_URL", newer.url)

        plain = cli(command, str(source), *apply)
        resent = cli("sync", str(source), "--apply", "--resend-unknown")
        again = cli(command, str(source), *apply, "--resend-unknown")

        (number,) = newer.numbers.values()
    assert plain.code == 0 and resent.code == 0 and again.code == 0
    assert number["tier"] == "gold"
    assert [r.body.get("tier") for r in newer.request_log if r.method != "GET"] == [None, "gold"]


OLD_TOKEN = "OLD-twilio-token-0123456789"
NEW_TOKEN = 'NEW-twilio-token/+="9876'


def test_a_changed_secret_shows_in_the_plan_as_set_to_set_changed_and_nowhere_in_clear(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    stored = server.insert(
        {
            "provider": "twilio",
            "number": "+14155550190",
            "twilioAccountSid": "AC1",
            "twilioAuthToken": OLD_TOKEN,
        }
    )
    row = {k: v for k, v in stored.items() if k not in ("orgId", "createdAt", "updatedAt")}
    source = tmp_path / "desired.jsonl"
    source.write_text(json.dumps({**row, "twilioAuthToken": NEW_TOKEN}) + "\n")

    planned = cli("sync", str(source))
    as_lines = cli("sync", str(source), "-o", "jsonl")
    applied = cli("sync", str(source), "--apply")
    bulk = cli(
        "bulk-update", "--provider", "twilio", "--set", f"twilioAuthToken={OLD_TOKEN}", "--dry-run"
    )

    assert planned.code == 0, planned.err
    assert f"update {stored['id']}: twilioAuthToken <set> -> <set> (changed)" in planned.out
    (update,) = [e for e in map(json.loads, as_lines.out.splitlines()) if e["action"] == "update"]
    assert update["changes"] == {"twilioAuthToken": {"from": "<set>", "to": "<set>"}}
    assert applied.code == 0 and server.numbers[stored["id"]]["twilioAuthToken"] == NEW_TOKEN
    assert bulk.code == 0 and "twilioAuthToken <set> -> <set> (changed)" in bulk.out
    for result in (planned, as_lines, applied, bulk):
        for token in (OLD_TOKEN, NEW_TOKEN):
            assert token not in result.out and token not in result.err
