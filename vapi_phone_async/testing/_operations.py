"""What create, get, update and delete do to the store; each returns the JSON to answer.

Numbers are wire-format dicts: an update replaces each top-level key it holds, as Vapi
does (a `server` sent holding only `url` loses the rest), an explicit `null` removes the
field, and a field the body does not hold survives untouched. A null below the top level
is refused, unless `nested_nulls` (then it is stored and answered as sent).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Collection
from typing import Any

from ._bodies import create_errors, update_errors
from ._dates import format_us, now_us
from ._responses import Rejected
from ._store import Store

__all__ = ["Operations"]

# What the server assigns; a body cannot set these (NestJS would strip them).
_SERVER_FIELDS = frozenset({"id", "orgId", "createdAt", "updatedAt", "status", "provider"})
_MS = 1000


class Operations:
    """Create, get, update and delete on one store, with the server's assignments."""

    def __init__(
        self,
        store: Store,
        *,
        org_id: str,
        seed: int = 0,
        clock: Callable[[], int] = now_us,
        newer_fields: Collection[str] = (),
        nested_nulls: bool = False,
    ) -> None:
        self._store = store
        self.nested_nulls = nested_nulls
        self._newer_fields = [tuple(name.split(".")) for name in newer_fields]
        self._org_id = org_id
        self._clock = clock
        self._random = random.Random(seed)

    def create(self, body: Any) -> bytes:
        """`POST /phone-number`: validate, assign id, orgId, timestamps and status."""
        body, newer = self._split_newer(body)
        errors = create_errors(body, nested_nulls=self.nested_nulls)
        if errors:
            raise Rejected(400, errors)
        body = _put_back(body, newer)
        # Strictly after the newest number, so that createdAt order is creation order.
        newest = self._store.newest_created
        created = self._clock() if newest is None else max(self._clock(), newest + _MS)
        stamp = format_us(created)
        data = {key: value for key, value in body.items() if value is not None}
        data.update(
            id=str(uuid.uuid4()),
            orgId=self._org_id,
            createdAt=stamp,
            updatedAt=stamp,
            status="active",
        )
        if data["provider"] == "vapi" and "number" not in data and "sipUri" not in data:
            data["number"] = self._vapi_number(data.get("numberDesiredAreaCode"))
        return self._store.add(data).encoded

    def _split_newer(self, body: Any) -> tuple[Any, list[tuple[tuple[str, ...], Any]]]:
        """The body without the fields of a newer API (see FakeVapiServer), and those by
        path (`("server", "region")` for `server.region`); the body is not changed."""
        if not self._newer_fields or not isinstance(body, dict):
            return body, []
        body = dict(body)
        found = []
        for path in self._newer_fields:
            parent = body
            for part in path[:-1]:
                child = parent.get(part)
                if not isinstance(child, dict):
                    break
                child = dict(child)  # copied: the logged body stays as it came
                parent[part] = child
                parent = child
            else:
                if path[-1] in parent:
                    found.append((path, parent.pop(path[-1])))
        return body, found

    def get(self, number_id: str) -> bytes:
        """`GET /phone-number/{id}`."""
        entry = self._store.get(number_id)
        if entry is None:
            raise Rejected(404)
        return entry.encoded

    def update(self, number_id: str, body: Any) -> bytes:
        """`PATCH /phone-number/{id}`: merge the given fields; `null` clears one."""
        entry = self._store.get(number_id)
        if entry is None:
            raise Rejected(404)
        body, newer = self._split_newer(body)
        errors = update_errors(
            body, str(entry.data.get("provider")), nested_nulls=self.nested_nulls
        )
        if errors:
            raise Rejected(400, errors)
        data = dict(entry.data)
        for key, value in _put_back(body, newer).items():
            if key in _SERVER_FIELDS:
                continue
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        data["updatedAt"] = format_us(max(self._clock(), entry.updated + _MS))
        return self._store.replace(data).encoded

    def delete(self, number_id: str) -> bytes:
        """`DELETE /phone-number/{id}`: answers with the number it removed."""
        if self._store.get(number_id) is None:
            raise Rejected(404)
        return self._store.remove(number_id).encoded

    def _vapi_number(self, area_code: Any) -> str:
        # A free Vapi number in the desired area code, or in a random US one.
        if not (isinstance(area_code, str) and area_code.isdigit() and len(area_code) == 3):
            area_code = str(self._random.randint(201, 989))
        return f"+1{area_code}{self._random.randint(2_000_000, 9_999_999)}"


def _put_back(body: dict[str, Any], newer: list[tuple[tuple[str, ...], Any]]) -> dict[str, Any]:
    """`body` with the fields `_split_newer` took out put back where they were (a nested
    one in its object: the update replaces that object whole)."""
    for path, value in newer:
        if value is None and len(path) > 1:
            continue  # a nested null: left out, as the top-level nulls of a create
        parent = body
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = value
    return body
