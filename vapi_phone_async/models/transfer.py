"""Where calls are transferred: destinations, TransferPlan, SummaryPlan, and messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from ._base import MAY_BE_UNKNOWN, Model, UnknownItem

__all__ = [
    "ContextEngineeringPlan",
    "ContextEngineeringPlanAll",
    "ContextEngineeringPlanLastNMessages",
    "ContextEngineeringPlanNone",
    "CustomMessage",
    "Message",
    "SipVerb",
    "SummaryPlan",
    "TextContent",
    "TransferDestination",
    "TransferDestinationNumber",
    "TransferDestinationSip",
    "TransferFallbackPlan",
    "TransferMode",
    "TransferPlan",
]

# The values the spec allows; fields are typed `str` so a value added later still decodes.
TransferMode = Literal[
    "blind-transfer",
    "blind-transfer-add-summary-to-sip-header",
    "warm-transfer-say-message",
    "warm-transfer-say-summary",
    "warm-transfer-twiml",
    "warm-transfer-wait-for-operator-to-speak-first-and-then-say-message",
    "warm-transfer-wait-for-operator-to-speak-first-and-then-say-summary",
    "warm-transfer-experimental",
]
SipVerb = Literal["refer", "bye", "dial"]


class TextContent(Model, tag_field="type", tag="text", kw_only=True):
    """A message text in one language (ISO 639-1 code, or `yue`)."""

    text: str
    language: str


class CustomMessage(Model, tag_field="type", tag="custom-message", kw_only=True):
    """A spoken message with optional per-language `contents`."""

    contents: list[TextContent] | None = None
    content: str | None = None


Message: TypeAlias = str | CustomMessage


class ContextEngineeringPlanAll(Model, tag_field="type", tag="all", kw_only=True):
    """Pass the whole conversation to the destination."""


class ContextEngineeringPlanLastNMessages(
    Model, tag_field="type", tag="lastNMessages", kw_only=True
):
    """Pass the last `max_messages` messages to the destination."""

    # The spec says `number`, and its own example sends 1.1.
    max_messages: float


class ContextEngineeringPlanNone(Model, tag_field="type", tag="none", kw_only=True):
    """Pass no conversation context."""


_KnownContextPlan: TypeAlias = (
    ContextEngineeringPlanAll | ContextEngineeringPlanLastNMessages | ContextEngineeringPlanNone
)
# Type checkers see that a plan decoded through the lenient path may be raw data; msgspec
# decodes the known members only.
if TYPE_CHECKING:
    ContextEngineeringPlan: TypeAlias = _KnownContextPlan | UnknownItem
else:
    ContextEngineeringPlan = Annotated[_KnownContextPlan, MAY_BE_UNKNOWN]


class SummaryPlan(Model, kw_only=True):
    """How a call summary is made for a warm transfer."""

    messages: list[dict[str, Any]] | None = None
    enabled: bool | None = None
    timeout_seconds: float | None = None


class TransferFallbackPlan(Model, kw_only=True):
    """What happens when a warm transfer fails."""

    message: Message
    end_call_enabled: bool | None = None


class TransferPlan(Model, kw_only=True):
    """How a transfer happens: `mode` is one of `TransferMode`."""

    mode: str
    message: Message | None = None
    timeout: float | None = None
    sip_verb: str | None = None
    dial_timeout: float | None = None
    hold_audio_url: str | None = None
    transfer_complete_audio_url: str | None = None
    context_engineering_plan: ContextEngineeringPlan | None = None
    twiml: str | None = None
    summary_plan: SummaryPlan | None = None
    sip_headers_in_refer_to_enabled: bool | None = None
    fallback_plan: TransferFallbackPlan | None = None


class TransferDestinationNumber(Model, tag_field="type", tag="number", kw_only=True):
    """Transfer to a phone number (E.164 unless `number_e164_check_enabled` is false)."""

    message: Message | None = None
    number_e164_check_enabled: bool | None = None
    number: str
    extension: str | None = None
    caller_id: str | None = None
    transfer_plan: TransferPlan | None = None
    description: str | None = None
    # Not in the spec: the official SDK (vapi-server-sdk 3.0.0) sends it, display only.
    name: str | None = None


class TransferDestinationSip(Model, tag_field="type", tag="sip", kw_only=True):
    """Transfer to a SIP URI."""

    message: Message | None = None
    sip_uri: str
    caller_id: str | None = None
    transfer_plan: TransferPlan | None = None
    sip_headers: dict[str, Any] | None = None
    description: str | None = None
    name: str | None = None


_KnownTransferDestination: TypeAlias = TransferDestinationNumber | TransferDestinationSip
if TYPE_CHECKING:
    TransferDestination: TypeAlias = _KnownTransferDestination | UnknownItem
else:
    TransferDestination = Annotated[_KnownTransferDestination, MAY_BE_UNKNOWN]
