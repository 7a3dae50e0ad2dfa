"""One writer at a time on the command line: exit 75 at once while another apply to the
account runs (or after --wait-timeout), and a plan the account moved away from before its
apply made again, shown, and asked about again unless --yes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import filelock
import pytest

from vapi_phone_async.bulk import Account, FileLocks
from vapi_phone_async.cli import _bulk, _import, _sync
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from .helpers import Run

NEW = "provider,number,twilioAccountSid,name\n" + "".join(
    f"twilio,+1999000{i:04d},AC1,Row {i}\n" for i in range(5)
)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "new.csv"
    path.write_text(NEW)
    return path


@pytest.fixture
def held(server: FakeVapiServer) -> Iterator[None]:
    """The account's lock file held, as another process's apply would hold it."""
    path = FileLocks()(Account.of(server.url, TEST_API_KEY)).where
    with filelock.FileLock(path):
        yield


COMMANDS = [
    ["sync", "{source}", "--apply", "--yes"],
    ["import", "{source}"],
    ["bulk-update", "--all", "--set", "name=Desk", "--yes"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_a_second_apply_exits_75_at_once_sending_nothing(
    cli: Run, server: FakeVapiServer, source: Path, held: None, command: list[str]
) -> None:
    server.clear_log()
    result = cli(*(arg.format(source=source) for arg in command))

    assert result.code == 75
    assert result.err == (
        f"error: another apply to the account at {server.url} is running: --wait waits for "
        "it to end (--wait-timeout SECONDS: at most that long)\n"
    )
    assert server.request_log == []


def test_wait_timeout_waits_then_gives_up(
    cli: Run, server: FakeVapiServer, source: Path, held: None
) -> None:
    result = cli("sync", str(source), "--apply", "--wait-timeout", "0.2")

    assert result.code == 75
    assert f"waiting for another apply to the account at {server.url} to end" in result.err
    assert "still running after 0.2 s of waiting" in result.err
    assert server.requests("POST") == []


def moves_once(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, server: FakeVapiServer):
    """After the first call of `module.name`, a number appears in the account, as if
    someone else had created it."""
    original = getattr(module, name)
    calls = []

    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = await original(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            server.insert({"provider": "twilio", "number": "+14155559999", "name": "Elsewhere"})
        return result

    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_sync_plans_again_when_the_account_moved_and_with_yes_applies_it(
    cli: Run, server: FakeVapiServer, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = moves_once(monkeypatch, _sync, "plan_file", server)
    result = cli("sync", str(source), "--apply", "--yes")

    assert result.code == 0, result.err
    assert len(calls) == 2 and result.err.count("sync plan for") == 2
    assert "the account changed since the plan was made (40 numbers then, 41 now" in result.err
    assert len(server.requests("POST")) == 5


def test_sync_asks_again_about_a_plan_made_again(
    cli: Run, server: FakeVapiServer, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    moves_once(monkeypatch, _sync, "plan_file", server)
    refused = cli("sync", str(source), "--apply")  # off a terminal: no one to ask

    assert refused.code == 2 and "apply a plan made again" in refused.err
    assert "add --yes" in refused.err
    assert server.requests("POST") == []

    moves_once(monkeypatch, _sync, "plan_file", server)
    result = cli("sync", str(source), "--apply", stdin="y\n", terminal=True)
    assert result.code == 0 and "Apply the new plan?" in result.err
    assert len(server.requests("POST")) == 5


def test_import_plans_again_and_goes_on_as_it_never_asks(
    cli: Run, server: FakeVapiServer, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = moves_once(monkeypatch, _import, "plan_file", server)
    result = cli("import", str(source))

    assert result.code == 0 and len(calls) == 2
    assert "import plan, made again" in result.err
    assert len(server.requests("POST")) == 5


def test_bulk_update_lists_its_scope_again_after_the_prompt(
    cli: Run, server: FakeVapiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def moved(question: str, *, what: str, yes: bool) -> None:
        # While the user reads the prompt, a number comes.
        server.insert({"provider": "twilio", "number": "+14155559999", "name": "Elsewhere"})

    monkeypatch.setattr(_bulk, "confirm", moved)
    refused = cli("bulk-update", "--provider", "twilio", "--set", "assistantId=a1")
    assert refused.code == 2 and "bulk-update plan, made again" in refused.err
    assert "add --yes" in refused.err and server.requests("PATCH") == []

    monkeypatch.setattr(_bulk, "confirm", lambda question, *, what, yes: None)
    result = cli("bulk-update", "--provider", "twilio", "--set", "assistantId=a1", "--yes")
    twilio = [n for n in server.numbers.values() if n["provider"] == "twilio"]
    assert result.code == 0 and all(n.get("assistantId") == "a1" for n in twilio)
