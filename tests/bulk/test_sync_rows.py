"""client.sync on the rows of a file: `rows.read` rows carry their line into the plan, a
csv.DictReader row is read as a CSV's cells with strict=False and refused with a way out
without, and the plan counts the numbers the rows leave out."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from vapi_phone_async import VapiPhoneClient, rows
from vapi_phone_async.cli._records import COLUMNS, csv_row, to_wire
from vapi_phone_async.testing import FakeVapiServer


async def exported_csv(client: VapiPhoneClient) -> str:
    """The account as `vapi-phone export --show-secrets numbers.csv` writes it."""
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=COLUMNS)
    writer.writeheader()
    async for number in client.paginate(page_size=1000):
        writer.writerow(csv_row(to_wire(number, show_secrets=True)))
    return stream.getvalue()


async def test_invalid_rows_name_their_line_in_the_file(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient, tmp_path: Path
) -> None:
    source = tmp_path / "numbers.csv"
    source.write_text(
        "provider,number,twilioAccountSid,name\n"
        "twilio,+14155550100,AC1,Good\n"
        "\n"
        "twilio,+14155550101,,No SID\n"
        'twilio,+14155550102,AC1,"A name over\ntwo lines"\n'
        "twilio,+14155550103,AC1," + "x" * 41 + "\n",
        encoding="utf-8",
    )

    plan = await client.plan_sync(rows.read(source))

    assert [(create.row, create.line) for create in plan.creates] == [(0, 2), (2, 5)]
    assert [(invalid.row, invalid.line) for invalid in plan.invalid] == [(1, 4), (3, 7)]
    assert "twilioAccountSid is required" in plan.invalid[0].reason
    assert "line=4" in repr(plan.invalid[0])


async def test_a_line_that_is_not_a_row_is_invalid_with_its_problem(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    text = '{"provider": "twilio", "number": "+14155550100", "twilioAccountSid": "AC1"}\n{oops\n'

    plan = await client.plan_sync(rows.read(io.StringIO(text), format="jsonl"))

    assert len(plan.creates) == 1
    (invalid,) = plan.invalid
    assert (invalid.row, invalid.line) == (1, 2) and invalid.reason.startswith("not JSON")


async def test_an_exported_csv_read_by_rows_finds_nothing_to_do(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    fake_vapi.seed(20)
    text = await exported_csv(client)

    plan = await client.plan_sync(rows.read(io.StringIO(text), format="csv"))

    assert plan.empty and len(plan.unchanged) == 20 and plan.invalid == []
    assert [unchanged.line for unchanged in plan.unchanged] == list(range(2, 22))


async def test_dict_reader_rows_are_read_as_cells_with_strict_false(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    fake_vapi.seed(20)
    text = await exported_csv(client)

    strict = await client.plan_sync(csv.DictReader(io.StringIO(text)))
    lenient = await client.plan_sync(csv.DictReader(io.StringIO(text)), strict=False)

    assert len(strict.invalid) == 20  # the empty cells of fields that take no text
    reason = strict.invalid[0].reason
    assert "got `str`" in reason and "vapi_phone_async.rows.read" in reason
    assert "strict=False" in reason and strict.invalid[0].line is None
    assert lenient.empty and len(lenient.unchanged) == 20 and lenient.invalid == []


async def test_the_plan_counts_the_numbers_no_row_stands_for(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    fake_vapi.seed(10)
    kept = [{"provider": n.provider, "id": n.id} async for n in client.paginate(max_items=4)]

    plan = await client.plan_sync(kept)
    pruned = await client.plan_sync(kept, prune=True)

    assert plan.left_out == 6 and plan.deletes == []
    assert pruned.left_out == 6 and len(pruned.deletes) == 6


async def test_an_empty_name_survives_a_csv_round_trip(
    fake_vapi: FakeVapiServer, client: VapiPhoneClient
) -> None:
    fake_vapi.seed(2)
    emptied = fake_vapi.insert(
        {"provider": "twilio", "number": "+14155550100", "twilioAccountSid": "AC1", "name": ""}
    )["id"]
    text = await exported_csv(client)

    read = {row["id"]: row for row in rows.read(io.StringIO(text), format="csv")}
    plan = await client.plan_sync(read.values())

    assert read[emptied]["name"] == ""
    assert plan.empty and len(plan.unchanged) == 3
