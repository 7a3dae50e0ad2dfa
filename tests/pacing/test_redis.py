"""Pacing through a real Redis (`pacing/_redis.py`, `_scripts.py`), with clients in this
process: one state for every client of an account, named without the key and expiring;
the Lua steps doing what their Python reference does; a Redis that fails or dies never
stopping work. Several processes: tests/pacing/test_fleet.py."""

from __future__ import annotations

import asyncio
import logging
import sys
import time

import pytest

from vapi_phone_async import RedisPacing, ResponseEvent, RetryBudget
from vapi_phone_async.errors import RequestValidationError
from vapi_phone_async.models import UpdateTwilioPhoneNumber
from vapi_phone_async.pacing._codec import decode_state
from vapi_phone_async.pacing._redis import RedisBackend
from vapi_phone_async.pacing._state import SETTLE, Limit
from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer
from vapi_phone_async.testing._redis_server import RedisServer

from ..helpers import MakeClient, RecordedSleep, twilio_ids


def backend(redis_server: RedisServer, **options: object) -> RedisBackend:
    pacing = RedisPacing(redis_server.url, **options)  # type: ignore[arg-type]
    return pacing.backend_for(
        "http://127.0.0.1:1", TEST_API_KEY, budget=RetryBudget(), window=0.0, adaptive=True
    )


async def fields(redis: object, key: str) -> dict[str, str]:
    raw = await redis.hgetall(key)  # type: ignore[attr-defined]
    return {name.decode(): value.decode() for name, value in raw.items()}


# One state, named without the key, that expires.


async def test_a_client_keeps_one_state_named_by_its_url_and_a_fingerprint_of_its_key(
    make_client: MakeClient, redis_server: RedisServer, redis: object, sleeps: RecordedSleep
) -> None:
    secret = "sk-live-0123456789abcdef"
    async with FakeVapiServer(api_key=secret) as fake:
        (number,) = fake.seed(1)
        fake.inject_fault("GET", status=429, times=2)
        async with make_client(
            api_key=secret,
            base_url=fake.url,
            pacing=RedisPacing(redis_server.url, ttl=30),
            sleep=sleeps,
        ) as client:
            await client.get(number["id"])
            await client.get(number["id"])

    keys = [key.decode() for key in await redis.keys("*")]  # type: ignore[attr-defined]
    assert len(keys) == 1
    (key,) = keys
    assert fake.url in key and secret not in key and "0123456789abcdef" not in key
    assert 0 < await redis.pttl(key) <= 30_000  # type: ignore[attr-defined]
    state = await fields(redis, key)
    assert int(state["epoch"]) >= 1  # the 429s were seen
    assert not any(secret in value for value in state.values())


async def test_an_unused_state_expires(redis_server: RedisServer, redis: object) -> None:
    shared = backend(redis_server, ttl=0.2)
    await shared.reserve(Limit(10))
    assert await redis.exists(shared.key)  # type: ignore[attr-defined]
    for _ in range(100):
        if not await redis.exists(shared.key):  # type: ignore[attr-defined]
            break
        await asyncio.sleep(0.05)
    else:  # pragma: no cover - the key must expire
        raise AssertionError("the pacing state outlived its ttl")
    await shared.aclose()


# What the fleet shares.


async def test_two_clients_draw_their_starts_from_one_bucket(redis_server: RedisServer) -> None:
    first, second = backend(redis_server), backend(redis_server)
    assert first.key == second.key
    starts = []
    for shared in (first, second, first, second, first, second):
        asked = time.time()  # the Redis server's clock is this machine's
        grant = await shared.reserve(Limit(10))
        starts.append(asked + grant.wait)
    # 10 a second between them: each start 0.1 s after the one before, whoever takes it.
    after_first = [start - starts[0] for start in starts]
    assert after_first == pytest.approx([0, 0.1, 0.2, 0.3, 0.4, 0.5], abs=0.05)
    await first.aclose()
    await second.aclose()


async def test_a_429_one_client_gets_pauses_the_other(redis_server: RedisServer) -> None:
    first, second = backend(redis_server), backend(redis_server)
    grant = await first.reserve(None)
    decision = await first.throttled(grant.epoch, 2.0)
    assert decision.wait == 2.0
    paused = await second.reserve(None)
    assert not paused.go and 1.5 < paused.wait <= 2.0
    # The other's 429 to a request it sent before the pause is the same event.
    again = await second.throttled(grant.epoch, 2.0)
    assert again.wait == 2.0
    await first.aclose()
    await second.aclose()


async def test_a_cut_made_before_the_others_told_their_answers_is_raised_once_they_have(
    redis_server: RedisServer, redis: object
) -> None:
    """A fleet's first burst: the server lets twenty through, spread over the processes,
    and answers the rest 429. The process deciding the 429 has told Redis of one success,
    the others of theirs not yet (they do with their next call). Cut on the one, the rate
    was 14/s, and the fleet took ten seconds to climb back to the limit."""
    deciding, others = backend(redis_server), backend(redis_server)
    grant = await deciding.reserve(None)
    deciding.answered(grant.epoch, 200)
    for _ in range(19):
        others.answered(grant.epoch, 200)
    await deciding.throttled(grant.epoch, None)
    cut = decode_state(await fields(redis, deciding.key))
    assert cut.enabled
    await others.reserve(None)  # their answers told
    await asyncio.sleep(SETTLE)
    await deciding.reserve(None)  # its cut revised, now that every process has told
    revised = decode_state(await fields(redis, deciding.key))
    assert revised.peak > cut.peak
    assert (revised.decreased_at, revised.epoch) == (cut.decreased_at, cut.epoch)  # one cut
    await deciding.aclose()
    await others.aclose()


