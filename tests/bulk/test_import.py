"""The idempotent import: existing numbers skipped or updated, lost creates adopted, and
the same import run twice creating nothing the second time."""

from __future__ import annotations

from collections import Counter

import pytest

from vapi_phone_async import BackoffPlan, VapiPhoneClient
from vapi_phone_async.errors import OutcomeUnknownError, RequestValidationError
from vapi_phone_async.models import (
    CreatePhoneNumber,
    CreateTwilioPhoneNumber,
    CreateVapiPhoneNumber,
    CreateVonagePhoneNumber,
)
from vapi_phone_async.testing import FakeVapiServer

# Ten retries at once: a run under chaos loses no item to a streak of failures.
pytestmark = pytest.mark.client(
    backoff=BackoffPlan(type="fixed", max_retries=10, base_delay_seconds=0)
)


def twilio(i: int, name: str | None = None) -> CreateTwilioPhoneNumber:
    return CreateTwilioPhoneNumber(
        number=f"+1415{i:07d}", twilio_account_sid="AC" + "0" * 32, name=name
    )


def created_numbers(server: FakeVapiServer) -> Counter[tuple[str, str]]:
    """How many stored numbers there are per (provider, number)."""
    return Counter(
        (data["provider"], data.get("number") or data.get("sipUri", ""))
        for data in server.numbers.values()
    )


def posts(server: FakeVapiServer) -> int:
    return len(server.requests("POST", "/phone-number"))


