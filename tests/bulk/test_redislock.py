"""The apply lock in Redis, for a fleet (`bulk/_redislock.py`), against a real Redis: one
key beside the pacing state, named without the API key and always expiring; renewed
while held; left behind by a killed holder only until it expires; failing closed when
Redis is out of reach; and an apply stopped, sending nothing more, when its lock is lost.
Two processes applying one sync through it: tests/cli/test_process_redis.py."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vapi_phone_async import RedisPacing, RequestEvent, VapiPhoneClient
from vapi_phone_async.bulk import (
    Account,
    ApplyLock,
    BulkCancelledError,
    ExpiringApplyLock,
    FileLocks,
    RedisLocks,
)
from vapi_phone_async.bulk._redislock import RedisApplyLock
from vapi_phone_async.errors import (
    ApplyLockedError,
    ApplyLockLostError,
    ApplyLockUnavailableError,
    RequestValidationError,
)
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer
from vapi_phone_async.testing._redis_server import RedisServer

from ..helpers import MakeClient, held_elsewhere

ROWS = [
    {"provider": "twilio", "number": f"+1999000{i:04d}", "twilioAccountSid": "AC1"}
    for i in range(300)
]
TTL = 1.2  # renewed every 0.4 s; lost 0.8 s (and a timeout) after Redis stops answering
TIMEOUT = 0.2


class Recorded:
    """A `RedisLocks` that keeps the locks it makes, to ask them whether they were lost."""

    def __init__(self, locks: RedisLocks) -> None:
        self.locks = locks
        self.made: list[RedisApplyLock] = []

    def __call__(self, account: Account) -> ApplyLock:
        lock = self.locks(account)
        self.made.append(lock)
        return lock


def fleet_client(
    make_client: MakeClient, redis_server: RedisServer, **options: Any
) -> VapiPhoneClient:
    """A client on the fake pacing through the test's Redis, and locking there."""
    pacing = options.pop("pacing", None) or RedisPacing(redis_server.url, timeout=TIMEOUT)
    options.setdefault("apply_locks", RedisLocks(pacing, ttl=TTL))
    return make_client(pacing=pacing, **options)


async def keys(redis: Any) -> list[str]:
    return sorted(key.decode() for key in await redis.keys("*"))


# One key beside the pacing state, without the API key, always expiring.


async def test_a_client_that_paces_through_redis_locks_there_with_a_key_that_expires(
    make_client: MakeClient, redis_server: RedisServer, redis: Any
) -> None:
    secret = "sk-live-0123456789abcdef"
    async with (
        FakeVapiServer(api_key=secret) as fake,
        make_client(
            api_key=secret, base_url=fake.url, pacing=RedisPacing(redis_server.url)
        ) as client,
    ):
        plan = await client.plan_sync(ROWS[:3])
        async with client.apply_lock():
            held = await keys(redis)
            result = await plan.apply()
            ttls = {key: await redis.pttl(key) for key in await keys(redis)}
        after = await keys(redis)

    assert result.summary.created == 3
    assert len(held) == 2 and sorted(ttls) == held
    lock, pacing = held
    assert lock.endswith(":apply-lock") and pacing.endswith(":pacing")
    assert lock.removesuffix(":apply-lock") == pacing.removesuffix(":pacing")  # one slot
    assert f"{{{fake.url} " in lock
    assert all(secret not in key and "0123456789abcdef" not in key for key in held)
    assert 0 < ttls[lock] <= 30_000 and all(ttl > 0 for ttl in ttls.values())
    assert after == [pacing]  # let go


async def test_explicit_apply_locks_win_over_the_redis_default(
    redis_server: RedisServer,
    redis: Any,
    fake_vapi: FakeVapiServer,
    make_client: MakeClient,
    tmp_path: Path,
) -> None:
    async with (
        make_client(
            pacing=RedisPacing(redis_server.url), apply_locks=FileLocks(tmp_path)
        ) as client,
        client.apply_lock(),
    ):
        assert await keys(redis) == []
        assert list(tmp_path.glob("*.lock"))  # noqa: ASYNC240 - a look at a small directory


# Held, renewed, waited for, and let go.


