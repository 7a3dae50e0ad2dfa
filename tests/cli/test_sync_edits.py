"""vapi-phone sync of an exported file edited by hand or in a spreadsheet: one nested field
changed, secrets hidden as `<set>`, numbers that lost their `+`; and bulk-update of a
nested field, which sends the object whole as sync does."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from .helpers import Run, fake_on_a_thread
from .test_sync import table

NEW_URL = "https://hooks.example.com/new"


@pytest.fixture(params=["shown", "masked"])
def account(
    request: pytest.FixtureRequest, cli: Run, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeVapiServer]:
    """An account of its own whose answers show secrets, or mask them; `cli` talks to it."""
    with fake_on_a_thread(FakeVapiServer(api_key=TEST_API_KEY, secrets=request.param)) as fake:
        fake.seed(12)
        monkeypatch.setenv("VAPI_BASE_URL", fake.url)
        yield fake


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def test_a_masked_export_with_one_server_url_edited_syncs_that_field_once(
    cli: Run, account: FakeVapiServer, tmp_path: Path
) -> None:
    path = tmp_path / "numbers.jsonl"
    assert cli("export", str(path)).code == 0  # secrets hidden, as by default
    rows = read_jsonl(path)
    index = next(i for i, row in enumerate(rows) if "server" in row)
    assert rows[index]["server"]["secret"] == "<set>"
    number_id = rows[index]["id"]
    before = dict(account.numbers[number_id]["server"])
    rows[index]["server"]["url"] = NEW_URL
    write_jsonl(path, rows)
    account.clear_log()

    first = cli("sync", str(path), "--apply")

    if account.secrets == "masked":
        assert first.code == 1
        said = first.out + first.err
        masked = "server.secret, server.headers.X-Environment are set on the number, but the"
        assert f"{masked} server shows them only masked" in said
        assert account.requests("PATCH") == []
        assert account.numbers[number_id]["server"] == before
        return
    assert first.code == 0, first.err
    assert table(first.out)["updated"] == 1
    assert account.numbers[number_id]["server"] == {**before, "url": NEW_URL}
    account.clear_log()
    again = cli("sync", str(path), "--apply")
    assert again.code == 0 and "nothing to do" in again.out
    assert account.requests("PATCH") == []


def test_a_masked_export_into_an_empty_account_says_which_secrets_it_did_not_copy(
    cli: Run, server: FakeVapiServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "numbers.jsonl"
    rows = read_jsonl(path) if cli("export", str(path)).code == 0 else []
    rows = [row for row in rows if "authentication" not in row]  # needs its password
    write_jsonl(path, rows)
    with fake_on_a_thread(FakeVapiServer(api_key=TEST_API_KEY)) as empty:
        monkeypatch.setenv("VAPI_BASE_URL", empty.url)
        first = cli("sync", str(path), "--apply")
        assert first.code == 0, first.err
        assert table(first.out)["created"] == len(rows)
        again = cli("sync", str(path), "-o", "json")
        assert empty.requests("PATCH") == []

    hidden = sum(
        ("server" in row) * 2 + ("twilioAuthToken" in row) for row in rows
    )  # server.secret and one header each, the Twilio tokens
    said = first.out + first.err
    assert f"{hidden} secrets not copied (the file holds them hidden, as <set>)" in said
    assert "export with --show-secrets to copy them" in said
    assert again.code == 0
    document = json.loads(again.out)
    assert document["counts"]["unchanged"] == len(rows)
    assert len(document["secretsNotCopied"]) == hidden
    assert {"line", "field", "id"} <= set(document["secretsNotCopied"][0])


def spreadsheet(path: Path, edit: Any) -> None:
    """`path` (a CSV) with `edit(row)` applied to each row, as a spreadsheet saves it."""
    with path.open(newline="") as file:
        reader = csv.DictReader(file)
        columns, rows = reader.fieldnames or [], list(reader)
    for row in rows:
        edit(row)
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, columns)
        writer.writeheader()
        writer.writerows(rows)


def test_a_spreadsheet_that_dropped_the_plus_changes_nothing_and_says_so(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    path = tmp_path / "numbers.csv"
    assert cli("export", str(path)).code == 0

    def lose_plus(row: dict[str, str]) -> None:
        row["number"] = row["number"].lstrip("+")

    spreadsheet(path, lose_plus)
    numbered = sum(bool(data.get("number")) for data in server.numbers.values())
    server.clear_log()

    planned = cli("sync", str(path))

    assert planned.code == 0, planned.err
    assert "nothing to do" in planned.out and table(planned.out)["update"] == 0
    assert f"{numbered} warnings (nothing is done for them):" in planned.out
    assert "line 2: number '1" in planned.out and "written differently" in planned.out
    assert {r.method for r in server.request_log} == {"GET"}


def test_a_changed_number_needs_allow_number_change(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    path = tmp_path / "numbers.csv"
    assert cli("export", "--show-secrets", str(path)).code == 0
    twilio = next(i for i, d in server.numbers.items() if d["provider"] == "twilio")

    def renumber(row: dict[str, str]) -> None:
        if row["id"] == twilio:
            row["number"] = "+14155550123"

    spreadsheet(path, renumber)

    refused = cli("sync", str(path), "--apply")
    said = refused.out + refused.err
    assert refused.code == 1 and "would change the number of number" in said
    assert "--allow-number-change" in said
    assert server.numbers[twilio]["number"] != "+14155550123"

    allowed = cli("sync", str(path), "--apply", "--allow-number-change")
    assert allowed.code == 0, allowed.err
    assert table(allowed.out)["updated"] == 1
    assert server.numbers[twilio]["number"] == "+14155550123"


def test_bulk_update_of_a_nested_field_keeps_the_rest_of_the_object(
    cli: Run, server: FakeVapiServer
) -> None:
    vonage = {i: dict(d) for i, d in server.numbers.items() if d["provider"] == "vonage"}
    assert any("server" in data for data in vonage.values())

    result = cli(
        "bulk-update", "--provider", "vonage", "--set", f'server={{"url": "{NEW_URL}"}}', "-y"
    )

    assert result.code == 0, result.err
    for number_id, before in vonage.items():
        after = server.numbers[number_id]["server"]
        assert after == {**before.get("server", {}), "url": NEW_URL}
