"""The five phone number resources, their create and update bodies, and the unions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeAlias, get_args

from msgspec import UNSET, UnsetType

from .._secrets import redact_mapping
from ._base import Decoded, Lenient, Model, UnknownItem
from .hooks import PhoneNumberHook
from .server import Server, SipAuthentication
from .transfer import TransferDestination

__all__ = [
    "CREATE_BODIES",
    "PHONE_NUMBER_CLASSES",
    "PROVIDERS",
    "UPDATE_BODIES",
    "ByoPhoneNumber",
    "CreateByoPhoneNumber",
    "CreatePhoneNumber",
    "CreateTelnyxPhoneNumber",
    "CreateTwilioPhoneNumber",
    "CreateVapiPhoneNumber",
    "CreateVonagePhoneNumber",
    "KnownPhoneNumber",
    "PhoneNumber",
    "PhoneNumberItem",
    "PhoneNumberStatus",
    "Provider",
    "TelnyxPhoneNumber",
    "TwilioPhoneNumber",
    "UnknownPhoneNumber",
    "UpdateByoPhoneNumber",
    "UpdatePhoneNumber",
    "UpdateTelnyxPhoneNumber",
    "UpdateTwilioPhoneNumber",
    "UpdateVapiPhoneNumber",
    "UpdateVonagePhoneNumber",
]

Provider = Literal["byo-phone-number", "twilio", "vonage", "vapi", "telnyx"]
PROVIDERS: tuple[str, ...] = ("byo-phone-number", "twilio", "vonage", "vapi", "telnyx")
# `status` is typed `str`: a status Vapi adds later must not break a running sync.
PhoneNumberStatus = Literal["active", "activating", "blocked"]

_TWILIO_SECRETS: frozenset[str] = frozenset({"twilio_auth_token", "twilio_api_secret"})
# serverUrl and serverUrlSecret: the older docs' names (seed 004) for what `server` holds
# now; numbers made then still carry them, and the API still takes them.
_SERVER_URL_SECRET: frozenset[str] = frozenset({"server_url_secret"})

# Resources: only `id` and the `provider` tag are required, because real responses have
# been seen without fields the spec calls required.


class _PhoneNumberResource(Decoded, tag_field="provider", kw_only=True):
    __secret_fields__: ClassVar[frozenset[str]] = _SERVER_URL_SECRET

    id: str
    org_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    status: str | None = None
    name: str | None = None
    assistant_id: str | None = None
    workflow_id: str | None = None
    squad_id: str | None = None
    server: Server | None = None
    fallback_destination: TransferDestination | None = None
    hooks: list[PhoneNumberHook] | None = None
    server_url: str | None = None
    server_url_secret: str | None = None

    @property
    def provider(self) -> str:
        """The provider tag, as on the wire (`"twilio"`, `"byo-phone-number"`, ...)."""
        return str(self.__struct_config__.tag)


class ByoPhoneNumber(_PhoneNumberResource, tag="byo-phone-number", kw_only=True):
    """A number brought from your own SIP trunk or carrier (`credential_id`)."""

    number_e164_check_enabled: bool | None = None
    number: str | None = None
    credential_id: str | None = None


class TwilioPhoneNumber(_PhoneNumberResource, tag="twilio", kw_only=True):
    """A Twilio number; the auth token and API secret never show in a repr."""

    __secret_fields__: ClassVar[frozenset[str]] = _TWILIO_SECRETS | _SERVER_URL_SECRET

    sms_enabled: bool | None = None
    number: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_api_key: str | None = None
    twilio_api_secret: str | None = None


class VonagePhoneNumber(_PhoneNumberResource, tag="vonage", kw_only=True):
    """A Vonage number."""

    number: str | None = None
    credential_id: str | None = None


class VapiPhoneNumber(_PhoneNumberResource, tag="vapi", kw_only=True):
    """A number bought from Vapi, or a Vapi SIP URI."""

    number: str | None = None
    number_desired_area_code: str | None = None
    sip_uri: str | None = None
    authentication: SipAuthentication | None = None


class TelnyxPhoneNumber(_PhoneNumberResource, tag="telnyx", kw_only=True):
    """A Telnyx number."""

    number: str | None = None
    credential_id: str | None = None


class UnknownPhoneNumber(UnknownItem):
    """A listed item this version cannot type, kept whole: a number from a provider it does
    not know, or an item it cannot even identify (no string `id` or `provider`)."""

    is_object: bool = True
    """False for an item that was not even a JSON object: the mapping is then empty and
    `source` holds what was sent (`null`, a number, ...)."""
    source: Any = None

    @classmethod
    def of(cls, item: Any) -> UnknownPhoneNumber:
        """The item as sent: its mapping, or an empty one with the item kept in `source`."""
        if isinstance(item, dict):
            return cls(item)
        number = cls()
        number.is_object, number.source = False, item
        return number

    @property
    def readable(self) -> bool:
        """Whether the item can be identified: it has a string `id` and `provider`."""
        return isinstance(self.get("id"), str) and isinstance(self.get("provider"), str)

    @property
    def id(self) -> str:
        """The number's id ("" for an item that has none, see `readable`)."""
        value = self.get("id")
        return value if isinstance(value, str) else ""

    @property
    def provider(self) -> str:
        """The provider as the server sent it ("" for an item that has none)."""
        value = self.get("provider")
        return value if isinstance(value, str) else ""

    @property
    def raw(self) -> dict[str, Any]:
        """A plain copy of the mapping the server sent."""
        return dict(self)

    def __repr__(self) -> str:
        raw = redact_mapping(self if self.is_object else self.source)
        if not self.readable:
            return f"UnknownPhoneNumber(unreadable, raw={raw!r})"
        return f"UnknownPhoneNumber(provider={self.provider!r}, id={self.id!r}, raw={raw!r})"


