"""vapi-phone-async: an async-first, typed client for the Vapi Phone Numbers API."""

from . import errors, models
from ._decode import decode_page, decode_phone_number, decode_phone_number_list
from ._validate import validate_body
from ._version import __version__
from .models import BackoffPlan, PhoneNumber, PhoneNumberPage

__all__ = [
    "BackoffPlan",
    "PhoneNumber",
    "PhoneNumberPage",
    "__version__",
    "decode_page",
    "decode_phone_number",
    "decode_phone_number_list",
    "errors",
    "models",
    "validate_body",
]
