"""`vapi-phone fake-server`: the options of `python -m vapi_phone_async.testing`, under the
same names, with a known port and some numbers by default.

These tests stop short of serving (the process tests serve): `serve_until_interrupted`
is replaced by one that records the options it was given.
"""

from __future__ import annotations

import re

import pytest

from vapi_phone_async.cli import main
from vapi_phone_async.testing import SERVE_OPTIONS, TEST_API_KEY, ServeOptions
from vapi_phone_async.testing._serve import parse


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[ServeOptions]:
    """The options each `fake-server` run would have served the fake with."""
    runs: list[ServeOptions] = []

    def record(options: ServeOptions) -> int:
        runs.append(options)
        return 0

    monkeypatch.setattr("vapi_phone_async.testing.serve_until_interrupted", record)
    return runs


def flags_in(help_text: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", help_text)) - {"--help"}


def test_both_command_lines_take_the_same_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fake-server", "--help"]) == 0
    click_flags = flags_in(capsys.readouterr().out)
    with pytest.raises(SystemExit):
        parse(["--help"])
    argparse_flags = flags_in(capsys.readouterr().out)

    expected = {option.flag for option in SERVE_OPTIONS}
    assert expected >= {"--host", "--port", "--api-key", "--tie-rate", "--cursors", "--no-cursors"}
    assert click_flags == argparse_flags == expected


def test_every_option_reaches_the_fake(served: list[ServeOptions]) -> None:
    args = ["--host", "0.0.0.0", "--port", "0", "--numbers", "7", "--api-key", "k-1"]
    args += ["--seed", "3", "--tie-rate", "0.5", "--latency", "0.01", "--cursors", "ignored"]

    assert main(["fake-server", *args]) == 0
    assert served == [parse(args)]
    assert served[0] == ServeOptions(
        host="0.0.0.0",
        port=0,
        numbers=7,
        api_key="k-1",
        seed=3,
        tie_rate=0.5,
        latency=0.01,
        cursors="ignored",
    )
    assert "k-1" not in repr(served[0])


def test_the_subcommand_defaults_to_port_8787_and_100_numbers(
    served: list[ServeOptions],
) -> None:
    assert main(["fake-server"]) == 0
    expected = ServeOptions(port=8787, numbers=100)
    assert served == [expected] and expected.host == "127.0.0.1"
    assert expected.api_key == TEST_API_KEY


def test_the_old_key_flag_still_works_and_says_it_is_deprecated(
    served: list[ServeOptions], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fake-server", "--key", "old-key"]) == 0
    assert served[0].api_key == "old-key"
    assert "--key is deprecated, use --api-key" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--tie-rate", "1.5"], "--tie-rate"),
        (["--port", "70000"], "--port"),
        (["--numbers", "-1"], "--numbers"),
        (["--latency", "nan"], "--latency"),
        (["--cursors", "yes"], "--cursors"),
    ],
)
def test_a_bad_value_is_a_usage_error_naming_the_flag_on_both(
    args: list[str], flag: str, served: list[ServeOptions], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fake-server", *args]) == 2
    assert flag in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        parse(args)
    assert exited.value.code == 2 and flag in capsys.readouterr().err
    assert served == []
