"""Temporal functions (DMN 1.5 tables 77 and 79, feel-scala extensions) and the
properties of temporal values: (expression, variables, expected) tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import feel
from feel import YearsMonthsDuration


def check(expression: str, variables: dict[str, Any] | None, expected: Any) -> None:
    result = feel.evaluate(expression, variables)
    assert result == expected and type(result) is type(expected), (expression, result)


IS = [
    ("is(1, 1)", None, True),
    ("is(1, 1.0)", None, True),
    ("is(1, 2)", None, False),
    ('is("foo", "foo")', None, True),
    ('is(1, "1")', None, False),
    ("is(null, null)", None, True),
    ("is(1, null)", None, False),
    ('is(date("2012-12-25"), time("23:00:50"))', None, False),
    ('is(date("2012-12-25"), date("2012-12-25"))', None, True),
    ('is(@"2012-12-25", @"2012-12-25T00:00:00Z")', None, False),
    ('is(time("23:00:50z"), time("23:00:50"))', None, False),
    ('is(time("23:00:50z"), time("23:00:50+00:00"))', None, True),
    ('is(@"23:00:50@Australia/Melbourne", @"23:00:50@Australia/Melbourne")', None, True),
    ('is(@"23:00:50@Australia/Melbourne", @"23:00:50@Australia/Sydney")', None, False),
    ('is(@"23:00:50@Australia/Melbourne", @"23:00:50+10:00")', None, False),
    ('is(@"23:00:50@Etc/GMT", @"23:00:50Z")', None, False),
    # the same instant with another offset is not the same value
    ('is(@"2002-04-02T12:00:00-01:00", @"2002-04-02T17:00:00+04:00")', None, False),
    ('is(@"2002-04-02T12:00:00-01:00", @"2002-04-02T12:00:00-01:00")', None, True),
    ('is(@"P1D", @"PT24H")', None, True),
    ('is(@"P1Y", @"P12M")', None, True),
    ('is(@"P0Y", @"P0D")', None, False),
    ("is([1, 2], [1, 2])", None, True),
    ('is(value1: @"2021-02-13", value2: @"2021-02-13")', None, True),
    ('is(value2: "a", value1: "a")', None, True),
    ("is(1)", None, None),
    ("is(1, 2, 3)", None, None),
    ("is(value1: 1, value3: 2)", None, None),
]

CALENDAR = [
    ('day of year(@"1970-01-01")', None, D(1)),
    ('day of year(@"2019-12-31")', None, D(365)),
    ('day of year(@"2020-12-31T10:10:10")', None, D(366)),
    ("day of year(date(2019, 9, 17))", None, D(260)),
    ('day of year(date: @"2019-09-17")', None, D(260)),
    ("day of year(d)", {"d": dt.date(2020, 3, 1)}, D(61)),
    ("day of week(date(2019, 9, 17))", None, "Tuesday"),
    ('day of week(@"2021-01-17T23:59:59@Europe/Paris")', None, "Sunday"),
    ('day of week(date: @"2021-01-11")', None, "Monday"),
    ("month of year(date(2019, 9, 17))", None, "September"),
    ('month of year(@"2021-01-01T00:00:00")', None, "January"),
    ('month of year(date: @"2021-12-01")', None, "December"),
    ("week of year(date(2019, 9, 17))", None, D(38)),
    ("week of year(date(2003, 12, 29))", None, D(1)),
    ("week of year(date(2004, 1, 4))", None, D(1)),
    ("week of year(date(2005, 1, 1))", None, D(53)),
    ("week of year(date(2005, 1, 3))", None, D(1)),
    ('week of year(date: @"2010-01-01T10:00:00")', None, D(53)),
    ('last day of month(@"2020-02-10")', None, dt.date(2020, 2, 29)),
    ('last day of month(@"2021-02-10T10:00:00")', None, dt.date(2021, 2, 28)),
    ('last day of month(date: @"2021-12-31")', None, dt.date(2021, 12, 31)),
]

CALENDAR_ERRORS = [
    f"{name}({args})"
    for name in ("day of year", "day of week", "month of year", "week of year", "last day of month")
    for args in (
        "null",
        "",
        '"foo"',
        "date: null",
        'value: @"1970-01-01"',
        '@"1970-01-01", @"1970-01-01"',
        '@"10:00:00"',
        '@"P1D"',
    )
]


@pytest.mark.parametrize(("expression", "variables", "expected"), IS + CALENDAR)
def test_temporal_functions(
    expression: str, variables: dict[str, Any] | None, expected: Any
) -> None:
    check(expression, variables, expected)


@pytest.mark.parametrize("expression", CALENDAR_ERRORS)
def test_calendar_functions_give_null_for_wrong_arguments(expression: str) -> None:
    check(expression, None, None)


def test_now_is_the_current_instant_with_a_zone() -> None:
    before = dt.datetime.now(dt.UTC)
    value = feel.evaluate("now()")
    after = dt.datetime.now(dt.UTC)
    assert isinstance(value, dt.datetime) and value.tzinfo is not None
    assert before <= value <= after


def test_today_is_the_date_of_now() -> None:
    first = feel.evaluate("now()").date()
    value = feel.evaluate("today()")
    last = feel.evaluate("now()").date()
    assert type(value) is dt.date and value in (first, last)
    assert feel.evaluate("today() instance of date") is True
    assert feel.evaluate("now() instance of date and time") is True


@pytest.mark.parametrize("expression", ["now(123)", "today(123)", 'now(zone: "Z")'])
def test_now_and_today_take_no_arguments(expression: str) -> None:
    value, warnings = feel.compile(expression).evaluate_with_warnings({})
    assert value is None and warnings


PARIS = ZoneInfo("Europe/Paris")

PROPERTIES = [
    ('date("2018-12-10").year', None, D(2018)),
    ('date("2018-12-10").month', None, D(12)),
    ('date("2018-12-10").day', None, D(10)),
    ('date("2018-12-10").weekday', None, D(1)),
    ('date("2018-12-16").weekday', None, D(7)),
    ('date and time("2018-12-10T10:30:01").year', None, D(2018)),
    ('date and time("2018-12-10T10:30:01").weekday', None, D(1)),
    ('date and time("2018-12-10T10:30:01").hour', None, D(10)),
    ('date and time("2018-12-10").minute', None, D(0)),
    ('date and time("2018-12-10T10:30:01.25").second', None, D("1.25")),
    ('date and time("2018-12-10T10:30:00+05:00").time offset', None, dt.timedelta(hours=5)),
    (
        'date and time("2018-12-10T10:30:00-01:30").time offset',
        None,
        -dt.timedelta(hours=1, minutes=30),
    ),
    ('date and time("2018-12-10T10:30:00Z").time offset', None, dt.timedelta(0)),
    ('date and time("2018-07-10T10:30:00@Europe/Paris").time offset', None, dt.timedelta(hours=2)),
    ('date and time("2018-12-10T10:30:00@Europe/Paris").time offset', None, dt.timedelta(hours=1)),
    ('date and time("2018-12-10T10:30:00").time offset', None, None),
    ('date and time("2018-12-10T10:30:00@Etc/UTC").timezone', None, "Etc/UTC"),
    ('date and time("2018-12-10T10:30:00").timezone', None, None),
    ('time("10:30:01").hour', None, D(10)),
    ('time("10:30:01").minute', None, D(30)),
    ('time("10:30:01").second', None, D(1)),
    ('time("10:30:00+05:00").time offset', None, dt.timedelta(hours=5)),
    ('time("10:30:00@Europe/Paris").timezone', None, "Europe/Paris"),
    ('time("10:30:00").time offset', None, None),
    ('time("10:30:00").timezone', None, None),
    ('duration("P1Y2M").years', None, D(1)),
    ('duration("P1Y2M").months', None, D(2)),
    ('duration("P26M").years', None, D(2)),
    ('duration("-P14M").years', None, D(-1)),
    ('duration("-P14M").months', None, D(-2)),
    ('duration("P1Y").days', None, None),
    ('duration("P1D").years', None, None),
    ('duration("P1DT2H3M4.5S").days', None, D(1)),
    ('duration("P1DT2H3M4.5S").hours', None, D(2)),
    ('duration("P1DT2H3M4.5S").minutes', None, D(3)),
    ('duration("P1DT2H3M4.5S").seconds', None, D("4.5")),
    ('duration("PT36H").days', None, D(1)),
    ('duration("PT36H").hours', None, D(12)),
    ('duration("-PT90M").hours', None, D(-1)),
    ('duration("-PT90M").minutes', None, D(-30)),
    ('date("2018-12-10").hour', None, None),
    ('time("10:30:00").year', None, None),
    ('date("2018-12-10").years', None, None),
    ("d.year", {"d": dt.date(2020, 1, 2)}, D(2020)),
    ("t.timezone", {"t": dt.datetime(2020, 1, 2, tzinfo=PARIS)}, "Europe/Paris"),
    ("[date(2020, 1, 2), date(2021, 3, 4)].month", None, [D(1), D(3)]),
]


@pytest.mark.parametrize(("expression", "variables", "expected"), PROPERTIES)
def test_temporal_properties(
    expression: str, variables: dict[str, Any] | None, expected: Any
) -> None:
    check(expression, variables, expected)


def test_years_and_months_duration_from_another_library_keeps_its_properties() -> None:
    class Period:
        total_months = 27

    assert feel.evaluate("p.years", {"p": Period()}) == D(2)
    assert feel.evaluate('p + duration("P1M")', {"p": Period()}) == YearsMonthsDuration(28)


WARNINGS = [
    ('day of year("foo")', ["'day of year'", '"foo"']),
    ("week of year(1, 2)", ["'week of year'"]),
    ("is(1)", ["'is'"]),
    ('month of year(value: @"1970-01-01")', ["'month of year'", "value"]),
]


@pytest.mark.parametrize(("expression", "fragments"), WARNINGS)
def test_wrong_arguments_warn(expression: str, fragments: list[str]) -> None:
    value, warnings = feel.compile(expression).evaluate_with_warnings({})
    assert value is None and warnings, expression
    message = " ".join(w.message for w in warnings)
    for fragment in fragments:
        assert fragment in message, (fragment, message)
