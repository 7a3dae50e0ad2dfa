"""Which JSON keys hold secrets, and their redaction from mappings and from raw text.

Two forms of the same rule: `redact_mapping` for decoded JSON (a repr, an export, the
body of an error), and `redact_text` for any other text that may reach a message, a log
line or a file: JSON cut off anywhere, a form or a `key: value` echo of a request, HTML.
Every value under a key in `SECRET_KEYS`, and every value of a `headers` object, is
replaced by `REDACTED`. Both also take the secret values the caller knows it sent (the API
key, the secrets of a request body: `secret_values`) and hide those wherever they appear,
as they are or in any encoding a server may echo them in (JSON-escaped, percent- or
form-encoded, HTML character references, one inside another: see `_encodings`), a prefix
of one left at the end of a cut-off text included.

`key_fingerprint` names an API key without holding it (the apply lock's and the Redis
pacing's account).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Sequence
from typing import Any

from ._encodings import spans

__all__ = [
    "MAX_DEPTH",
    "REDACTED",
    "SECRET_KEYS",
    "excerpt",
    "key_fingerprint",
    "redact_at",
    "redact_mapping",
    "redact_text",
    "redact_values",
    "secret_values",
]

REDACTED = "<set>"

# serverUrlSecret is the older docs' name for server.secret, which old numbers may carry.
SECRET_KEYS = frozenset(
    {"twilioAuthToken", "twilioApiSecret", "password", "secret", "serverUrlSecret"}
)


# Shorter values are not scrubbed as text: "abc" would hide parts of ordinary words.
_SHORTEST_SCRUBBED = 4


# Deeper than this, a value is hidden whole: no API object nests so deep, and a hostile
# body nesting thousands deep must not exhaust the interpreter's stack.
MAX_DEPTH = 64
TOO_DEEP = "<nested too deeply>"


def redact_mapping(value: Any, known: Collection[str] = (), depth: int = 0) -> Any:
    """A copy of decoded JSON with secret values (and every header value) hidden, and the
    `known` secret values hidden wherever they appear in a string of it."""
    if isinstance(value, dict | list) and depth >= MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in SECRET_KEYS and item is not None:
                out[key] = REDACTED
            elif key == "headers" and item is not None:
                out[key] = redact_values(item)
            else:
                out[key] = redact_mapping(item, known, depth + 1)
        return out
    if isinstance(value, list):
        return [redact_mapping(item, known, depth + 1) for item in value]
    if isinstance(value, str) and known:
        return _scrub(value, known)
    return value


def redact_at(path: Sequence[str | int], value: Any) -> Any:
    """`value`, found at `path` inside a decoded object, with the same rule applied: hidden
    under a secret key or inside `headers`, else with the secrets inside it hidden."""
    keys = [part for part in path if isinstance(part, str)]
    if value is None:
        return None
    if keys and keys[-1] in SECRET_KEYS:
        return REDACTED
    if "headers" in keys:
        return redact_values(value) if keys[-1] == "headers" else REDACTED
    return redact_mapping(value)


def key_fingerprint(api_key: str) -> str:
    """16 hex digits of the key's SHA-256: the same for the same key, and no way back to it."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


def secret_values(value: Any, depth: int = 0) -> set[str]:
    """The secret strings in decoded JSON: values under `SECRET_KEYS`, and header values."""
    found: set[str] = set()
    if depth >= MAX_DEPTH:
        return found
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SECRET_KEYS and isinstance(item, str):
                found.add(item)
            elif key == "headers" and isinstance(item, dict):
                found.update(v for v in item.values() if isinstance(v, str))
            else:
                found |= secret_values(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            found |= secret_values(item, depth + 1)
    return found


def redact_values(value: Any) -> Any:
    """A mapping's keys with every value hidden; anything else (a malformed one) hidden whole."""
    if isinstance(value, dict):
        return {key: REDACTED for key in value}
    return REDACTED


_KEYS = "|".join(sorted(SECRET_KEYS))
_SECRET_VALUE = re.compile(
    rf'"({_KEYS})"\s*:\s*'  # a secret key, then its string value,
    r'"(?:[^"\\]|\\.)*(?:"|\\?\Z)'  # also when the text is cut off inside it
)
# The same key outside JSON: `twilioAuthToken=...` (a form), `secret: ...` (YAML, a log).
_SECRET_PAIR = re.compile(rf"(?<![\w\"])({_KEYS})(\s*[=:]\s*)(?![\s\"{{<])[^\s&,;}}\]<]+")
_HEADERS_START = re.compile(r'"headers"\s*:\s*\{')
_EXCERPT_CHARS = 200


def redact_text(text: str, known: Collection[str] = ()) -> str:
    """`text` with the secret values in it hidden: those of any JSON in it, even JSON cut
    off midway, those of `key=value` pairs, and the `known` values wherever they are."""
    text = _SECRET_VALUE.sub(rf'"\1":"{REDACTED}"', text)
    text = _SECRET_PAIR.sub(rf"\1\2{REDACTED}", text)
    text = _redact_headers(text)
    return _scrub(text, known) if known else text


def _scrub(text: str, known: Collection[str]) -> str:
    """`text` without the `known` values, as they are or in any encoding a server may
    echo them in, nor the start of one where a cut left it at the end."""
    values = [value for value in known if len(value) >= _SHORTEST_SCRUBBED]
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, REDACTED)  # the usual echo, found at C speed
    found = sorted(spans(text, values, _SHORTEST_SCRUBBED)) if values else []
    if not found:
        return text
    parts: list[str] = []
    position = 0
    for start, end in found:
        if end <= position:
            continue  # inside a part already hidden
        if start >= position:
            parts.append(text[position:start] + REDACTED)
        position = end
    parts.append(text[position:])
    return "".join(parts)


def excerpt(data: bytes) -> str:
    """The start of a body for an error message, with secret values redacted."""
    # Redact before cutting, so a cut never leaves half a secret unredacted.
    text = data[: 16 * _EXCERPT_CHARS].decode("utf-8", errors="replace")
    return redact_text(text)[:_EXCERPT_CHARS]


def _redact_headers(text: str) -> str:
    """Hide each `headers` object whole, up to its closing brace or the end of the text."""
    parts: list[str] = []
    pos = 0
    while (match := _HEADERS_START.search(text, pos)) is not None:
        parts.append(text[pos : match.start()] + '"headers":{<redacted>}')
        pos = _object_end(text, match.end())
    parts.append(text[pos:])
    return "".join(parts)


def _object_end(text: str, start: int) -> int:
    """The index after the `}` closing the object whose body starts at `start` (or the end).

    Braces inside strings do not count, so a header value like `"a}b"` hides nothing after.
    """
    depth, in_string, escaped = 1, False, False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)
