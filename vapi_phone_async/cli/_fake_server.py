"""`fake-server`: the bundled FakeVapiServer served until Ctrl+C, to try the other commands
on, with the options of `python -m vapi_phone_async.testing` as click options."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ..testing import ServeOption

__all__ = ["fake_server"]

# A person starting a fake to try the other commands gets a port to point them at and
# numbers to list; the fake's own defaults (a free port, no numbers) suit code.
_FAKE_SERVER_DEFAULTS = {"port": 8787, "numbers": 100}


class _FakeServerCommand(click.Command):
    """A command whose options are the served fake's own (`SERVE_OPTIONS`, shared with
    `python -m vapi_phone_async.testing`), read only when this command runs or shows its
    help: the other commands never import the fake and aiohttp.web."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        if not self.params:
            from ..testing import SERVE_OPTIONS

            deprecated_key = click.Option(["--key"], hidden=True, help="Old name of --api-key.")
            self.params = [*map(_click_option, SERVE_OPTIONS), deprecated_key]
        return super().get_params(ctx)


def _click_option(option: ServeOption) -> click.Option:
    """The click option for one of the fake's options, checked as the fake checks it."""
    described = option.describe()
    text = f"{described[0].upper()}{described[1:]}."
    if option.kind is bool:
        return click.Option([option.flag], is_flag=True, help=text)

    def check(_ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        try:
            option.check(value)
        except ValueError as error:
            raise click.BadParameter(str(error)) from None
        return value

    default = _FAKE_SERVER_DEFAULTS.get(option.name, option.default)
    return click.Option(
        [option.flag],
        type=option.kind,
        default=default,
        show_default=True,
        callback=check,
        help=text,
    )


@click.command("fake-server", cls=_FakeServerCommand)
def fake_server(key: str | None, **options: Any) -> None:
    """Serve a fake Vapi API until Ctrl+C (for trying the other commands).

    It listens on 127.0.0.1:8787 unless told otherwise: `--host 0.0.0.0` lets other
    machines and containers reach it. The options are those of `python -m
    vapi_phone_async.testing`.
    """
    from ..testing import ServeOptions, serve_until_interrupted

    if key is not None:
        click.echo("warning: --key is deprecated, use --api-key", err=True)
        options["api_key"] = key
    serve_until_interrupted(ServeOptions(**options))