async def test_the_retry_budget_is_spent_by_both_clients_and_earned_back_by_answers(
    redis_server: RedisServer,
) -> None:
    budget_a, budget_b = RetryBudget(capacity=6), RetryBudget(capacity=6)
    pacing = RedisPacing(redis_server.url)
    first = pacing.backend_for("http://x", "k", budget=budget_a, window=0.0, adaptive=True)
    second = pacing.backend_for("http://x", "k", budget=budget_b, window=0.0, adaptive=True)
    spent = [await first.spend(timeout=False), await second.spend(timeout=False)]
    spent += [await first.spend(timeout=False), await second.spend(timeout=False)]
    assert spent == [True, True, True, False]  # 6 tokens, 2 a retry, between them
    for _ in range(4):
        first.answered(0, 200)  # four answers earn four tokens back ...
    await first.reserve(None)  # ... told to Redis with the client's next call
    assert await second.spend(timeout=True)  # a timeout's retry costs 4
    assert budget_b.tokens == 0
    await first.aclose()
    await second.aclose()


async def test_the_lua_steps_count_as_their_python_reference_does(
    redis_server: RedisServer, redis: object
) -> None:
    """The answers a client flushes land in the measured rate, the fresh answers of the
    epoch and the window's sends, as `_state.note` and `_state.reserve` count them."""
    pacing = RedisPacing(redis_server.url)
    shared = pacing.backend_for("http://x", "k", budget=None, window=60.0, adaptive=True)
    first = await shared.reserve(None)
    for _ in range(7):
        shared.answered(first.epoch, 200)
    await shared.reserve(None)  # flushes the seven
    state = decode_state(await fields(redis, shared.key))
    assert sum(state.counts) == 7 and state.fresh == 7 and state.fresh_epoch == 0
    assert state.window_sent == 2 and state.window_index > 0
    await shared.aclose()


# Redis failing.


async def test_redis_killed_mid_run_the_run_goes_on_with_one_warning(
    fake_vapi: FakeVapiServer,
    make_client: MakeClient,
    redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    pairs = [(id_, UpdateTwilioPhoneNumber(name="Paced")) for id_ in twilio_ids(fake_vapi, 60)]
    fake_vapi.latency = 0.005
    answered = 0

    def kill_after_twenty(event: ResponseEvent) -> None:
        nonlocal answered
        answered += 1
        if answered == 20:
            redis_server.kill()

    caplog.set_level(logging.WARNING, logger="vapi_phone_async")
    async with make_client(
        pacing=RedisPacing(redis_server.url, timeout=0.5),
        event_hooks={"response": [kill_after_twenty]},
    ) as client:
        result = await client.bulk_update(pairs, concurrency=8)

    assert result.summary.updated == 60 and result.summary.failed == 0
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "Redis" in warnings[0].getMessage()


async def test_a_redis_out_of_reach_is_one_warning_then_tried_again_after_a_while(
    fake_vapi: FakeVapiServer, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    (number,) = fake_vapi.seed(1)
    with RedisServer() as later:
        url = later.url
        later.stop()  # nothing listens there now
        caplog.set_level(logging.DEBUG, logger="vapi_phone_async")
        pacing = RedisPacing(url, timeout=0.5, reconnect_after=0.2)
        async with make_client(pacing=pacing) as client:
            for _ in range(5):
                await client.get(number["id"])
            await asyncio.sleep(0.25)
            await client.get(number["id"])  # tried again: still down, a debug line
    levels = [r.levelno for r in caplog.records if "Redis" in r.getMessage()]
    assert levels.count(logging.WARNING) == 1 and logging.DEBUG in levels


# The settings.


def test_redis_pacing_settings_that_cannot_work_are_refused_by_name() -> None:
    with pytest.raises(RequestValidationError) as caught:
        RedisPacing("redis://localhost", ttl=0, timeout=-1, prefix="")
    assert [error.path for error in caught.value.errors] == ["ttl", "timeout", "prefix"]
    with pytest.raises(RequestValidationError, match="url"):
        RedisPacing()


def test_the_repr_of_redis_pacing_shows_no_password() -> None:
    pacing = RedisPacing("redis://:hunter2@redis.internal:6379/0")
    assert "hunter2" not in repr(pacing) and "redis.internal:6379" in repr(pacing)


def test_without_redis_py_the_error_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    monkeypatch.setitem(sys.modules, "redis.asyncio", None)
    with pytest.raises(ImportError, match=r"vapi-phone-async\[redis\]"):
        RedisPacing("redis://localhost")
