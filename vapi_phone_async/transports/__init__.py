"""Transports: what carries a client's requests. A `Request` goes in, an `Answer` comes
back; the client does everything else (retries, pacing, hooks, decoding).

`AiohttpTransport` is the default; `MockTransport(handler)` answers with a function of
yours, for unit tests that need no server:

    from vapi_phone_async import VapiPhoneClient
    from vapi_phone_async.transports import Answer, MockTransport, Request

    def handler(request: Request) -> Answer:
        return Answer.json(200, {"id": "1", "provider": "byo-phone-number"})

    client = VapiPhoneClient(api_key="test", transport=MockTransport(handler))
"""

from ._aiohttp import DEFAULT_POOL_TIMEOUT, AiohttpTransport, Session, from_client_timeout
from ._base import DEFAULT_TIMEOUT, Answer, Headers, Request, Timeout, Transport
from ._mock import Handler, MockTransport

__all__ = [
    "DEFAULT_POOL_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "AiohttpTransport",
    "Answer",
    "Handler",
    "Headers",
    "MockTransport",
    "Request",
    "Session",
    "Timeout",
    "Transport",
    "from_client_timeout",
]