async def test_a_second_apply_is_refused_at_once_naming_the_lock_and_sending_nothing(
    redis_server: RedisServer, fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    async with (
        fleet_client(make_client, redis_server) as first,
        fleet_client(make_client, redis_server) as second,
    ):
        plan = await second.plan_sync(ROWS[:5])
        fake_vapi.clear_log()
        async with held_elsewhere(first):
            with pytest.raises(ApplyLockedError) as caught:
                await plan.apply()

    assert fake_vapi.request_log == []
    assert "apply-lock in Redis at 127.0.0.1:" in str(caught.value)
    assert TEST_API_KEY not in str(caught.value)


@pytest.mark.slow
async def test_a_holder_keeps_its_lock_past_the_ttl_and_a_waiter_gets_it_when_let_go(
    redis_server: RedisServer, redis: Any, fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    async with (
        fleet_client(make_client, redis_server) as first,
        fleet_client(make_client, redis_server) as second,
    ):
        plan = await second.plan_sync(ROWS[:5])
        async with held_elsewhere(first):
            waiting = asyncio.ensure_future(plan.apply(wait=True).collect())
            await asyncio.sleep(1.5 * TTL)  # longer than an unrenewed key lives
            (lock,) = [key for key in await keys(redis) if key.endswith(":apply-lock")]
            assert not waiting.done() and fake_vapi.requests("POST") == []
            assert await redis.pttl(lock) > 0
        result = await asyncio.wait_for(waiting, 30)

    assert result.summary.created == 5
    assert [key for key in await keys(redis) if key.endswith(":apply-lock")] == []


async def test_an_acquire_cancelled_while_waiting_holds_nothing(
    redis_server: RedisServer, redis: Any
) -> None:
    locks = RedisLocks(RedisPacing(redis_server.url, timeout=TIMEOUT), ttl=TTL)
    account = Account.of("https://api.vapi.ai", TEST_API_KEY)
    first, second, third = locks(account), locks(account), locks(account)
    assert await first.acquire(0)
    waiting = asyncio.ensure_future(second.acquire(None))
    await asyncio.sleep(0.3)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await first.release()

    assert await third.acquire(0)  # the cancelled waiter took nothing
    await third.release()
    assert await keys(redis) == []


# A killed holder.

HOLDER = """
import asyncio, sys
from vapi_phone_async import RedisPacing
from vapi_phone_async.bulk import Account, RedisLocks

async def main():
    locks = RedisLocks(RedisPacing(sys.argv[1], timeout=0.2), ttl=float(sys.argv[2]))
    lock = locks(Account.of("https://api.vapi.ai", "test-key"))
    assert await lock.acquire(0)
    print("held", flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


@pytest.mark.slow
async def test_a_lock_held_by_a_killed_process_expires_and_another_takes_it(
    redis_server: RedisServer, redis: Any
) -> None:
    ttl = TTL
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, redis_server.url, str(ttl), stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None
        assert await asyncio.wait_for(holder.stdout.readline(), 30) == b"held\n"
        await asyncio.sleep(0.5 * ttl)  # renewed meanwhile
        (key,) = await keys(redis)
        assert 0 < await redis.pttl(key) <= 1200
        os.kill(holder.pid, signal.SIGKILL)  # no release, no finally: only expiry frees it
        await holder.wait()
    finally:
        if holder.returncode is None:  # pragma: no cover - only if the test fails
            holder.kill()
            await holder.wait()

    lock = RedisLocks(RedisPacing(redis_server.url, timeout=TIMEOUT), ttl=ttl)(
        Account.of("https://api.vapi.ai", "test-key")
    )
    assert await lock.acquire(10)  # within about 1.2 s of the kill
    await lock.release()


# Fail closed: Redis out of reach when the lock is taken.


@pytest.mark.parametrize("how", ["nothing listens", "killed"])
async def test_redis_out_of_reach_is_a_clear_error_and_nothing_is_sent(
    redis_server: RedisServer, fake_vapi: FakeVapiServer, make_client: MakeClient, how: str
) -> None:
    url = "redis://127.0.0.1:1/0" if how == "nothing listens" else redis_server.url
    pacing = RedisPacing(url, timeout=TIMEOUT)
    async with make_client(pacing=pacing) as client:
        plan = await client.plan_sync(ROWS[:5])
        if how == "killed":
            redis_server.kill()
        fake_vapi.clear_log()
        with pytest.raises(ApplyLockUnavailableError) as caught:
            await plan.apply()
        with pytest.raises(ApplyLockUnavailableError):
            await client.bulk_import([])

    assert fake_vapi.request_log == [] and fake_vapi.numbers == {}
    message = str(caught.value)
    assert message.startswith(f"cannot take the apply lock for the account at {fake_vapi.url}")
    assert f"in Redis at 127.0.0.1:{url.split(':')[2].split('/')[0]} failed" in message
    assert message.endswith("nothing was sent") and TEST_API_KEY not in message


# A lost lock stops the apply.


async def test_a_lock_taken_over_stops_the_apply_and_nothing_more_is_sent(
    redis_server: RedisServer, redis: Any, fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    recorded = Recorded(RedisLocks(RedisPacing(redis_server.url, timeout=TIMEOUT), ttl=TTL))
    creates, sent_after_loss = 0, 0
    ten_sent = asyncio.Event()

    def count(event: RequestEvent) -> None:
        nonlocal creates, sent_after_loss
        if event.method == "POST":
            creates += 1
            sent_after_loss += recorded.made[0].lost is not None
            if creates == 10:
                ten_sent.set()

    async with fleet_client(
        make_client, redis_server, apply_locks=recorded, event_hooks={"request": [count]}
    ) as client:
        plan = await client.plan_sync(ROWS)
        fake_vapi.latency = 0.02  # 300 creates two at a time: about 3 s if let run
        run = plan.apply(concurrency=2)
        applying = asyncio.ensure_future(run.collect())
        await asyncio.wait_for(ten_sent.wait(), 30)
        (lock,) = [key for key in await keys(redis) if key.endswith(":apply-lock")]
        await redis.set(lock, "another-holder")  # as if it expired and another took it
        with pytest.raises(ApplyLockLostError) as caught:
            await asyncio.wait_for(applying, 30)
        posted = len(fake_vapi.requests("POST"))
        await client.get(next(iter(fake_vapi.numbers)))  # a round trip: nothing was queued

    assert "another holder has it now" in str(caught.value)
    # Stopped once the loss was seen: what workers already had on its way, and no more.
    assert sent_after_loss <= 2 and creates < 300
    assert len(fake_vapi.requests("POST")) == posted
    assert await redis.get(lock) == b"another-holder"  # not deleted by the loser
    # Every number made was reported: created, or cut short in flight.
    outcomes = run.undelivered
    created = {o.item.body.number for o in outcomes if o.kind == "succeeded"}  # type: ignore[union-attr]
    cut = {
        o.item.body.number  # type: ignore[union-attr]
        for o in outcomes
        if o.kind == "failed" and isinstance(o.error, BulkCancelledError)
    }
    made = {data["number"] for data in fake_vapi.numbers.values()}
    assert created <= made <= created | cut
    assert run.summary.created == len(created) and len(cut) <= 2


async def test_a_lock_whose_redis_dies_is_lost_before_it_could_expire(
    redis_server: RedisServer, fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    recorded = Recorded(RedisLocks(RedisPacing(redis_server.url, timeout=TIMEOUT), ttl=TTL))
    async with fleet_client(make_client, redis_server, apply_locks=recorded) as client:
        with pytest.raises(ApplyLockLostError) as caught:
            async with client.apply_lock():
                redis_server.kill()
                await asyncio.sleep(60)  # cancelled once the renewals fail

    assert "could not renew it for" in str(caught.value)
    assert isinstance(recorded.made[0], ExpiringApplyLock)
    assert recorded.made[0].lost is caught.value


async def test_a_lock_whose_redis_hangs_is_lost_before_it_could_expire_even_without_timeouts(
    redis_server: RedisServer, redis: Any, fake_vapi: FakeVapiServer, make_client: MakeClient
) -> None:
    from redis.asyncio import Redis

    yours = Redis.from_url(redis_server.url)  # no socket timeout at all
    pacing = RedisPacing(client=yours, timeout=TIMEOUT)
    pid = (await redis.info("server"))["process_id"]
    async with fleet_client(
        make_client, redis_server, pacing=pacing, apply_locks=RedisLocks(pacing, ttl=TTL)
    ) as client:
        try:
            with pytest.raises(ApplyLockLostError) as caught:
                async with client.apply_lock():
                    os.kill(pid, signal.SIGSTOP)  # it answers nothing, and holds every socket
                    await asyncio.sleep(60)  # cancelled once the renewals time out
        finally:
            os.kill(pid, signal.SIGCONT)
    await yours.aclose()

    assert "could not renew it for" in str(caught.value)
    assert "(TimeoutError)" in str(caught.value)


async def test_a_lock_let_go_is_renewed_no_more(
    redis_server: RedisServer, redis: Any, caplog: pytest.LogCaptureFixture
) -> None:
    locks = RedisLocks(RedisPacing(redis_server.url, timeout=TIMEOUT), ttl=TTL)
    async with VapiPhoneClient(
        api_key=TEST_API_KEY, base_url="http://127.0.0.1:1", apply_locks=locks
    ) as client:
        async with client.apply_lock():
            (lock,) = await keys(redis)
        await redis.set(lock, "another-holder")
        await asyncio.sleep(TTL / 2)  # past a renewal's time: a renewal would see it lost

    assert [r.message for r in caplog.records if r.levelname == "WARNING"] == []
    assert await redis.get(lock) == b"another-holder"


# Settings.


def test_the_ttl_leaves_room_for_three_renewals_and_the_repr_hides_a_password() -> None:
    pacing = RedisPacing("redis://user:hunter2@redis:6379/0", timeout=0.5)
    with pytest.raises(RequestValidationError, match=r"ttl must be at least 6 times"):
        RedisLocks(pacing, ttl=2.9)
    with pytest.raises(RequestValidationError, match=r"pacing must be a RedisPacing"):
        RedisLocks("redis://redis:6379/0", ttl=30)  # type: ignore[arg-type]

    assert RedisLocks(pacing).ttl == 30.0
    assert RedisLocks(RedisPacing("redis://redis:6379/0", timeout=10)).ttl == 60.0
    assert "hunter2" not in repr(RedisLocks(pacing))
    lock = RedisLocks(pacing)(Account.of("https://api.vapi.ai", TEST_API_KEY))
    assert "hunter2" not in lock.where and TEST_API_KEY not in lock.where
