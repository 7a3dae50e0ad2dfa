"""vapi-phone export, import and bulk-update, in-process against the threaded fake."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from vapi_phone_async.bulk._rows import unknown_fields
from vapi_phone_async.cli._output import number_writer, print_table
from vapi_phone_async.cli._records import COLUMNS
from vapi_phone_async.testing import FakeVapiServer

from .helpers import Run, ids_of

NEW_ROWS = [
    {"provider": "twilio", "number": "+19990000001", "twilioAccountSid": "AC1", "name": "New 1"},
    {"provider": "twilio", "number": "+19990000002", "twilioAccountSid": "AC1", "name": "New 2"},
    {"provider": "byo-phone-number", "number": "not-a-number", "credentialId": "c", "name": "Bad"},
    {"provider": "vonage", "number": "+19990000003", "name": "No credential"},
    {"provider": "twilio", "number": "+19990000001", "twilioAccountSid": "AC1", "name": "Again"},
]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def summary(out: str) -> dict[str, int]:
    """The result table of import or bulk-update, as {result: numbers}."""
    rows = [line.split() for line in out.splitlines()]
    return {row[0]: int(row[1]) for row in rows if len(row) == 2 and row[1].isdigit()}


# export


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_export_writes_every_number(
    cli: Run, server: FakeVapiServer, tmp_path: Path, suffix: str
) -> None:
    target = tmp_path / f"numbers{suffix}"

    result = cli("export", str(target))

    assert result.code == 0 and result.out.startswith("exported 40 numbers to ")
    with target.open(newline="") as stream:
        if suffix == ".csv":
            rows = list(csv.DictReader(stream))
        else:
            rows = [json.loads(line) for line in stream]
    assert sorted(row["id"] for row in rows) == sorted(server.numbers)


def test_export_hides_secrets_unless_asked(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    twilio_id = ids_of(server, "twilio")[0]
    token = server.numbers[twilio_id]["twilioAuthToken"]

    cli("export", str(tmp_path / "hidden.jsonl"))
    cli("export", "--show-secrets", str(tmp_path / "shown.jsonl"))

    assert token not in (tmp_path / "hidden.jsonl").read_text()
    assert token in (tmp_path / "shown.jsonl").read_text()


def test_export_to_stdout_and_a_bad_file_type(cli: Run) -> None:
    streamed = cli("export", "-")
    refused = cli("export", "numbers.txt")

    assert streamed.code == 0 and len(streamed.out.splitlines()) == 40
    assert refused.code == 2 and ".csv, .jsonl or .json" in refused.err


# import


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json"])
def test_an_export_imports_as_it_is_and_creates_nothing(
    cli: Run, server: FakeVapiServer, tmp_path: Path, suffix: str
) -> None:
    exported = tmp_path / f"numbers{suffix}"
    cli("export", "--show-secrets", str(exported))
    server.clear_log()

    result = cli("import", str(exported))

    assert result.code == 0
    assert summary(result.out) == {"created": 0, "updated": 0, "skipped": 40, "failed": 0}
    assert server.requests("POST") == []


def test_import_creates_the_new_rows_and_writes_the_failed_ones_to_rerun(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "new.csv", NEW_ROWS)

    result = cli("import", str(source))

    assert result.code == 1
    assert summary(result.out) == {"created": 2, "updated": 0, "skipped": 0, "failed": 3}
    failures = tmp_path / "new.failures.csv"
    assert f"failed rows written to {failures}" in result.out
    with failures.open(newline="") as stream:
        failed = list(csv.DictReader(stream))
    assert [row["name"] for row in failed] == ["Bad", "No credential", "Again"]
    assert "line 4: number must be an E.164 number" in failed[0]["error"]
    assert "credentialId is required" in failed[1]["error"]
    assert "line 6: the same number as row 0" in failed[2]["error"]  # a second row for it
    # The failures file is an input file: re-run, the two bad rows fail again, and the
    # number the third wanted exists now: it is skipped.
    again = cli("import", str(failures), "--failures", str(tmp_path / "again.csv"))
    assert summary(again.out)["failed"] == 2 and summary(again.out)["skipped"] == 1


def test_a_row_whose_create_may_have_happened_is_marked_unknown_and_reconciled_on_rerun(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "one.csv", NEW_ROWS[:1])
    server.inject_fault("POST", "/phone-number", mode="reset-after")  # created, answer lost
    # The two walks: the plan's, and the apply's check that the account is as planned.
    server.inject_fault("GET", "/v2/phone-number", mode="delay", delay=0.01, times=2)
    server.inject_fault("GET", "/v2/phone-number", status=503, times=1_000)  # lookups fail

    result = cli("--retries", "0", "import", str(source))

    assert result.code == 1
    assert re.search(r"unknown \(may exist\) +1\n", result.out)
    with (tmp_path / "one.failures.csv").open(newline="") as stream:
        (row,) = list(csv.DictReader(stream))
    assert row["error"].startswith("outcome unknown: may exist; run the import again")
    assert len(server.requests("POST")) == 1

    server.clear_faults()
    again = cli("import", str(tmp_path / "one.failures.csv"), "--failures", str(tmp_path / "x.csv"))
    assert again.code == 0 and summary(again.out)["skipped"] == 1
    assert len(server.requests("POST")) == 1  # found, not bought again


def test_import_of_jsonl_names_the_field_of_a_bad_line(cli: Run, tmp_path: Path) -> None:
    source = tmp_path / "new.jsonl"
    source.write_text(json.dumps(NEW_ROWS[0]) + "\n{not json\n" + json.dumps({"provider": "x"}))

    result = cli("import", str(source))

    assert summary(result.out) == {"created": 1, "updated": 0, "skipped": 0, "failed": 2}
    lines = (tmp_path / "new.failures.jsonl").read_text().splitlines()
    errors = [json.loads(line)["error"] for line in lines]
    assert errors[0].startswith("line 2: not JSON")
    assert errors[1].startswith("line 3: provider must be one of")


def test_dry_run_prints_the_plan_and_changes_nothing(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    existing = server.numbers[ids_of(server, "twilio")[0]]
    rows = [*NEW_ROWS, {**existing, "name": "Renamed"}]
    source = write_csv(
        tmp_path / "plan.csv", [{k: v for k, v in r.items() if isinstance(v, str)} for r in rows]
    )
    server.clear_log()

    planned = cli("import", str(source), "--dry-run", "--update-existing")

    assert planned.code == 1  # a plan with invalid rows is not a clean one
    lines = {
        " ".join(line.split()[:-1]): line.split()[-1] for line in planned.out.splitlines()[2:8]
    }
    assert lines == {
        "create": "2",
        "buy (a purchase)": "0",
        "update": "1",
        "delete": "0",
        "unchanged": "0",
        "invalid row": "3",
    }
    assert "-> 'Renamed'" in planned.out  # the change itself, field by field
    assert [r.method for r in server.request_log] == ["GET"] * len(server.request_log)


def test_update_existing_updates_numbers_that_are_there(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    number_id = ids_of(server, "telnyx")[0]
    existing = server.numbers[number_id]
    row = {"provider": "telnyx", "number": existing["number"], "credentialId": "c2", "name": "Re"}
    source = write_csv(tmp_path / "update.csv", [row])

    result = cli("import", str(source), "--update-existing", "--concurrency", "2")

    assert summary(result.out)["updated"] == 1
    assert (server.numbers[number_id]["name"], server.numbers[number_id]["credentialId"]) == (
        "Re",
        "c2",
    )


# bulk-update


def test_bulk_update_changes_every_matching_number_and_no_other(
    cli: Run, server: FakeVapiServer
) -> None:
    company = next(iter(server.numbers.values()))["name"].split()[0]
    matching = {id_ for id_, data in server.numbers.items() if company in data["name"]}
    assistant = "0b7e1a52-96b2-4c1e-9f7e-3c2d1f0a9b8c"

    result = cli("bulk-update", "--search", company, "--set", f"assistantId={assistant}", "--yes")

    assert result.code == 0
    assert summary(result.out) == {"updated": len(matching), "unchanged": 0, "failed": 0}
    updated = {id_ for id_, data in server.numbers.items() if data.get("assistantId") == assistant}
    assert updated == matching


def test_bulk_update_of_a_provider_field_needs_the_provider(
    cli: Run, server: FakeVapiServer
) -> None:
    twilio = ids_of(server, "twilio")
    already = [id_ for id_ in twilio if server.numbers[id_].get("smsEnabled") is True]
    refused = cli("bulk-update", "--all", "--set", "smsEnabled=true")
    done = cli("bulk-update", "--provider", "twilio", "--set", "smsEnabled=true", "--yes")

    assert refused.code == 2 and "smsEnabled" in refused.err and "--provider" in refused.err
    assert done.code == 0 and 0 < len(already) < len(twilio)
    # Counted truthfully: a number already as wanted is sent nothing.
    assert summary(done.out) == {
        "updated": len(twilio) - len(already),
        "unchanged": len(already),
        "failed": 0,
    }
    assert all(server.numbers[id_]["smsEnabled"] is True for id_ in twilio)


def test_bulk_update_without_a_change_is_a_usage_error(cli: Run) -> None:
    assert cli("bulk-update", "--search", "x").code == 2


# Output on a terminal.


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_tables_are_drawn_on_a_terminal_and_plain_elsewhere() -> None:
    drawn, plain = Terminal(), io.StringIO()

    for stream in (drawn, plain):
        writer = number_writer("table", stream)
        writer.write({"id": "n1", "provider": "vapi", "sipUri": "sip:a@b"})
        writer.close()
        print_table("summary", ("result", "numbers"), [("created", 3)], stream)

    assert "─" in drawn.getvalue()  # the header's rule: one style, no frame
    assert "│" not in drawn.getvalue() and "┃" not in drawn.getvalue()
    assert "summary\n" in drawn.getvalue()  # the title on a line of its own
    assert plain.getvalue().splitlines()[1].split("\t")[:3] == ["n1", "vapi", "sip:a@b"]
    assert "│" not in plain.getvalue() and plain.getvalue().splitlines()[-1].split() == [
        "created",
        "3",
    ]


# Fields this version does not know (issue 12): kept by export, not re-sent by import.

FUTURE = {"futureField": {"tier": "gold"}, "server": {"url": "https://x", "region": "eu"}}


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_export_keeps_fields_this_version_does_not_know(
    cli: Run, server: FakeVapiServer, tmp_path: Path, suffix: str
) -> None:
    number = server.insert(
        {"provider": "twilio", "number": "+19990000009", "twilioAccountSid": "AC1", **FUTURE}
    )
    target = tmp_path / f"numbers{suffix}"

    assert cli("export", str(target)).code == 0

    with target.open(newline="") as stream:
        if suffix == ".jsonl":
            rows = {row["id"]: row for row in map(json.loads, stream)}
            assert rows[number["id"]]["futureField"] == {"tier": "gold"}
            assert rows[number["id"]]["server"] == {"url": "https://x", "region": "eu"}
        else:
            rows = {row["id"]: row for row in csv.DictReader(stream)}
            assert json.loads(rows[number["id"]]["unknownFields"]) == {
                "futureField": {"tier": "gold"}
            }
            assert json.loads(rows[number["id"]]["server"])["region"] == "eu"


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_an_export_with_unknown_fields_imports_without_sending_them(
    cli: Run, server: FakeVapiServer, tmp_path: Path, suffix: str
) -> None:
    """Vapi refuses properties a create does not take: re-sending them is opt-in."""
    server.insert(
        {"provider": "twilio", "number": "+19990000009", "twilioAccountSid": "AC1", **FUTURE}
    )
    exported = tmp_path / f"numbers{suffix}"
    cli("export", "--show-secrets", str(exported))
    server.clear()

    result = cli("import", str(exported))

    assert result.code == 0, result.out
    assert summary(result.out)["created"] == 41
    created = next(n for n in server.numbers.values() if n["number"] == "+19990000009")
    assert "futureField" not in created and created["server"] == {"url": "https://x"}


def test_a_row_offers_its_unknown_fields_for_re_sending() -> None:
    """What `import --resend-unknown` re-sends as `extra_body`: fields the models do not
    know, not those the server assigns (`id`, `status`), nor the hidden secrets."""
    row = {
        "provider": "twilio",
        "id": "pn_1",
        "status": "active",
        "number": "+19990000009",
        "twilioAccountSid": "AC1",
        "twilioAuthToken": "<set>",
        "tier": "gold",
        "server": {"url": "https://x", "region": "eu"},
    }

    assert unknown_fields(row) == {"tier": "gold", "server": {"region": "eu"}}


def test_the_error_column_of_the_failures_file_holds_no_secret(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    token, secret = "TOKSECRET-0123456789", "APISECRET-0123456789"
    row = {**NEW_ROWS[0], "twilioAuthToken": token, "twilioApiSecret": secret}
    source = tmp_path / "secret.jsonl"
    source.write_text(json.dumps(row) + "\n")
    server.inject_fault("POST", mode="echo", status=400)

    result = cli("import", str(source))

    assert result.code == 1
    (line,) = (tmp_path / "secret.failures.jsonl").read_text().splitlines()
    failed = json.loads(line)
    assert "answered 400" in failed["error"]
    assert token[:8] not in failed["error"] and secret[:8] not in failed["error"]
    # The row itself is the input as it was, to re-run: its secrets are the user's own.
    assert failed["twilioAuthToken"] == token
