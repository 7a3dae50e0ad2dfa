"""The pure part of a walk (`_walk.py`): position, next queries and page checks, with pages
built in memory: no HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from vapi_phone_async._walk import (
    Position,
    answered_size,
    bounded,
    more_after,
    shortfall,
    within,
)
from vapi_phone_async.models import PaginationMeta, PhoneNumberPage, VapiPhoneNumber

T0 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


def number(id_: str, seconds: float | None) -> VapiPhoneNumber:
    created = None if seconds is None else T0 + timedelta(seconds=seconds)
    return VapiPhoneNumber(id=id_, created_at=created)


def page(*numbers: VapiPhoneNumber, **meta: object) -> PhoneNumberPage:
    metadata = PaginationMeta(
        items_per_page=int(meta.pop("size", 2)),  # type: ignore[call-overload]
        total_items=meta.pop("total", 100),  # type: ignore[arg-type]
        current_page=int(meta.pop("current", 1)),  # type: ignore[call-overload]
        **meta,  # type: ignore[arg-type]
    )
    return PhoneNumberPage(results=list(numbers), metadata=metadata)


def ids(result: PhoneNumberPage) -> list[str]:
    return [n.id for n in result.results]


# The position of a DESC walk.


def test_a_page_wholly_past_the_position_is_kept_whole() -> None:
    position = Position(descending=True)
    assert ids(position.unseen(page(number("a", 9), number("b", 8)))) == ["a", "b"]
    assert ids(position.unseen(page(number("c", 7), number("d", 6)))) == ["c", "d"]


def test_numbers_behind_the_position_or_seen_at_its_instant_are_dropped() -> None:
    position = Position(descending=True)
    position.unseen(page(number("a", 9), number("b", 8), number("c", 8)))
    again = page(number("b", 8), number("c", 8), number("d", 8), number("x", 9), number("e", 7))
    assert ids(position.unseen(again)) == ["d", "e"]


def test_numbers_without_a_created_at_are_remembered_by_id() -> None:
    position = Position(descending=True)
    assert ids(position.unseen(page(number("a", None), number("b", 5)))) == ["a", "b"]
    assert ids(position.unseen(page(number("a", None), number("c", 4)))) == ["c"]


def test_an_ascending_walk_moves_forward_in_time() -> None:
    position = Position(descending=False)
    position.unseen(page(number("a", 1), number("b", 2)))
    assert ids(position.unseen(page(number("a", 1), number("c", 3)))) == ["c"]


def test_the_walk_goes_on_from_its_instant_then_beyond_it() -> None:
    position = Position(descending=True)
    assert [s.params for s in position.segments_from_here({"limit": "2"})] == [{"limit": "2"}]
    position.unseen(page(number("a", 9), number("b", 8)))
    instant, beyond = position.segments_from_here({"limit": "2"})
    edge = "2026-03-01T12:00:08.000Z"
    assert instant.params == {"limit": "2", "createdAtGe": edge, "createdAtLe": edge}
    assert beyond.params == {"limit": "2", "createdAtLt": edge}
    assert instant.bounded and beyond.bounded


# Bounds.


def test_an_upper_bound_between_milliseconds_is_widened_to_the_next_one() -> None:
    bound = T0 + timedelta(microseconds=1500)
    assert bounded({}, "createdAtLe", bound) == {"createdAtLe": "2026-03-01T12:00:00.002Z"}
    assert bounded({}, "createdAtGe", bound) == {"createdAtGe": "2026-03-01T12:00:00.001Z"}


def test_the_callers_own_bound_wins_when_it_is_tighter() -> None:
    mine = {"createdAtLe": "2026-01-01T00:00:00.000Z"}
    assert bounded(mine, "createdAtLe", T0) == mine
    assert bounded(mine, "createdAtGe", T0)["createdAtGe"] == "2026-03-01T12:00:00.000Z"


def test_a_page_outside_its_bounds_is_seen() -> None:
    params = {"createdAtLt": "2026-03-01T12:00:05.000Z"}
    assert within(params, page(number("a", 4), number("b", 1)))
    assert not within(params, page(number("a", 5), number("b", 1)))


# Termination, the size answered, and the proof of a complete query.


@pytest.mark.parametrize(
    ("meta", "count", "received", "expected"),
    [
        # totalItems decides, whatever else the page says.
        ({"total": 250}, 2, 100, True),
        ({"total": 250, "has_next_page": False}, 1, 249, True),  # a short page, more remain
        ({"total": 250, "has_next_page": True}, 2, 250, False),
        # Without it: hasNextPage, else totalPages, else a full page.
        ({"total": None, "has_next_page": False, "total_pages": 9}, 2, 2, False),
        ({"total": None, "has_next_page": True}, 1, 1, True),
        ({"total": None, "total_pages": 3, "current": 3}, 2, 6, False),
        ({"total": None, "total_pages": 3, "current": 2}, 2, 4, True),
        ({"total": None}, 2, 2, True),  # a full page, nothing else said
        ({"total": None}, 1, 1, False),  # a short page
    ],
)
def test_more_follows_by_the_count_else_the_metadata_else_a_full_page(
    meta: dict[str, object], count: int, received: int, expected: bool
) -> None:
    numbers = [number(str(i), -i) for i in range(count)]
    assert more_after(page(*numbers, **meta), received, page_size=2) is expected


def test_an_empty_page_ends_a_query_whatever_its_metadata_claims() -> None:
    assert not more_after(page(has_next_page=True, total=100), 0, page_size=2)


def test_a_short_first_page_shows_the_size_the_server_answers_while_more_remain() -> None:
    hundred = [number(str(i), -i) for i in range(100)]
    assert answered_size(page(*hundred, total=2500), asked=1000) == 100
    assert answered_size(page(*hundred, total=100), asked=1000) == 1000  # the last page
    assert answered_size(page(*hundred, total=2500), asked=100) == 100
    assert answered_size(page(total=2500), asked=1000) == 1000  # nothing to learn from


def test_a_query_is_proven_complete_only_by_its_count() -> None:
    two = [number("a", 2), number("b", 1)]
    assert shortfall(page(*two, total=102), received=102) is None
    assert shortfall(page(*two, total=2500), received=100) == (
        "the server said 2500 numbers match but answered 100"
    )
    assert "no totalItems" in (shortfall(page(*two, total=None), received=2) or "")
