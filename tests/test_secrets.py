"""Secrets never show in a repr, a str or an error message; that they are set does."""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from typing import Any

import msgspec
import pytest

from vapi_phone_async import decode_page, decode_phone_number, validate_body
from vapi_phone_async._responses import status_error
from vapi_phone_async._secrets import redact_text, secret_values
from vapi_phone_async.bulk import Change
from vapi_phone_async.errors import RequestValidationError, ResponseDecodeError
from vapi_phone_async.models import (
    BackoffPlan,
    CreateByoPhoneNumber,
    CreateTwilioPhoneNumber,
    CreateVapiPhoneNumber,
    PaginationMeta,
    PhoneNumberPage,
    Server,
    SipAuthentication,
    TwilioPhoneNumber,
    UnknownItem,
    UnknownPhoneNumber,
    UpdateByoPhoneNumber,
    UpdateTwilioPhoneNumber,
    UpdateVapiPhoneNumber,
    VapiPhoneNumber,
)

AUTH_TOKEN = "S3CRET-twilio-auth-token"
API_SECRET = "S3CRET-twilio-api-secret"
PASSWORD = "S3CRET-sip-password-0123"
SERVER_SECRET = "S3CRET-server-secret"
HEADER_VALUE = "Bearer S3CRET-header"
SECRETS = (AUTH_TOKEN, API_SECRET, PASSWORD, SERVER_SECRET, HEADER_VALUE)
API_KEY = "sk-S3CRET-api-key-0123"


def server() -> Server:
    return Server(
        url="https://hooks.example.com/vapi",
        secret=SERVER_SECRET,
        headers={"Authorization": HEADER_VALUE},
        backoff_plan=BackoffPlan(type="fixed", max_retries=2, base_delay_seconds=1),
    )


def authentication() -> SipAuthentication:
    return SipAuthentication(
        realm="sip.example.com", username="user-0123456789abcdef", password=PASSWORD
    )


RAW_SECRETS: dict[str, Any] = {
    "twilioAuthToken": AUTH_TOKEN,
    "twilioApiSecret": API_SECRET,
    "authentication": {"username": "u", "password": PASSWORD},
    "server": {"secret": SERVER_SECRET, "headers": {"Authorization": HEADER_VALUE}},
}

MODELS = {
    "twilio number": TwilioPhoneNumber(
        id="pn_1", twilio_auth_token=AUTH_TOKEN, twilio_api_secret=API_SECRET, server=server()
    ),
    "vapi number": VapiPhoneNumber(id="pn_2", authentication=authentication(), server=server()),
    "create twilio": CreateTwilioPhoneNumber(
        number="+14155550100",
        twilio_account_sid="AC123",
        twilio_auth_token=AUTH_TOKEN,
        twilio_api_secret=API_SECRET,
        server=server(),
    ),
    "create vapi": CreateVapiPhoneNumber(authentication=authentication()),
    "create byo": CreateByoPhoneNumber(credential_id="cred", server=server()),
    "update twilio": UpdateTwilioPhoneNumber(
        twilio_auth_token=AUTH_TOKEN, twilio_api_secret=API_SECRET
    ),
    "update vapi": UpdateVapiPhoneNumber(authentication=authentication(), server=server()),
    "update byo": UpdateByoPhoneNumber(server=server()),
    "server": server(),
    "sip authentication": authentication(),
    "unknown phone number": UnknownPhoneNumber(
        {"provider": "sip-trunk-2", "id": "pn_3", **RAW_SECRETS}
    ),
    "unknown item": UnknownItem({"type": "assistant", **RAW_SECRETS}),
    "page": PhoneNumberPage(
        results=[
            TwilioPhoneNumber(id="pn_1", twilio_auth_token=AUTH_TOKEN, server=server()),
            UnknownPhoneNumber({"provider": "sip-trunk-2", "id": "pn_3", **RAW_SECRETS}),
        ],
        metadata=PaginationMeta(items_per_page=2, total_items=2, current_page=1),
    ),
    "a list of numbers": [VapiPhoneNumber(id="pn_2", authentication=authentication())],
}


