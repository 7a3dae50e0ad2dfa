"""Phone number hooks: what happens on `call.ringing` and `call.ending`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias

from ._base import MAY_BE_UNKNOWN, Model, UnknownItem
from .transfer import TransferDestination

__all__ = [
    "CallEndedReason",
    "PhoneNumberCallEndingHookFilter",
    "PhoneNumberCallRingingHookFilter",
    "PhoneNumberHook",
    "PhoneNumberHookAction",
    "PhoneNumberHookCallEnding",
    "PhoneNumberHookCallRinging",
    "SayPhoneNumberHookAction",
    "TransferPhoneNumberHookAction",
]

CallEndedReason = Literal[
    "assistant-request-failed",
    "assistant-request-returned-error",
    "assistant-request-returned-unspeakable-error",
    "assistant-request-returned-invalid-assistant",
    "assistant-request-returned-no-assistant",
    "assistant-request-returned-forwarding-phone-number",
]


class TransferPhoneNumberHookAction(Model, tag_field="type", tag="transfer", kw_only=True):
    """Transfer the call to `destination`."""

    destination: TransferDestination | None = None


class SayPhoneNumberHookAction(Model, tag_field="type", tag="say", kw_only=True):
    """Say `exact` (at most 4,000 characters)."""

    exact: str


_KnownHookAction: TypeAlias = TransferPhoneNumberHookAction | SayPhoneNumberHookAction
if TYPE_CHECKING:
    PhoneNumberHookAction: TypeAlias = _KnownHookAction | UnknownItem
else:
    PhoneNumberHookAction = Annotated[_KnownHookAction, MAY_BE_UNKNOWN]


class PhoneNumberCallRingingHookFilter(Model, omit_defaults=False, kw_only=True):
    """Match callers whose `number` starts with one of `starts_with`."""

    # omit_defaults is off: the spec requires `type` and `key` on the wire.

    type: str = "startsWith"
    key: str = "number"
    starts_with: list[str]


class PhoneNumberCallEndingHookFilter(Model, omit_defaults=False, kw_only=True):
    """Match calls whose `call.endedReason` is one of `one_of` (see `CallEndedReason`)."""

    type: str = "oneOf"
    key: str = "call.endedReason"
    one_of: list[str]


class PhoneNumberHookCallRinging(Model, tag_field="on", tag="call.ringing", kw_only=True):
    """Actions run while the call rings."""

    filters: list[PhoneNumberCallRingingHookFilter] | None = None
    do: list[PhoneNumberHookAction]


class PhoneNumberHookCallEnding(Model, tag_field="on", tag="call.ending", kw_only=True):
    """The action run when the call ends."""

    filters: list[PhoneNumberCallEndingHookFilter] | None = None
    do: PhoneNumberHookAction | None = None


_KnownHook: TypeAlias = PhoneNumberHookCallRinging | PhoneNumberHookCallEnding
if TYPE_CHECKING:
    PhoneNumberHook: TypeAlias = _KnownHook | UnknownItem
else:
    PhoneNumberHook = Annotated[_KnownHook, MAY_BE_UNKNOWN]
