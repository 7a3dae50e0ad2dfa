"""A sync's plan made row by row, with no I/O: rows first (`take`), then the account's
numbers page by page (`meet`), then the plan (`settle`). See `_plan` for what it decides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from .._validate import body_errors, convert
from ..errors import RequestValidationError
from ..models import (
    CREATE_BODIES,
    PROVIDERS,
    UPDATE_BODIES,
    CreatePhoneNumber,
    PhoneNumber,
    UnknownPhoneNumber,
)
from ..rows import Row, read_cells
from ._diff import Change, Comparison, compare, is_purchase
from ._match import Key, LiveNumbers, match_key, number_keys, row_keys, same_number
from ._rows import create_body, hidden_paths, unknown_fields
from ._sync import (
    InvalidRow,
    PlannedCreate,
    PlannedDelete,
    PlannedUpdate,
    PlanWarning,
    SecretNotCopied,
    SyncPlan,
    Unchanged,
)

__all__ = ["Desired", "Planner"]

Desired = Mapping[str, Any] | CreatePhoneNumber
_CREATE_CLASSES = tuple(CREATE_BODIES.values())


class Planner:
    """Rows first (`take`), then the live numbers page by page (`meet`), then the plan
    (`settle`), decided on the whole account so that an ambiguity is never missed."""

    def __init__(
        self,
        *,
        strict: bool,
        prune: bool,
        resend_unknown: bool = False,
        allow_number_change: bool = False,
    ) -> None:
        self.plan = SyncPlan()
        self._live = LiveNumbers()
        self._strict = strict
        self._prune = prune
        self._resend = resend_unknown
        self._allow_number_change = allow_number_change
        # The rows, side by side rather than as a tuple a row: ten thousand tuples that
        # hold dicts are ten thousand more objects for the cyclic collector to walk.
        self._items: list[Any] = []
        self._data: list[Mapping[str, Any] | None] = []
        self._lines: list[int | None] = []
        self._keys: list[tuple[Key, ...]] = []
        self._row_by_id: dict[str, int] = {}
        self._row_by_key: dict[Key, int] = {}
        # A row's likely number (its id) and comparison with it, found as the pages come.
        self._early_id: dict[int, str] = {}
        self._early: dict[int, Comparison] = {}
        self._claimed: dict[str, int] = {}  # live id -> the row that stands for it
        self._created: dict[Key, int] = {}  # key of a planned create -> its row
        self._kept: set[str] = set()  # live ids named by rows, even invalid ones
        self._unreadable = 0
        self._unreadable_values: set[str] = set()  # numbers and SIP URIs they show

    @property
    def taken(self) -> int:
        """How many rows it has taken."""
        return len(self._items)

    def take(self, item: Any) -> None:
        """One desired row, in order."""
        index = len(self._items)
        data = _wire(item, self._strict)
        keys = tuple(row_keys(data)) if data is not None else ()
        self._items.append(item)
        self._lines.append(item.line if isinstance(item, Row) else None)
        self._data.append(data)
        self._keys.append(keys)
        if data is not None:
            row_id = data.get("id")
            if isinstance(row_id, str):
                self._row_by_id.setdefault(row_id, index)
            for key in keys:
                self._row_by_key.setdefault(key, index)

    def meet(self, numbers: list[PhoneNumber]) -> None:
        """A page of live numbers: remember them, and diff each with the row it likely
        stands for (`settle` decides; most often this diff is the one it needs)."""
        if any(isinstance(n, UnknownPhoneNumber) and not n.readable for n in numbers):
            numbers = self._set_apart_unreadable(numbers)
        self._live.add(numbers)
        by_id, by_key, early, rows = self._row_by_id, self._row_by_key, self._early, self._data
        for number in numbers:
            index = by_id.get(number.id)
            if index is None:
                for key in number_keys(number):
                    index = by_key.get(key)
                    if index is not None:
                        break
            if index is None or index in early:
                continue
            data = rows[index]
            if data is not None and data.get("provider") == number.provider:
                early[index] = compare(data, number, number.provider, resend_unknown=self._resend)
                self._early_id[index] = number.id

    def _set_apart_unreadable(self, numbers: list[PhoneNumber]) -> list[PhoneNumber]:
        readable = []
        for number in numbers:
            if isinstance(number, UnknownPhoneNumber) and not number.readable:
                self._unreadable += 1
                for field in ("number", "sipUri"):
                    value = number.get(field)
                    if isinstance(value, str) and value:
                        self._unreadable_values.add(match_key(("", value))[1])
            else:
                readable.append(number)
        return readable

    def settle(self) -> SyncPlan:
        """The plan, row by row, then the deletes of a prune."""
        for index, (item, data, keys) in enumerate(
            zip(self._items, self._data, self._keys, strict=True)
        ):
            self._settle(index, item, data, keys)
        for number_id, number in self._live.by_id.items():
            if number_id not in self._claimed and number_id not in self._kept:
                self.plan.left_out += 1
                if self._prune:
                    self.plan.deletes.append(PlannedDelete(number_id, number))
        self.plan.live = len(self._live) + self._unreadable
        self.plan.unreadable = self._unreadable
        return self.plan

    def _settle(
        self, index: int, item: Any, data: Mapping[str, Any] | None, keys: tuple[Key, ...]
    ) -> None:
        if data is None:
            if isinstance(item, Row):
                reason = item.problem or "not a row"
            else:
                reason = f"must be a mapping or a create body (got {type(item).__name__})"
            self._invalid(index, reason, item)
            return
        match = self._live.match(data.get("id"), keys)
        # What a row names, even an invalid one, a prune keeps.
        if match.id is not None:
            self._kept.add(match.id)
        self._kept.update(match.named)
        if match.ambiguous is not None:
            self._invalid(index, f"ambiguous: {match.ambiguous}", data)
        elif data.get("provider") not in PROVIDERS:
            rule = f"provider must be one of {', '.join(PROVIDERS)} (got {data.get('provider')!r})"
            self._invalid(index, rule, data)
        elif match.id is None:
            self._plan_create(index, data, keys)
        else:
            self._plan_update(index, data, match.id)

    def _plan_create(self, index: int, data: Mapping[str, Any], keys: Sequence[Key]) -> None:
        for key in keys:
            first = self._created.get(match_key(key))
            if first is not None:
                self._invalid(index, f"the same number as row {first}", data)
                return
        unreadable = self._unreadable_values
        shown = [value for _, value in keys if match_key(("", value))[1] in unreadable]
        if shown:
            reason = (
                f"an item of the account that could not be read shows {shown[0]}: it may be "
                "this number, so it is not created again"
            )
            self._invalid(index, reason, data)
            return
        if data.get("provider") == "vapi" and data.get("number") and not data.get("sipUri"):
            reason = (
                f"Vapi number {data['number']} is not in this account, and a number is bought "
                "by area code, not by its digits: leave out `number` to buy one"
            )
            self._invalid(index, reason, data)
            return
        try:
            body = create_body(data, strict=self._strict)
        except RequestValidationError as error:
            self._invalid(index, self._describe(index, error), data)
            return
        for key in keys:
            self._created[match_key(key)] = index
        extra = unknown_fields(data) if self._resend else {}
        line = self._lines[index]
        planned = PlannedCreate(index, body, tuple(keys), is_purchase(body), extra, line)
        (self.plan.purchases if planned.purchase else self.plan.creates).append(planned)
        self._not_copied(index, None, hidden_paths(data))

    def _plan_update(self, index: int, data: Mapping[str, Any], number_id: str) -> None:
        first = self._claimed.get(number_id)
        if first is not None:
            self._invalid(index, f"the same number as row {first} (id {number_id})", data)
            return
        self._claimed[number_id] = index
        number = self._live.by_id[number_id]
        provider = data["provider"]
        if number.provider != provider:
            reason = f"provider cannot change: number {number_id} is {number.provider}"
            self._invalid(index, reason, data)
            return
        early = self._early.get(index)
        if early is not None and self._early_id[index] == number_id:
            comparison = early
        else:
            comparison = compare(data, number, provider, resend_unknown=self._resend)
        changes, sent = comparison.changes, comparison.body
        wanted_number = data.get("number")
        if changes or (wanted_number is not None and wanted_number != _number_of(number)):
            identified = self._identity(index, number, comparison, data)
            if identified is None:
                return
            changes, sent = identified
        if comparison.problems and changes:
            self._invalid(index, "; ".join(map(str, comparison.problems)), data)
            return
        self._not_copied(index, number_id, comparison.not_copied)
        if not changes:
            self.plan.unchanged.append(Unchanged(index, number_id, self._lines[index]))
            return
        try:
            body = convert(
                {"provider": provider, **sent}, UPDATE_BODIES[provider], strict=self._strict
            )
            errors = body_errors(body)
            if errors:
                raise RequestValidationError(errors)
        except RequestValidationError as error:
            self._invalid(index, self._describe(index, error), data)
            return
        self.plan.updates.append(
            PlannedUpdate(
                index,
                number_id,
                number,
                body,
                tuple(changes),
                comparison.extra,
                self._lines[index],
            )
        )

    def _identity(
        self, index: int, number: PhoneNumber, comparison: Comparison, data: Mapping[str, Any]
    ) -> tuple[list[Change], dict[str, Any]] | None:
        """The changes and the body of an update without those of the fields that identify
        the number: a `number` written differently is the same (a warning), another
        `number` or `sipUri` needs `allow_number_change` (None: the row is invalid)."""
        changes, body = comparison.changes, comparison.body
        wanted, current = data.get("number"), _number_of(number)
        reformatted = wanted != current and same_number(wanted, current)
        if reformatted:
            message = (
                f"number {wanted!r} is {current!r} written differently (a spreadsheet may "
                "drop the + and add spaces or dashes): the same number, left as it is"
            )
            self.plan.warnings.append(PlanWarning(index, message, number.id, self._lines[index]))
        if not any(change.field in _IDENTIFYING for change in changes):
            return changes, body
        kept, body = [], dict(body)
        for change in changes:
            if change.field not in _IDENTIFYING or change.current is None:
                kept.append(change)
            elif change.field == "number" and reformatted:
                body.pop("number", None)
            elif self._allow_number_change:
                kept.append(change)
            else:
                reason = (
                    f"would change the {change.field} of number {number.id} from "
                    f"{change.current!r} to {change.wanted!r}: pass allow_number_change=True "
                    "(--allow-number-change) to change it"
                )
                self._invalid(index, reason, data)
                return None
        return kept, body

    def _not_copied(self, index: int, number_id: str | None, paths: list[str]) -> None:
        if paths:
            line = self._lines[index]
            self.plan.secrets_not_copied.extend(
                SecretNotCopied(index, path, number_id, line) for path in paths
            )

    def _invalid(self, index: int, reason: str, data: Any) -> None:
        self.plan.invalid.append(InvalidRow(index, reason, data, self._lines[index]))

    def _describe(self, index: int, error: RequestValidationError) -> str:
        """The broken rules; for a row of text where another type is due, how to read it."""
        reason = "; ".join(str(item) for item in error.errors)
        if self._strict and "got `str`" in reason and _cells_of_text(self._items[index]):
            reason += (
                " (text where another type is due: for the rows of a CSV, read the file with "
                "vapi_phone_async.rows.read, or pass strict=False)"
            )
        return reason


_IDENTIFYING = ("number", "sipUri")


def _number_of(number: PhoneNumber) -> Any:
    if isinstance(number, UnknownPhoneNumber):
        return number.get("number")
    return getattr(number, "number", None)


def _wire(item: Any, strict: bool) -> Mapping[str, Any] | None:
    if isinstance(item, Row):
        return item if item.problem is None else None
    if type(item) is dict or isinstance(item, Mapping):
        return item if strict else read_cells(item)  # read, never changed: no copy
    if isinstance(item, _CREATE_CLASSES):
        data: dict[str, Any] = msgspec.to_builtins(item)
        return data
    return None


def _cells_of_text(item: Any) -> bool:
    """Whether `item` looks like a row of CSV cells: a mapping of text only."""
    return (
        not isinstance(item, Row)
        and isinstance(item, Mapping)
        and all(isinstance(value, str) or value is None for value in item.values())
    )
