"""A session's default headers: a read-only header set is reduced once to what it adds or
changes; a call's own set is handed over as it is; without defaults nothing changes."""

from __future__ import annotations

from types import MappingProxyType

from vapi_phone_async.transports._headers import DefaultHeaders

OWN = {"Authorization": "Bearer sk-secret", "User-Agent": "tests/1", "Accept": "application/json"}


def test_a_set_of_the_defaults_alone_leaves_nothing_to_hand_over() -> None:
    defaults = DefaultHeaders(OWN)
    assert defaults.beyond(MappingProxyType(dict(OWN))) is None


def test_what_a_set_adds_or_changes_is_handed_over_and_kept_for_next_time() -> None:
    defaults = DefaultHeaders(OWN)
    headers = MappingProxyType({**OWN, "Content-Type": "application/json", "Accept": "*/*"})
    first = defaults.beyond(headers)
    assert first == {"Content-Type": "application/json", "Accept": "*/*"}
    assert defaults.beyond(headers) is first


def test_a_calls_own_set_goes_as_it_is() -> None:
    defaults = DefaultHeaders(OWN)
    per_call = {**OWN, "X-Trace": "t-1"}
    assert defaults.beyond(per_call) is per_call


def test_without_defaults_every_set_goes_as_it_is() -> None:
    headers = MappingProxyType(dict(OWN))
    assert DefaultHeaders(None).beyond(headers) is headers


def test_a_set_seen_at_an_address_once_held_by_another_is_reduced_anew() -> None:
    defaults = DefaultHeaders(OWN)
    for value in range(40):  # sets come and go; what was kept for a gone one is not reused
        headers = MappingProxyType({**OWN, "X-Call": str(value)})
        assert defaults.beyond(headers) == {"X-Call": str(value)}


def test_the_repr_names_the_headers_and_hides_their_values() -> None:
    assert "sk-secret" not in repr(DefaultHeaders(OWN))
