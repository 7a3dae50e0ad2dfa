"""The exported names: `__all__` lists what each public module offers, and each resolves."""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType

import pytest

PUBLIC_MODULES = [
    "vapi_phone_async",
    "vapi_phone_async.models",
    "vapi_phone_async.errors",
    "vapi_phone_async.pacing",
    "vapi_phone_async.rows",
    "vapi_phone_async.testing",
    "vapi_phone_async.transports",
]
# The names DESIGN.md promises to users; renaming one needs a deprecation alias.
PROMISED = {
    "vapi_phone_async": {"VapiPhoneClient", "BackoffPlan"},
    "vapi_phone_async.models": {
        "ByoPhoneNumber",
        "TwilioPhoneNumber",
        "VonagePhoneNumber",
        "VapiPhoneNumber",
        "TelnyxPhoneNumber",
        "UnknownPhoneNumber",
        "PhoneNumber",
        "CreateByoPhoneNumber",
        "CreateTwilioPhoneNumber",
        "CreateVonagePhoneNumber",
        "CreateVapiPhoneNumber",
        "CreateTelnyxPhoneNumber",
        "UpdateByoPhoneNumber",
        "UpdateTwilioPhoneNumber",
        "UpdateVonagePhoneNumber",
        "UpdateVapiPhoneNumber",
        "UpdateTelnyxPhoneNumber",
        "TransferDestinationNumber",
        "TransferDestinationSip",
        "BackoffPlan",
        "PaginationMeta",
    },
    "vapi_phone_async.errors": {
        "VapiError",
        "APIStatusError",
        "BadRequestError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "ConflictError",
        "UnprocessableEntityError",
        "RateLimitError",
        "InternalServerError",
        "APIConnectionError",
        "APITimeoutError",
        "RequestValidationError",
    },
    "vapi_phone_async.testing": {"FakeVapiServer"},
}
# Names added since, kept as they are from now on.
ADDED = {
    "vapi_phone_async": {
        "Pager",
        "Timeout",
        "MockTransport",
        "UseClientDefault",
        "UpdateFields",
        "SyncResult",
        "SyncOutcome",
    },
    "vapi_phone_async.transports": {
        "Request",
        "Answer",
        "Transport",
        "Timeout",
        "MockTransport",
        "AiohttpTransport",
    },
}


def exported(module_name: str) -> tuple[ModuleType, list[str]]:
    module = importlib.import_module(module_name)
    return module, list(module.__all__)


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_exported_name_resolves(module_name: str) -> None:
    module, names = exported(module_name)
    missing = [name for name in names if not hasattr(module, name)]
    assert not missing


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_all_lists_each_name_once(module_name: str) -> None:
    _, names = exported(module_name)
    assert len(names) == len(set(names))


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_class_and_function_is_exported(module_name: str) -> None:
    """What a module offers without an underscore is in its `__all__`."""
    module, names = exported(module_name)
    offered = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__.startswith("vapi_phone_async")
    }
    assert offered - set(names) == set()


@pytest.mark.parametrize("module_name", PROMISED)
def test_the_names_promised_in_the_design_are_exported(module_name: str) -> None:
    _, names = exported(module_name)
    assert PROMISED[module_name] - set(names) == set()


def test_the_top_level_backoff_plan_is_the_models_one() -> None:
    """One BackoffPlan configures a number's webhook server and the client's retries."""
    import vapi_phone_async
    from vapi_phone_async import models

    assert vapi_phone_async.BackoffPlan is models.BackoffPlan
    assert vapi_phone_async.PhoneNumber is models.PhoneNumber


@pytest.mark.parametrize("module_name", ADDED)
def test_the_names_added_since_are_exported(module_name: str) -> None:
    _, names = exported(module_name)
    assert ADDED[module_name] - set(names) == set()


def test_a_name_exported_twice_is_the_same_object() -> None:
    import vapi_phone_async
    from vapi_phone_async import client, pagination, transports

    assert vapi_phone_async.Pager is pagination.Pager
    assert vapi_phone_async.Timeout is transports.Timeout
    assert vapi_phone_async.MockTransport is transports.MockTransport
    assert vapi_phone_async.UseClientDefault is client.UseClientDefault


def test_renamed_calls_keep_their_old_names() -> None:
    """`sync` is `plan_sync` under its old name, for a release (it warns when called)."""
    from vapi_phone_async import VapiPhoneClient

    assert VapiPhoneClient.sync.__wrapped__ is VapiPhoneClient.plan_sync  # type: ignore[attr-defined]
    assert "Deprecated" in (VapiPhoneClient.sync.__doc__ or "")
