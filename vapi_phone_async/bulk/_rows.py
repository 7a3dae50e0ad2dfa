"""Wire mappings (a row of a file, an exported number, a JSON body) to request bodies.

Every failure is a `RequestValidationError` naming the field by its wire path. What the
server assigns (`id`, `orgId`, timestamps, `status`) is ignored, and hidden secrets are
left out: the `<set>` placeholders an export writes, and the masks a server that does not
show secrets may answer with (`********`), which an export with `--show-secrets` copies.
Such a field is unknown, not empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._lenient import split_unknown
from .._secrets import REDACTED, SECRET_KEYS
from .._validate import body_errors, convert
from .._wire import nest
from ..errors import FieldError, RequestValidationError
from ..models import PHONE_NUMBER_CLASSES, PROVIDERS, CreatePhoneNumber

__all__ = [
    "create_body",
    "hidden_paths",
    "holds_secret",
    "is_hidden",
    "unknown_fields",
    "without_hidden",
]

# A server that does not show a secret may answer with a mask in its place: asterisks or
# bullets, sometimes followed by the last few characters. Never a value to send.
_MASK_CHARS = frozenset("*\u2022")
_MASK_PREFIX = 4


def is_hidden(value: Any, *, secret: bool = True) -> bool:
    """Whether `value` stands for a secret rather than being one: the `<set>` placeholder
    of an export, or, where a secret sits (`secret`), a server's mask (`********`,
    `****1234`)."""
    if not isinstance(value, str):
        return False
    if value == REDACTED:
        return True
    return (
        secret
        and len(value) >= _MASK_PREFIX
        and all(char in _MASK_CHARS for char in value[:_MASK_PREFIX])
    )


def holds_secret(key: Any, parent: Any = None) -> bool:
    """Whether the value under `key` (inside `parent`'s value) is a secret: a key of
    `SECRET_KEYS`, or a header."""
    return key in SECRET_KEYS or parent == "headers"


def create_body(data: Mapping[str, Any], *, strict: bool = True) -> CreatePhoneNumber:
    """The create body for a mapping in wire form (an exported number will do: what the
    server assigns is ignored, and `<set>` placeholders of hidden secrets are left out),
    checked against the spec's rules."""
    hidden: set[str] = set()
    cleaned = without_hidden(data, hidden)
    provider = cleaned.get("provider")
    if provider not in PROVIDERS:
        raise RequestValidationError(
            [FieldError("provider", f"must be one of {', '.join(PROVIDERS)} (got {provider!r})")]
        )
    # The models refuse fields they do not know: what a create does not take (what the
    # server assigns, fields this version does not know) is left out first.
    cleaned, _ = split_unknown(cleaned, CreatePhoneNumber)
    try:
        body: CreatePhoneNumber = convert(cleaned, CreatePhoneNumber, strict=strict)  # type: ignore[arg-type]
    except RequestValidationError as error:
        if error.field in hidden:
            rule = "was exported hidden (<set>): export with --show-secrets to import it"
            raise RequestValidationError([FieldError(error.field, rule)]) from None
        raise
    errors = body_errors(body)
    if errors:
        raise RequestValidationError(errors)
    return body


def without_hidden(data: Mapping[str, Any], hidden: set[str] | None = None) -> dict[str, Any]:
    """`data` without the `<set>` placeholders of hidden secrets (nor an object that held
    only such); their wire paths are added to `hidden`."""
    found = hidden if hidden is not None else set()
    cleaned: dict[str, Any] = _without(dict(data), "", found)
    return cleaned


def _without(value: Any, path: str, hidden: set[str], parent: Any = None) -> Any:
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        where = f"{path}.{key}" if path else key
        if is_hidden(item, secret=holds_secret(key, parent)):
            hidden.add(where)
            continue
        cleaned = _without(item, where, hidden, key)
        if isinstance(item, dict) and item and not cleaned:
            hidden.add(where)
            continue  # held only secrets (server.headers): leave it out entirely
        out[key] = cleaned
    return out


def hidden_paths(value: Any, path: str = "", parent: Any = None) -> list[str]:
    """The wire paths of the hidden secrets in `value` (`server.secret`,
    `server.headers.X-Api-Key`), in order; objects only (a list is never merged)."""
    found: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if is_hidden(item, secret=holds_secret(key, parent)):
                found.append(where)
            elif isinstance(item, Mapping):
                found.extend(hidden_paths(item, where, key))
    return found


def unknown_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a number in wire form (an export line) that this version does not
    know, as one nested mapping: what `extra_body` re-sends when asked to.

    Fields the models know but a create body does not take (`id`, `status`...) are not
    among them; neither are fields inside a list (a hook's), which cannot be merged, nor
    the `<set>` placeholders of hidden secrets.
    """
    provider = data.get("provider")
    cls = PHONE_NUMBER_CLASSES.get(provider) if isinstance(provider, str) else None
    if cls is None:
        return {}
    return nest(split_unknown(without_hidden(data), cls)[1])
