"""Conversion functions (DMN 1.5 table 72): (expression, variables, expected) tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import feel
from feel import YearsMonthsDuration

UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")


def offset(hours: int, minutes: int = 0, seconds: int = 0) -> dt.timezone:
    sign = -1 if hours < 0 else 1
    delta = dt.timedelta(hours=abs(hours), minutes=minutes, seconds=seconds)
    return dt.timezone(sign * delta)


def same(result: Any, expected: Any) -> bool:
    """Equal, of the same type, and for times and date-times in the same zone or offset."""
    if type(result) is not type(expected) or result != expected:
        return False
    if isinstance(expected, dt.time | dt.datetime):
        zone = (getattr(expected.tzinfo, "key", None), expected.utcoffset())
        return (getattr(result.tzinfo, "key", None), result.utcoffset()) == zone
    return True


def check(expression: str, variables: dict[str, Any] | None, expected: Any) -> None:
    result = feel.evaluate(expression, variables)
    assert same(result, expected), (expression, result)


DATE = [
    ('date("2017-12-31")', None, dt.date(2017, 12, 31)),
    ("date(s)", {"s": "2012-12-25"}, dt.date(2012, 12, 25)),
    ('date(date and time("2017-08-14T14:25:00"))', None, dt.date(2017, 8, 14)),
    ('date(date and time("2017-09-03T09:45:30@Europe/Paris"))', None, dt.date(2017, 9, 3)),
    ('date(date and time("2017-08-03T23:15:30-05:00"))', None, dt.date(2017, 8, 3)),
    ('date(date("2017-10-11"))', None, dt.date(2017, 10, 11)),
    ("date(2017, 12, 31)", None, dt.date(2017, 12, 31)),
    ("date(2016, 2, 29)", None, dt.date(2016, 2, 29)),
    ('date(from: "2012-12-25")', None, dt.date(2012, 12, 25)),
    ("date(year: 2017, month: 8, day: 30)", None, dt.date(2017, 8, 30)),
    ("date(day: 30, month: 8, year: 2017)", None, dt.date(2017, 8, 30)),
    ('date("2012-12-25") - date("2012-12-24") = duration("P1D")', None, True),
    # null and error cases
    ("date(null)", None, None),
    ("date(2017, null, 1)", None, None),
    ("date()", None, None),
    ("date(1)", None, None),
    ("date([])", None, None),
    ("date(2017, 1)", None, None),
    ('date("")', None, None),
    ('date("2012/12/25")', None, None),
    ('date("2012-12-25T")', None, None),
    ('date("2012-12-25T10:00:00")', None, None),
    ('date("2017-13-10")', None, None),
    ('date("2017-02-29")', None, None),
    ('date("998-12-31")', None, None),
    ('date("01211-12-31")', None, None),
    ('date("+2012-12-02")', None, None),
    ("date(2017, 13, 31)", None, None),
    ("date(2017, 8, -2)", None, None),
    ("date(2017.5, 1, 1)", None, None),
    ('date("2017", 1, 1)', None, None),
    ('date(value: "2012-12-25")', None, None),
]

TIME = [
    ('time("01:02:03")', None, dt.time(1, 2, 3)),
    ('time("13:30")', None, dt.time(13, 30)),
    ('time("T23:59:00")', None, dt.time(23, 59)),
    ('time("11:22:33.444")', None, dt.time(11, 22, 33, 444000)),
    ('time("11:22:33.123456789")', None, dt.time(11, 22, 33, 123456)),
    ('time("23:59:00Z")', None, dt.time(23, 59, tzinfo=UTC)),
    ('time("23:59:00z")', None, dt.time(23, 59, tzinfo=UTC)),
    ('time("13:20:00+02:00")', None, dt.time(13, 20, tzinfo=offset(2))),
    ('time("13:20:00-05:30")', None, dt.time(13, 20, tzinfo=offset(-5, 30))),
    ('time("11:22:33-00:00")', None, dt.time(11, 22, 33, tzinfo=UTC)),
    ('time("00:01:00@Europe/Paris")', None, dt.time(0, 1, tzinfo=PARIS)),
    ('time("24:00:00")', None, dt.time(0, 0)),
    ('time(date and time("2017-08-10T10:20:00"))', None, dt.time(10, 20)),
    ('time(date and time("2017-08-10T10:20:00+01:00"))', None, dt.time(10, 20, tzinfo=offset(1))),
    (
        'time(date and time("2017-08-10T10:20:00@Europe/Paris"))',
        None,
        dt.time(10, 20, tzinfo=PARIS),
    ),
    ('time(date("2017-08-10"))', None, dt.time(0, 0, tzinfo=UTC)),
    ('time(time("10:00:00"))', None, dt.time(10, 0)),
    ("time(12, 0, 0)", None, dt.time(12, 0)),
    ("time(12, 0, 0, null)", None, dt.time(12, 0)),
    ("time(12, 59, 1.3)", None, dt.time(12, 59, 1, 300000)),
    ('time(11, 59, 45, duration("PT2H"))', None, dt.time(11, 59, 45, tzinfo=offset(2))),
    ('time(11, 59, 45, duration("-PT2H1M"))', None, dt.time(11, 59, 45, tzinfo=offset(-2, 1))),
    ('time(11, 59, 45, duration("PT0H"))', None, dt.time(11, 59, 45, tzinfo=UTC)),
    (
        'time(11, 59, 45, duration("PT2H45M55S"))',
        None,
        dt.time(11, 59, 45, tzinfo=offset(2, 45, 55)),
    ),
    ('time(23, 59, 0, duration("PT0H")) = time("23:59:00z")', None, True),
    ('time(from: "12:45:00")', None, dt.time(12, 45)),
    (
        'time(hour: 11, minute: 59, second: 0, offset: duration("-PT2H"))',
        None,
        dt.time(11, 59, tzinfo=offset(-2)),
    ),
    ("time(hour: 11, minute: 59, second: 0)", None, dt.time(11, 59)),
    # null and error cases
    ("time(null)", None, None),
    ("time()", None, None),
    ("time(2017)", None, None),
    ('time("")', None, None),
    ('time("23:59:60")', None, None),
    ('time("24:00:01")', None, None),
    ('time("7:00:00")', None, None),
    ('time("13:20:00+19:00")', None, None),
    ('time("13:20:00+5:00")', None, None),
    ('time("13:20:00+02:00@Europe/Paris")', None, None),
    ('time("13:20:00@xyz/abc")', None, None),
    ('time("11:30:00T")', None, None),
    ("time(24, 59, 45, null)", None, None),
    ("time(23, 60, 45)", None, None),
    ("time(23, 59, 60)", None, None),
    ("time(23, 59, -1)", None, None),
    ("time(12.5, 0, 0)", None, None),
    ("time(12, 0, 0, 1)", None, None),
    ('time(12, 0, 0, duration("PT19H"))', None, None),
    ("time(null, 11, 45, null)", None, None),
    ("time(12, 0)", None, None),
]

DATE_AND_TIME = [
    ('date and time("2012-12-24")', None, dt.datetime(2012, 12, 24)),
    ('date and time("2017-12-31T11:22:33")', None, dt.datetime(2017, 12, 31, 11, 22, 33)),
    (
        'date and time("2017-12-31T11:22:33.567Z")',
        None,
        dt.datetime(2017, 12, 31, 11, 22, 33, 567000, UTC),
    ),
    (
        'date and time("2017-12-31T11:22:33-01:35")',
        None,
        dt.datetime(2017, 12, 31, 11, 22, 33, 0, offset(-1, 35)),
    ),
    (
        'date and time("2011-12-31T10:15:30@Europe/Paris")',
        None,
        dt.datetime(2011, 12, 31, 10, 15, 30, 0, PARIS),
    ),
    ('date and time("2017-12-31T24:00:00")', None, dt.datetime(2018, 1, 1)),
    (
        'date and time(date("2017-01-01"), time("23:59:01"))',
        None,
        dt.datetime(2017, 1, 1, 23, 59, 1),
    ),
    (
        'date and time(date("2017-01-01"), time("23:59:01+02:00"))',
        None,
        dt.datetime(2017, 1, 1, 23, 59, 1, 0, offset(2)),
    ),
    (
        'date and time(date and time("2017-08-10T10:20:00+02:00"), time("23:59:01"))',
        None,
        dt.datetime(2017, 8, 10, 23, 59, 1),
    ),
    (
        'date and time(date and time("2017-09-05T10:20:00@Europe/Paris"), time("09:15:30Z"))',
        None,
        dt.datetime(2017, 9, 5, 9, 15, 30, 0, UTC),
    ),
    ('date and time(from: "2012-12-24T23:59:00")', None, dt.datetime(2012, 12, 24, 23, 59)),
    (
        'date and time(date: date("2017-01-01"), time: time("23:59:01"))',
        None,
        dt.datetime(2017, 1, 1, 23, 59, 1),
    ),
    (
        'date and time("2012-12-24T23:59:00") + duration("PT1M")'
        ' = date and time("2012-12-25T00:00:00")',
        None,
        True,
    ),
    # feel-scala's extension: the same instant in another zone
    (
        'date and time(@"2020-07-31T14:27:30@Europe/Berlin", "America/Los_Angeles")',
        None,
        dt.datetime(2020, 7, 31, 5, 27, 30, 0, ZoneInfo("America/Los_Angeles")),
    ),
    (
        'date and time(date: @"2020-07-31T14:27:30+02:00", timezone: "Z")',
        None,
        dt.datetime(2020, 7, 31, 12, 27, 30, 0, UTC),
    ),
    (
        'date and time(@"2020-07-31T14:27:30", "Europe/Paris")',
        None,
        dt.datetime(2020, 7, 31, 14, 27, 30, 0, PARIS),
    ),
    (
        'date and time(@"2020-07-31", "+05:00")',
        None,
        dt.datetime(2020, 7, 31, 0, 0, 0, 0, offset(5)),
    ),
    # null and error cases
    ("date and time(null)", None, None),
    ("date and time()", None, None),
    ("date and time(2017)", None, None),
    ('date and time("")', None, None),
    ('date and time("11:00:00")', None, None),
    ('date and time("2011-12-0310:15:30")', None, None),
    ('date and time("2017-13-10T11:22:33")', None, None),
    ('date and time("2017-12-31T24:00:01")', None, None),
    ('date and time("2017-12-31T13:20:00+02:00@Europe/Paris")', None, None),
    ('date and time("2017-12-31T13:20:00@xyz/abc")', None, None),
    ('date and time(date("2017-08-10"), null)', None, None),
    ('date and time(null, time("23:59:01"))', None, None),
    ('date and time(time("10:00:00"), time("23:59:01"))', None, None),
    ('date and time(date("2017-08-10"), 1)', None, None),
    ('date and time(@"2020-07-31T14:27:30", "Mars/Olympus")', None, None),
]

DURATION = [
    ('duration("P1D")', None, dt.timedelta(days=1)),
    ('duration("PT0.999S")', None, dt.timedelta(milliseconds=999)),
    (
        'duration("P1DT2H3M4.123456789S")',
        None,
        dt.timedelta(days=1, seconds=7384, microseconds=123456),
    ),
    ('duration("PT0.S")', None, dt.timedelta(0)),
    ('duration("-PT1H2M")', None, -dt.timedelta(hours=1, minutes=2)),
    ('duration("PT1000M")', None, dt.timedelta(hours=16, minutes=40)),
    ('duration("PT-5M")', None, dt.timedelta(minutes=-5)),
    ('duration("P-1DT2H")', None, dt.timedelta(days=-1, hours=2)),
    ('duration("P1Y2M")', None, YearsMonthsDuration(14)),
    ('duration("P0Y")', None, YearsMonthsDuration(0)),
    ('duration("-P100M")', None, YearsMonthsDuration(-100)),
    ('duration("P-1Y-2M")', None, YearsMonthsDuration(-14)),
    ('duration("P2Y2M") = duration("P26M")', None, True),
    ('duration(from: "PT24H")', None, dt.timedelta(days=1)),
    ('duration(duration("P1D"))', None, dt.timedelta(days=1)),
    ("duration(null)", None, None),
    ("duration()", None, None),
    ("duration(2017)", None, None),
    ('duration("")', None, None),
    ('duration("P")', None, None),
    ('duration("PT")', None, None),
    ('duration("P1DT")', None, None),
    ('duration("P0")', None, None),
    ('duration("1Y")', None, None),
    ('duration("P1H")', None, None),
    ('duration("P1S")', None, None),
    ('duration("P1Y2D")', None, None),
    ('duration("P9999999999D")', None, None),
]

YEARS_AND_MONTHS = [
    (
        'years and months duration(date("2011-12-22"), date("2013-08-24"))',
        None,
        YearsMonthsDuration(20),
    ),
    (
        'years and months duration(date("2013-08-24"), date("2011-12-22"))',
        None,
        YearsMonthsDuration(-20),
    ),
    (
        'years and months duration(date("2016-01-01"), date("2016-01-01"))',
        None,
        YearsMonthsDuration(0),
    ),
    (
        'years and months duration(date("2016-01-31"), date("2016-02-29"))',
        None,
        YearsMonthsDuration(0),
    ),
    (
        'years and months duration(date("2016-02-29"), date("2016-01-31"))',
        None,
        YearsMonthsDuration(0),
    ),
    # only the calendar dates count, not the clock
    (
        "years and months duration("
        'date and time("2014-12-31T23:59:59"), date and time("2016-12-31T00:00:01"))',
        None,
        YearsMonthsDuration(24),
    ),
    (
        "years and months duration("
        'date and time("2017-12-31T13:00:00"), date and time("2017-12-31T12:00:00"))',
        None,
        YearsMonthsDuration(0),
    ),
    (
        'years and months duration(date("2013-08-24"), date and time("2017-12-15T00:59:59"))',
        None,
        YearsMonthsDuration(51),
    ),
    (
        'years and months duration(from: date("2016-01-21"), to: date("2015-01-21"))',
        None,
        YearsMonthsDuration(-12),
    ),
    ('years and months duration(date("2017-08-11"), null)', None, None),
    ("years and months duration()", None, None),
    ('years and months duration("2011-12-22", "2013-08-24")', None, None),
    ('years and months duration(date("2011-12-22"))', None, None),
]

NUMBER = [
    ('number("1500.5")', None, D("1500.5")),
    ('number("-12")', None, D(-12)),
    ('number(".5")', None, D("0.5")),
    ('number("1.2e3")', None, D(1200)),
    ('number("1 500.5", " ")', None, D("1500.5")),
    ('number("1.000.000,01", ".", ",")', None, D("1000000.01")),
    ('number("1,000,000.01", ",", ".")', None, D("1000000.01")),
    ('number("1500,5", null, ",")', None, D("1500.5")),
    ('number("1.500", ".", null)', None, D(1500)),
    ('number("1 000,0", " ", ",") = number("1,000.0", ",", ".")', None, True),
    (
        'number(from: "1.000.000,01", decimal separator: ",", grouping separator: ".")',
        None,
        D("1000000.01"),
    ),
    ("number(null)", None, None),
    ("number(123)", None, None),
    ('number("foo")', None, None),
    ('number("1,000")', None, None),
    ('number(" 1")', None, None),
    ('number("1,000,000.01", ":", ".")', None, None),
    ('number("1,000,000.01", ",", ":")', None, None),
    ('number("1,000,000.00", ",", ",")', None, None),
    ('number("1,000,000.01", 123, ".")', None, None),
    ('number("1.000.000,01", ".")', None, None),
    ('number("1", ".", ",", ",")', None, None),
    ('number(from: "1", decimal sep: ",")', None, None),
]

STRING = [
    ("string(1.1)", None, "1.1"),
    ("string(1.10)", None, "1.1"),
    ("string(-0.0)", None, "0"),
    ("string(1e30)", None, "1000000000000000000000000000000"),
    ("string(1/3)", None, "0.3333333333333333333333333333333333"),
    ('string("foo")', None, "foo"),
    ("string(true)", None, "true"),
    ('string(date("2012-12-25"))', None, "2012-12-25"),
    ('string(time("23:59:00+01:00"))', None, "23:59:00+01:00"),
    ('string(time("00:01:00@Etc/UTC"))', None, "00:01:00@Etc/UTC"),
    ('string(time(11, 59, 45, duration("-PT2H45M55S")))', None, "11:59:45-02:45:55"),
    ('string(date and time("2012-12-25T11:00:00.5Z"))', None, "2012-12-25T11:00:00.5Z"),
    (
        'string(date and time("2011-12-31T10:15:30@Europe/Paris"))',
        None,
        "2011-12-31T10:15:30@Europe/Paris",
    ),
    ('string(duration("P1DT2H3M4S"))', None, "P1DT2H3M4S"),
    ('string(duration("-PT2M30S"))', None, "-PT2M30S"),
    ('string(duration("PT0S"))', None, "PT0S"),
    ('string(duration("P1Y"))', None, "P1Y"),
    ('string(duration("P2M"))', None, "P2M"),
    ('string(duration("P0Y"))', None, "P0M"),
    ('string([1, "a", null, true])', None, '[1, "a", null, true]'),
    ("string([])", None, "[]"),
    ('string({a: 1, "b c": "x", "d-e": [2]})', None, '{a: 1, b c: "x", "d-e": [2]}'),
    ("string([1..10))", None, "[1..10)"),
    ("string((< 10))", None, "(..10)"),
    ("string((>= 10))", None, "[10..)"),
    ("string((= 10))", None, "[10..10]"),
    ('string([date("2020-01-01")..date("2020-12-31")])', None, '[@"2020-01-01"..@"2020-12-31"]'),
    ('string({d: date("2020-01-01")})', None, '{d: @"2020-01-01"}'),
    ("string(from: 12)", None, "12"),
    ("string(null)", None, None),
    ("string()", None, None),
    ("string(1, 2)", None, None),
]

TABLES = DATE + TIME + DATE_AND_TIME + DURATION + YEARS_AND_MONTHS + NUMBER + STRING


@pytest.mark.parametrize(("expression", "variables", "expected"), TABLES)
def test_conversion(expression: str, variables: dict[str, Any] | None, expected: Any) -> None:
    check(expression, variables, expected)


WARNINGS = [
    ('date("2017-13-10")', ["'date'", '"2017-13-10"']),
    ("date(2017, 13, 31)", ["'date'", "2017, 13, 31"]),
    ("date(1, 2)", ["'date'", "2"]),
    ('time("25:00:00")', ["'time'", '"25:00:00"']),
    ("time(12, 0, 0, 1)", ["'time'", "offset"]),
    ("date and time(2017)", ["'date and time'", "2017"]),
    ('duration("P1H")', ["'duration'", '"P1H"']),
    ('years and months duration("a", "b")', ["'years and months duration'", "from"]),
    ('number("1,000,000.01", ":", ".")', ["'number'", "grouping separator"]),
    ('number("1,000.00", ",", ",")', ["'number'", "differ"]),
    ("string(1, 2)", ["'string'"]),
    ('date(value: "2012-12-25")', ["'date'", "value"]),
]


@pytest.mark.parametrize(("expression", "fragments"), WARNINGS)
def test_wrong_arguments_warn(expression: str, fragments: list[str]) -> None:
    value, warnings = feel.compile(expression).evaluate_with_warnings({})
    assert value is None
    assert warnings, expression
    message = " ".join(w.message for w in warnings)
    for fragment in fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize(
    "text", ["[1..10)", '("a".."z"]', '[@"2020-01-01"..@"2020-12-31"]', "(..2)", "[2..)"]
)
def test_string_of_a_range_reads_back_through_range(text: str) -> None:
    rng = feel.evaluate("range(t)", {"t": text})
    assert rng is not None
    assert feel.evaluate("range(string(r)) = r", {"r": rng}) is True
