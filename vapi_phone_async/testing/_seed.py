"""Deterministic, realistic phone numbers to fill the fake server with.

Providers take turns; every number has an E.164 number (or, for some `vapi` numbers, only
a SIP URI), a name, and an assistant, squad or workflow; one number in three also has
hooks, a fallback destination and a webhook server with a backoff plan. `createdAt`
increases by up to two minutes from one number to the next.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from ..models import PROVIDERS
from ._dates import format_us

__all__ = ["DEFAULT_START_US", "generate"]

DEFAULT_START_US = 1_704_067_200_000_000  # 2024-01-01T00:00:00Z
_SECOND = 1_000_000
_COMPANIES = (
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Pied Piper",
    "Vandelay",
    "Wayne Enterprises",
    "Stark Industries",
    "Soylent",
    "Tyrell",
    "Wonka",
    "Cyberdyne",
    "Massive Dynamic",
    "Oceanic",
    "Dunder Mifflin",
)
_DEPARTMENTS = (
    "Support",
    "Sales",
    "Billing",
    "Front Desk",
    "After Hours",
    "Dispatch",
    "Scheduling",
    "Returns",
)
_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)  # version 4, RFC 4122 variant
_ENDED_REASONS = ("assistant-request-failed", "assistant-request-returned-error")


def generate(
    n: int, *, seed: int, start_us: int, org_id: str, first_index: int = 0, tie_rate: float = 0.0
) -> Iterator[tuple[dict[str, Any], int, int]]:
    """`n` numbers as (wire dict, createdAt us, updatedAt us), oldest first.

    `first_index` continues the names and the randomness of an earlier call, so seeding
    twice adds new numbers. `tie_rate` is the share of numbers created in the same
    millisecond as the one before, as a real database allows.
    """
    rng = random.Random(f"vapi-fake:{seed}:{first_index}")
    created = start_us
    for i in range(first_index, first_index + n):
        if i > first_index and not (tie_rate and rng.random() < tie_rate):
            created += rng.randint(1, 120 * 1000) * 1000  # 1 ms .. 2 min
        updated = created
        if rng.random() < 0.4:
            updated += rng.randint(1, 30 * 86_400) * _SECOND
        yield _number(rng, i, created, updated, org_id), created, updated


def _number(rng: random.Random, i: int, created: int, updated: int, org_id: str) -> dict[str, Any]:
    provider = PROVIDERS[i % len(PROVIDERS)]
    company = _COMPANIES[rng.randrange(len(_COMPANIES))]
    department = _DEPARTMENTS[rng.randrange(len(_DEPARTMENTS))]
    data: dict[str, Any] = {
        "provider": provider,
        "id": _uuid(rng),
        "orgId": org_id,
        "createdAt": format_us(created),
        "updatedAt": format_us(updated),
        "status": "active" if rng.random() < 0.97 else rng.choice(("activating", "blocked")),
        "name": f"{company} {department} {i + 1}",
    }
    route = rng.random()
    key = "assistantId" if route < 0.7 else "squadId" if route < 0.9 else "workflowId"
    data[key] = _uuid(rng)
    data.update(_provider_fields(rng, provider, company, i))
    if i % 3 == 0:
        data["fallbackDestination"] = _destination(rng, company)
        data["hooks"] = _hooks(rng, company)
        data["server"] = _server(rng, company)
    return data


def _provider_fields(rng: random.Random, provider: str, company: str, i: int) -> dict[str, Any]:
    number = _e164(rng)
    if provider == "byo-phone-number":
        return {"number": number, "numberE164CheckEnabled": True, "credentialId": _uuid(rng)}
    if provider == "twilio":
        return {
            "number": number,
            "twilioAccountSid": "AC" + rng.randbytes(16).hex(),
            "twilioAuthToken": rng.randbytes(16).hex(),
            "smsEnabled": rng.random() < 0.5,
        }
    if provider == "vapi":
        slug = company.lower().replace(" ", "-")
        fields: dict[str, Any] = {"sipUri": f"sip:{slug}-{i + 1}@sip.vapi.ai"}
        if i % 2:
            fields["number"] = number
            fields["numberDesiredAreaCode"] = number[2:5]
        if rng.random() < 0.3:
            fields["authentication"] = {
                "realm": "sip.vapi.ai",
                "username": f"{slug}-user-{i + 1:08d}"[:40].ljust(20, "0"),
                "password": rng.randbytes(12).hex(),
            }
        return fields
    return {"number": number, "credentialId": _uuid(rng)}  # vonage, telnyx


def _destination(rng: random.Random, company: str) -> dict[str, Any]:
    if rng.random() < 0.7:
        return {
            "type": "number",
            "number": _e164(rng),
            "numberE164CheckEnabled": True,
            "message": f"Transferring you to {company}, please hold.",
            "transferPlan": {"mode": "blind-transfer", "sipVerb": "refer"},
        }
    slug = company.lower().replace(" ", "-")
    return {
        "type": "sip",
        "sipUri": f"sip:operator@{slug}.example.com",
        "transferPlan": {
            "mode": "warm-transfer-say-summary",
            "summaryPlan": {"enabled": True, "timeoutSeconds": 5},
        },
    }


def _hooks(rng: random.Random, company: str) -> list[dict[str, Any]]:
    ringing = {
        "on": "call.ringing",
        "filters": [{"type": "startsWith", "key": "number", "startsWith": ["+1", "+44"]}],
        "do": [
            {"type": "say", "exact": f"Thanks for calling {company}."},
            {"type": "transfer", "destination": {"type": "number", "number": _e164(rng)}},
        ],
    }
    ending = {
        "on": "call.ending",
        "filters": [{"type": "oneOf", "key": "call.endedReason", "oneOf": list(_ENDED_REASONS)}],
        "do": {"type": "say", "exact": "Sorry, we could not connect your call."},
    }
    return [ringing, ending] if rng.random() < 0.5 else [ringing]


def _server(rng: random.Random, company: str) -> dict[str, Any]:
    slug = company.lower().replace(" ", "-")
    return {
        "url": f"https://hooks.{slug}.example.com/vapi",
        "timeoutSeconds": 20,
        "secret": rng.randbytes(12).hex(),
        "headers": {"X-Environment": "production"},
        "backoffPlan": {
            "type": "exponential",
            "maxRetries": rng.randint(1, 5),
            "baseDelaySeconds": 1,
            "excludedStatusCodes": [400, 401, 403, 404],
        },
    }


def _e164(rng: random.Random) -> str:
    if rng.random() < 0.85:
        return f"+1{rng.randint(201, 989)}{rng.randint(2_000_000, 9_999_999)}"
    return f"+4420{rng.randint(10_000_000, 99_999_999)}"


def _uuid(rng: random.Random) -> str:
    # uuid.UUID(int=..., version=4), formatted directly: three times faster.
    bits = rng.getrandbits(128) & _UUID_CLEAR | _UUID_SET
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
