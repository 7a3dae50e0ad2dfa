"""The apply lock: one apply at a time per account, a second one waiting or refused at
once, re-entrant for the task that holds it, let go however the holder ends, and never
holding the key in a file or its name."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from vapi_phone_async import VapiPhoneClient
from vapi_phone_async.bulk import Account, ApplyLock, FileLocks, default_lock_dir
from vapi_phone_async.errors import ApplyLockedError, RequestValidationError
from vapi_phone_async.models import CreateTwilioPhoneNumber
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

from ..helpers import MakeClient, held_elsewhere

ROWS = [
    {"provider": "twilio", "number": f"+1415555{i:04d}", "twilioAccountSid": "AC1"}
    for i in range(5)
]


async def test_a_second_apply_fails_at_once_naming_the_account_and_sending_nothing(
    fake_vapi: FakeVapiServer, make_client: MakeClient, vapi_client: VapiPhoneClient
) -> None:
    plan = await vapi_client.plan_sync(ROWS)
    fake_vapi.clear_log()
    async with (
        make_client() as other,
        held_elsewhere(other),
    ):
        with pytest.raises(ApplyLockedError) as caught:
            await plan.apply()

    assert fake_vapi.request_log == [] and len(fake_vapi.numbers) == 0
    message = str(caught.value)
    assert fake_vapi.url in message and "wait=True" in message
    assert TEST_API_KEY not in message and TEST_API_KEY not in repr(caught.value)
    assert caught.value.waited == 0


async def test_a_second_apply_that_waits_runs_once_the_first_ends(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    plan = await vapi_client.plan_sync(ROWS)
    async with held_elsewhere(vapi_client) as release:
        waiting = asyncio.ensure_future(plan.apply(wait=True).collect())
        await asyncio.sleep(0.3)
        assert not waiting.done() and fake_vapi.requests("POST") == []
        release.set()
        result = await waiting

    assert result.summary.created == 5 and len(fake_vapi.numbers) == 5


async def test_a_wait_in_seconds_gives_up_with_the_lock_error(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    async with held_elsewhere(vapi_client):
        with pytest.raises(ApplyLockedError) as caught:
            await vapi_client.bulk_import(
                [CreateTwilioPhoneNumber(number="+14155550100", twilio_account_sid="AC1")],
                wait=0.1,
            )

    assert caught.value.waited == pytest.approx(0.1)
    assert fake_vapi.requests("POST") == []


async def test_the_holder_and_the_tasks_it_starts_enter_again_without_waiting(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    async with vapi_client.apply_lock(), vapi_client.apply_lock():
        plan = await vapi_client.plan_sync(ROWS)
        result = await plan.apply()  # its run's own task takes the lock the holder has

    assert result.summary.created == 5
    async with vapi_client.apply_lock():  # and it was let go at the end
        pass


async def test_two_clients_of_one_account_keep_each_other_out_and_other_accounts_do_not(
    fake_vapi: FakeVapiServer, make_client: MakeClient, vapi_client: VapiPhoneClient
) -> None:
    async with (
        make_client() as same,
        make_client(api_key="another-key-1234") as other_key,
        held_elsewhere(vapi_client),
    ):
        with pytest.raises(ApplyLockedError):
            async with same.with_options(rate_limit=5).apply_lock():
                pass
        async with other_key.apply_lock():  # another key is another account
            pass


async def test_the_lock_is_let_go_when_the_block_raises_or_is_cancelled(
    vapi_client: VapiPhoneClient,
) -> None:
    with pytest.raises(RuntimeError):
        async with vapi_client.apply_lock():
            raise RuntimeError("boom")

    entered = asyncio.Event()

    async def hold_forever() -> None:
        async with vapi_client.apply_lock():
            entered.set()
            await asyncio.Event().wait()

    task = asyncio.get_running_loop().create_task(hold_forever())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    async with vapi_client.apply_lock():  # free again, at once
        pass


async def test_a_waiter_cancelled_holds_nothing(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    async with held_elsewhere(vapi_client):
        waiter = asyncio.ensure_future(vapi_client.apply_lock(wait=True).__aenter__())
        await asyncio.sleep(0.2)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
    async with vapi_client.apply_lock():
        pass


async def test_an_apply_that_is_cancelled_lets_the_lock_go(
    fake_vapi: FakeVapiServer, vapi_client: VapiPhoneClient
) -> None:
    plan = await vapi_client.plan_sync(ROWS)
    fake_vapi.latency = 0.5
    try:
        one_done = asyncio.Event()
        run = plan.apply(concurrency=1, progress=lambda *_: one_done.set())
        consuming = asyncio.ensure_future(run.collect())
        await one_done.wait()  # the second create is in flight now
        consuming.cancel()
        with pytest.raises(asyncio.CancelledError):
            await consuming
    finally:
        fake_vapi.latency = 0.0
    async with vapi_client.apply_lock():
        pass


async def test_no_lock_file_holds_the_key_or_is_named_by_it(
    vapi_client: VapiPhoneClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAPI_LOCK_DIR", str(tmp_path / "locks"))
    async with vapi_client.apply_lock():
        (lock_file,) = (tmp_path / "locks").iterdir()
        held = lock_file.read_bytes()

    key_digest = hashlib.sha256(TEST_API_KEY.encode()).hexdigest()
    for text in (lock_file.name, held.decode(), repr(vapi_client.account)):
        assert TEST_API_KEY not in text and key_digest not in text
    assert lock_file.name == f"127.0.0.1-{lock_file.name[10:-5]}.lock"
    assert vapi_client.account.key_fingerprint == key_digest[:16]
    if os.name == "posix":
        assert (tmp_path / "locks").stat().st_mode & 0o077 == 0  # the user's own


def test_the_lock_directory_is_the_users_own_unless_configured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VAPI_LOCK_DIR", str(tmp_path))
    assert default_lock_dir() == tmp_path and FileLocks().directory == tmp_path
    assert FileLocks(tmp_path / "x").directory == tmp_path / "x"
    monkeypatch.delenv("VAPI_LOCK_DIR")
    assert default_lock_dir().is_relative_to(Path.home())
    assert "vapi-phone" in default_lock_dir().parts


def test_a_bad_wait_is_refused_before_anything_runs(vapi_client: VapiPhoneClient) -> None:
    for wait in (-1, float("nan"), "soon"):
        with pytest.raises(RequestValidationError, match="wait must be True, False or"):
            vapi_client.apply_lock(wait=wait)  # type: ignore[arg-type]
        with pytest.raises(RequestValidationError, match="wait"):
            vapi_client.bulk_import([], wait=wait)  # type: ignore[arg-type]


class RecordingLocks:
    """An `ApplyLocks` of the test's own: the client uses whatever factory it is given."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def __call__(self, account: Account) -> ApplyLock:
        events = self.events

        class Lock:
            where = f"memory:{account.lock_name}"

            async def acquire(self, timeout: float | None) -> bool:
                events.append(f"acquire {timeout}")
                return True

            async def release(self) -> None:
                events.append("release")

        return Lock()