@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_repr_and_str_hide_every_secret_value(model: object) -> None:
    for text in (repr(model), str(model)):
        for secret in SECRETS:
            assert secret not in text
        assert "'<set>'" in text


@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_hiding_is_only_in_the_text_the_values_are_still_sent(model: object) -> None:
    encoded = msgspec.json.encode(model).decode()
    assert any(secret in encoded for secret in SECRETS)


def test_repr_says_which_secret_is_set_and_shows_the_header_names() -> None:
    text = repr(MODELS["twilio number"])
    assert "twilio_auth_token='<set>'" in text
    assert "twilio_api_secret='<set>'" in text
    assert "secret='<set>'" in text
    assert "headers={'Authorization': '<set>'}" in text
    assert "https://hooks.example.com/vapi" in text  # what is not secret still shows


def test_an_unset_secret_is_not_shown_as_set() -> None:
    assert "<set>" not in repr(TwilioPhoneNumber(id="pn_1", twilio_account_sid="AC1"))


def test_an_update_clearing_a_secret_shows_none() -> None:
    assert repr(UpdateTwilioPhoneNumber(twilio_auth_token=None)) == (
        "UpdateTwilioPhoneNumber(twilio_auth_token=None)"
    )


def test_server_headers_of_an_unexpected_shape_are_hidden_whole() -> None:
    """The lenient decoder keeps malformed `headers` beside the number; repr hides them."""
    raw = {
        "provider": "twilio",
        "id": "pn_1",
        "hooks": [{"on": "call.started", "headers": [HEADER_VALUE]}],
        "server": {"headers": [f"Authorization: {HEADER_VALUE}"]},
    }
    number = decode_phone_number(json.dumps(raw).encode())
    assert isinstance(number, TwilioPhoneNumber)
    assert isinstance(number.server, Server)
    assert HEADER_VALUE not in repr(number)
    assert number.server.headers is None
    assert number.invalid_fields["server.headers"] == [f"Authorization: {HEADER_VALUE}"]
    assert "'server.headers': '<set>'" in repr(number)


def test_decoded_numbers_hide_their_secrets() -> None:
    raw = {"provider": "twilio", "id": "pn_1", **RAW_SECRETS}
    number = decode_phone_number(json.dumps(raw).encode())
    assert isinstance(number, TwilioPhoneNumber)
    assert number.twilio_auth_token == AUTH_TOKEN
    for secret in SECRETS:
        assert secret not in repr(number)


def test_the_older_server_url_secret_is_hidden_too() -> None:
    number = UnknownPhoneNumber({"provider": "old", "id": "pn_1", "serverUrlSecret": SERVER_SECRET})
    assert SERVER_SECRET not in repr(number)


@pytest.mark.parametrize(
    "fragment",
    [
        f'"twilioAuthToken": "{AUTH_TOKEN}"',
        f'"twilioApiSecret": "{API_SECRET}"',
        f'"authentication": {{"username": "u", "password": "{PASSWORD}"}}',
        f'"server": {{"secret": "{SERVER_SECRET}"}}',
        f'"server": {{"headers": {{"Authorization": "{HEADER_VALUE}"}}}}',
    ],
)
@pytest.mark.parametrize("ending", ["}", ""], ids=["not a page", "cut off"])
def test_response_decode_errors_hide_secrets(fragment: str, ending: str) -> None:
    body = ('{"provider": "twilio", "id": 1, ' + fragment + ending).encode()
    with pytest.raises(ResponseDecodeError) as caught:
        decode_page(body)
    for secret in SECRETS:
        assert secret not in str(caught.value)
        assert secret not in repr(caught.value)


def test_request_validation_errors_hide_secrets() -> None:
    body = CreateVapiPhoneNumber(
        authentication=SipAuthentication(username="short", password="S3CRET"),
        server=Server(secret=SERVER_SECRET, headers={"X": HEADER_VALUE}, timeout_seconds=0),
    )
    with pytest.raises(RequestValidationError) as caught:
        validate_body(body)
    assert caught.value.field == "authentication.username"
    assert {e.path for e in caught.value.errors} >= {"authentication.password"}
    for secret in (*SECRETS, "S3CRET"):
        assert secret not in str(caught.value)


