"""vapi-phone-async: an async-first, typed client for the Vapi Phone Numbers API."""

from . import bulk, errors, models, rows, transports
from ._decode import decode_page, decode_phone_number, decode_phone_number_list
from ._events import EventHooks, RequestEvent, ResponseEvent
from ._raw import RawResponse
from ._update import UpdateFields
from ._validate import validate_body
from ._version import __version__
from .bulk import (
    BulkCancelledError,
    BulkOutcome,
    BulkResult,
    BulkRun,
    BulkSummary,
    SyncOutcome,
    SyncResult,
)
from .client import USE_CLIENT_DEFAULT, UseClientDefault, VapiPhoneClient
from .models import BackoffPlan, PhoneNumber, PhoneNumberPage
from .pacing import RedisPacing, RetryBudget
from .pagination import Pager
from .transports import MockTransport, Timeout

__all__ = [
    "USE_CLIENT_DEFAULT",
    "BackoffPlan",
    "BulkCancelledError",
    "BulkOutcome",
    "BulkResult",
    "BulkRun",
    "BulkSummary",
    "EventHooks",
    "MockTransport",
    "Pager",
    "PhoneNumber",
    "PhoneNumberPage",
    "RawResponse",
    "RedisPacing",
    "RequestEvent",
    "ResponseEvent",
    "RetryBudget",
    "SyncOutcome",
    "SyncResult",
    "Timeout",
    "UpdateFields",
    "UseClientDefault",
    "VapiPhoneClient",
    "__version__",
    "bulk",
    "decode_page",
    "decode_phone_number",
    "decode_phone_number_list",
    "errors",
    "models",
    "rows",
    "transports",
    "validate_body",
]
