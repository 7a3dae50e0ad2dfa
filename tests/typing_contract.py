"""The public API as users type it: `mypy --strict vapi_phone_async tests/typing_contract.py`.

Not collected by pytest (it is not `test_*.py`) and never run: mypy reads it. A line marked
`# type: ignore[...]` is a use the types must reject; with `--strict` an ignore that is no
longer needed is itself an error, so those lines fail the check if the types loosen.
"""

from __future__ import annotations

from typing import NoReturn

from msgspec import UNSET, UnsetType

from vapi_phone_async import (
    BackoffPlan,
    PhoneNumber,
    PhoneNumberPage,
    VapiPhoneClient,
    decode_page,
    decode_phone_number,
    decode_phone_number_list,
    validate_body,
)
from vapi_phone_async.errors import RequestValidationError, ResponseDecodeError
from vapi_phone_async.models import (
    ByoPhoneNumber,
    CreatePhoneNumber,
    CreateTwilioPhoneNumber,
    CreateVapiPhoneNumber,
    CustomMessage,
    KnownPhoneNumber,
    PaginationMeta,
    PhoneNumberHookCallEnding,
    PhoneNumberHookCallRinging,
    SayPhoneNumberHookAction,
    Server,
    SipAuthentication,
    TelnyxPhoneNumber,
    TransferDestinationNumber,
    TransferDestinationSip,
    TransferPhoneNumberHookAction,
    TwilioPhoneNumber,
    UnknownItem,
    UnknownPhoneNumber,
    UpdatePhoneNumber,
    UpdateTwilioPhoneNumber,
    VapiPhoneNumber,
    VonagePhoneNumber,
)


def unreachable(value: NoReturn) -> NoReturn:
    """Only a value narrowed to nothing may be passed: a `match` that misses a case fails."""
    raise AssertionError(value)


def bodies() -> list[CreatePhoneNumber | UpdatePhoneNumber]:
    backoff: BackoffPlan = BackoffPlan(type="exponential", max_retries=3, base_delay_seconds=0.5)
    create: CreatePhoneNumber = CreateTwilioPhoneNumber(
        number="+14155550100",
        twilio_account_sid="AC123",
        server=Server(url="https://example.com/vapi", backoff_plan=backoff),
        hooks=[
            PhoneNumberHookCallRinging(do=[SayPhoneNumberHookAction(exact="One moment")]),
            PhoneNumberHookCallEnding(
                do=TransferPhoneNumberHookAction(
                    destination=TransferDestinationSip(sip_uri="sip:desk@example.com")
                )
            ),
        ],
    )
    sip: CreatePhoneNumber = CreateVapiPhoneNumber(
        sip_uri="sip:front@example.sip.vapi.ai",
        authentication=SipAuthentication(username="u" * 20, password="p" * 20),
    )
    clear: UpdatePhoneNumber = UpdateTwilioPhoneNumber(assistant_id=None)  # null clears
    name: str | UnsetType | None = clear.name
    assert name is UNSET
    for body in (create, sip, clear):
        validate_body(body)
    return [create, sip, clear]


def wrong_bodies() -> None:
    CreateTwilioPhoneNumber(number="+14155550100")  # type: ignore[call-arg]
    UpdateTwilioPhoneNumber(name=5)  # type: ignore[arg-type]
    BackoffPlan("fixed", 3, 1.0)  # type: ignore[call-arg]


def describe(number: PhoneNumber) -> str:
    """Every member of PhoneNumber, the unknown provider included, has a case."""
    match number:
        case TwilioPhoneNumber(twilio_account_sid=sid):
            return f"twilio {sid}"
        case ByoPhoneNumber() | VonagePhoneNumber() | TelnyxPhoneNumber():
            return number.number or number.id
        case VapiPhoneNumber(sip_uri=sip_uri):
            return sip_uri or number.id
        case UnknownPhoneNumber():
            return f"{number.provider} {number.id} ({len(number.raw)} fields)"
        case _:
            unreachable(number)


def fallback_of(number: KnownPhoneNumber) -> str:
    """A nested union may hold an UnknownItem (a type this version does not know)."""
    destination = number.fallback_destination
    match destination:
        case TransferDestinationNumber(number=phone):
            return phone
        case TransferDestinationSip(sip_uri=sip_uri):
            return sip_uri
        case UnknownItem():
            return str(destination.get("type"))
        case None:
            return ""
        case _:
            unreachable(destination)


def first_message(number: KnownPhoneNumber) -> str | None:
    destination = number.fallback_destination
    if isinstance(destination, TransferDestinationNumber | TransferDestinationSip):
        plan = destination.transfer_plan
        if plan is not None and plan.fallback_plan is not None:
            message = plan.fallback_plan.message
            return message if isinstance(message, str) else message.content
    return None