def test_every_secret_field_of_a_model_is_a_secret_key_of_raw_data() -> None:
    """Reprs hide fields by attribute, raw data by JSON key: the two lists must agree."""
    import msgspec

    import vapi_phone_async.models as models
    from vapi_phone_async._secrets import SECRET_KEYS
    from vapi_phone_async.models._base import Model

    classes = [
        cls
        for name in models.__all__
        if isinstance(cls := getattr(models, name), type) and issubclass(cls, Model)
    ]
    checked = 0
    for cls in classes:
        wire = {f.name: f.encode_name for f in msgspec.structs.fields(cls)}
        for field in cls.__secret_fields__:
            assert wire[field] in SECRET_KEYS, f"{cls.__name__}.{field}"
            checked += 1
        for field in cls.__secret_mapping_fields__:
            assert wire[field] == "headers", f"{cls.__name__}.{field}"
    assert checked >= 8  # the Twilio token and secret thrice, the SIP password, the server secret


# Text that may reach a message, a log line or a file.


@pytest.mark.parametrize(
    "text",
    [
        # JSON, whole and cut off inside a secret.
        f'{{"provider":"twilio","twilioAuthToken":"{AUTH_TOKEN}","twilioApiSecret":"{API_SECRET}"}}',
        f'{{"provider":"twilio","twilioAuthToken":"{AUTH_TOKEN}","twilioApiSecret":"{API_SECRET[:8]}',
        # A form, and YAML or a log line.
        f"provider=twilio&twilioAuthToken={AUTH_TOKEN}&twilioApiSecret={API_SECRET}",
        f"authentication:\n  password: {PASSWORD}\nserver:\n  secret: {SERVER_SECRET}",
        # JSON of headers.
        f'{{"server":{{"headers":{{"Authorization":"{HEADER_VALUE}"}},"secret":"{SERVER_SECRET}"}}}}',
    ],
    ids=["json", "json cut off", "form", "yaml", "headers"],
)
def test_redacted_text_holds_no_secret_whatever_its_format(text: str) -> None:
    redacted = redact_text(text)
    for secret in SECRETS:
        assert secret not in redacted
        assert secret[:8] not in redacted
    assert "<set>" in redacted or "<redacted>" in redacted


def test_known_values_are_hidden_anywhere_and_so_is_a_prefix_of_one_at_a_cut() -> None:
    text = f"<html>echo: key {API_KEY} and token {AUTH_TOKEN[:7]}"
    redacted = redact_text(text, known={API_KEY, AUTH_TOKEN})
    assert API_KEY not in redacted and AUTH_TOKEN[:7] not in redacted
    assert redacted == "<html>echo: key <set> and token <set>"
    assert redact_text("the word set", known={"abc"}) == "the word set"  # too short to hunt


def test_the_secrets_of_a_request_body_are_found_for_hiding() -> None:
    body = msgspec.to_builtins(
        CreateVapiPhoneNumber(
            sip_uri="sip:desk@example.sip.vapi.ai",
            authentication=SipAuthentication(username="u" * 20, password=PASSWORD),
            server=server(),
        )
    )
    assert secret_values(body) == {PASSWORD, SERVER_SECRET, HEADER_VALUE}


def test_an_error_body_echoing_a_request_holds_no_secret_in_any_of_its_texts() -> None:
    echo = (
        f'{{"provider":"twilio","twilioAuthToken":"{AUTH_TOKEN}","twilioApiSecret":"{API_SECRET}'
    ).encode()
    for body in (echo, b'{"message": "bad token ' + AUTH_TOKEN.encode() + b'"}'):
        error = status_error("POST", "/phone-number", 500, {}, body, {AUTH_TOKEN, API_SECRET})
        texts = [str(error), repr(error), repr(error.args), error.message, repr(error.body)]
        for text in texts:
            assert AUTH_TOKEN not in text and API_SECRET[:8] not in text


# A value a server writes back in an encoding, with no key beside it to tell it is secret:
# only the values the request carried (`known`) can find it.
AWKWARD = 'Zq"tok\\en/Pk+eq=Jr&lt<é—😀 Wv'


