"""Temporal arithmetic and parsing rules: (expression, variables, expected) tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import feel
from feel import YearsMonthsDuration

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC


def check(expression: str, variables: dict[str, Any] | None, expected: Any) -> None:
    result = feel.evaluate(expression, variables)
    assert result == expected and type(result) is type(expected), (expression, result)
    if isinstance(expected, dt.datetime | dt.time) and expected.tzinfo is not None:
        assert getattr(result.tzinfo, "key", None) == getattr(expected.tzinfo, "key", None)
        assert result.utcoffset() == expected.utcoffset()


DIFFERENCES = [
    ('@"2021-01-02" - @"2021-01-01"', None, dt.timedelta(days=1)),
    ('@"2021-01-01" - @"2020-01-01"', None, dt.timedelta(days=366)),
    ('@"2021-01-02T10:10:10" - @"2021-01-01T10:10:10"', None, dt.timedelta(days=1)),
    (
        '@"2021-01-02T10:10:10@Europe/Paris" - @"2021-01-01T10:10:10@Asia/Dhaka"',
        None,
        dt.timedelta(days=1, hours=5),
    ),
    (
        '@"2021-01-02T10:10:10+01:00" - @"2021-01-01T10:10:10@Europe/Paris"',
        None,
        dt.timedelta(days=1),
    ),
    # the instants count, not the wall clocks: one hour passes over the spring DST change
    (
        '@"2021-03-28T03:30:00@Europe/Paris" - @"2021-03-28T01:30:00@Europe/Paris"',
        None,
        dt.timedelta(hours=1),
    ),
    # a date next to a date and time is its midnight in UTC
    ('@"2021-01-02T00:00:00Z" - @"2021-01-02"', None, dt.timedelta(0)),
    (
        '@"2021-01-02" - @"2021-01-01T10:10:10+11:00"',
        None,
        dt.timedelta(days=1, minutes=49, seconds=50),
    ),
    (
        '@"2021-01-02T10:10:10@Europe/Paris" - @"2021-01-01"',
        None,
        dt.timedelta(days=1, hours=9, minutes=10, seconds=10),
    ),
    # ... so it has no difference with a local date and time, nor does a zoned value
    ('@"2021-01-01T00:00:00" - @"2021-01-02"', None, None),
    ('@"2021-01-02" - @"2021-01-01T10:10:10"', None, None),
    ('@"2021-01-02T10:10:10+02:00" - @"2021-01-01T10:10:10"', None, None),
    ('@"10:00:00+02:00" - @"09:00:00Z"', None, -dt.timedelta(hours=1)),
    ('@"10:00:00" - @"09:00:00"', None, dt.timedelta(hours=1)),
    ('@"10:00:00" - @"09:00:00Z"', None, None),
    ('@"2021-01-01" + @"2021-01-01"', None, None),
]

MOVES = [
    ('@"2021-01-01" + @"P1D"', None, dt.date(2021, 1, 2)),
    ('@"2021-01-01" + @"PT25H"', None, dt.date(2021, 1, 2)),
    ('@"P1D" + @"2021-01-01"', None, dt.date(2021, 1, 2)),
    ('@"2021-01-31" + @"P1M"', None, dt.date(2021, 2, 28)),
    ('@"2020-02-29" + @"P1Y"', None, dt.date(2021, 2, 28)),
    ('@"2021-03-31" - @"P1M"', None, dt.date(2021, 2, 28)),
    ('@"2021-01-01T10:00:00" + @"PT1H"', None, dt.datetime(2021, 1, 1, 11)),
    (
        '@"2021-01-31T10:00:00@Europe/Paris" + @"P1M"',
        None,
        dt.datetime(2021, 2, 28, 10, 0, tzinfo=PARIS),
    ),
    # exact durations move along the UTC timeline over a DST change
    (
        '@"2021-03-28T01:30:00@Europe/Paris" + @"PT1H"',
        None,
        dt.datetime(2021, 3, 28, 3, 30, tzinfo=PARIS),
    ),
    (
        '@"2021-10-31T03:30:00@Europe/Paris" - @"PT2H"',
        None,
        dt.datetime(2021, 10, 31, 2, 30, fold=0, tzinfo=PARIS),
    ),
    (
        '@"2021-01-01T10:00:00+05:00" - @"P1D"',
        None,
        dt.datetime(2020, 12, 31, 10, tzinfo=dt.timezone(dt.timedelta(hours=5))),
    ),
    ('@"23:30:00" + @"PT1H"', None, dt.time(0, 30)),
    (
        '@"10:15:00@Australia/Melbourne" + @"P1D"',
        None,
        dt.time(10, 15, tzinfo=ZoneInfo("Australia/Melbourne")),
    ),
    ('@"00:30:00Z" - @"PT1H"', None, dt.time(23, 30, tzinfo=UTC)),
    ('@"10:00:00" + @"P1M"', None, None),
]

DURATIONS = [
    ('@"P1D" + @"PT12H"', None, dt.timedelta(days=1, hours=12)),
    ('@"P1Y" - @"P3M"', None, YearsMonthsDuration(9)),
    ('@"P1D" * 1.5', None, dt.timedelta(days=1, hours=12)),
    ('2 * @"P1Y1M"', None, YearsMonthsDuration(26)),
    ('@"P1Y" / 12', None, YearsMonthsDuration(1)),
    ('@"PT1H" / @"PT1M"', None, D(60)),
    ('@"P1Y" / @"P1M"', None, D(12)),
    ('@"P5D" / 5', None, dt.timedelta(days=1)),
    ('-@"P1D"', None, dt.timedelta(days=-1)),
    ('-@"P1Y"', None, YearsMonthsDuration(-12)),
    ('@"P1D" / 0', None, None),
    ('@"P1D" + @"P1Y"', None, None),
    ('@"P1D" = @"PT24H"', None, True),
    ('@"P1Y" = @"P12M"', None, True),
    ('@"P1Y" > @"P11M"', None, True),
    ('@"PT1H" < @"PT61M"', None, True),
]

COMPARISONS = [
    ('@"2021-01-01T00:00:00Z" = @"2021-01-01T01:00:00+01:00"', None, True),
    ('@"2021-01-01T10:00:00@Europe/Paris" = @"2021-01-01T09:00:00Z"', None, True),
    ('@"10:00:00+01:00" < @"09:30:00Z"', None, True),
    ('@"2021-01-01" < @"2021-01-02"', None, True),
    ('@"2021-01-01T10:00:00" < @"2021-01-01T10:00:00Z"', None, None),
]

PARSING = [
    ('@"2021-01-01T24:00:00"', None, dt.datetime(2021, 1, 2)),
    ('@"24:00:00"', None, dt.time(0, 0)),
    ('@"13:30"', None, dt.time(13, 30)),
    ('@"10:00:00.000001"', None, dt.time(10, 0, 0, 1)),
    ('@"10:00:00.0000019"', None, dt.time(10, 0, 0, 1)),
    ('@"2021-01-01T10:00:00-00:00"', None, dt.datetime(2021, 1, 1, 10, tzinfo=UTC)),
    (
        '@"2021-01-01T10:00:00+14:00"',
        None,
        dt.datetime(2021, 1, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=14))),
    ),
    ('@"PT0.000001S"', None, dt.timedelta(microseconds=1)),
    ('@"PT-5M"', None, dt.timedelta(minutes=-5)),
    ('@"P-1Y"', None, YearsMonthsDuration(-12)),
    ('@"2021-02-29"', None, None),
    ('@"2021-01-01T10:00:00+19:00"', None, None),
    ('@"10:00:60"', None, None),
    ('@"P1W"', None, None),
    ('@"10:00:00@Nowhere/City"', None, None),
]


@pytest.mark.parametrize(
    ("expression", "variables", "expected"), DIFFERENCES + MOVES + DURATIONS + COMPARISONS + PARSING
)
def test_temporal_arithmetic(
    expression: str, variables: dict[str, Any] | None, expected: Any
) -> None:
    check(expression, variables, expected)


def test_a_null_difference_says_why() -> None:
    value, warnings = feel.compile('@"2021-01-01T00:00:00" - @"2021-01-02"').evaluate_with_warnings(
        {}
    )
    assert value is None
    assert any("time zone" in w.message for w in warnings), warnings
