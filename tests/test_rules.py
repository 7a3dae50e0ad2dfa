"""The small rules options are checked by (`_rules.py`): what each lets through, and the
`FieldError` naming the argument for what it does not. Which option follows which rule:
tests/test_options.py."""

from __future__ import annotations

import math
from typing import Any

import pytest

from vapi_phone_async._rules import (
    amount,
    count,
    flag,
    fraction,
    is_number,
    raise_for,
    require_mapping,
)
from vapi_phone_async.errors import FieldError, RequestValidationError


def test_count_is_an_integer_from_its_minimum_and_never_a_bool() -> None:
    assert count("n", 1) == [] and count("n", 0, minimum=0) == []
    for bad in (0, -1, 1.0, True, "2", None):
        (error,) = count("n", bad)
        assert (error.path, error.rule) == ("n", f"must be an integer of at least 1 (got {bad!r})")


def test_amount_is_a_finite_number_not_negative_or_with_allow_zero_off_positive() -> None:
    assert amount("t", 0) == amount("t", 2.5) == amount("t", None) == []
    assert amount("t", 0, allow_zero=False) == [
        FieldError("t", "must be a positive, finite number (got 0)")
    ]
    assert amount("t", None, allow_none=False) == [
        FieldError("t", "must be a finite number, not negative (got None)")
    ]
    for bad in (-1, math.inf, math.nan, True, "1"):
        assert [error.path for error in amount("t", bad)] == ["t"]


def test_flag_is_true_or_false_and_says_what_it_got() -> None:
    assert flag("f", True) == flag("f", False) == []
    assert flag("f", 1) == [FieldError("f", "must be True or False (got int)")]


@pytest.mark.parametrize(("value", "ok"), [(0, True), (0.5, True), (1, True), (1.01, False)])
def test_fraction_is_a_number_from_0_to_1(value: float, ok: bool) -> None:
    assert (fraction("j", value) == []) is ok
    assert fraction("j", True) == [FieldError("j", "must be from 0 to 1 (got True)")]


@pytest.mark.parametrize(
    ("value", "number"), [(1, True), (1.5, True), (True, False), ("1", False), (None, False)]
)
def test_a_bool_is_not_a_number(value: Any, number: bool) -> None:
    assert is_number(value) is number


def test_raise_for_raises_every_error_at_once_and_nothing_without_one() -> None:
    raise_for([])
    raise_for(iter(count("a", 1)))  # any iterable, a generator too
    with pytest.raises(RequestValidationError) as caught:
        raise_for(count("a", 0) + flag("b", None))
    assert [error.path for error in caught.value.errors] == ["a", "b"]


def test_a_mapping_needs_string_keys() -> None:
    require_mapping("m", {"a": 1})
    for bad in ({1: "a"}, [("a", 1)], "a=1"):
        with pytest.raises(RequestValidationError) as caught:
            require_mapping("m", bad)
        assert caught.value.field == "m"
        assert f"must be a mapping with string keys (got {type(bad).__name__})" in str(caught.value)
