"""How fast a 1,000-number page decodes: fast path, new fields, fallback, json.loads, the SDK.

Run: `python benchmarks/decode.py`. Prints a table; asserts nothing about timings. The page
is built with the models and encoded with msgspec, the same bytes every run: five
providers in turn, every number with a fallback destination and a webhook server with a
backoff plan, every third with call.ringing and call.ending hooks. The other rows decode
the same page with one number from an unknown provider (the lenient fallback), and with
one field unknown to the models (what a field Vapi adds looks like) on every number, on
every number's server, and on every hook action.
"""

from __future__ import annotations

import functools
import gc
import json
import platform
import statistics
import time
import timeit
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from importlib import metadata
from typing import Any

import msgspec

from vapi_phone_async import decode_page
from vapi_phone_async.models import (
    BackoffPlan,
    ByoPhoneNumber,
    ContextEngineeringPlanLastNMessages,
    CustomMessage,
    PaginationMeta,
    PhoneNumber,
    PhoneNumberCallEndingHookFilter,
    PhoneNumberCallRingingHookFilter,
    PhoneNumberHook,
    PhoneNumberHookCallEnding,
    PhoneNumberHookCallRinging,
    PhoneNumberPage,
    SayPhoneNumberHookAction,
    Server,
    SipAuthentication,
    SummaryPlan,
    TelnyxPhoneNumber,
    TextContent,
    TransferDestination,
    TransferDestinationNumber,
    TransferDestinationSip,
    TransferFallbackPlan,
    TransferPhoneNumberHookAction,
    TransferPlan,
    TwilioPhoneNumber,
    UnknownPhoneNumber,
    VapiPhoneNumber,
    VonagePhoneNumber,
)

PAGE_SIZE = 1000
FAST_REPEATS = 31
SDK_REPEATS = 5
START = datetime(2025, 3, 9, 20, 16, 58, 146_000, tzinfo=timezone.utc)
TARGET_FAST_VS_JSON = 0.4
# An unknown field, by where it is: at most this many times json.loads of the same bytes.
TARGET_UNKNOWN_FIELD_VS_JSON: dict[str, float] = {"number": 0.8, "server": 1.0, "hook action": 1.0}
TARGET_SDK_VS_FAST = 200.0


def destination(i: int) -> TransferDestination:
    """A fallback destination: a number or a SIP URI, every fourth with a transfer plan."""
    plan = None
    if i % 4 == 0:
        plan = TransferPlan(
            mode="warm-transfer-say-summary",
            sip_verb="refer",
            context_engineering_plan=ContextEngineeringPlanLastNMessages(max_messages=10),
            summary_plan=SummaryPlan(enabled=True, timeout_seconds=30),
            fallback_plan=TransferFallbackPlan(message="Sorry, nobody answered"),
        )
    if i % 2:
        return TransferDestinationSip(
            sip_uri=f"sip:desk{i}@example.com", message="Transferring you", transfer_plan=plan
        )
    return TransferDestinationNumber(
        number=f"+1628555{i:04d}",
        caller_id="+14155550000",
        message=CustomMessage(contents=[TextContent(text="Connecting you", language="en")]),
        transfer_plan=plan,
    )


def hooks(i: int) -> list[PhoneNumberHook]:
    return [
        PhoneNumberHookCallRinging(
            filters=[PhoneNumberCallRingingHookFilter(starts_with=["91", "86"])],
            do=[SayPhoneNumberHookAction(exact="Please hold while we connect you")],
        ),
        PhoneNumberHookCallEnding(
            filters=[PhoneNumberCallEndingHookFilter(one_of=["assistant-request-failed"])],
            do=TransferPhoneNumberHookAction(destination=destination(i + 1)),
        ),
    ]


