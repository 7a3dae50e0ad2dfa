"""The encodings a server may echo a value in, decoded, with a map back to the text.

A server that writes back what it was sent may escape it as a JSON string (`\\"`,
`\\u00e9`, `\\/`), percent-encode it (`%C3%A9`; a form also writes a space as `+`), or
write HTML character references (`&quot;`, `&#34;`, `&#x22;`, `&eacute`), and may do one
inside another (JSON echoed in an HTML page: `\\&quot;`; encoded twice: `%2522`). `spans`
finds a value in a text written any of those ways, one or two deep, and gives where it is
in the text as written, so that exactly that part can be hidden.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from collections.abc import Collection, Iterator

__all__ = ["spans"]

# One decoded escape: its start and end in the decoded text, then in the text.
Escape = tuple[int, int, int, int]

_JSON = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"  # a surrogate pair
    r"|\\u[0-9a-fA-F]{4}|\\[\"\\/bfnrt]"
)
_JSON_SHORT = {
    **{char: char for char in '"\\/'},
    **{"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"},
}
_PERCENT = re.compile(r"(?:%[0-9a-fA-F]{2})+")
_FORM = re.compile(r"(?:%[0-9a-fA-F]{2})+|\+")
_HTML = re.compile(r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});?")
# An escape cut off at the end of a text: `\`, `\u00`, `%C`, `&qu`, `&#x2`.
_CUT_ESCAPE = re.compile(r"(?:\\(?:u[0-9a-fA-F]{0,3})?|%[0-9a-fA-F]?|&#?[xX]?[0-9a-zA-Z]{0,31})\Z")


def _pieces(name: str, escape: str) -> tuple[tuple[str, int], ...]:
    """The characters an escape (or a run of them) stands for, each with the length of
    its own part of the escape; empty when it stands for itself (`&notanentity;`)."""
    # The same few escapes recur through a text: decode each once.
    return _short_pieces(name, escape) if len(escape) <= 12 else _decoded_pieces(name, escape)


@functools.lru_cache(maxsize=1024)
def _short_pieces(name: str, escape: str) -> tuple[tuple[str, int], ...]:
    return _decoded_pieces(name, escape)


def _decoded_pieces(name: str, escape: str) -> tuple[tuple[str, int], ...]:
    if name == "json":
        pieces = [_json(escape)]
    elif name == "html":
        pieces = [(html.unescape(escape), len(escape))]
    else:
        pieces = list(_percent(escape))
    if "".join(char for char, _ in pieces) == escape:
        return ()
    return tuple(pieces)


def _json(escape: str) -> tuple[str, int]:
    if escape[1] != "u":
        return _JSON_SHORT[escape[1]], len(escape)
    units = escape.encode("ascii").decode("unicode_escape")
    return units.encode("utf-16", "surrogatepass").decode("utf-16", "replace"), len(escape)


def _percent(escape: str) -> Iterator[tuple[str, int]]:
    """Each character of a run of `%XX` (or a form's `+`), with the length of its own
    escapes."""
    if escape == "+":
        yield " ", 1
        return
    data = bytes.fromhex(escape.replace("%", ""))
    index = 0
    while index < len(data):
        lead = data[index]
        size = 1 if lead < 0xC0 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
        yield data[index : index + size].decode("utf-8", "replace"), 3 * size
        index += size


_PATTERNS = {"json": _JSON, "percent": _PERCENT, "form": _FORM, "html": _HTML}
# As it is, one encoding, or one inside another (the outer one first): a JSON escape
# inside a form or a URL, an escape inside an HTML page, JSON quoted in JSON, anything
# encoded twice the same way.
_LAYERS: list[tuple[str, ...]] = [
    (),
    *((name,) for name in _PATTERNS),
    *((outer, inner) for outer in _PATTERNS for inner in _PATTERNS if outer != inner),
    *((name, name) for name in ("json", "percent", "html")),
]


def _decode(text: str, name: str) -> str:
    """`text` with its escapes of encoding `name` decoded (at C speed but for the
    decoding of each distinct escape)."""

    def decoded(match: re.Match[str]) -> str:
        escape = match.group()
        return "".join(char for char, _ in _pieces(name, escape)) or escape

    return _PATTERNS[name].sub(decoded, text)


def _escapes(text: str, name: str) -> list[Escape]:
    """Each escape `_decode` decodes in `text`: where it is in the decoded text and in
    `text`, character by character."""
    escapes: list[Escape] = []
    shift = 0  # decoded position - position in the text
    for match in _PATTERNS[name].finditer(text):
        start = match.start()
        for char, length in _pieces(name, match.group()):
            escapes.append((start + shift, start + shift + len(char), start, start + length))
            shift += len(char) - length
            start += length
    return escapes


class _Map:
    """Positions in a decoded text -> positions in the text it was decoded from."""

    def __init__(self, text: str, name: str) -> None:
        self._escapes = _escapes(text, name)
        self._starts = [escape[0] for escape in self._escapes]

    def start(self, index: int) -> int:
        found = bisect.bisect_right(self._starts, index) - 1
        if found < 0:
            return index
        _, end, source_start, source_end = self._escapes[found]
        return source_start if index < end else source_end + index - end

    def end(self, index: int) -> int:
        found = bisect.bisect_right(self._starts, index - 1) - 1
        if found < 0:
            return index
        _, end, _, source_end = self._escapes[found]
        return source_end if index <= end else source_end + index - end


def spans(text: str, values: Collection[str], shortest: int) -> list[tuple[int, int]]:
    """Where in `text` each of `values` is written, as it is or in any of the encodings,
    one or two deep; and a start of one, at least `shortest` characters long, that a cut
    left at the end of the text (in the middle of an escape, too)."""
    found: list[tuple[int, int]] = []
    # The text at each layer, cut-off escapes at its end left out, with the texts and
    # encodings it was decoded through.
    decoded: dict[tuple[str, ...], tuple[str, tuple[tuple[str, str], ...]]] = {
        (): (_uncut(text), ())
    }
    for layers in _LAYERS:
        if layers:
            outer, steps = decoded[layers[:-1]]
            if len(layers) > 1 and not steps:
                continue  # the outer decoding changed nothing: the inner one alone is done
            inner = _uncut(_decode(outer, layers[-1]))
            if inner == outer:
                decoded[layers] = (outer, steps)
                continue
            decoded[layers] = (inner, (*steps, (outer, layers[-1])))
        inner, steps = decoded[layers]
        hits = list(_found(inner, values, shortest))
        if hits:
            maps = [_Map(source, name) for source, name in reversed(steps)]
            for start, end in hits:
                at_end = end == len(inner)
                for step in maps:
                    start, end = step.start(start), step.end(end)
                # What a cut left after the value, or after its start, goes too.
                found.append((start, len(text) if at_end else end))
    return found


def _uncut(text: str) -> str:
    """`text` without what a cut in the middle of an escape left at its end: the start of
    the escape (`%C`, `\\u00`, `&#82`), or a character it could not finish (a lone
    `%C3`, a lone surrogate)."""
    cut = _CUT_ESCAPE.search(text, max(0, len(text) - 40))
    return (text if cut is None else text[: cut.start()]).rstrip("\ufffd")


def _found(text: str, values: Collection[str], shortest: int) -> Iterator[tuple[int, int]]:
    """Each of `values` in `text`, and the longest start of one (at least `shortest`
    characters long) that `text` ends with."""
    for value in values:
        position = text.find(value)
        while position >= 0:
            yield position, position + len(value)
            position = text.find(value, position + len(value))
        for length in range(min(len(value) - 1, len(text)), shortest - 1, -1):
            if text.endswith(value[:length]):
                yield len(text) - length, len(text)
                break
