"""The client's options, checked at construction (`_options.py`): a URL that cannot work,
a key that cannot be sent, a number out of range, each a `RequestValidationError` naming
the option, and none echoing a secret."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from vapi_phone_async import BackoffPlan, RetryBudget, Timeout, VapiPhoneClient
from vapi_phone_async._options import check_base_url
from vapi_phone_async.errors import RequestValidationError
from vapi_phone_async.testing import FakeVapiServer

from .helpers import loopback_session

# Base URLs.


@pytest.mark.parametrize(
    "url",
    [
        "https://api.vapi.ai",
        "https://api.vapi.ai:8443/proxied/path",
        "http://127.0.0.1:8080",
        "http://127.0.0.2:8080",
        "http://localhost:1",
        "http://[::1]:9",
    ],
)
def test_https_and_loopback_http_base_urls_are_accepted(url: str) -> None:
    assert check_base_url(url + "/") == url


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (42, "must be a string (got int)"),
        ("api.vapi.ai", "https:// URL"),
        ("ftp://api.vapi.ai", "https:// URL"),
        ("http://api.vapi.ai", "http:// sends the key in the clear"),
        ("http://10.0.0.5", "allow_http=True (or VAPI_ALLOW_HTTP=1)"),
        ("https://", "must name a host"),
        ("https://127.0.0.1:99999", "port from 1 to 65535"),
        ("https://127.0.0.1:abc", "port from 1 to 65535"),
        ("https://127.0.0.1:0", "port from 1 to 65535"),
        ("https://api vapi.ai", "whitespace"),
        ("https://api.vapi.ai\n", "whitespace"),
        ("https://api.vapi.ai/?q=", "query or a fragment"),
        ("https://api.vapi.ai/?", "query or a fragment"),
        ("https://api.vapi.ai/#top", "query or a fragment"),
        ("https://[::1", "must be a URL"),
    ],
)
def test_a_base_url_that_cannot_work_is_refused_naming_the_rule(url: Any, says: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        VapiPhoneClient(api_key="k", base_url=url)
    assert caught.value.field == "base_url"
    assert says in caught.value.rule


def test_user_info_in_the_base_url_is_refused_and_never_shown() -> None:
    url = "http://user:PASS-word-1@127.0.0.1:8080"
    with pytest.raises(RequestValidationError) as caught:
        VapiPhoneClient(api_key="k", base_url=url)
    assert "user info" in caught.value.rule
    shown = str(caught.value) + repr(caught.value) + repr(caught.value.args)
    assert "PASS-word-1" not in shown and "127.0.0.1" not in shown


def test_plain_http_to_another_host_needs_an_explicit_opt_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VAPI_ALLOW_HTTP", raising=False)
    url = "http://fake-vapi:8787"
    with pytest.raises(RequestValidationError):
        VapiPhoneClient(api_key="k", base_url=url)
    assert VapiPhoneClient(api_key="k", base_url=url, allow_http=True).base_url == url
    monkeypatch.setenv("VAPI_ALLOW_HTTP", "1")
    assert VapiPhoneClient(api_key="k", base_url=url).base_url == url


async def test_plain_http_with_the_opt_in_reaches_a_fake_by_a_host_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A docker-compose service's name, say, that resolves to a loopback address here, and
    # a fake listening on every interface as it would in its own container.
    monkeypatch.delenv("VAPI_ALLOW_HTTP", raising=False)
    async with (
        FakeVapiServer(host="0.0.0.0") as server,
        loopback_session({"fake-vapi": "127.0.0.2"}) as session,
    ):
        server.seed(3)
        url = f"http://fake-vapi:{server.port}"
        with pytest.raises(RequestValidationError, match="allow_http=True"):
            VapiPhoneClient(api_key=server.api_key, base_url=url, session=session)
        async with VapiPhoneClient(
            api_key=server.api_key, base_url=url, session=session, allow_http=True
        ) as client:
            assert len(await client.list_recent()) == 3
        monkeypatch.setenv("VAPI_ALLOW_HTTP", "1")
        async with VapiPhoneClient(api_key=server.api_key, base_url=url, session=session) as client:
            assert len(await client.list_recent()) == 3
        assert len(server.requests("GET", "/phone-number")) == 2


async def test_plain_http_to_any_loopback_address_needs_no_opt_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VAPI_ALLOW_HTTP", raising=False)
    async with FakeVapiServer(host="0.0.0.0") as server:
        server.seed(2)
        url = f"http://127.0.0.2:{server.port}"
        async with VapiPhoneClient(api_key=server.api_key, base_url=url) as client:
            assert len(await client.list_recent()) == 2


# The key.


@pytest.mark.parametrize(
    ("key", "says"),
    [
        (42, "must be a string (got int)"),
        ("", "must not be empty"),
        ("sk-secret-1234\n", "whitespace or control characters"),
        (" sk-secret-1234", "whitespace or control characters"),
        ("sk-secret\x001234", "whitespace or control characters"),
    ],
)
def test_a_key_that_cannot_be_sent_is_refused_without_echoing_it(key: Any, says: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        VapiPhoneClient(api_key=key)
    assert caught.value.field == "api_key" and says in caught.value.rule
    if isinstance(key, str) and key.strip():
        assert key.strip() not in str(caught.value) + repr(caught.value)


def test_a_bad_key_from_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VAPI_API_KEY", "sk-from-env\n")
    with pytest.raises(RequestValidationError) as caught:
        VapiPhoneClient()
    assert caught.value.field == "VAPI_API_KEY"
    assert "sk-from-env" not in str(caught.value)


# Every other option.


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("max_connections", -1),
        ("max_connections", 2.5),
        ("max_connections", True),
        ("max_connections_per_host", -3),
        ("pool_timeout", -1),
        ("pool_timeout", float("nan")),
        ("rate_limit", 0),
        ("rate_limit", float("inf")),
        ("deadline", 0),
        ("rate_window", 0),
        ("rate_window", float("inf")),
        ("pacing", "redis://localhost:6379/0"),
        ("max_delay", None),
        ("max_retry_after", -1),
        ("jitter", 1.5),
        ("timeout", 0),
        ("timeout", -5),
        ("timeout", "30"),
        ("adaptive_rate", "yes"),
        ("allow_http", 1),
        ("retry_budget", None),
        ("retry_budget", 300),
        ("session", "a session"),
        ("sleep", 5),
        ("backoff", {"type": "fixed"}),
    ],
)
def test_every_option_out_of_its_range_is_refused_naming_it(option: str, value: Any) -> None:
    with pytest.raises(RequestValidationError) as caught:
        VapiPhoneClient(api_key="k", **{option: value})
    assert caught.value.field == option


def test_several_bad_options_are_reported_together() -> None:
    with pytest.raises(RequestValidationError) as caught:
        VapiPhoneClient(api_key="k", max_connections=-1, jitter=2, rate_limit=0)
    assert {error.path for error in caught.value.errors} == {
        "max_connections",
        "jitter",
        "rate_limit",
    }


def test_valid_options_of_every_kind_are_accepted() -> None:
    client = VapiPhoneClient(
        api_key="k",
        timeout=Timeout(total=5, connect=1, read=None),
        backoff=BackoffPlan(type="fixed", max_retries=0, base_delay_seconds=0),
        retry_budget=RetryBudget(capacity=10),
        max_connections=0,
        pool_timeout=None,
        rate_limit=2.5,
        rate_window=60,
        deadline=30,
        jitter=0,
    )
    assert client.retry_budget is not None and client.retry_budget.capacity == 10


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"capacity": -1}, "capacity"),
        ({"retry_cost": 0}, "retry_cost"),
        ({"timeout_cost": "4"}, "timeout_cost"),
        ({"refill": -1}, "refill"),
    ],
)
def test_a_retry_budget_that_cannot_work_is_refused(options: dict[str, Any], field: str) -> None:
    with pytest.raises(RequestValidationError) as caught:
        RetryBudget(**options)
    assert caught.value.field == field


def test_an_aiohttp_client_timeout_still_works_but_is_deprecated() -> None:
    """0.1 took `aiohttp.ClientTimeout`: it is read as a `Timeout` for a release."""
    with pytest.warns(DeprecationWarning, match="ClientTimeout"):
        client = VapiPhoneClient(
            api_key="k", timeout=aiohttp.ClientTimeout(total=5, sock_connect=2, sock_read=3)
        )
    with pytest.warns(DeprecationWarning, match="ClientTimeout"):
        view = client.with_options(timeout=aiohttp.ClientTimeout(total=7))
    assert view is not client


@pytest.mark.parametrize("timeout", [0, -1, float("inf"), "5", True, object()])
def test_a_timeout_that_is_not_one_is_refused_naming_it(timeout: Any) -> None:
    with pytest.raises(RequestValidationError) as caught:
        VapiPhoneClient(api_key="k", timeout=timeout)
    assert caught.value.field == "timeout"


@pytest.mark.parametrize(
    ("timeout", "field"),
    [
        (Timeout(total=0), "timeout.total"),
        (Timeout(connect=-1), "timeout.connect"),
        (Timeout(read=float("nan")), "timeout.read"),
    ],
)
def test_a_timeout_with_a_bound_that_is_not_one_is_refused_naming_it(
    timeout: Timeout, field: str
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        VapiPhoneClient(api_key="k", timeout=timeout)
    assert caught.value.field == field


def test_session_and_transport_together_are_refused() -> None:
    from vapi_phone_async.transports import MockTransport

    async def never(request: object) -> None:  # pragma: no cover - never called
        raise AssertionError

    with pytest.raises(RequestValidationError) as caught:
        VapiPhoneClient(
            api_key="k",
            session=object(),  # type: ignore[arg-type]
            transport=MockTransport(never),  # type: ignore[arg-type]
        )
    assert caught.value.field == "session"