def decoding(body: bytes) -> list[str]:
    try:
        one: PhoneNumber = decode_phone_number(body)
        many: list[PhoneNumber] = decode_phone_number_list(body)
        page: PhoneNumberPage = decode_page(body)
    except ResponseDecodeError as error:
        return [error.reason, error.excerpt]
    except RequestValidationError as error:  # not raised by decoding; shows the attributes
        return [error.field, error.rule]
    meta: PaginationMeta = page.metadata
    total: int | None = meta.total_items  # None when the server sent no usable count
    cursor: str | None = meta.next_cursor
    custom = CustomMessage(content="Sorry")
    assert custom.content is not None
    return [
        describe(one),
        *map(describe, many),
        *map(describe, page.results),
        str(total),
        str(cursor),
    ]


async def client_calls_as_users_type_them() -> None:
    """The client surface of DESIGN.md's contract, with the types a caller relies on."""
    from datetime import datetime, timezone

    import aiohttp

    from vapi_phone_async import (
        USE_CLIENT_DEFAULT,
        BulkResult,
        BulkRun,
        Pager,
        RawResponse,
        SyncOutcome,
        SyncResult,
        Timeout,
        UpdateFields,
        UseClientDefault,
    )
    from vapi_phone_async.bulk import PlannedAction, SyncPlan
    from vapi_phone_async.errors import OutcomeUnknownError
    from vapi_phone_async.models import (
        UpdateTwilioPhoneNumber,
    )
    from vapi_phone_async.pagination import Pager as SamePager
    from vapi_phone_async.testing import FakeVapiServer

    async with FakeVapiServer(api_key="test-key") as server:
        seeded: list[dict[str, object]] = server.seed(10)
        async with VapiPhoneClient(api_key="test-key", base_url=server.url) as client:
            body = CreateTwilioPhoneNumber(number="+14155550100", twilio_account_sid="AC1")
            try:
                created: PhoneNumber = await client.create(body)
            except OutcomeUnknownError as unknown:
                cause: Exception = unknown.cause
                raise cause from None
            fetched: PhoneNumber = await client.get(created.id, timeout=5.0)
            await client.get(fetched.id, timeout=Timeout(total=1, connect=0.5, read=None))
            # 0.1 took aiohttp's ClientTimeout: still read at run time, with a warning.
            await client.get(fetched.id, timeout=aiohttp.ClientTimeout(total=1))  # type: ignore[arg-type]
            await client.get(fetched.id, timeout=None, deadline=USE_CLIENT_DEFAULT)
            default: UseClientDefault = USE_CLIENT_DEFAULT
            updated: PhoneNumber = await client.update(
                created.id, UpdateTwilioPhoneNumber(assistant_id=None)
            )
            provider: str = updated.provider
            # Keywords: UpdateFields types each; the provider is found at run time.
            renamed: PhoneNumber = await client.update(created.id, name="Front desk")
            await client.update(renamed, assistant_id=None, server=None, timeout=5.0)
            fields: UpdateFields = {"name": "Lobby", "sms_enabled": True}
            await client.update(renamed, **fields)
            await client.update(created.id, nmae="x")  # type: ignore[call-arg]
            await client.update(created.id, name=5)  # type: ignore[arg-type]
            await client.update(created.id, 5)  # type: ignore[arg-type]
            deleted: PhoneNumber | None = await client.delete(created.id)
            listed: list[PhoneNumber] = await client.list_recent(
                limit=1000, created_at_ge=datetime(2026, 1, 1, tzinfo=timezone.utc)
            )
            # One way to list: every page; awaited, the first page.
            async for number in client.list(search="acme", timeout=5.0):
                one: PhoneNumber = number
            listing: Pager = client.list(sort_order="ASC", max_items=10)
            first_listed: PhoneNumberPage = await client.list(page_size=10)
            # v1's old form, deprecated: still typed as the list it returns.
            old_list: list[PhoneNumber] = await client.list(limit=50)
            client.list(limit=50, search="acme")  # type: ignore[call-overload]
            pager: Pager = client.paginate(search="acme", sort_order="ASC", page_size=1000)
            same: SamePager = pager
            async for number in pager:
                one = number
            first_page: PhoneNumberPage = await client.paginate(page_size=10)
            async for page in client.paginate(page_size=1000).pages():
                results: list[PhoneNumber] = page.results
            everything: list[PhoneNumber] = await client.paginate(max_items=5).collect()
            await client.get(
                created.id, backoff=BackoffPlan(type="fixed", max_retries=0, base_delay_seconds=0)
            )
            client.paginate(page_size="10")  # type: ignore[arg-type]
            raw: RawResponse[PhoneNumber] = await client.with_raw_response.get(created.id)
            status: int = raw.status
            request_id: str | None = raw.request_id
            raw_list: RawResponse[list[PhoneNumber]] = await client.with_raw_response.list_recent()
            await client.with_raw_response.get(created.id, timeout="1")  # type: ignore[arg-type]
            once: VapiPhoneClient = client.with_options(max_retries=0)
            pairs = [(created.id, UpdateTwilioPhoneNumber(name="x"))]
            run: BulkRun[tuple[str, UpdatePhoneNumber]] = client.bulk_update(pairs)
            result: BulkResult[tuple[str, UpdatePhoneNumber]] = await run
            removed: BulkResult[str] = await client.bulk_delete([created.id], concurrency=2)
            imported: BulkResult[CreatePhoneNumber] = await client.bulk_import([body])
            plan: SyncPlan = await client.plan_sync([{"provider": "twilio"}], prune=False)
            old_name: SyncPlan = await client.sync([{"provider": "twilio"}], prune=False)
            await client.plan_sync([{"provider": "twilio"}], prune="no")  # type: ignore[arg-type]
            applied: BulkResult[PlannedAction] = await plan.apply(concurrency=4)
            # A worker's annotations, without the generic types: the same types.
            synced: SyncResult = applied
            async for outcome in plan.apply():
                each: SyncOutcome = outcome
            first_outcome: SyncOutcome = synced.outcomes[0]
            wrong: SyncResult = result  # type: ignore[assignment]
            client.bulk_update(pairs, concurrency="8")  # type: ignore[arg-type]
            del result, removed, imported, applied
    del seeded, deleted, listed, one, results, everything, provider, status, request_id
    del raw_list, once, default, same, first_page, old_name, renamed
    del listing, first_listed, old_list, each, first_outcome, wrong