async def test_new_numbers_are_created_and_existing_ones_skipped(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    await client.create(twilio(1))
    await client.create(twilio(3))
    fake_vapi.clear_log()

    result = await client.bulk_import([twilio(i) for i in range(5)])

    kinds = [(o.kind, o.action) for o in result.outcomes]
    assert kinds == [
        ("succeeded", "created"),
        ("skipped", None),
        ("succeeded", "created"),
        ("skipped", None),
        ("succeeded", "created"),
    ]
    assert result.outcomes[1].reason is not None
    assert result.outcomes[1].reason.startswith("already exists (id ")
    assert posts(fake_vapi) == 3
    assert set(created_numbers(fake_vapi).values()) == {1}


async def test_with_update_existing_an_existing_number_is_updated_instead(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    existing = await client.create(twilio(1, name="Old name"))

    result = await client.bulk_import([twilio(1, name="New name")], update_existing=True)

    (outcome,) = result.outcomes
    assert (outcome.kind, outcome.action) == ("succeeded", "updated")
    assert outcome.number is not None and outcome.number.id == existing.id
    assert fake_vapi.numbers[existing.id]["name"] == "New name"
    assert posts(fake_vapi) == 1  # only the setup's


async def test_a_number_twice_in_the_input_is_created_once(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    result = await client.bulk_import([twilio(7), twilio(8), twilio(7)])

    assert [o.kind for o in result.outcomes] == ["succeeded", "succeeded", "skipped"]
    assert result.outcomes[2].reason == "duplicate of item 0"
    assert posts(fake_vapi) == 2


async def test_a_create_whose_answer_was_lost_is_adopted_not_sent_again(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    fake_vapi.inject_fault("POST", "/phone-number", mode="reset-after")

    (outcome,) = (await client.bulk_import([twilio(1)])).outcomes

    assert (outcome.kind, outcome.action) == ("succeeded", "adopted")
    assert outcome.number is not None and outcome.number.id in fake_vapi.numbers
    assert posts(fake_vapi) == 1
    searches = [r.query.get("search") for r in fake_vapi.requests("GET", "/v2/phone-number")]
    assert "+14150000001" in searches


async def test_a_create_the_lookup_proves_lost_is_sent_once_more(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    fake_vapi.inject_fault("POST", "/phone-number", status=502)  # answered without acting

    (outcome,) = (await client.bulk_import([twilio(1)])).outcomes

    assert (outcome.kind, outcome.action) == ("succeeded", "created")
    assert [r.status for r in fake_vapi.requests("POST")] == [502, 201]
    assert created_numbers(fake_vapi) == {("twilio", "+14150000001"): 1}


async def test_a_lost_create_whose_lookup_fails_is_unknown_not_failed(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    """The number exists; a failure would invite re-creating it, so the outcome says so."""
    fake_vapi.inject_fault("POST", "/phone-number", mode="reset-after")
    # The walk for existing numbers goes through; every lookup after the create fails.
    fake_vapi.inject_fault("GET", "/v2/phone-number", mode="delay", delay=0.01)
    fake_vapi.inject_fault("GET", "/v2/phone-number", status=503, times=1_000)

    result = await client.bulk_import([twilio(1)])

    (outcome,) = result.outcomes
    assert outcome.kind == "unknown" and isinstance(outcome.error, OutcomeUnknownError)
    assert outcome.reason is not None
    assert outcome.reason.startswith("may exist; run the import again to reconcile")
    assert "the lookup failed" in outcome.reason and "503" in outcome.reason
    assert (result.summary.unknown, result.summary.failed, result.summary.created) == (1, 0, 0)
    assert posts(fake_vapi) == 1 and len(fake_vapi.numbers) == 1

    fake_vapi.clear_faults()
    again = await client.bulk_import([twilio(1)])
    assert again.summary.skipped == 1 and posts(fake_vapi) == 1  # reconciled, not bought


async def test_a_body_with_nothing_to_look_up_is_unknown_when_its_create_is_lost(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    """A Vapi number bought by area code has no identity before it exists: no guessing,
    and no failure that would invite buying it again."""
    fake_vapi.inject_fault("POST", "/phone-number", mode="reset-after")

    result = await client.bulk_import([CreateVapiPhoneNumber()], allow_purchase=True)

    (outcome,) = result.outcomes
    assert outcome.kind == "unknown" and isinstance(outcome.error, OutcomeUnknownError)
    assert outcome.reason is not None and outcome.reason.startswith("may exist; run the import")
    assert (result.summary.unknown, result.summary.failed) == (1, 0)
    assert posts(fake_vapi) == 1
    assert len(fake_vapi.numbers) == 1  # it does exist


async def test_a_purchase_needs_allow_purchase_and_fails_unsent_without_it(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    buy = CreateVapiPhoneNumber(number_desired_area_code="415")

    refused = await client.bulk_import([buy, twilio(1)])
    bought = await client.bulk_import([buy], allow_purchase=True)

    (outcome, created) = refused.outcomes
    assert outcome.kind == "failed" and isinstance(outcome.error, RequestValidationError)
    assert outcome.error.field == "allow_purchase" and created.action == "created"
    assert bought.outcomes[0].action == "bought" and bought.summary.bought == 1
    assert posts(fake_vapi) == 2  # the Twilio create, and the purchase that was allowed


async def test_update_existing_sends_only_what_differs_and_counts_the_rest_unchanged(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    await client.bulk_import([twilio(1, name="One"), twilio(2, name="Two")])
    fake_vapi.clear_log()

    result = await client.bulk_import(
        [twilio(1, name="One"), twilio(2, name="Renamed")], update_existing=True
    )

    assert (result.summary.unchanged, result.summary.updated) == (1, 1)
    (patch,) = fake_vapi.requests("PATCH")
    assert patch.body == {"provider": "twilio", "name": "Renamed"}


async def test_sip_uris_identify_vapi_numbers(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    body = CreateVapiPhoneNumber(sip_uri="sip:front-desk@example.sip.vapi.ai")

    first = await client.bulk_import([body])
    second = await client.bulk_import([body])

    assert first.summary.created == 1 and second.summary.skipped == 1
    assert posts(fake_vapi) == 1


async def test_lookup_by_search_asks_the_server_once_per_item(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    await client.create(twilio(2))
    fake_vapi.clear_log()

    result = await client.bulk_import([twilio(1), twilio(2)], lookup="search")

    assert [o.kind for o in result.outcomes] == ["succeeded", "skipped"]
    searches = [r.query.get("search") for r in fake_vapi.requests("GET", "/v2/phone-number")]
    assert sorted(searches) == ["+14150000001", "+14150000002"]  # type: ignore[type-var]


async def test_an_unknown_lookup_is_rejected(client: VapiPhoneClient) -> None:
    with pytest.raises(ValueError, match="lookup"):
        client.bulk_import([], lookup="guess")  # type: ignore[arg-type]


@pytest.mark.slow
async def test_2000_numbers_under_chaos_are_each_created_once_and_never_again(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    """The acceptance check: 20% of requests fail and 100 creates lose their answer."""
    fake_vapi.seed(300)  # some numbers already there, and matched by number
    already = [
        CreateVonagePhoneNumber(number=data["number"], credential_id=data["credentialId"])
        for data in fake_vapi.numbers.values()
        if data["provider"] == "vonage"
    ]
    bodies: list[CreatePhoneNumber] = [twilio(i) for i in range(2_000 - len(already))]
    bodies[100:100] = already
    fake_vapi.chaos(0.2, seed=7)
    fake_vapi.inject_fault("POST", "/phone-number", mode="reset-after", times=100)

    first = await client.bulk_import(iter(bodies), concurrency=32)

    assert first.summary.failed == 0
    assert first.summary.skipped == len(already)
    assert first.summary.created + first.summary.adopted == 2_000 - len(already)
    assert first.summary.adopted > 0
    # The store: every number exactly once, the new ones all there.
    stored = created_numbers(fake_vapi)
    assert set(stored.values()) == {1}
    new_numbers = [body.number for body in bodies if isinstance(body, CreateTwilioPhoneNumber)]
    assert all(stored[("twilio", number)] == 1 for number in new_numbers)
    # The log: no number was answered 201 twice, and none was POSTed again after a 201.
    answered: set[str] = set()
    for record in fake_vapi.requests("POST"):
        assert record.body["number"] not in answered
        if record.status == 201:
            answered.add(record.body["number"])

    fake_vapi.clear_log()
    second = await client.bulk_import(iter(bodies), concurrency=32)

    assert second.summary.skipped == 2_000
    assert posts(fake_vapi) == 0


async def test_the_lookup_walk_passes_the_runs_rate_gate(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rate_limit caps the whole run: the pages that find existing numbers count too."""
    from vapi_phone_async.pacing._bucket import TokenBucket

    gates = 0
    original = TokenBucket.take

    def counted(self: TokenBucket, at: float) -> None:
        nonlocal gates
        gates += 1
        original(self, at)

    monkeypatch.setattr(TokenBucket, "take", counted)
    fake_vapi.seed(2500)  # 25 pages of the 100 the API answers at most, to walk
    result = await client.bulk_import([twilio(1), twilio(2)], rate_limit=1000)
    assert result.summary.created == 2
    walk_pages = len(fake_vapi.requests("GET", "/v2/phone-number"))
    assert walk_pages == 25  # page 1 at 1,000 shows the cap: no page is asked twice
    assert gates == walk_pages + posts(fake_vapi)
