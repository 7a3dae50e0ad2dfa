"""Tables at 80 and 120 columns, drawn by rich at a set width and by the installed script on
a real pseudo-terminal: ids and phone numbers whole, the name always there, a 60-character
SIP URI shortened in the middle, one line a number, and titles on one line."""

from __future__ import annotations

import os
import pty
import select
import struct
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from vapi_phone_async.cli._screen import COLUMN_ORDER, fit_columns, shortened
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from .helpers import ESCAPE, UUID, Result
from .test_process import script

LONG_SIP = "sip:front-desk-of-the-north-wing-reception-2@sip.example.com"
assert len(LONG_SIP) == 60


def _numbers_with_long_values(server: FakeVapiServer) -> list[dict[str, Any]]:
    """The fake's numbers, plus a number whose SIP URI has 60 characters and a name of 40
    (the longest allowed), inserted last so that it is on the first screen."""
    server.insert({"provider": "vapi", "sipUri": LONG_SIP, "name": "N" * 39 + "Z"})
    return list(server.numbers.values())


def check_numbers_table(text: str, numbers: Sequence[dict[str, Any]], columns: int) -> None:
    """Each number on one line no wider than the terminal: its id and phone number whole,
    its name there (cut at the end at most), a long SIP URI shortened in the middle."""
    lines = text.splitlines()
    header = lines[0].split()
    assert header == [column for column in COLUMN_ORDER if column in header]
    assert {"id", "number", "name"} <= set(header)
    starts = [lines[0].index(column) for column in header]
    bounds = dict(zip(header, zip(starts, [*starts[1:], None], strict=True), strict=True))

    def cell(row: str, column: str) -> str:
        start, end = bounds[column]
        return row[start:end].strip()

    rows = {cell(line, "id"): line for line in lines[2:]}
    assert all(UUID.fullmatch(number_id) for number_id in rows)  # one line a number, whole
    assert all(len(line) <= columns for line in lines)
    shown = [data for data in numbers if data["id"] in rows]
    assert len(shown) == len(rows) and any(data.get("sipUri") == LONG_SIP for data in shown)
    for data in shown:
        row = rows[data["id"]]
        name = cell(row, "name")
        assert name == data["name"] or (name.endswith("…") and data["name"].startswith(name[:-1]))
        number = cell(row, "number")
        if data.get("number"):
            assert number == data["number"]
        else:
            head, _, tail = number.partition("…")
            assert data["sipUri"].startswith(head) and data["sipUri"].endswith(tail)
            assert (number == data["sipUri"]) == ("…" not in number)


# Drawn by rich at a set width.


@pytest.mark.parametrize("columns", [80, 120])
def test_list_at_80_and_120_columns(
    terminal: Callable[..., Result], server: FakeVapiServer, columns: int
) -> None:
    numbers = _numbers_with_long_values(server)

    result = terminal("list", columns=columns, lines=40)

    assert result.code == 0, result.err
    check_numbers_table(result.out, numbers, columns)
    header = result.out.splitlines()[0].split()
    assert ("provider" in header) == (columns == 120)


@pytest.mark.parametrize("columns", [80, 120])
def test_titles_stay_on_one_line(
    terminal: Callable[..., Result], server: FakeVapiServer, tmp_path: Path, columns: int
) -> None:
    rows = "".join(
        f"{data['provider']},{data['id']},Desk {i}\n"
        for i, data in enumerate(list(server.numbers.values())[:12])
    )
    source = tmp_path / "desks.csv"
    source.write_text("provider,id,name\n" + rows)

    applied = terminal("sync", str(source), "--apply", columns=columns)

    title = next(line for line in applied.out.splitlines() if line.startswith("sync:"))
    assert title.startswith("sync: 12 changes in ") and title.endswith(" s")
    assert applied.out.splitlines()[1].split() == ["result", "numbers"]


