"""Input files are never harmed and always understood: import and sync read a file whole
and check it before anything is sent; a problem is one line naming file, line and what is
wrong (exit 2); the failures file keeps every column and never overwrites the input."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from vapi_phone_async.testing import FakeVapiServer

from .helpers import Run

HEADER = "provider,number,twilioAccountSid,name,notes\n"
ROW = "twilio,+19990000001,AC1,New one,keep this column\n"


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("command", ["import", "sync"])
@pytest.mark.parametrize("how", ["same path", "a symlink to it", "a hard link to it"])
def test_failures_at_the_input_are_refused_and_the_input_is_left_whole(
    cli: Run, server: FakeVapiServer, tmp_path: Path, command: str, how: str
) -> None:
    rows = "".join(f"twilio,+1999000{i:04d},AC1,Row {i},x\n" for i in range(50))
    source = write(tmp_path / "big.csv", HEADER + rows + "twilio,not-a-number,AC1,Bad,x\n")
    before = source.read_bytes()
    target = tmp_path / "elsewhere.csv"
    if how == "same path":
        target = source
    elif how == "a symlink to it":
        target.symlink_to(source)
    else:
        os.link(source, target)
    server.clear_log()

    apply = ("--apply",) if command == "sync" else ()
    result = cli(command, str(source), "--failures", str(target), *apply)

    assert result.code == 2 and "is the input file" in result.err
    assert source.read_bytes() == before
    assert server.request_log == []  # refused before anything was sent


def test_a_csv_saved_with_a_byte_order_mark_reads(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    source = write(tmp_path / "bom.csv", b"\xef\xbb\xbf" + (HEADER + ROW).encode())
    result = cli("import", str(source))
    assert result.code == 0, result.err
    assert any(data.get("number") == "+19990000001" for data in server.numbers.values())


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        (
            "no-provider.csv",
            "number,name\n+19990000001,x\n",
            "line 1: the header has no `provider`",
        ),
        ("binary.csv", b"provider,number\n\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8 text"),
        ("nul.csv", "provider,number\ntwilio,+1\x00\n", "a NUL byte"),
        ("utf16.csv", "provider,number\n".encode("utf-16"), "UTF-16 text: save it as UTF-8"),
        (
            "long.csv",
            "provider,name\ntwilio," + "x" * (10 << 20) + "\n",
            "line 2: a field longer than 131,072",
        ),
        ("empty.csv", "", "is empty: nothing to do"),
        ("header.csv", HEADER, "has a header and no rows"),
        ("empty.jsonl", "\n\n", "is empty: nothing to do"),
        ("numbers.txt", ROW, "must end in .csv, .jsonl or .json"),
    ],
)
@pytest.mark.parametrize("command", ["import", "sync"])
def test_an_unreadable_file_is_one_error_naming_it_exit_2_and_nothing_sent(
    cli: Run,
    server: FakeVapiServer,
    tmp_path: Path,
    command: str,
    name: str,
    content: str | bytes,
    says: str,
) -> None:
    source = write(tmp_path / name, content)
    server.clear_log()

    result = cli(command, str(source))

    assert result.code == 2
    assert says in result.err and name in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    assert server.request_log == []


def test_standard_input_is_read_as_json_lines_or_as_the_format_given(
    cli: Run, server: FakeVapiServer
) -> None:
    row = {"provider": "twilio", "number": "+19990000002", "twilioAccountSid": "AC1"}
    by_default = cli("import", "-", stdin=json.dumps(row) + "\n")
    as_csv = cli("import", "-", "--format", "csv", stdin=HEADER + ROW)
    assert by_default.code == 0 and as_csv.code == 0, by_default.err + as_csv.err
    numbers = {data.get("number") for data in server.numbers.values()}
    assert {"+19990000001", "+19990000002"} <= numbers


def test_a_dry_run_with_invalid_rows_exits_1(cli: Run, tmp_path: Path) -> None:
    source = write(tmp_path / "bad.csv", HEADER + "twilio,+19990000009,,No SID,x\n")
    result = cli("import", str(source), "--dry-run")
    assert result.code == 1 and "twilioAccountSid is required" in result.out


def test_the_failures_file_of_a_failures_file_keeps_its_name_and_every_column(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    source = write(
        tmp_path / "x.csv",
        HEADER + ROW + "twilio,+19990000003,,No SID,my note\ntwilio,+19990000004,AC1,Fine,ok\n",
    )

    first = cli("import", str(source))
    failures = tmp_path / "x.failures.csv"
    again = cli("import", str(failures))

    assert first.code == 1 and again.code == 1
    assert not (tmp_path / "x.failures.failures.csv").exists()
    with failures.open(newline="") as stream:
        reader = csv.DictReader(stream)
        rows = list(reader)
    assert reader.fieldnames == [*HEADER.strip().split(","), "error"]
    assert [(row["name"], row["notes"]) for row in rows] == [("No SID", "my note")]
    assert "twilioAccountSid is required" in rows[0]["error"]


# Export: safe to open in a spreadsheet, read back as it was.


def test_an_exported_csv_is_safe_to_open_and_imports_back_as_it_was(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    names = {
        "+14155550181": '=HYPERLINK("http://evil.example","x")',
        "+14155550182": "@SUM(1)",
        "+14155550183": "'quoted",
        "+14155550184": "",
        "+14155550185": "-1",
    }
    for number, name in names.items():
        server.insert(
            {"provider": "twilio", "number": number, "twilioAccountSid": "AC1", "name": name}
        )
    exported = tmp_path / "numbers.csv"
    assert cli("export", "--show-secrets", str(exported)).code == 0

    with exported.open(newline="", encoding="utf-8") as stream:
        cells = {row["number"]: row["name"] for row in csv.DictReader(stream)}
    synced = cli("sync", str(exported))

    assert cells["+14155550181"] == "'" + names["+14155550181"]  # text, not a formula
    assert cells["+14155550182"] == "'@SUM(1)" and cells["+14155550185"] == "'-1"
    assert cells["+14155550183"] == "''quoted" and cells["+14155550184"] == '""'
    assert not any(cell[:1] in "=+-@" for cell in cells.values())  # +1415... are numbers
    assert synced.code == 0 and "nothing to do" in synced.out  # every name read back


def test_a_csv_separated_by_semicolons_imports(
    cli: Run, server: FakeVapiServer, tmp_path: Path
) -> None:
    source = write(
        tmp_path / "excel.csv",
        "provider;number;twilioAccountSid;name\ntwilio;+19990000011;AC1;Desk, east\n",
    )

    result = cli("import", str(source))

    assert result.code == 0, result.err
    (created,) = [d for d in server.numbers.values() if d.get("number") == "+19990000011"]
    assert created["name"] == "Desk, east"


def test_export_to_json_writes_one_array(cli: Run, tmp_path: Path) -> None:
    result = cli("export", str(tmp_path / "numbers.json"))

    assert result.code == 0, result.err
    assert len(json.loads((tmp_path / "numbers.json").read_text())) == 40
