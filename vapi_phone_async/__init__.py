"""vapi-phone-async: an async-first, typed client for the Vapi Phone Numbers API."""

from . import errors, models
from ._decode import decode_page, decode_phone_number, decode_phone_number_list
from ._validate import validate_body
from ._version import __version__
from .client import USE_CLIENT_DEFAULT, VapiPhoneClient
from .models import BackoffPlan, PhoneNumber, PhoneNumberPage

__all__ = [
    "USE_CLIENT_DEFAULT",
    "BackoffPlan",
    "PhoneNumber",
    "PhoneNumberPage",
    "VapiPhoneClient",
    "__version__",
    "decode_page",
    "decode_phone_number",
    "decode_phone_number_list",
    "errors",
    "models",
    "validate_body",
]
