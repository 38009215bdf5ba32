"""The public API: value mapping both ways, to_json, warnings, host functions."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

import feel
from feel import Range, YearsMonthsDuration

HOST_TO_FEEL = [
    (1, D(1)),
    (0.1, D("0.1")),
    (1e-7, D("1E-7")),
    (float("nan"), None),
    (True, True),
    ("s", "s"),
    (None, None),
    ((1, 2), [D(1), D(2)]),
    ({"a": [1.5]}, {"a": [D("1.5")]}),
    (dt.date(2020, 1, 2), dt.date(2020, 1, 2)),
    (dt.timedelta(hours=1), dt.timedelta(hours=1)),
    (YearsMonthsDuration(14), YearsMonthsDuration(14)),
    (object(), None),
]


@pytest.mark.parametrize(("host", "expected"), HOST_TO_FEEL)
def test_host_values_become_feel_values(host: object, expected: object) -> None:
    result = feel.evaluate("x", {"x": host})
    assert result == expected
    assert type(result) is type(expected)


def test_numbers_come_back_as_decimals() -> None:
    assert type(feel.evaluate("x + 1", {"x": 1})) is D
    assert type(feel.evaluate("count", {"count": 2})) is D


TO_JSON = [
    ("1 + 1", 2),
    ("1.5", 1.5),
    ("1 / 3", 1 / 3),
    ('"s"', "s"),
    ("null", None),
    ("[1, {a: true}]", [1, {"a": True}]),
    ('@"2020-01-02"', "2020-01-02"),
    ('@"10:30:00+01:00"', "10:30:00+01:00"),
    ('@"2020-01-02T10:30:00@Europe/Paris"', "2020-01-02T10:30:00@Europe/Paris"),
    ('@"2020-01-02T10:30:00Z"', "2020-01-02T10:30:00Z"),
    ('@"P1DT2H"', "P1DT2H"),
    ('@"-PT0.5S"', "-PT0.5S"),
    ('@"P14M"', "P1Y2M"),
    ("[1..10)", "[1..10)"),
    ("function(a) a", None),
    (
        "12345678901234567890123",
        12345678901234567890123 if 12345678901234567890123 < 2**63 else 1.2345678901234568e22,
    ),
]


@pytest.mark.parametrize(("expression", "expected"), TO_JSON)
def test_to_json(expression: str, expected: object) -> None:
    result = feel.to_json(feel.evaluate(expression))
    assert result == expected
    json.dumps(result)


def test_years_months_duration_and_range_types() -> None:
    value = feel.evaluate('@"P1Y2M"')
    assert (value.years, value.months, str(value)) == (1, 2, "P1Y2M")
    assert str(feel.evaluate('-@"P1Y2M"')) == "-P1Y2M"
    assert str(YearsMonthsDuration(0)) == "P0M"
    rng = feel.evaluate("(1..10]")
    assert isinstance(rng, Range)
    assert (rng.start, rng.end, rng.start_included, rng.end_included) == (1, 10, False, True)


def test_zone_ids_are_zoneinfo() -> None:
    value = feel.evaluate('@"2020-01-02T10:30:00@Europe/Paris"')
    assert value.tzinfo == ZoneInfo("Europe/Paris")


def test_functions_are_callable_from_python() -> None:
    double = feel.evaluate("function(x) x * 2")
    assert double(21) == 42
    assert double(x=2) == 4
    assert callable(double)


def test_host_functions_get_feel_values_and_named_arguments() -> None:
    seen = []

    def record(first, second="default"):
        seen.append((first, second))
        return {"ok": True}

    assert feel.evaluate('record(second: "b", first: 1)', {"record": record}) == {"ok": True}
    assert seen == [(D(1), "b")]


def test_a_failing_host_function_is_null_with_its_message() -> None:
    def broken(x):
        raise ValueError("Parameter 'errorCode' must be a String")

    value, warnings = feel.compile("broken(1)").evaluate_with_warnings({"broken": broken})
    assert value is None
    assert any("must be a String" in w.message for w in warnings)


def test_warnings_are_per_evaluation() -> None:
    expression = feel.compile("x")
    assert expression.evaluate_with_warnings({})[1]
    assert expression.evaluate_with_warnings({"x": 1}) == (1, [])


def test_variables_are_not_modified() -> None:
    variables = {"a": {"b": [1, 2]}}
    feel.evaluate("{c: a.b[1], d: a}", variables)
    assert variables == {"a": {"b": [1, 2]}}


def test_non_mapping_variables_are_treated_as_none() -> None:
    assert feel.evaluate("1 + 1", None) == 2
    assert feel.compile("1").evaluate([1, 2]) == 1  # type: ignore[arg-type]
