"""`vapi-phone` in a fleet: with `VAPI_REDIS_URL`, the commands pace through that Redis
and hold the apply lock there, so processes that share no lock directory (as on two
machines) still apply one at a time; a Redis out of reach stops an apply before it sends
anything."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer
from vapi_phone_async.testing._redis_server import RedisServer

from .helpers import Run
from .test_process import made, one_created_all_the_other_nothing, script, two_thousand_rows

# Each test starts vapi-phone processes and a Redis: slow.
pytestmark = pytest.mark.slow


def started(
    server: FakeVapiServer, redis_url: str, lock_dir: Path, *args: str
) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VAPI_")}
    environment |= {
        "VAPI_API_KEY": TEST_API_KEY,
        "VAPI_BASE_URL": server.url,
        "VAPI_REDIS_URL": redis_url,
        "VAPI_LOCK_DIR": str(lock_dir),  # one per process: only Redis keeps them apart
    }
    return subprocess.Popen(
        [*script(), *args],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_syncs_on_two_lock_directories_make_each_number_once_through_redis(
    server: FakeVapiServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    source = two_thousand_rows(tmp_path)
    arguments = ["sync", str(source), "--apply", "--yes", "--wait"]
    processes = [
        started(server, redis_server.url, tmp_path / f"locks-{n}", *arguments) for n in (1, 2)
    ]
    outputs = one_created_all_the_other_nothing(server, processes)
    assert any("waiting for another apply" in err for _, err in outputs)
    # Each process took its lock in Redis, not in its own directory.
    assert not any((tmp_path / f"locks-{n}").exists() for n in (1, 2))


def test_redis_out_of_reach_stops_an_apply_before_it_sends_anything(
    cli: Run, server: FakeVapiServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = two_thousand_rows(tmp_path)
    monkeypatch.setenv("VAPI_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    server.clear_log()

    result = cli("sync", str(source), "--apply", "--yes")

    assert result.code == 1
    assert (
        f"error: cannot take the apply lock for the account at {server.url}: "
        "vapi-phone-async:{" in result.err
    )
    assert "in Redis at 127.0.0.1:1 failed (ConnectionError); nothing was sent" in result.err
    assert server.requests("POST") == [] and made(server) == []


def test_redis_url_without_the_redis_extra_says_how_to_install_it(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAPI_REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(sys.modules, "redis.asyncio", None)

    result = cli("list")

    assert result.code == 2
    assert "VAPI_REDIS_URL is set, but RedisPacing needs redis-py" in result.err
    assert "pip install 'vapi-phone-async[redis]'" in result.err


def test_a_lock_lost_mid_apply_stops_the_command_with_exit_1(
    cli: Run,
    server: FakeVapiServer,
    redis_server: RedisServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import redis

    source = two_thousand_rows(tmp_path)
    monkeypatch.setenv("VAPI_REDIS_URL", redis_server.url)
    monkeypatch.setattr("vapi_phone_async.bulk._redislock.DEFAULT_LOCK_TTL", 0.9)  # 1.5 s
    steal = threading.Thread(target=take_the_lock_after_ten_creates, args=(server, redis_server))
    server.latency = 0.02  # two at a time: about 20 s if let run
    steal.start()
    try:
        result = cli("sync", str(source), "--apply", "--yes", "--concurrency", "2")
    finally:
        server.latency = 0.0
        steal.join()
    posted = len(server.requests("POST"))
    client = redis.Redis.from_url(redis_server.url)
    (key,) = client.keys("*:apply-lock")
    holder = client.get(key)
    client.close()

    assert result.code == 1
    assert "error: the apply lock for the account at" in result.err
    assert "another holder has it now" in result.err and "run it again" in result.err
    assert 10 <= posted < 2000 and len(made(server)) <= posted
    assert holder == b"another-holder"


def take_the_lock_after_ten_creates(server: FakeVapiServer, redis_server: RedisServer) -> None:
    import redis

    deadline = time.monotonic() + 60
    while len(server.requests("POST")) < 10 and time.monotonic() < deadline:
        time.sleep(0.01)
    client = redis.Redis.from_url(redis_server.url)
    for key in client.keys("*:apply-lock"):
        client.set(key, "another-holder")
    client.close()
