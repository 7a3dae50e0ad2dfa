"""The pytest fixtures `fake_vapi` and `vapi_client`, under the package's name.

pytest loads them without being asked wherever this package is installed, from the
plugin module `_vapi_phone_async_pytest` (entry point `pytest11`), which lives beside
the package so that a pytest run that uses no fixture does not import the package. This
module offers the same fixtures, and the hooks that run their tests on pytest-asyncio,
for a project that loads its plugins itself (`PYTEST_DISABLE_PLUGIN_AUTOLOAD=1` and
`-p vapi_phone_async.testing.pytest_plugin`).
"""

from _vapi_phone_async_pytest import (
    fake_vapi,
    pytest_generate_tests,
    pytest_pycollect_makeitem,
    vapi_client,
)

__all__ = ["fake_vapi", "pytest_generate_tests", "pytest_pycollect_makeitem", "vapi_client"]
