"""Where FakeVapiServer listens (`host=`), and the URL it gives for it.

Traffic goes to loopback addresses only: a fake bound to every interface (0.0.0.0) is
reached at 127.0.0.2, another address of the loopback interface, as a container on the
same network would reach it under its service name.
"""

from __future__ import annotations

import aiohttp
import pytest

from vapi_phone_async.testing import TEST_API_KEY, FakeVapiServer

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}


async def status_at(url: str) -> int:
    """The status of GET /phone-number at `url` (a base URL)."""
    async with (
        aiohttp.ClientSession(headers=AUTH) as http,
        http.get(f"{url}/phone-number") as response,
    ):
        return response.status


async def test_it_listens_on_127_0_0_1_by_default() -> None:
    async with FakeVapiServer() as server:
        assert server.host == "127.0.0.1"
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert await status_at(server.url) == 200


async def test_bound_to_every_interface_it_is_reached_at_another_loopback_address() -> None:
    async with FakeVapiServer(host="0.0.0.0") as server:
        server.seed(3)
        assert server.host == "0.0.0.0"
        # Its URL for this machine is loopback: 0.0.0.0 is no address to connect to.
        assert server.url == f"http://127.0.0.1:{server.port}"
        elsewhere = f"http://127.0.0.2:{server.port}"
        assert await status_at(elsewhere) == 200
        assert await status_at(server.url) == 200
        assert [record.path for record in server.request_log] == ["/phone-number"] * 2


async def test_bound_to_one_address_it_gives_that_address_and_only_answers_there() -> None:
    async with FakeVapiServer(host="127.0.0.2") as server:
        assert server.url == f"http://127.0.0.2:{server.port}"
        assert await status_at(server.url) == 200
        with pytest.raises(aiohttp.ClientConnectionError):
            await status_at(f"http://127.0.0.1:{server.port}")


async def test_a_host_name_gives_the_address_it_is_bound_to(unused_tcp_port: int) -> None:
    async with FakeVapiServer(host="localhost", port=unused_tcp_port) as server:
        assert server.host == "localhost"
        # localhost may resolve to 127.0.0.1 and ::1; the URL names the socket's address.
        assert server.url in (
            f"http://127.0.0.1:{unused_tcp_port}",
            f"http://[::1]:{unused_tcp_port}",
        )


async def test_every_ipv6_interface_gives_the_ipv6_loopback_url() -> None:
    server = FakeVapiServer(host="::")
    try:
        await server.start()
    except OSError as error:  # no IPv6 on this machine
        pytest.skip(f"cannot listen on '::': {error}")
    try:
        assert server.url == f"http://[::1]:{server.port}"
    finally:
        await server.close()


@pytest.mark.parametrize("host", ["", None, 127])
def test_a_host_that_is_not_one_is_refused(host: object) -> None:
    with pytest.raises(ValueError, match="host must be a host name or an address"):
        FakeVapiServer(host=host)  # type: ignore[arg-type]
