"""`python -m vapi_phone_async.testing`: the fake served on its own."""

from __future__ import annotations

import asyncio
import signal
import sys

import aiohttp
import pytest

from vapi_phone_async.testing import TEST_API_KEY


async def start_cli(*args: str) -> tuple[asyncio.subprocess.Process, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vapi_phone_async.testing",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), 30)
    except BaseException:
        process.kill()
        await process.communicate()
        raise
    url, key = line.decode().split()
    return process, url, key


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_the_command_serves_until_interrupted(signum: signal.Signals) -> None:
    process, url, key = await start_cli("--numbers", "1000", "--api-key", "cli-key")
    try:
        assert url.startswith("http://127.0.0.1:") and key == "cli-key"
        headers = {"Authorization": f"Bearer {key}"}
        async with (
            aiohttp.ClientSession(headers=headers) as http,
            http.get(f"{url}/v2/phone-number", params={"limit": "5"}) as response,
        ):
            assert response.status == 200
            body = await response.json()
        assert body["metadata"]["totalItems"] == 1000 and len(body["results"]) == 5
    finally:
        process.send_signal(signum)
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, output.decode()
    assert b"Traceback" not in output


async def test_the_command_takes_a_port_and_a_cursor_mode(unused_tcp_port: int) -> None:
    args = ("--port", str(unused_tcp_port), "--numbers", "3", "--cursors", "shown-only")
    process, url, key = await start_cli(*args)
    try:
        assert url == f"http://127.0.0.1:{unused_tcp_port}" and key == TEST_API_KEY
        async with aiohttp.ClientSession(headers={"Authorization": "Bearer test-key"}) as http:
            async with http.get(f"{url}/v2/phone-number", params={"limit": "1"}) as response:
                body = await response.json()
            async with http.get(f"{url}/v2/phone-number", params={"cursor": "c"}) as response:
                refused = await response.json()
        assert body["metadata"]["totalItems"] == 3 and "nextCursor" in body["metadata"]
        assert refused["message"] == ["property cursor should not exist"]
    finally:
        process.terminate()
        await asyncio.wait_for(process.communicate(), 30)


async def test_the_command_takes_a_host_and_is_reached_at_another_loopback_address() -> None:
    process, url, key = await start_cli("--host", "0.0.0.0", "--numbers", "3")
    try:
        port = url.rsplit(":", 1)[1]
        assert url == f"http://127.0.0.1:{port}"
        async with (
            aiohttp.ClientSession(headers={"Authorization": f"Bearer {key}"}) as http,
            http.get(f"http://127.0.0.2:{port}/phone-number") as response,
        ):
            assert len(await response.json()) == 3
    finally:
        process.terminate()
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    assert "listening on 0.0.0.0" in output.decode() and "VAPI_ALLOW_HTTP=1" in output.decode()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--tie-rate", "2"), b"argument --tie-rate: 2.0 is not in the range 0 <= x <= 1"),
        (
            ("--cursors", "sideways"),
            b"argument --cursors: 'sideways' is not one of off, on, shown-only, ignored",
        ),
    ],
)
async def test_a_bad_option_is_a_usage_error(args: tuple[str, ...], message: bytes) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vapi_phone_async.testing",
        *args,
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert message in errors
