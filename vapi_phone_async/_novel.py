"""Bodies newer than the models: their unknown fields read, kept, and cut out, so that the
rest decodes strictly in one msgspec call.

The models forbid unknown fields, so the strict decoder fails on a body that carries one,
and its error names the field and where it is (`futureField` at `$.results[0].server`).
Such a field is *learned*: its name at its *level* (the place without its list indexes,
`results[*].server`). The body is then read once into *reader* Structs, made for what was
learned: the objects at and on the way to a learned level are strict readers that hold
each learned field (decoded, as it came) beside their known ones; every other value stays
raw JSON, not decoded. The learned fields are taken out, and the body is written again
without them and decoded strictly: typed exactly as the fast path types it, and that
decode succeeding proves that no unknown field is left. An unknown field the reader or
the strict decoder meets next is learned in turn; anything else (a value of the wrong
type, an unknown tag) leaves the body to the lenient decoder.

A field Vapi adds usually comes on every number: the first item shows it, so learning it
costs a decode that fails early, and the readers for it are built once (and cached).
"""

from __future__ import annotations

import functools
import operator
import re
import types
from typing import Annotated, Any, NamedTuple, TypeAlias, Union, get_args, get_origin

import msgspec

from ._kept import Path, keep_extras
from ._shapes import decoder, struct_info
from .models import Decoded

__all__ = ["Level", "decode_newer", "unknown_field"]

Level: TypeAlias = tuple[str | None, ...]
"""Where objects sit in a body: wire keys from the top, None for any index of a list."""

Learned: TypeAlias = frozenset[tuple[Level, str]]
Part: TypeAlias = str | int | None
# The unknown fields found, for each `Decoded` object that keeps them: by the path of
# what holds the object, then the object's key or index there (None: it is the top).
_Found: TypeAlias = dict[Path, dict[Part, dict[Path, Any]]]

# A release adds a field or two. Past this many, learning them one failed decode at a
# time costs more than typing the body item by item (the lenient path); and so does
# reading the whole body this many times, for fields in as many branches of a number
# (a pass costs about a third of json.loads, the lenient path twice that or more).
_MAX_LEARNED = 16
_MAX_PASSES = 4

_UNKNOWN_FIELD = "Object contains unknown field `"
_AT = "` - at `$"
_PATH = re.compile(r"(?:\.[A-Za-z0-9_]+|\[\d+\])*")
_PART = re.compile(r"\.([A-Za-z0-9_]+)|\[\d+\]")
# What msgspec does not take as a field's wire name; a field so named is left to the
# lenient decoder.
_UNNAMEABLE = re.compile(r'["\\\x00-\x1f]')

_encode = msgspec.json.Encoder().encode


def decode_newer(data: bytes | msgspec.Raw, tp: Any, error: msgspec.ValidationError) -> Any:
    """`data` decoded strictly as `tp`, each unknown field kept beside the nearest
    `Decoded` object (`unknown_fields`); `error` is the strict decoder's failure.

    None if the body fails for another reason than unknown fields: it is then for the
    lenient decoder (which also reports invalid JSON).
    """
    strict = decoder(tp)
    learned: set[tuple[Level, str]] = set()
    passes = 0
    field = unknown_field(error)
    while field is not None and field not in learned and len(learned) < _MAX_LEARNED:
        learned.add(field)
        reader = _reader(tp, frozenset(learned))
        try:
            tree = reader.decode(data)
        except msgspec.ValidationError as again:
            field = unknown_field(again)  # met by a reader, where it stopped: cheap
            continue
        except (msgspec.DecodeError, RecursionError):
            return None  # invalid JSON past where the strict decoder stopped
        found = reader.take(tree)
        try:
            value = strict(_encode(tree))
        except msgspec.ValidationError as again:
            # Met after a whole pass: a field where no reader looked (another branch).
            passes += 1
            field = unknown_field(again) if passes < _MAX_PASSES else None
            continue
        except RecursionError:
            return None  # nesting too deep, which the strict decoder did not reach before
        return value if _keep(value, found) else None
    return None


