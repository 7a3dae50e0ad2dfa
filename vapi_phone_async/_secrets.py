"""Which JSON keys hold secrets, and their redaction from mappings and from raw text.

Two forms of the same rule: `redact_mapping` for decoded JSON (a repr, an export), and
`redact_text` for text that may be JSON cut off anywhere (a response body in an error
message). Every value under a key in `SECRET_KEYS`, and every value of a `headers`
object, is replaced by `REDACTED`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = [
    "REDACTED",
    "SECRET_KEYS",
    "excerpt",
    "redact_at",
    "redact_mapping",
    "redact_text",
    "redact_values",
]

REDACTED = "<set>"

# serverUrlSecret is the older docs' name for server.secret, which old numbers may carry.
SECRET_KEYS = frozenset(
    {"twilioAuthToken", "twilioApiSecret", "password", "secret", "serverUrlSecret"}
)


def redact_mapping(value: Any) -> Any:
    """A copy of decoded JSON with secret values (and every header value) hidden."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in SECRET_KEYS and item is not None:
                out[key] = REDACTED
            elif key == "headers" and item is not None:
                out[key] = redact_values(item)
            else:
                out[key] = redact_mapping(item)
        return out
    if isinstance(value, list):
        return [redact_mapping(item) for item in value]
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


def redact_values(value: Any) -> Any:
    """A mapping's keys with every value hidden; anything else (a malformed one) hidden whole."""
    if isinstance(value, dict):
        return {key: REDACTED for key in value}
    return REDACTED


_SECRET_VALUE = re.compile(
    rf'"({"|".join(sorted(SECRET_KEYS))})"\s*:\s*'  # a secret key, then its string value,
    r'"(?:[^"\\]|\\.)*(?:"|\\?\Z)'  # also when the text is cut off inside it
)
_HEADERS_START = re.compile(r'"headers"\s*:\s*\{')
_EXCERPT_CHARS = 200


def redact_text(text: str) -> str:
    """`text` with the secret values of any JSON in it hidden, even JSON cut off midway."""
    text = _SECRET_VALUE.sub(rf'"\1":"{REDACTED}"', text)
    return _redact_headers(text)


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