KnownPhoneNumber: TypeAlias = (
    ByoPhoneNumber | TwilioPhoneNumber | VonagePhoneNumber | VapiPhoneNumber | TelnyxPhoneNumber
)
PhoneNumber: TypeAlias = (
    ByoPhoneNumber
    | TwilioPhoneNumber
    | VonagePhoneNumber
    | VapiPhoneNumber
    | TelnyxPhoneNumber
    | UnknownPhoneNumber
)
# An item of a listing: msgspec decodes the known providers; the lenient decoder keeps
# anything else as an UnknownPhoneNumber.
if TYPE_CHECKING:
    PhoneNumberItem: TypeAlias = PhoneNumber
else:
    PhoneNumberItem = Annotated[KnownPhoneNumber, Lenient(UnknownPhoneNumber)]


# Create bodies: strict, they require what the spec requires.


class _CreateBody(Model, tag_field="provider", kw_only=True):
    __secret_fields__: ClassVar[frozenset[str]] = _SERVER_URL_SECRET

    name: str | None = None
    assistant_id: str | None = None
    workflow_id: str | None = None
    squad_id: str | None = None
    server: Server | None = None
    fallback_destination: TransferDestination | None = None
    hooks: list[PhoneNumberHook] | None = None
    server_url: str | None = None
    server_url_secret: str | None = None

    @property
    def provider(self) -> str:
        """The provider tag, as on the wire (`"twilio"`, `"byo-phone-number"`, ...)."""
        return str(self.__struct_config__.tag)


class CreateByoPhoneNumber(_CreateBody, tag="byo-phone-number", kw_only=True):
    """Bring a number from your own SIP trunk (`credential_id`); `number` is 3..40 chars."""

    credential_id: str
    number: str | None = None
    number_e164_check_enabled: bool | None = None


class CreateTwilioPhoneNumber(_CreateBody, tag="twilio", kw_only=True):
    """Import a Twilio number (its `number` and the account SID)."""

    __secret_fields__: ClassVar[frozenset[str]] = _TWILIO_SECRETS | _SERVER_URL_SECRET

    number: str
    twilio_account_sid: str
    sms_enabled: bool | None = None
    twilio_auth_token: str | None = None
    twilio_api_key: str | None = None
    twilio_api_secret: str | None = None


class CreateVonagePhoneNumber(_CreateBody, tag="vonage", kw_only=True):
    """Import a Vonage number with its credential."""

    number: str
    credential_id: str


class CreateVapiPhoneNumber(_CreateBody, tag="vapi", kw_only=True):
    """Buy a Vapi number (optionally in `number_desired_area_code`) or make a SIP URI."""

    number_desired_area_code: str | None = None
    sip_uri: str | None = None
    authentication: SipAuthentication | None = None


