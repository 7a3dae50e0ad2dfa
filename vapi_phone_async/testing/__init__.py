"""Test support: FakeVapiServer, a stateful fake of the Vapi Phone Numbers API.

The pytest plugin (`vapi_phone_async.testing.pytest_plugin`, registered through the
`pytest11` entry point) provides the fixtures `fake_vapi` and `vapi_client`.
`set_testing(True)` makes every client's retry waits and 429 pauses instant, as those
fixtures do for their test. `python -m vapi_phone_async.testing` serves the fake on its own,
and `serve_until_interrupted(ServeOptions(...))` from a script; `SERVE_OPTIONS` describes
each option (flag, type, default, bounds), for a command line of one's own.
"""

from .._waits import InstantWaits, is_testing, set_testing
from ._app import RequestRecord
from ._echo import EchoEncoding
from ._faults import Fault, FaultMode
from ._listing import CursorMode
from ._serve import SERVE_OPTIONS, ServeOption, ServeOptions, serve_until_interrupted
from ._server import DEFAULT_ORG_ID, TEST_API_KEY, FakeVapiServer

__all__ = [
    "DEFAULT_ORG_ID",
    "SERVE_OPTIONS",
    "TEST_API_KEY",
    "CursorMode",
    "EchoEncoding",
    "FakeVapiServer",
    "Fault",
    "FaultMode",
    "InstantWaits",
    "RequestRecord",
    "ServeOption",
    "ServeOptions",
    "is_testing",
    "serve_until_interrupted",
    "set_testing",
]
