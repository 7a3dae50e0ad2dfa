"""The commands on numbers one at a time, and the listing: list, get, create, update, delete."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.console import Console

from ..bulk import create_body, is_purchase
from ..errors import FieldError, RequestValidationError, VapiError
from ..models import CREATE_BODIES, PROVIDERS
from ._bodies import check_keys, flags_body, json_object, update_body, update_class
from ._context import (
    Settings,
    api_options,
    date_filters,
    output_option,
    run,
    show_secrets_option,
)
from ._output import (
    number_writer,
    print_number,
    progress_bar,
    stderr_is_terminal,
    unreadable_note,
)
from ._params import check_search, choice
from ._prompt import ask, can_ask
from ._records import to_wire

__all__ = ["create", "delete", "get", "list_numbers", "update"]


FIRST_SCREEN = 30
"""How many numbers `list` shows on a terminal without --all or --limit, at most: as many
as fit the terminal's height, one line each, with the header, the note under the table
and the next prompt (never fewer than 5)."""
_AROUND_THE_ROWS = 5  # the header and its rule, the note, the prompt, a line to spare


def first_screen(console: Console) -> int:
    """How many numbers the first screen of `list` shows on `console`."""
    return max(5, min(FIRST_SCREEN, console.height - _AROUND_THE_ROWS))


@click.command("list")
@click.option(
    "--search",
    metavar="TEXT",
    callback=check_search,
    help="Match name, number or SIP URI (partial).",
)
@click.option("--sort", type=choice(["ASC", "DESC"]), help="Order by createdAt (asc or desc).")
@click.option("--limit", type=click.IntRange(min=0), help="At most this many numbers.")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Every number (on a terminal the table stops after a screenful without it).",
)
@date_filters
@output_option()
@show_secrets_option
@api_options()
@click.pass_obj
def list_numbers(
    settings: Settings,
    /,
    search: str | None,
    sort: str | None,
    limit: int | None,
    everything: bool,
    output: str,
    show_secrets: bool,
    **filters: Any,
) -> None:
    """List phone numbers, streamed page by page.

    On a terminal the table shows a screenful, at most 30 (--all: every one, with progress
    while it fetches); piped, every number is written. --output json is written whole at the end,
    so a listing that fails leaves no half-document behind.
    """
    if everything and limit is not None:
        raise click.UsageError("--all and --limit contradict each other: give one")
    console = Console(file=sys.stdout) if output == "table" and sys.stdout.isatty() else None
    screenful = console is not None and not everything and limit is None
    if console is not None and screenful:
        limit = first_screen(console)
    page_size = min(max(limit or 1000, 1), 1000)
    progress = (console is not None and not screenful) or (console is None and stderr_is_terminal())
    written = unreadable = 0
    total: int | None = None

    async def body() -> None:
        nonlocal written, total, unreadable
        async with settings.client() as client:
            pager = client.paginate(
                search=search, sort_order=sort, page_size=page_size, max_items=limit, **filters
            )
            writer = number_writer(output, sys.stdout, console)
            bar = progress_bar("list", None, enabled=progress, console=console, transient=True)
            try:
                with bar as tick:
                    async for page in pager.pages():
                        for number in page.results:
                            writer.write(to_wire(number, show_secrets=show_secrets))
                        writer.flush()
                        written += len(page.results)
                        unreadable += page.unreadable
                        total = page.metadata.total_items  # None: the page had none
                        shown = total
                        if total is not None and limit is not None:
                            shown = min(total, limit)
                        tick(written, shown)
                    if limit is None:  # the whole listing was asked for: was it all there?
                        pager.require_complete()
            except BaseException:
                writer.discard()
                raise
            writer.close()

    try:
        run(body())
    except VapiError:
        if written:
            click.echo(f"the listing stopped after {written} numbers", err=True)
        raise
    if unreadable:
        click.echo(unreadable_note(unreadable, "of the listing", "shown as they came"), err=True)
    if screenful and total is not None and total > written:
        click.echo(
            f"{written} of {total} numbers shown: --all shows every one, --limit N the first N",
            err=True,
        )


@click.command()
@click.argument("phone_number_id", metavar="ID")
@output_option()
@show_secrets_option
@api_options()
@click.pass_obj
def get(settings: Settings, phone_number_id: str, output: str, show_secrets: bool) -> None:
    """Show one phone number."""

    async def body() -> None:
        async with settings.client() as client:
            number = await client.get(phone_number_id)
        print_number(to_wire(number, show_secrets=show_secrets), output, sys.stdout)

    run(body())


@click.command()
@click.option("--json", "json_file", type=click.File("rb"), help="The body as JSON ('-': stdin).")
@click.option("--provider", type=choice(PROVIDERS), help="Where the number comes from.")
@click.option("--number", help="The number (+14155550100; E.164 for byo-phone-number).")
@click.option("--name", help="A name for the number (at most 40 characters).")
@click.option("--assistant-id", help="Route calls to this assistant.")
@click.option("--squad-id", help="Route calls to this squad.")
@click.option("--workflow-id", help="Route calls to this workflow.")
@click.option("--credential-id", help="byo-phone-number, vonage, telnyx: the credential.")
@click.option("--twilio-account-sid", help="twilio: the account SID.")
@click.option(
    "--twilio-auth-token", envvar="TWILIO_AUTH_TOKEN", show_envvar=True, help="twilio: auth token."
)
@click.option("--twilio-api-key", help="twilio: API key (instead of the auth token).")
@click.option(
    "--twilio-api-secret", envvar="TWILIO_API_SECRET", show_envvar=True, help="twilio: API secret."
)
@click.option("--sms-enabled/--no-sms-enabled", default=None, help="twilio: handle SMS.")
@click.option("--sip-uri", help="vapi: a SIP URI instead of a phone number.")
@click.option("--area-code", "number_desired_area_code", help="vapi: buy a number here.")
@click.option("--no-e164-check", is_flag=True, help="byo-phone-number: allow non-E.164.")
@click.option("--server-url", help="Send this number's webhooks here.")
@click.option("--allow-purchase", is_flag=True, help="vapi: buy the number (it costs money).")
@output_option()
@show_secrets_option
@api_options()
@click.pass_context
def create(
    ctx: click.Context,
    /,
    json_file: Any,
    output: str,
    show_secrets: bool,
    no_e164_check: bool,
    server_url: str | None,
    allow_purchase: bool,
    **flags: Any,
) -> None:
    """Create (import or buy) a phone number, from flags or a JSON body.

    Each flag belongs to some providers (see its help); one that does not belong to the
    chosen provider is refused, as is a JSON key that is not a field of it. A vapi
    number without --sip-uri is bought: that needs --allow-purchase.
    """
    settings: Settings = ctx.obj
    if json_file is not None:
        data = json_object(json_file.read(), "--json")
        provider = data.get("provider")
        if provider not in PROVIDERS:
            raise RequestValidationError(
                [FieldError("provider", f"must be one of {', '.join(PROVIDERS)}")]
            )
        check_keys(data, CREATE_BODIES[provider], provider)
    else:
        data = flags_body(ctx, flags, no_e164_check=no_e164_check, server_url=server_url)
    body = create_body(data)
    if is_purchase(body) and not allow_purchase:
        raise click.UsageError(
            "a vapi number without --sip-uri is bought from Vapi, which costs money: add "
            "--allow-purchase to buy it"
        )

    async def send() -> None:
        async with settings.client() as client:
            number = await client.create(body, allow_purchase=allow_purchase)
        print_number(to_wire(number, show_secrets=show_secrets), output, sys.stdout)

    run(send())


@click.command()
@click.argument("phone_number_id", metavar="ID")
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE", help="Set a field.")
@click.option("--unset", "unsets", multiple=True, metavar="FIELD", help="Clear a field.")
@click.option("--json", "json_file", type=click.File("rb"), help="Fields as JSON ('-': stdin).")
@output_option()
@show_secrets_option
@api_options()
@click.pass_obj
def update(
    settings: Settings,
    phone_number_id: str,
    sets: tuple[str, ...],
    unsets: tuple[str, ...],
    json_file: Any,
    output: str,
    show_secrets: bool,
) -> None:
    """Change fields of a phone number: --set assistantId=..., --unset squadId, or --json.

    A value is a string where the field takes one, JSON otherwise (true, {"url": ...}).
    """
    data = json_object(json_file.read(), "--json") if json_file is not None else None
    if not (sets or unsets or data):
        raise click.UsageError("nothing to change: give --set, --unset or --json")

    async def send() -> None:
        async with settings.client() as client:
            # The update body depends on the provider, which only the server knows.
            current = await client.get(phone_number_id)
            provider = to_wire(current)["provider"]
            cls = update_class(provider)
            if data:
                check_keys(data, cls, provider)
            body = update_body(cls, sets, unsets, data)
            number = await client.update(phone_number_id, body)
        print_number(to_wire(number, show_secrets=show_secrets), output, sys.stdout)

    run(send())


@click.command()
@click.argument("phone_number_id", metavar="ID")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@api_options()
@click.pass_obj
def delete(settings: Settings, phone_number_id: str, yes: bool) -> None:
    """Delete a phone number (asks first, showing its number and name, unless --yes)."""
    if can_ask(f"delete the number {phone_number_id}", yes=yes):

        async def look() -> dict[str, Any]:
            async with settings.client() as client:
                return to_wire(await client.get(phone_number_id))

        current = run(look())
        shown = current.get("number") or current.get("sipUri") or "a number"
        name = f' "{current["name"]}"' if current.get("name") else ""
        ask(f"Delete {shown}{name} ({current['provider']}, id {phone_number_id})?")

    async def send() -> None:
        async with settings.client() as client:
            number = await client.delete(phone_number_id)
        shown = None if number is None else to_wire(number).get("number")
        click.echo(f"deleted {phone_number_id}" + (f" ({shown})" if shown else ""))

    run(send())
