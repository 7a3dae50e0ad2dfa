"""The commands that act on the whole account, against a fake that pages as the live API
does (at most 100 numbers an answer, the required metadata only): they see every number,
and a listing that cannot prove itself whole stops them with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from vapi_phone_async.testing import FakeVapiServer

from .helpers import Run

ACCOUNT = 2500

PAGING = {
    "vapi-like": {},
    "offsets by the cap, full metadata": {"page_offsets": "capped", "full_metadata": True},
}


@pytest.fixture(params=list(PAGING))
def account(server: FakeVapiServer, request: pytest.FixtureRequest) -> FakeVapiServer:
    """The shared fake holding 2,500 numbers, paging one of the ways in PAGING."""
    for knob, value in PAGING[request.param].items():
        setattr(server, knob, value)
    server.seed(ACCOUNT - len(server.numbers))
    return server


def counts(out: str) -> dict[str, int]:
    rows = [line.rsplit(None, 1) for line in out.splitlines()]
    return {row[0].strip(): int(row[1]) for row in rows if len(row) == 2 and row[1].isdigit()}


def writes(server: FakeVapiServer) -> list[str]:
    return [f"{r.method} {r.path}" for r in server.request_log if r.method != "GET"]


def test_export_writes_every_number_and_a_sync_of_it_plans_nothing(
    cli: Run, account: FakeVapiServer, tmp_path: Path
) -> None:
    path = tmp_path / "numbers.jsonl"

    exported = cli("export", str(path))
    ids = [json.loads(line)["id"] for line in path.read_text().splitlines()]
    account.clear_log()
    synced = cli("sync", str(path), "--prune")

    assert exported.code == 0 and f"exported {ACCOUNT} numbers" in exported.out
    assert sorted(ids) == sorted(account.numbers)
    assert synced.code == 0, synced.err
    assert counts(synced.out)["unchanged"] == ACCOUNT
    assert "create" not in counts(synced.out) or counts(synced.out)["create"] == 0
    assert writes(account) == []


def test_an_import_of_the_account_as_it_stands_creates_nothing(
    cli: Run, account: FakeVapiServer, tmp_path: Path
) -> None:
    path = tmp_path / "numbers.jsonl"
    assert cli("export", "--show-secrets", str(path)).code == 0
    account.clear_log()

    imported = cli("import", str(path))

    assert imported.code == 0, imported.err
    assert counts(imported.out)["created"] == 0 and counts(imported.out)["skipped"] == ACCOUNT
    assert writes(account) == []


def _listing_that_never_completes(server: FakeVapiServer) -> None:
    """Every page counts the account's numbers but holds none of them."""
    body = {
        "results": [],
        "metadata": {"itemsPerPage": 100, "totalItems": len(server.numbers), "currentPage": 1},
    }
    server.inject_fault(
        "GET", "/v2/phone-number", mode="raw", body=msgspec.json.encode(body), times=10_000
    )


@pytest.mark.parametrize("command", ["export", "sync", "import"])
def test_a_listing_that_cannot_be_completed_stops_the_command_with_nothing_written(
    cli: Run, server: FakeVapiServer, tmp_path: Path, command: str
) -> None:
    rows = tmp_path / "rows.jsonl"
    assert cli("export", "--show-secrets", str(rows)).code == 0
    (tmp_path / "out.jsonl").write_text("what was here before\n")
    _listing_that_never_completes(server)
    server.clear_log()

    if command == "export":
        result = cli("export", str(tmp_path / "out.jsonl"))
    else:
        result = cli(command, str(rows), *(["--apply", "--yes", "--prune"] * (command == "sync")))

    assert result.code == 1
    assert f"the listing is incomplete (0 of {len(server.numbers)} numbers seen)" in result.err
    assert writes(server) == []
    assert (tmp_path / "out.jsonl").read_text() == "what was here before\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_export_to_stdout_writes_nothing_when_the_listing_is_incomplete(
    cli: Run, server: FakeVapiServer
) -> None:
    _listing_that_never_completes(server)

    result = cli("export", "-")

    assert result.code == 1 and result.out == ""
    assert "the listing is incomplete" in result.err


def test_list_says_when_the_listing_it_printed_is_incomplete(
    cli: Run, server: FakeVapiServer
) -> None:
    _listing_that_never_completes(server)

    result = cli("list", "-o", "jsonl")

    assert result.code == 1 and result.out == ""
    assert "the listing is incomplete (0 of 40 numbers seen)" in result.err
