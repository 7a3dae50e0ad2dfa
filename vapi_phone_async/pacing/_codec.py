"""A `PacingState` as the fields of a Redis hash, and back: numbers as text, the measured
rate's ring as `c0..c9` (counts) and `n0..n9` (which tenth of a second each holds), the
spells seen as `start,last,recovered;...`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from ._state import SLOTS, PacingState
from ._window import Spell

__all__ = ["decode_state", "encode_fields"]

_KINDS = {field.name: field.type for field in dataclasses.fields(PacingState)}


def decode_state(fields: Mapping[str, str]) -> PacingState:
    """The state a hash holds (a missing field has its default)."""
    state = PacingState()
    for name, kind in _KINDS.items():
        if name in ("counts", "stamps", "spells") or name not in fields:
            continue
        number = float(fields[name])
        if kind == "bool":
            setattr(state, name, bool(number))
        elif kind == "int":
            setattr(state, name, int(number))
        else:
            setattr(state, name, number)
    state.counts = [int(float(fields.get(f"c{i}", 0))) for i in range(SLOTS)]
    state.stamps = [int(float(fields.get(f"n{i}", 0))) for i in range(SLOTS)]
    spells = fields.get("spells", "")
    state.spells = [Spell(*map(float, part.split(","))) for part in spells.split(";") if part]
    return state


def encode_fields(state: PacingState, names: tuple[str, ...]) -> list[str]:
    """Field, value, field, value, ... for these fields of `state` (scalars and spells)."""
    encoded: list[str] = []
    for name in names:
        value = getattr(state, name)
        if name == "spells":
            text = ";".join(",".join(repr(float(t)) for t in spell) for spell in value)
        elif isinstance(value, bool):
            text = "1" if value else "0"
        else:
            text = repr(value)
        encoded += [name, text]
    return encoded