async def test_a_client_takes_its_locks_from_the_factory_it_is_given(
    fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    locks = RecordingLocks()
    async with make_client(apply_locks=locks) as client:
        plan = await client.plan_sync(ROWS)
        await plan.apply(wait=2.5)
    assert locks.events == ["acquire 2.5", "release"]


HOLDER = """
import asyncio, sys
from vapi_phone_async.bulk import Account, FileLocks

async def main():
    lock = FileLocks(sys.argv[1])(Account.of(sys.argv[2], "a-key-of-the-test"))
    assert await lock.acquire(0)
    print("held", flush=True)
    await asyncio.sleep(120)

asyncio.run(main())
"""


async def test_a_killed_holder_process_lets_go_of_the_lock(tmp_path: Path) -> None:
    account = Account.of("https://api.example.test", "a-key-of-the-test")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, str(tmp_path), account.base_url, stdout=subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        assert (await process.stdout.readline()).strip() == b"held"
        lock = FileLocks(tmp_path)(account)
        assert await lock.acquire(0) is False
        process.send_signal(signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
        await process.wait()
        assert await lock.acquire(0) is True  # the OS let go of the dead process's lock
        await lock.release()
    finally:
        if process.returncode is None:  # pragma: no cover - only if the test fails
            process.kill()
            await process.wait()
