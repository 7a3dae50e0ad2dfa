"""Test support: FakeVapiServer and the pytest plugin (fixtures `fake_vapi`, `vapi_client`)."""