def _owasp_html(text: str) -> str:
    named = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "é": "&eacute;"}
    numeric = {"/": "&#x2F;", "+": "&#43;", "=": "&#61;", "'": "&#x27;"}
    return "".join(
        named.get(c) or numeric.get(c) or (f"&#{ord(c)};" if ord(c) > 0x7F else c) for c in text
    )


ENCODED = {
    "raw": AWKWARD,
    "json": json.dumps(AWKWARD)[1:-1],
    "json, ascii, slash": json.dumps(AWKWARD, ensure_ascii=True).replace("/", "\\/")[1:-1],
    "form": urllib.parse.quote_plus(AWKWARD),
    "percent": urllib.parse.quote(AWKWARD, safe=""),
    "percent, lowercase hex": re.sub(
        "%..", lambda m: m.group().lower(), urllib.parse.quote(AWKWARD, safe="")
    ),
    "html": html.escape(AWKWARD),
    "html, owasp": _owasp_html(AWKWARD),
    "html, decimal": "".join(
        f"&#{ord(c)};" if c in "&<>\"'" or ord(c) > 0x7F else c for c in AWKWARD
    ),
    "json in html": html.escape(json.dumps(AWKWARD)[1:-1]),
    "json in a form": urllib.parse.quote_plus(json.dumps(AWKWARD)[1:-1]),
    "json in json": json.dumps(json.dumps(AWKWARD)[1:-1])[1:-1],
    "html in json": json.dumps(html.escape(AWKWARD))[1:-1],
    "percent twice": urllib.parse.quote(urllib.parse.quote(AWKWARD, safe=""), safe=""),
    "html twice": html.escape(html.escape(AWKWARD)),
}


@pytest.mark.parametrize("written", ENCODED.values(), ids=ENCODED.keys())
def test_a_known_value_is_hidden_in_any_encoding_a_server_echoes_it_in(written: str) -> None:
    text = f"<p>the value {written} is not valid</p>"

    assert redact_text(text, known={AWKWARD}) == "<p>the value <set> is not valid</p>"
    error = status_error("POST", "/phone-number", 400, {}, text.encode(), {AWKWARD})
    assert error.body == "<p>the value <set> is not valid</p>"
    quoted = json.dumps({"message": f"bad: {written}"}).encode()
    error = status_error("POST", "/phone-number", 400, {}, quoted, {AWKWARD})
    assert error.body == {"message": "bad: <set>"} and error.message == "bad: <set>"


@pytest.mark.parametrize("written", ENCODED.values(), ids=ENCODED.keys())
@pytest.mark.parametrize("kept", [0.3, 0.55, 0.8])
def test_the_start_of_a_known_value_cut_off_in_any_encoding_is_hidden(
    written: str, kept: float
) -> None:
    cut = written[: int(len(written) * kept)]
    assert redact_text(f"echo: {cut}", known={AWKWARD}) == "echo: <set>"


def test_what_only_looks_like_an_escape_is_left_as_it_is() -> None:
    text = "a &notanentity; b %zz c \\q d + e"
    assert redact_text(text, known={AWKWARD}) == text


def test_a_change_of_a_secret_shows_that_it_changed_not_its_values() -> None:
    token = Change("twilioAuthToken", AUTH_TOKEN, API_SECRET)
    nested = Change(
        "server",
        {"url": "https://a.example", "secret": SERVER_SECRET},
        {"url": "https://a.example", "secret": "other-server-secret"},
    )
    cleared = Change("twilioAuthToken", AUTH_TOKEN, None)

    assert str(token) == "twilioAuthToken <set> -> <set> (changed)"
    assert repr(token) == "Change(twilioAuthToken <set> -> <set> (changed))"
    assert str(nested).endswith("(changed)") and "'secret': '<set>'" in str(nested)
    assert str(cleared) == "twilioAuthToken <set> -> None"
    assert str(Change("name", "Desk", "Front")) == "name 'Desk' -> 'Front'"
    for change in (token, nested, cleared):
        for text in (str(change), repr(change), repr(change.shown())):
            assert all(secret not in text for secret in (*SECRETS, "other-server-secret"))