def unknown_field(error: msgspec.ValidationError) -> tuple[Level, str] | None:
    """The level and name of the unknown field `error` is about; None for another error."""
    message = str(error)
    if not message.startswith(_UNKNOWN_FIELD) or not message.endswith("`"):
        return None
    rest = message[len(_UNKNOWN_FIELD) : -1]
    # The name comes first and may hold anything, so the place is read from the end. A
    # name made to look like a place is misread, once: the pair learned then matches
    # nothing, the same error comes back, and the lenient decoder takes the body.
    name, at, where = rest.rpartition(_AT)
    if not at:
        name, where = rest, ""  # a field of the top object
    if _UNNAMEABLE.search(name) or not _PATH.fullmatch(where):
        return None
    return tuple(match.group(1) for match in _PART.finditer(where)), name


class _Node:
    """The learned fields at one level, and the levels below it."""

    __slots__ = ("below", "names")

    def __init__(self) -> None:
        self.below: dict[str | None, _Node] = {}
        self.names: set[str] = set()


class _Spec(NamedTuple):
    """What a reader class holds, for taking the learned fields out of its instances."""

    decoded: bool  # read for a `Decoded` class: it keeps the fields found inside it
    learned: tuple[tuple[str, str], ...]  # (attribute, wire name) of each learned field
    below: tuple[tuple[str, str], ...]  # (attribute, wire name) of fields leading further


@functools.lru_cache(maxsize=64)
def _reader(tp: Any, learned: Learned) -> _Reader:
    root = _Node()
    for level, name in learned:
        node = root
        for part in level:
            node = node.below.setdefault(part, _Node())
        node.names.add(name)
    return _Reader(tp, root)