def number(i: int) -> PhoneNumber:
    stamp = START + timedelta(seconds=i, milliseconds=i)
    common: dict[str, Any] = {
        "id": f"3f8c1a2e-0000-4000-8000-{i:012d}",
        "org_id": "9b1d2c3e-0000-4000-8000-000000000001",
        "created_at": stamp,
        "updated_at": stamp,
        "status": "active",
        "name": f"Line {i}",
        "assistant_id": "a1b2c3d4-0000-4000-8000-000000000002",
        "server": Server(
            url="https://hooks.example.com/vapi",
            timeout_seconds=20,
            backoff_plan=BackoffPlan(
                type="exponential",
                max_retries=3,
                base_delay_seconds=1,
                excluded_status_codes=[400, 401, 403, 404],
            ),
        ),
        "fallback_destination": destination(i),
        "hooks": hooks(i) if i % 3 == 0 else None,
    }
    e164 = f"+1415555{i:04d}"
    match i % 5:
        case 0:
            return ByoPhoneNumber(**common, number=e164, credential_id="cred-byo")
        case 1:
            return TwilioPhoneNumber(
                **common, number=e164, twilio_account_sid="AC123", twilio_auth_token="tok"
            )
        case 2:
            return VonagePhoneNumber(**common, number=e164, credential_id="cred-vonage")
        case 3:
            return VapiPhoneNumber(
                **common,
                number=e164,
                sip_uri=f"sip:line{i}@example.sip.vapi.ai",
                authentication=SipAuthentication(username="u" * 20, password="p" * 20),
            )
        case _:
            return TelnyxPhoneNumber(**common, number=e164, credential_id="cred-telnyx")


def page_body(results: list[PhoneNumber]) -> bytes:
    meta = PaginationMeta(
        items_per_page=PAGE_SIZE,
        total_items=10 * PAGE_SIZE,
        current_page=1,
        total_pages=10,
        has_next_page=True,
        sort_order="DESC",
    )
    return msgspec.json.encode(PhoneNumberPage(results=results, metadata=meta))


