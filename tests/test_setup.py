"""A client's parts made from its options (`_setup.py`): where the key comes from, the
transport, the pacing backend and its retry budget, the retry settings and the sleep.

`exchange_for` is called as the client calls it, with every option by name; nothing is
sent (the checks of each option: tests/test_options.py)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from vapi_phone_async import BackoffPlan, RetryBudget, Timeout, VapiPhoneClient
from vapi_phone_async._setup import exchange_for
from vapi_phone_async._waits import default_sleep
from vapi_phone_async.errors import RequestValidationError
from vapi_phone_async.pacing import LocalPacing
from vapi_phone_async.transports import AiohttpTransport, Answer, MockTransport

from .helpers import RecordedSleep

DEFAULTS = {
    name: None if parameter.default is inspect.Parameter.empty else parameter.default
    for name, parameter in inspect.signature(VapiPhoneClient).parameters.items()
}


def given(**options: Any) -> dict[str, Any]:
    """Every option of VapiPhoneClient by name, as it hands them over: `options`, and the
    defaults for the rest."""
    assert set(options) <= set(DEFAULTS), set(options) - set(DEFAULTS)
    return {**DEFAULTS, **options}


def never(request: object) -> Answer:  # pragma: no cover - nothing is sent here
    raise AssertionError("nothing is sent while a client is made")


def test_the_key_given_wins_over_the_environment_which_serves_when_none_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VAPI_API_KEY", "sk-from-the-environment")
    assert exchange_for(given(api_key="sk-given")).key == "sk-given"
    assert exchange_for(given()).key == "sk-from-the-environment"

    monkeypatch.delenv("VAPI_API_KEY")
    with pytest.raises(RequestValidationError) as caught:
        exchange_for(given())
    assert caught.value.field == "api_key"
    assert "pass api_key= or set VAPI_API_KEY" in caught.value.rule


def test_the_defaults_make_an_aiohttp_transport_local_pacing_with_a_budget_and_real_waits() -> None:
    exchange = exchange_for(given(api_key="k"))

    assert isinstance(exchange.transport, AiohttpTransport)
    assert exchange.base_url == "https://api.vapi.ai"
    assert isinstance(exchange.pacer.backend, LocalPacing)
    assert isinstance(exchange.pacer.budget, RetryBudget)
    assert exchange.sleep is default_sleep
    assert exchange.hooks is None  # no hooks: nothing to call on each attempt


def test_a_transport_given_is_used_as_it_is() -> None:
    transport = MockTransport(never)
    assert exchange_for(given(api_key="k", transport=transport)).transport is transport


def test_each_client_gets_a_budget_of_its_own_unless_given_one_to_share() -> None:
    first = exchange_for(given(api_key="k")).pacer.budget
    second = exchange_for(given(api_key="k")).pacer.budget
    assert first is not None and second is not None and first is not second

    shared = RetryBudget(capacity=10)
    for _ in range(2):
        assert exchange_for(given(api_key="k", retry_budget=shared)).pacer.budget is shared
    assert exchange_for(given(api_key="k", retry_budget=False)).pacer.budget is None


def test_the_retry_options_make_the_calls_defaults() -> None:
    plan = BackoffPlan(type="fixed", max_retries=5, base_delay_seconds=1)
    sleeps = RecordedSleep()
    exchange = exchange_for(
        given(
            api_key="k",
            backoff=plan,
            max_retries=2,
            max_delay=4,
            max_retry_after=9,
            jitter=0,
            timeout=Timeout(total=7, connect=2, read=3),
            deadline=30,
            sleep=sleeps,
        )
    )

    retry = exchange.options.retry
    # max_retries changes the number of retries of the plan, and nothing else of it.
    assert (retry.plan.type, retry.plan.max_retries, retry.plan.base_delay_seconds) == (
        "fixed",
        2,
        1,
    )
    assert (retry.max_delay, retry.max_retry_after, retry.jitter) == (4, 9, 0)
    assert exchange.options.timeout == Timeout(total=7, connect=2, read=3)
    assert exchange.options.deadline == 30
    assert exchange.sleep is sleeps


def test_a_bad_option_is_refused_before_any_part_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    monkeypatch.setattr(
        "vapi_phone_async._setup.AiohttpTransport",
        lambda *args, **kwargs: made.append("transport"),
    )
    with pytest.raises(RequestValidationError) as caught:
        exchange_for(given(api_key="k", max_connections=-1, jitter=2))
    assert {error.path for error in caught.value.errors} == {"max_connections", "jitter"}
    assert made == []
