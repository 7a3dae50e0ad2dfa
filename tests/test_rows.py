"""rows.read: the rows of a CSV, JSON lines or JSON file as `client.sync` takes them, each
with the line it starts on; and the cells of a CSV, read back as they were written."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from vapi_phone_async import rows
from vapi_phone_async._cells import cell_text, read_cells
from vapi_phone_async.errors import UnreadableFileError

HEADER = "provider,number,twilioAccountSid,name,smsEnabled,fallbackDestination\n"


def write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


# CSV


def test_a_csv_row_is_a_wire_mapping_with_its_line(tmp_path: Path) -> None:
    source = write(
        tmp_path / "numbers.csv",
        "\ufeff"
        + HEADER
        + "twilio,+14155550100,AC1,Front desk,true,\n"
        + "\n"  # a blank line: no row, but a line
        + 'twilio,+14155550101,AC1,"Two\nlines",,"{""type"": ""number"", ""number"": ""+1""}"\n'
        + "twilio,+14155550102,AC1,null,false,null\n",
    )

    first, second, third = rows.read(source)

    assert first == {
        "provider": "twilio",
        "number": "+14155550100",
        "twilioAccountSid": "AC1",
        "name": "Front desk",
        "smsEnabled": True,  # typed: the field takes a boolean
    }
    assert first.line == 2 and first.raw["smsEnabled"] == "true" and first.problem is None
    assert second.line == 4 and second["name"] == "Two\nlines"
    assert second["fallbackDestination"] == {"type": "number", "number": "+1"}
    assert "smsEnabled" not in second  # an empty cell is a field left out
    assert third.line == 6  # after a row of two lines
    assert third["name"] is None and third["fallbackDestination"] is None  # null clears


@pytest.mark.parametrize("separator", [";", "\t"])
def test_cells_separated_by_semicolons_or_tabs_are_recognised(
    tmp_path: Path, separator: str
) -> None:
    text = "provider,number,name\ntwilio,+14155550100,Desk, the first\n"
    text = text.replace(",", separator).replace(f"Desk{separator} the", "Desk, the")
    source = write(tmp_path / "numbers.csv", text)

    (row,) = rows.read(source)

    assert row == {"provider": "twilio", "number": "+14155550100", "name": "Desk, the first"}


@pytest.mark.parametrize(
    ("content", "line", "problem"),
    [
        ("number,name\n+1,x\n", 1, "the header has no `provider` column (it has: number, name)"),
        ("provider,name\ntwilio," + "x" * (200 << 10) + "\n", 2, "a field longer than 131,072"),
        ("provider,number\ntwilio,+1\x00\n", 2, "a NUL byte"),
        (b"provider,number\n\xff\xfe", 2, "not UTF-8 text (byte 0xff)"),
        ("provider,number\n".encode("utf-16"), None, "UTF-16 text: save it as UTF-8"),
    ],
)
def test_a_file_that_is_not_rows_is_refused_naming_the_line(
    tmp_path: Path, content: str | bytes, line: int | None, problem: str
) -> None:
    source = write(tmp_path / "bad.csv", content)

    with pytest.raises(UnreadableFileError) as raised:
        list(rows.read(source))

    assert raised.value.line == line and problem in raised.value.problem
    assert str(raised.value).startswith(str(source))


def test_a_csv_with_only_a_header_has_no_rows(tmp_path: Path) -> None:
    assert list(rows.read(write(tmp_path / "empty.csv", HEADER))) == []
    assert list(rows.read(write(tmp_path / "nothing.csv", ""))) == []


def test_the_header_is_checked_when_read_is_called(tmp_path: Path) -> None:
    source = write(tmp_path / "bad.csv", "number\n+1\n")

    with pytest.raises(UnreadableFileError, match="provider"):
        rows.read(source)  # not iterated yet


# JSON lines and JSON


def test_json_lines_are_taken_as_they_are_with_their_lines(tmp_path: Path) -> None:
    source = write(
        tmp_path / "numbers.jsonl",
        '{"provider": "twilio", "name": "", "smsEnabled": "true"}\n\nnot json\n[1, 2]\n',
    )

    first, broken, listed = rows.read(source)

    assert first == {"provider": "twilio", "name": "", "smsEnabled": "true"}  # no cell reading
    assert first.line == 1
    assert (broken.line, broken, broken.raw) == (3, {}, {"invalidLine": "not json"})
    assert broken.problem is not None and broken.problem.startswith("not JSON")
    assert (listed.line, listed.problem) == (4, "not a JSON object")


def test_a_json_file_is_an_array_of_numbers_each_with_its_line(tmp_path: Path) -> None:
    source = write(
        tmp_path / "numbers.json",
        '[\n  {\n    "provider": "twilio",\n    "name": ""\n  },\n  {"provider": "vapi"}, 3\n]\n',
    )

    first, second, third = rows.read(source)

    assert (first.line, first) == (2, {"provider": "twilio", "name": ""})
    assert (second.line, second) == (6, {"provider": "vapi"})
    assert (third.line, third.problem) == (6, "not a JSON object")


@pytest.mark.parametrize(
    ("content", "line"),
    [('{"provider": "twilio"}', 1), ('[\n{"provider": "twilio"}\n{"a": 1}]', 3), ("[\n{,]", 2)],
)
def test_a_json_file_that_is_not_an_array_of_objects_is_refused(
    tmp_path: Path, content: str, line: int
) -> None:
    with pytest.raises(UnreadableFileError) as raised:
        rows.read(write(tmp_path / "numbers.json", content))

    assert raised.value.line == line and raised.value.problem.startswith("not")


# Sources and formats


def test_an_open_file_reads_text_or_bytes_with_the_format_given() -> None:
    text = HEADER + "twilio,+14155550100,AC1,Desk,,\n"

    as_text = list(rows.read(io.StringIO(text), format="csv"))
    as_bytes = list(rows.read(io.BytesIO(("\ufeff" + text).encode()), format="csv"))

    assert as_text == as_bytes and as_text[0]["name"] == "Desk"


def test_a_file_of_no_known_format_says_how_to_name_it(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match=r"\.csv, \.jsonl or \.json, or format="):
        rows.read(write(tmp_path / "numbers.txt", HEADER))
    with pytest.raises(FileNotFoundError):
        rows.read(tmp_path / "missing.csv")


def test_a_rows_repr_hides_its_secrets() -> None:
    row = rows.Row({"provider": "twilio", "twilioAuthToken": "tok-secret-1"}, line=7)

    assert "tok-secret-1" not in repr(row) and "line=7" in repr(row)


# Cells, both ways


TEXTS = [
    "",
    "null",
    "Front desk",
    '=HYPERLINK("http://x")',
    "+SUM(A1)",
    "+14155550100",
    "+1 415 555 0100",
    "-1+2",
    "@SUM(A1)",
    "\tindented",
    "\rreturned",
    "'quoted",
    "''twice",
    "'=already marked",
    "{not json",
    '{"a": 1}',
    "[1, 2]",
    '"quoted"',
    "20",
    "true",
]


@pytest.mark.parametrize("text", TEXTS)
def test_every_text_reads_back_as_it_was_written(text: str) -> None:
    cell = cell_text(text)

    assert read_cells({"provider": "twilio", "name": cell}) == {"provider": "twilio", "name": text}


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("'=1", "''=1"),
        ("'plain", "''plain"),
        ("+14155550100", "+14155550100"),  # a phone number is not a formula
        ("", '""'),
        ("null", '"null"'),
        ("Front desk", "Front desk"),
    ],
)
def test_a_spreadsheet_never_runs_an_exported_cell(text: str, cell: str) -> None:
    assert cell_text(text) == cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [(True, "true"), (20, "20"), ({"a": "=1"}, '{"a":"=1"}'), ([1], "[1]")],
)
def test_values_that_are_not_text_are_written_as_json(value: Any, cell: str) -> None:
    assert cell_text(value) == cell
    # Typed back by the field they are in: `smsEnabled` takes a boolean, `hooks` a list.
    field = {bool: "smsEnabled", int: "x", dict: "server", list: "hooks"}[type(value)]
    read = read_cells({"provider": "twilio", field: cell})[field]
    assert read == (cell if field == "x" else value)


def test_a_quote_the_export_did_not_add_stays() -> None:
    assert read_cells({"name": "'plain"}) == {"name": "'plain"}
    assert read_cells({"name": "'"}) == {"name": "'"}