class _Reader:
    """A decoder of bodies of type `tp` into reader Structs for what `root` has learned."""

    def __init__(self, tp: Any, root: _Node) -> None:
        self.specs: dict[type, _Spec] = {}
        self.decode = msgspec.json.Decoder(self._type(tp, root)).decode

    def _type(self, tp: Any, node: _Node | None) -> Any:
        """The reader type of a value declared `tp`: raw JSON off the learned levels."""
        if node is None:
            return msgspec.Raw
        members: list[Any] = []
        for member in _members(tp):
            if isinstance(member, type) and issubclass(member, msgspec.Struct):
                members.append(self._class(member, node))
            elif get_origin(member) is list:
                item = self._type(get_args(member)[0], node.below.get(None))
                members.append(types.GenericAlias(list, (item,)))
            else:  # None, a string, a mapping of anything: as declared
                members.append(member)
        return functools.reduce(operator.or_, members)

    def _class(self, cls: type[msgspec.Struct], node: _Node) -> type[msgspec.Struct]:
        """A strict reader of `cls`: its fields raw JSON, or readers on the way to a
        learned level, and the fields learned at this level decoded as they come."""
        info = struct_info(cls)
        fields: list[tuple[str, Any, Any]] = []
        rename: dict[str, str] = {}
        below, learned = [], []
        # Attributes are made up: a learned name may be anything JSON allows.
        for index, (wire, field) in enumerate(info.fields.items()):
            attribute, child = f"f{index}", node.below.get(wire)
            fields.append((attribute, self._type(field.type, child), msgspec.UNSET))
            rename[attribute] = wire
            if child is not None:
                below.append((attribute, wire))
        for index, name in enumerate(sorted(node.names - info.known)):
            attribute = f"u{index}"
            fields.append((attribute, Any, msgspec.UNSET))
            rename[attribute] = name
            learned.append((attribute, name))
        config = cls.__struct_config__
        reader = msgspec.defstruct(
            f"{cls.__name__}Reader",
            fields,
            tag_field=config.tag_field,
            tag=config.tag,
            rename=rename,
            kw_only=True,
            forbid_unknown_fields=True,
            gc=False,  # raw slices and readers: no cycles
        )
        self.specs[reader] = _Spec(info.decoded, tuple(learned), tuple(below))
        return reader

    def take(self, tree: Any) -> _Found:
        """Take the learned fields out of a decoded reader `tree`, for the `Decoded`
        objects that keep them."""
        found: _Found = {}
        self._value(tree, (), None, (), found)
        return found

    def _value(self, value: Any, holder: Path, part: Part, path: Path, found: _Found) -> None:
        """Take the learned fields out of `value`, at `path` from the nearest `Decoded`
        object, which is `part` of what is at `holder` (None: it is the top)."""
        specs = self.specs
        if value.__class__ is list:
            here: Path | None = None
            owners: dict[Part, dict[Path, Any]] | None = None
            for index, item in enumerate(value):
                spec = specs.get(item.__class__)
                if spec is None:
                    continue
                if not spec.decoded:
                    self._struct(item, spec, holder, part, (*path, index), found)
                    continue
                # Numbers, each keeping its own fields: the common case, inlined.
                if here is None:
                    here = _join(holder, part, path)
                for attribute, name in spec.learned:
                    taken = getattr(item, attribute)
                    if taken is not msgspec.UNSET:
                        setattr(item, attribute, msgspec.UNSET)
                        if owners is None:
                            owners = found.setdefault(here, {})
                        owners.setdefault(index, {})[name,] = taken
                if spec.below:
                    self._below(item, spec, here, index, (), found)
            return
        spec = specs.get(value.__class__)
        if spec is None:
            return  # raw JSON, or a value of a declared type
        if spec.decoded and (path or part is not None):
            *rest, last = _join(holder, part, path)
            self._struct(value, spec, tuple(rest), last, (), found)
        else:
            self._struct(value, spec, holder, part, path, found)

    def _struct(
        self, value: Any, spec: _Spec, holder: Path, part: Part, path: Path, found: _Found
    ) -> None:
        kept: dict[Path, Any] | None = None
        for attribute, name in spec.learned:
            taken = getattr(value, attribute)
            if taken is not msgspec.UNSET:
                setattr(value, attribute, msgspec.UNSET)
                if kept is None:
                    kept = found.setdefault(holder, {}).setdefault(part, {})
                where = (*path, name)
                kept[where] = taken
        if spec.below:
            self._below(value, spec, holder, part, path, found)

    def _below(
        self, value: Any, spec: _Spec, holder: Path, part: Part, path: Path, found: _Found
    ) -> None:
        specs = self.specs
        for attribute, wire in spec.below:
            below = getattr(value, attribute)
            # Most values below are readers (a server) or lists; the rest is skipped here.
            if below.__class__ is list or below.__class__ in specs:
                self._value(below, holder, part, (*path, wire), found)


def _join(holder: Path, part: Part, path: Path) -> Path:
    return (*holder, part, *path) if part is not None else (*holder, *path)


def _members(tp: Any) -> list[Any]:
    """The members of a declared type's unions, through `Optional` and `Annotated`."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _members(get_args(tp)[0])
    if origin is Union or origin is types.UnionType:
        return [member for arg in get_args(tp) for member in _members(arg)]
    return [tp]


def _keep(value: Any, found: _Found) -> bool:
    """Keep each object's unknown fields beside it in the decoded `value`."""
    try:
        for holder_path, owners in found.items():
            holder = _at(value, holder_path)
            for part, unknown in owners.items():
                if part is None:
                    target = holder
                elif part.__class__ is int:
                    target = holder[part]
                else:
                    target = _at(holder, (part,))
                if not isinstance(target, Decoded):
                    return False
                keep_extras(target, unknown, {})
    except (AttributeError, IndexError, KeyError, TypeError):
        return False
    return True


def _at(value: Any, path: Path) -> Any:
    for part in path:
        if isinstance(part, int):
            value = value[part]
        else:
            cls: type[msgspec.Struct] = type(value)
            value = getattr(value, struct_info(cls).fields[part].name)
    return value
