"""The request written back in the ways servers and proxies write it (the `echo` fault's
`encoding`), to check that a client hides a secret it sent in every one of them."""

from __future__ import annotations

import html.entities
import json
import urllib.parse
from collections.abc import Iterator
from typing import Any, Literal, get_args

__all__ = ["ENCODINGS", "EchoEncoding", "echoed"]

EchoEncoding = Literal["raw", "json", "form", "percent", "html"]
ENCODINGS: tuple[str, ...] = get_args(EchoEncoding)

# What an HTML encoder of the cautious kind (OWASP's) writes as a character reference,
# where HTML has no name for it: hex for some, decimal for others, as encoders differ.
_HTML_SPECIAL = {"'": "&#x27;", "/": "&#x2F;", "+": "&#43;", "=": "&#61;"}


def echoed(body: bytes, encoding: str) -> tuple[bytes, str]:
    """`body` (a request's JSON) written back in `encoding`, and its content type.

    `raw`: as sent. `json`: as a JSON string (non-ASCII as `\\uXXXX`, `/` as `\\/`) in
    plain text, so the client cannot parse it. `form`: its leaves as a form
    (`server.secret=a%22b+c`). `percent`: its leaves as a query string (`%20` for a
    space). `html`: in an HTML page, `&<>"'/+=` and non-ASCII as references, named where
    HTML has a name (`&quot;`, `&eacute;`), else numeric (`&#x2F;`, `&#43;`, `&#8212;`).
    """
    text = body.decode("utf-8", "replace")
    if encoding == "raw":
        return f"invalid request: {text}".encode(), "text/plain"
    if encoding == "json":
        quoted = json.dumps(text, ensure_ascii=True).replace("/", "\\/")
        return f"invalid request: {quoted}".encode(), "text/plain"
    if encoding in ("form", "percent"):
        quote = urllib.parse.quote_plus if encoding == "form" else urllib.parse.quote
        pairs = _leaves(_parsed(text))
        form = "&".join(f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in pairs)
        return form.encode(), "application/x-www-form-urlencoded"
    if encoding == "html":
        page = f"<html><body><h1>400</h1><pre>{_html(text)}</pre></body></html>"
        return page.encode(), "text/html"
    raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)} (got {encoding!r})")


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Each value that is not an object or a list, by its dotted path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    elif value is not None:
        yield path, value if isinstance(value, str) else json.dumps(value)


def _html(text: str) -> str:
    out = []
    for char in text:
        if char in '&<>"':
            out.append(f"&{html.entities.codepoint2name[ord(char)]};")
        elif char in _HTML_SPECIAL:
            out.append(_HTML_SPECIAL[char])
        elif ord(char) > 0x7F:
            name = html.entities.codepoint2name.get(ord(char))
            out.append(f"&{name};" if name else f"&#{ord(char)};")
        else:
            out.append(char)
    return "".join(out)