def bodies() -> tuple[bytes, bytes]:
    """The page, and the same page with its middle number from a provider we do not know."""
    results = [number(i) for i in range(PAGE_SIZE)]
    fast = page_body(results)
    middle = msgspec.to_builtins(results[PAGE_SIZE // 2])
    results[PAGE_SIZE // 2] = UnknownPhoneNumber({**middle, "provider": "future-carrier"})
    return fast, page_body(results)


def with_unknown_fields(page: bytes, where: str) -> tuple[bytes, list[dict[str, str]]]:
    """`page` with one field this version does not know on every number, its server or
    each of its hook actions (`where`), and each number's `unknown_fields` to expect."""
    data = msgspec.json.decode(page)
    expected: list[dict[str, str]] = []
    for i, item in enumerate(data["results"]):
        value = f"value {i}"
        places: dict[str, dict[str, Any]] = {}
        if where == "number":
            places["futureField"] = item
        elif where == "server":
            places["server.futureField"] = item["server"]
        else:
            for h, hook in enumerate(item.get("hooks") or []):
                actions = hook["do"] if isinstance(hook["do"], list) else [hook["do"]]
                for a, action in enumerate(actions):
                    index = f"[{a}]" if isinstance(hook["do"], list) else ""
                    places[f"hooks[{h}].do{index}.futureField"] = action
        for obj in places.values():
            obj["futureField"] = value
        expected.append(dict.fromkeys(places, value))
    return msgspec.json.encode(data), expected


def sdk_decoder() -> tuple[Callable[[bytes], Any], str] | None:
    """What the SDK's raw_client does with a 200 of /v2/phone-number: json, then construct."""
    try:
        from vapi.core.unchecked_base_model import construct_type
        from vapi.types.phone_number_paginated_response import PhoneNumberPaginatedResponse
    except ImportError:
        return None

    def decode(data: bytes) -> Any:
        return construct_type(type_=PhoneNumberPaginatedResponse, object_=json.loads(data))

    versions = f"vapi-server-sdk {metadata.version('vapi-server-sdk')}"
    return decode, f"{versions}, pydantic {metadata.version('pydantic')}"


def measure(calls: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """CPU seconds per call of each of `calls`, one sample per repeat of ~20 ms of calls.

    The rows take turns, one sample of each per round, so that a machine getting busier
    or quieter during the run weighs on every row alike. The garbage collector is off
    while timing (timeit's default) for every row alike: with it on, a run's time depends
    on whatever else the process holds, not on the decoder. Each call is one thread's
    work that never waits, so its CPU time is what it costs, and unlike wall time it does
    not count the turns other processes of a busy machine get.
    """
    gc.collect()
    timers = {name: timeit.Timer(call, timer=time.thread_time) for name, call in calls.items()}
    loops = {name: max(1, timer.autorange()[0] // 10) for name, timer in timers.items()}
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, timer in timers.items():
            samples[name].append(timer.timeit(loops[name]) / loops[name])
    return samples


def sdk_samples(call: Callable[[], object]) -> list[float]:
    """CPU seconds of each of SDK_REPEATS calls (one takes over a second)."""
    gc.collect()
    timer = timeit.Timer(call, timer=time.thread_time)
    return timer.repeat(repeat=SDK_REPEATS, number=1)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.2f} ms"


def main() -> None:
    fast_body, fallback_body = bodies()
    unknown_bodies = {
        where: with_unknown_fields(fast_body, where) for where in TARGET_UNKNOWN_FIELD_VS_JSON
    }
    fast_page = decode_page(fast_body)
    fallback_page = decode_page(fallback_body)
    # The paths do what they claim before they are timed.
    assert not any(isinstance(n, UnknownPhoneNumber) for n in fast_page.results)
    assert sum(isinstance(n, UnknownPhoneNumber) for n in fallback_page.results) == 1
    assert len(fallback_page.results) == len(fast_page.results) == PAGE_SIZE
    for body, expected in unknown_bodies.values():
        kept = decode_page(body)
        assert [n.unknown_fields for n in kept.results] == expected  # type: ignore[union-attr]
        assert kept.results == fast_page.results  # the typed fields are the same

    calls: dict[str, Callable[[], object]] = {
        "decode_page, fast path": functools.partial(decode_page, fast_body),
        "decode_page, fallback (1 unknown provider)": functools.partial(decode_page, fallback_body),
        "json.loads, same bytes (dicts only)": functools.partial(json.loads, fast_body),
    }
    for where, (body, _) in unknown_bodies.items():
        calls[f"decode_page, 1 unknown field on every {where}"] = functools.partial(
            decode_page, body
        )
    rows = list(measure(calls, FAST_REPEATS).items())
    sdk = sdk_decoder()
    if sdk is not None:
        sdk_decode = sdk[0]
        sdk_page = sdk_decode(fast_body)  # typed models, datetimes parsed, like ours
        assert len(sdk_page.results) == PAGE_SIZE
        assert sdk_page.results[0].provider == "byo-phone-number"
        assert isinstance(sdk_page.results[0].created_at, datetime)
        sdk_call = functools.partial(sdk_decode, fast_body)
        rows.append(("vapi SDK: json.loads + construct_type", sdk_samples(sdk_call)))

    hooked = sum(1 for n in fast_page.results if getattr(n, "hooks", None))
    print(
        f"One /v2/phone-number page: {PAGE_SIZE:,} numbers, {len(fast_body):,} bytes, "
        f"{hooked} with hooks, five providers"
    )
    print(
        f"Python {platform.python_version()}, msgspec {metadata.version('msgspec')}"
        + (f", {sdk[1]}" if sdk else ", vapi-server-sdk not installed (no SDK row)")
        + "; CPU time per decode, GC off while timing"
    )
    print()
    json_median = statistics.median(rows[2][1])
    header = f"{'path':<50} {'runs':>4} {'median':>12} {'min - max':>25} {'vs json.loads':>14}"
    print(header)
    print("-" * len(header))
    for name, samples in rows:
        median = statistics.median(samples)
        spread = f"{ms(min(samples))} - {ms(max(samples))}"
        ratio = f"{median / json_median:.2f}x"
        print(f"{name:<50} {len(samples):>4} {ms(median):>12} {spread:>25} {ratio:>14}")
    print()
    fast_median = statistics.median(rows[0][1])
    fast_ratio = fast_median / json_median
    met = "met" if fast_ratio <= TARGET_FAST_VS_JSON else "NOT met"
    print(f"fast path / json.loads: {fast_ratio:.2f}x  (target <= {TARGET_FAST_VS_JSON}x: {met})")
    for offset, (where, target) in enumerate(TARGET_UNKNOWN_FIELD_VS_JSON.items()):
        unknown_ratio = statistics.median(rows[3 + offset][1]) / json_median
        met = "met" if unknown_ratio <= target else "NOT met"
        print(
            f"an unknown field on every {where} / json.loads: {unknown_ratio:.2f}x  "
            f"(target <= {target}x: {met})"
        )
    if sdk is not None:
        sdk_ratio = statistics.median(rows[-1][1]) / fast_median
        met = "met" if sdk_ratio >= TARGET_SDK_VS_FAST else "NOT met"
        print(
            f"SDK / fast path:        {sdk_ratio:,.0f}x  "
            f"(target >= {TARGET_SDK_VS_FAST:.0f}x faster than the SDK: {met})"
        )


if __name__ == "__main__":
    main()