async def a_unit_test_on_a_mock_transport() -> PhoneNumber:
    """MockTransport: a plain or async function from a Request to an Answer."""
    from vapi_phone_async import MockTransport
    from vapi_phone_async.errors import APIConnectionError
    from vapi_phone_async.transports import Answer, Request, Transport

    def handler(request: Request) -> Answer:
        if request.method == "DELETE":
            raise APIConnectionError("refused", connect_failed=True)
        return Answer.json(200, {"id": request.path.rsplit("/", 1)[-1], "provider": "vapi"})

    async def slow(request: Request) -> Answer:
        return Answer(503, {"retry-after": "1"}, b"{}")

    transport: Transport = MockTransport(handler)
    MockTransport(slow)
    MockTransport(lambda request: 200)  # type: ignore[arg-type,return-value]
    async with VapiPhoneClient(api_key="k", transport=transport) as client:
        return await client.get("1")


def hooks_as_users_type_them() -> VapiPhoneClient:
    """Event hooks: plain and async functions of the events."""
    from vapi_phone_async import EventHooks, RequestEvent, ResponseEvent

    def count(event: RequestEvent) -> None:
        assert event.attempt >= 1

    async def observe(event: ResponseEvent) -> None:
        elapsed: float = event.elapsed
        status: int | None = event.status
        del elapsed, status

    hooks: EventHooks = {"request": [count], "response": [observe]}
    return VapiPhoneClient(api_key="k", event_hooks=hooks, max_retries=2)


def a_client_of_a_fleet() -> VapiPhoneClient:
    """Pacing through Redis, and Vapi's window of the clock."""
    from vapi_phone_async import RedisPacing, RetryBudget
    from vapi_phone_async.bulk import ApplyLocks, RedisLocks
    from vapi_phone_async.pacing import RedisPacing as SamePacing

    pacing: SamePacing = RedisPacing("redis://localhost:6379/0", ttl=600, timeout=0.5)
    locks: ApplyLocks = RedisLocks(pacing, ttl=30)
    return VapiPhoneClient(
        api_key="k",
        pacing=pacing,
        apply_locks=locks,
        rate_window=60,
        retry_budget=RetryBudget(capacity=500),
        deadline=None,
    )


async def rows_as_users_type_them(client: VapiPhoneClient) -> None:
    """A file's rows into a sync; each entry of the plan with its line."""
    import io
    from collections.abc import Iterator

    from vapi_phone_async import rows
    from vapi_phone_async.bulk import SyncPlan
    from vapi_phone_async.errors import UnreadableFileError

    try:
        read: Iterator[rows.Row] = rows.read("numbers.csv")
    except UnreadableFileError as error:
        where: int | None = error.line
        problem: str = error.problem
        del where, problem
        raise
    plan: SyncPlan = await client.sync(read, strict=False)
    line: int | None = plan.invalid[0].line
    row: rows.Row = next(rows.read(io.BytesIO(b"provider\ntwilio\n"), format="csv"))
    row_line: int | None = row.line
    cells: dict[str, object] = rows.read_cells({"provider": "twilio", "name": ""})
    rows.read("numbers.xml", format="xml")  # type: ignore[arg-type]
    del line, row_line, cells