class CreateTelnyxPhoneNumber(_CreateBody, tag="telnyx", kw_only=True):
    """Import a Telnyx number with its credential."""

    number: str
    credential_id: str


CreatePhoneNumber: TypeAlias = (
    CreateByoPhoneNumber
    | CreateTwilioPhoneNumber
    | CreateVonagePhoneNumber
    | CreateVapiPhoneNumber
    | CreateTelnyxPhoneNumber
)


# Update bodies: a field left UNSET is not sent; a field set to None is sent as null,
# which clears it on the server. The provider tag is sent, as the newer docs do.


class _UpdateBody(Model, tag_field="provider", kw_only=True):
    __secret_fields__: ClassVar[frozenset[str]] = _SERVER_URL_SECRET

    name: str | UnsetType | None = UNSET
    assistant_id: str | UnsetType | None = UNSET
    workflow_id: str | UnsetType | None = UNSET
    squad_id: str | UnsetType | None = UNSET
    server: Server | UnsetType | None = UNSET
    fallback_destination: TransferDestination | UnsetType | None = UNSET
    hooks: list[PhoneNumberHook] | UnsetType | None = UNSET
    server_url: str | UnsetType | None = UNSET
    server_url_secret: str | UnsetType | None = UNSET

    @property
    def provider(self) -> str:
        """The provider tag, as on the wire (`"twilio"`, `"byo-phone-number"`, ...)."""
        return str(self.__struct_config__.tag)


class UpdateByoPhoneNumber(_UpdateBody, tag="byo-phone-number", kw_only=True):
    """Change a BYO number; unset fields are left alone, None clears."""

    number_e164_check_enabled: bool | UnsetType | None = UNSET
    number: str | UnsetType | None = UNSET
    credential_id: str | UnsetType | None = UNSET


class UpdateTwilioPhoneNumber(_UpdateBody, tag="twilio", kw_only=True):
    """Change a Twilio number; unset fields are left alone, None clears."""

    __secret_fields__: ClassVar[frozenset[str]] = _TWILIO_SECRETS | _SERVER_URL_SECRET

    sms_enabled: bool | UnsetType | None = UNSET
    number: str | UnsetType | None = UNSET
    twilio_account_sid: str | UnsetType | None = UNSET
    twilio_auth_token: str | UnsetType | None = UNSET
    twilio_api_key: str | UnsetType | None = UNSET
    twilio_api_secret: str | UnsetType | None = UNSET


class UpdateVonagePhoneNumber(_UpdateBody, tag="vonage", kw_only=True):
    """Change a Vonage number; unset fields are left alone, None clears."""

    number: str | UnsetType | None = UNSET
    credential_id: str | UnsetType | None = UNSET


class UpdateVapiPhoneNumber(_UpdateBody, tag="vapi", kw_only=True):
    """Change a Vapi number; unset fields are left alone, None clears."""

    sip_uri: str | UnsetType | None = UNSET
    authentication: SipAuthentication | UnsetType | None = UNSET


class UpdateTelnyxPhoneNumber(_UpdateBody, tag="telnyx", kw_only=True):
    """Change a Telnyx number; unset fields are left alone, None clears."""

    number: str | UnsetType | None = UNSET
    credential_id: str | UnsetType | None = UNSET


UpdatePhoneNumber: TypeAlias = (
    UpdateByoPhoneNumber
    | UpdateTwilioPhoneNumber
    | UpdateVonagePhoneNumber
    | UpdateVapiPhoneNumber
    | UpdateTelnyxPhoneNumber
)


# Each union's classes by provider tag: what to decode or build for a given provider.
PHONE_NUMBER_CLASSES: dict[str, type[KnownPhoneNumber]] = {
    cls.__struct_config__.tag: cls for cls in get_args(KnownPhoneNumber)
}
CREATE_BODIES: dict[str, type[CreatePhoneNumber]] = {
    cls.__struct_config__.tag: cls for cls in get_args(CreatePhoneNumber)
}
UPDATE_BODIES: dict[str, type[UpdatePhoneNumber]] = {
    cls.__struct_config__.tag: cls for cls in get_args(UpdatePhoneNumber)
}