def test_a_number_longer_than_the_first_page_made_room_for_folds_whole() -> None:
    from rich.console import Console

    from vapi_phone_async.cli._screen import StreamedTable

    from .helpers import Terminal, screen_text

    screen = Terminal()
    table = StreamedTable(screen, Console(file=screen, width=80))
    table.write(["a" * 36, "twilio", "+14155550100", "Desk", "active", "", ""])
    table.flush()
    table.write(["b" * 36, "byo-phone-number", "+4420755500001234567", "Desk", "", "", ""])
    table.close()

    lines = screen_text(screen.getvalue()).splitlines()
    start = lines[0].index("number")
    width = lines[0].index("name") - start - 2
    column = "".join(line[start : start + width].strip() for line in lines[3:])
    assert column == "+4420755500001234567"


def test_columns_join_a_table_in_order_while_they_fit() -> None:
    widest = {
        "id": 36,
        "provider": 16,
        "number": 60,
        "name": 40,
        "status": 6,
        "assistantId": 36,
        "createdAt": 27,
    }
    least = {"name": 12, "number": 20}

    assert list(fit_columns(widest, 300, least)) == [
        "id",
        "provider",
        "number",
        "name",
        "status",
        "assistantId",
        "createdAt",
    ]
    at_120 = fit_columns(widest, 120, least)
    assert list(at_120) == ["id", "provider", "number", "name", "status"]
    assert at_120["name"] == 34 and sum(at_120.values()) + 2 * 4 == 120
    at_80 = fit_columns(widest, 80, least)
    assert at_80 == {"id": 36, "number": 20, "name": 20}  # the name first, then SIP URIs
    assert list(fit_columns(widest, 30, least)) == ["id", "number", "name"]  # never fewer


def test_a_uri_is_shortened_in_the_middle() -> None:
    assert shortened(LONG_SIP, 20) == "sip:front-…ample.com"
    assert shortened(LONG_SIP, 60) == LONG_SIP
    assert len(shortened(LONG_SIP, 21)) == 21


# The installed script on a real pseudo-terminal.


def run_on_a_terminal(
    command: str, *, columns: int, lines: int = 40, cwd: Path, env: dict[str, str]
) -> tuple[int, str]:
    """`command` run by bash on a new pseudo-terminal `columns` wide (set with TIOCSWINSZ,
    as a terminal window does; COLUMNS and LINES unset): its exit code and what it shows."""
    import fcntl
    import termios

    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    environment.update(env, TERM="xterm-256color")
    process = subprocess.Popen(
        ["bash", "-c", command],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        cwd=cwd,
        env=environment,
        start_new_session=True,
    )
    os.close(terminal)
    output = b""
    try:
        while True:
            ready, _, _ = select.select([controller], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: every process holding the terminal has ended
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(controller)
        code = process.wait(timeout=60)
    text = ESCAPE.sub("", output.decode()).replace("\r\n", "\n")
    return code, "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))


@pytest.mark.parametrize("columns", [80, 120])
def test_the_script_on_a_real_terminal(
    server: FakeVapiServer, tmp_path: Path, columns: int
) -> None:
    numbers = _numbers_with_long_values(server)
    (tmp_path / "desks.csv").write_text(
        "provider,id,name\n"
        + "".join(f"{n['provider']},{n['id']},Desk {i}\n" for i, n in enumerate(numbers[:3]))
    )
    vapi_phone = " ".join(script())

    code, shown = run_on_a_terminal(
        f"{vapi_phone} list && echo ---- && {vapi_phone} sync desks.csv --apply",
        columns=columns,
        cwd=tmp_path,
        env={"VAPI_API_KEY": TEST_API_KEY, "VAPI_BASE_URL": server.url},
    )

    assert code == 0, shown
    listed, synced = shown.split("----\n")
    table = "\n".join(line for line in listed.splitlines() if "numbers shown" not in line)
    check_numbers_table(table, numbers, columns)
    assert any(line.startswith("sync: 3 changes in ") for line in synced.splitlines())
    assert "sync plan for desks.csv" in synced.splitlines()
