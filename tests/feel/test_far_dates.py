"""Dates and dates and times with years outside 1..9999 (feel.far_dates), through
`feel.evaluate`: (expression, expected) tables, where `expected` is the value as
`feel.to_json` gives it (ISO strings for temporals and durations), and properties
checked against an independent calendar (Howard Hinnant's days-from-civil)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import feel


def check(expression: str, expected: Any) -> None:
    result = feel.evaluate(expression)
    assert feel.to_json(result) == expected, (expression, result)


PARSING_AND_PRINTING = [
    ('string(@"-2021-01-01")', "-2021-01-01"),
    ('string(date("0000-01-01"))', "0000-01-01"),
    ('string(date("-0001-12-31"))', "-0001-12-31"),
    ('string(@"10000-01-01")', "10000-01-01"),
    ('string(date("999999999-12-31"))', "999999999-12-31"),
    ('string(date("-999999999-01-01"))', "-999999999-01-01"),
    ("string(date(-999999999, 12, 31))", "-999999999-12-31"),
    ("string(date(999999999, 1, 1))", "999999999-01-01"),
    ("string(date(0, 2, 29))", "0000-02-29"),
    ("string(date(-400, 2, 29))", "-0400-02-29"),
    ("string(date(-4, 2, 29))", "-0004-02-29"),
    ('string(date and time("-99999-12-31T11:22:33"))', "-99999-12-31T11:22:33"),
    ('string(date and time("99999-12-31T11:22:33"))', "99999-12-31T11:22:33"),
    ('string(@"-2021-01-01T10:10:10.5+11:00")', "-2021-01-01T10:10:10.5+11:00"),
    ('string(@"-2021-01-01T10:10:10Z")', "-2021-01-01T10:10:10Z"),
    ('string(@"99999-12-31T23:59:59@Europe/Paris")', "99999-12-31T23:59:59@Europe/Paris"),
    ('string(date and time("-2021-01-01"))', "-2021-01-01T00:00:00"),
    # 24:00 is the next day's midnight, across 9999 and inside far years
    ('string(date and time("9999-12-31T24:00:00"))', "10000-01-01T00:00:00"),
    ('string(date and time("-0001-12-31T24:00:00"))', "0000-01-01T00:00:00"),
    ('string(date and time("0000-12-31T24:00:00"))', "0001-01-01T00:00:00"),
    # inside lists and contexts as literals that read back
    (
        'string([@"-2021-01-01", {a: @"99999-01-01T10:00:00@Europe/Paris"}])',
        '[@"-2021-01-01", {a: @"99999-01-01T10:00:00@Europe/Paris"}]',
    ),
    # what FEEL cannot hold is null
    ('date("9999999999-12-25")', None),
    ("date(1000000000, 1, 1)", None),
    ("date(-1000000000, 1, 1)", None),
    ('date("-0000-01-01")', None),
    ('@"-0000-01-01"', None),
    ("date(-1, 2, 29)", None),
    ("date(-100, 2, 29)", None),
    ('date("-2021-02-29")', None),
    ('date("-2021-13-01")', None),
    ('date("+2021-01-01")', None),
    ('date and time("999999999-12-31T24:00:00")', None),
    ('date and time("-2021-01-01T10:00:00+02:00@Europe/Paris")', None),
]

ARITHMETIC = [
    # both orders, both duration kinds, offsets and zones (the DMN TCK's cases)
    ('@"-2021-01-01T10:10:10+11:00" + @"P1M"', "-2021-02-01T10:10:10+11:00"),
    ('@"P1M" + @"-2021-01-01T10:10:10+11:00"', "-2021-02-01T10:10:10+11:00"),
    ('@"-2021-01-01T10:10:10+11:00" - @"P1Y"', "-2022-01-01T10:10:10+11:00"),
    ('@"-2021-01-01T10:10:10+11:00" - @"-P1Y"', "-2020-01-01T10:10:10+11:00"),
    ('@"-2021-01-01T10:10:10+11:00" + @"PT1H"', "-2021-01-01T11:10:10+11:00"),
    ('@"-2021-01-01T10:10:10+11:00" - @"P1D"', "-2022-12-31T10:10:10+11:00"),
    (
        '@"-P1D" + @"-2021-01-01T10:10:10@Australia/Melbourne"',
        "-2022-12-31T10:10:10@Australia/Melbourne",
    ),
    (
        '@"-2021-01-01T10:10:10@Australia/Melbourne" - @"-PT1H"',
        "-2021-01-01T11:10:10@Australia/Melbourne",
    ),
    (
        '@"-2021-01-01T10:10:10@Australia/Melbourne" + @"P1M"',
        "-2021-02-01T10:10:10@Australia/Melbourne",
    ),
    ('@"99999-12-31T23:30:00@Europe/Paris" + @"PT1H"', "100000-01-01T00:30:00@Europe/Paris"),
    # dates
    ('@"P1Y" + @"-2021-01-01"', "-2020-01-01"),
    ('@"-2021-01-01" + @"P1Y2M"', "-2020-03-01"),
    ('@"-2021-01-31" + @"P1M"', "-2021-02-28"),
    ('@"-2020-01-31" + @"P1M"', "-2020-02-29"),
    ('@"-2020-02-29" + @"P1Y"', "-2019-02-28"),
    ('@"-2021-01-01" + @"P1D"', "-2021-01-02"),
    ('@"P1D" + @"-2021-01-01"', "-2021-01-02"),
    ('@"-2021-01-01" - @"PT1H"', "-2022-12-31"),
    ('@"-2021-01-01" + @"PT47H"', "-2021-01-02"),
    # crossing year 0, year 1 and year 9999, in and out of Python's range
    ('@"-0001-12-31" + @"P1D"', "0000-01-01"),
    ('@"0000-12-31" + @"P1D"', "0001-01-01"),
    ('@"0001-01-01" - @"P1D"', "0000-12-31"),
    ('@"0001-01-15" - @"P1M"', "0000-12-15"),
    ('@"0001-03-01" - @"P1Y"', "0000-03-01"),
    ('@"9999-12-31" + @"P1D"', "10000-01-01"),
    ('@"10000-01-01" - @"P1D"', "9999-12-31"),
    ('@"9999-12-15" + @"P1M"', "10000-01-15"),
    ('@"9999-12-31T23:00:00Z" + @"PT2H"', "10000-01-01T01:00:00Z"),
    ('@"0001-01-01T00:00:00+01:00" - @"PT1H"', "0000-12-31T23:00:00+01:00"),
    ('@"0001-01-01T00:30:00@Europe/Paris" - @"PT1H"', "0000-12-31T23:30:00@Europe/Paris"),
    ('@"0000-12-31T23:30:00@Europe/Paris" + @"PT1H"', "0001-01-01T00:30:00@Europe/Paris"),
    # long moves, both ways, to the limits of the range
    ('@"-999999999-01-01" + @"P1999999998Y"', "999999999-01-01"),
    ('@"999999999-12-31" - @"P1999999998Y11M"', "-999999999-01-31"),
    ('(@"2021-01-01" + @"P999999999D") - @"2021-01-01"', "P999999999D"),
    ('(@"2021-01-01" - @"P999999999D") - @"2021-01-01"', "-P999999999D"),
    (
        '@"-999999999-01-01T00:00:00@Europe/Paris" + @"PT1S"',
        "-999999999-01-01T00:00:01@Europe/Paris",
    ),
    # beyond them: null
    ('@"999999999-12-31" + @"P1D"', None),
    ('@"-999999999-01-01" - @"P1D"', None),
    ('@"999999999-12-01" + @"P1M"', None),
    ('@"999999999-12-31T23:59:59" + @"PT1S"', None),
    ('@"-999999999-01-01T00:00:00@Europe/Paris" - @"PT1S"', None),
    ('@"-2021-01-01" + 1', None),
    ('@"-2021-01-01T10:00:00" * 2', None),
]

DIFFERENCES = [
    ('@"-2021-01-02" - @"-2021-01-01"', "P1D"),
    ('@"0001-01-01" - @"-0001-01-01"', "P731D"),
    ('@"2021-01-01" - @"-2021-01-01"', "P1476311D"),
    ('@"-2021-01-01" - @"2021-01-01"', "-P1476311D"),
    ('@"-2021-01-01T10:00:00" - @"-2021-01-01T09:00:00"', "PT1H"),
    ('@"10000-01-01T00:00:00Z" - @"9999-12-31T23:00:00Z"', "PT1H"),
    ('@"9999-12-31T23:00:00Z" - @"10000-01-01T00:00:00+01:00"', "PT0S"),
    # a far past zone keeps its local mean time (Paris: +00:09:21, as Java's rules)
    ('@"-2021-01-01T10:00:00@Europe/Paris" - @"-2021-01-01T10:00:00Z"', "-PT9M21S"),
    # a date next to a date and time is its midnight in UTC
    ('@"-2021-01-01" - @"2021-01-01T00:00:00Z"', "-P1476311D"),
    ('@"2021-01-01T00:00:00Z" - @"-2021-01-01"', "P1476311D"),
    ('@"-2021-01-01" - @"2021-01-01T00:00:00"', None),
    ('@"-2021-01-01T00:00:00" - @"-2021-01-01T00:00:00Z"', None),
    # longer than the longest days and time duration (999,999,999 days)
    ('@"999999999-12-31" - @"-999999999-01-01"', None),
    # years and months duration counts calendar dates (the DMN TCK's cases first)
    (
        'years and months duration(date and time("2014-12-31T23:59:59"), date and time("-2019-10-01T12:32:59"))',
        "-P4033Y2M",
    ),
    (
        'years and months duration(date and time("-2016-01-30T09:05:00"), date and time("-2017-02-28T02:02:02"))',
        "-P11M",
    ),
    (
        'years and months duration(date and time("2017-09-05T10:20:00-01:00"), date and time("-2019-10-01T12:32:59+02:00"))',
        "-P4035Y11M",
    ),
    ('years and months duration(date("-0001-03-31"), date("0001-02-28"))', "P1Y10M"),
    ('years and months duration(@"-2021-05-10", @"2021-05-09")', "P4041Y11M"),
    ('years and months duration(@"9999-01-01", @"10000-02-01T00:00:00")', "P1Y1M"),
]

COMPARISONS = [
    ('@"-2021-01-01" < @"2021-01-01"', True),
    ('@"10000-01-01" > @"9999-12-31"', True),
    ('@"-0001-12-31" < @"0000-01-01"', True),
    ('@"-999999999-01-01" < @"999999999-12-31"', True),
    ('@"-2021-01-01" = date(-2021, 1, 1)', True),
    ('@"-2021-01-01" != @"-2021-01-02"', True),
    ('@"-2021-01-01" >= @"-2021-01-01"', True),
    ('@"-2021-01-01T10:00:00@Europe/Paris" = @"-2021-01-01T09:50:39Z"', True),
    ('@"-2021-01-01T00:00:00.0001Z" = @"-2021-01-01T00:00:00Z"', True),
    ('@"10000-01-01T00:00:00+01:00" < @"9999-12-31T23:30:00Z"', True),
    ('@"-2021-01-01T10:00:00" < @"2021-01-01T10:00:00"', True),
    # no order between a date and a date and time, or local and zoned, as for plain ones
    ('@"10000-01-01T00:00:00" = @"10000-01-01T00:00:00Z"', None),
    ('@"-2021-01-01" = @"-2021-01-01T00:00:00Z"', None),
    ('@"-2021-01-01" < @"2021-01-01T00:00:00Z"', None),
    ('@"-2021-01-01" = "-2021-01-01"', None),
    ('@"-2021-01-01" < 1', None),
    # ranges, lists and the functions that compare
    ('@"-0500-06-15" in [@"-1000-01-01"..@"2021-01-01"]', True),
    ('@"10000-06-15" in [@"-1000-01-01"..@"2021-01-01"]', False),
    ('@"-2021-01-01" between @"-3000-01-01" and @"0001-01-01"', True),
    ('@"-2021-01-01" in < @"0001-01-01"', True),
    ('before(@"-2021-01-01", @"2021-01-01")', True),
    ('string(range("[@\\"-2021-01-01\\"..@\\"2021-01-01\\"]").start)', "-2021-01-01"),
    ('min([@"2021-01-01", @"-2021-01-01", @"99999-01-01"])', "-2021-01-01"),
    ('max([@"2021-01-01", @"-2021-01-01", @"99999-01-01"])', "99999-01-01"),
    (
        'sort([@"2021-01-01", @"-2021-01-01", @"99999-01-01"], function(a, b) a < b)',
        ["-2021-01-01", "2021-01-01", "99999-01-01"],
    ),
    (
        'distinct values([@"-2021-01-01", date(-2021, 1, 1), @"2021-01-01"])',
        ["-2021-01-01", "2021-01-01"],
    ),
    ('list contains([@"-2021-01-01T10:00:00Z"], @"-2021-01-01T11:00:00+01:00")', True),
]

PROPERTIES = [
    ('@"-2021-01-01".year', -2021),
    ('@"0000-06-15".year', 0),
    ('@"999999999-12-31".year', 999999999),
    ('@"-2021-03-04".month', 3),
    ('@"-2021-03-04".day', 4),
    # 0000-01-01 is a Saturday, -2021-01-01 a Monday (proleptic Gregorian)
    ('@"0000-01-01".weekday', 6),
    ('@"-2021-01-01".weekday', 1),
    ('@"-2021-01-01T10:11:12.5@Europe/Paris".year', -2021),
    ('@"-2021-01-01T10:11:12.5@Europe/Paris".weekday', 1),
    ('@"-2021-01-01T10:11:12.5@Europe/Paris".hour', 10),
    ('@"-2021-01-01T10:11:12.5@Europe/Paris".minute', 11),
    ('@"-2021-01-01T10:11:12.5@Europe/Paris".second', 12.5),
    ('@"-2021-01-01T10:11:12.5@Europe/Paris".timezone', "Europe/Paris"),
    ('@"-2021-01-01T10:11:12@Europe/Paris".time offset', "PT9M21S"),
    ('@"-2021-01-01T10:11:12-05:00".time offset', "-PT5H"),
    ('@"-2021-01-01T10:11:12".time offset', None),
    ('@"-2021-01-01T10:11:12".timezone', None),
    # the far future follows the zone's current rules, summer time included
    ('@"99999-01-15T12:00:00@Europe/Paris".time offset', "PT1H"),
    ('@"99999-07-15T12:00:00@Europe/Paris".time offset', "PT2H"),
    # calendar functions
    ('day of week(@"-2021-01-01")', "Monday"),
    ('day of year(@"-2020-12-31")', 366),
    ('day of year(@"-2021-12-31T10:00:00")', 365),
    ('week of year(@"-2021-01-01")', 1),
    ('month of year(@"-2021-03-01")', "March"),
    ('last day of month(@"-2020-02-10")', "-2020-02-29"),
    ('last day of month(@"10000-02-10T10:00:00")', "10000-02-29"),
]

TYPES_AND_CONVERSIONS = [
    ('@"-2021-01-01" instance of date', True),
    ('@"-2021-01-01" instance of date and time', False),
    ('@"-2021-01-01T00:00:00" instance of date and time', True),
    ('@"-2021-01-01T00:00:00" instance of date', False),
    ('[@"-2021-01-01", @"2021-01-01"] instance of list<date>', True),
    ('(function(d: date and time) d)(@"-2021-01-01")', "-2021-01-01T00:00:00Z"),
    ('is(@"-2021-01-01", date(-2021, 1, 1))', True),
    ('is(@"-2021-01-01T10:00:00+01:00", @"-2021-01-01T10:00:00+01:00")', True),
    ('is(@"-2021-01-01T10:00:00+01:00", @"-2021-01-01T09:00:00Z")', False),
    ('is(@"-2021-01-01T10:00:00Z", @"1979-01-01T10:00:00Z")', False),
    ('is(@"-2021-01-01", @"-2021-01-01T00:00:00")', False),
    ('date(@"-2021-01-01T10:00:00")', "-2021-01-01"),
    ('date(date("-2021-01-01"))', "-2021-01-01"),
    ('time(@"-2021-01-01T10:00:00+01:00")', "10:00:00+01:00"),
    ('time(@"-2021-01-01")', "00:00:00Z"),
    ('date and time(@"-2021-01-01T10:00:00")', "-2021-01-01T10:00:00"),
    ('date and time(@"-2021-01-01", time("10:00:00"))', "-2021-01-01T10:00:00"),
    ('date and time(@"-2021-01-01T10:00:00", time("11:00:00Z"))', "-2021-01-01T11:00:00Z"),
    ('date and time(@"-2021-01-01", "Europe/Paris")', "-2021-01-01T00:00:00@Europe/Paris"),
    ('date and time(@"-2021-01-01T10:00:00", "+02:00")', "-2021-01-01T10:00:00+02:00"),
    ('date and time(@"-2021-01-01T10:00:00Z", "+02:00")', "-2021-01-01T12:00:00+02:00"),
    # New York's local mean time is -04:56:02
    (
        'date and time(@"0001-01-01T00:00:00Z", "America/New_York")',
        "0000-12-31T19:03:58@America/New_York",
    ),
    ('date and time(@"9999-12-31T23:00:00Z", "Asia/Tokyo")', "10000-01-01T08:00:00@Asia/Tokyo"),
]


@pytest.mark.parametrize(
    ("expression", "expected"),
    PARSING_AND_PRINTING
    + ARITHMETIC
    + DIFFERENCES
    + COMPARISONS
    + PROPERTIES
    + TYPES_AND_CONVERSIONS,
)
def test_far_dates(expression: str, expected: Any) -> None:
    check(expression, expected)


@pytest.mark.parametrize(
    "expression",
    [
        '@"0001-01-01"',
        '@"9999-12-31T23:59:59@Europe/Paris"',
        '@"0000-12-31" + @"P1D"',
        '@"10000-01-01" - @"P1D"',
        '@"10000-01-01T00:30:00+01:00" - @"PT1H"',
        'date(@"0000-12-31T24:00:00")',
        'date and time(@"0000-12-31T23:55:00Z", "Europe/Paris")',
    ],
)
def test_values_in_years_1_to_9999_stay_plain_python_values(expression: str) -> None:
    assert type(feel.evaluate(expression)) in (dt.date, dt.datetime)


def test_far_values_go_in_and_out_of_the_api() -> None:
    day = feel.evaluate('@"-2021-01-01"')
    moment = feel.evaluate('@"99999-07-15T12:00:00@Europe/Paris"')
    assert feel.to_json({"d": day, "t": [moment]}) == {
        "d": "-2021-01-01",
        "t": ["99999-07-15T12:00:00@Europe/Paris"],
    }
    assert feel.to_json(feel.evaluate('d + @"P1D"', {"d": day})) == "-2021-01-02"
    assert feel.evaluate("t.year", {"t": moment}) == 99999
    assert feel.evaluate("d = x", {"d": day, "x": feel.evaluate("date(-2021, 1, 1)")}) is True
    assert feel.evaluate("f(d)", {"d": day, "f": lambda d: feel.to_json(d)}) == "-2021-01-01"


def test_a_null_far_result_says_why() -> None:
    value, warnings = feel.compile('@"999999999-12-31" + @"P1D"').evaluate_with_warnings({})
    assert value is None
    assert any("year 1000000000" in w.message for w in warnings), warnings
    value, warnings = feel.compile('@"-2021-01-01" + 1').evaluate_with_warnings({})
    assert any("cannot add date and number" in w.message for w in warnings), warnings


# ---------------------------------------------------------------- against an independent calendar


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def civil_from_days(days: int) -> tuple[int, int, int]:
    days += 719468
    era = days // 146097
    day_of_era = days - era * 146097
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    mp = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return year_of_era + era * 400 + (month <= 2), month, day


def month_length(year: int, month: int) -> int:
    next_year, next_month = divmod(year * 12 + month, 12)
    return days_from_civil(next_year, next_month + 1, 1) - days_from_civil(year, month, 1)


def iso(year: int, month: int, day: int) -> str:
    sign = "-" if year < 0 else ""
    return f"{sign}{abs(year):04d}-{month:02d}-{day:02d}"


# anywhere, and often near year 0, Python's limits and FEEL's
years = st.one_of(
    st.integers(-999_999_999, 999_999_999),
    st.integers(-3, 3),
    st.integers(9997, 10003),
    st.integers(1, 9999),
    st.integers(-999_999_999, -999_999_997),
    st.integers(999_999_997, 999_999_999),
)
months = st.integers(1, 12)
days = st.integers(1, 28)


@settings(max_examples=300, deadline=None)
@given(years, months, days, st.integers(-999_999_999, 999_999_999))
def test_adding_days_agrees_with_an_independent_calendar(
    year: int, month: int, day: int, shift: int
) -> None:
    target = days_from_civil(year, month, day) + shift
    moved = civil_from_days(target)
    expected = iso(*moved) if -999_999_999 <= moved[0] <= 999_999_999 else None
    result = feel.evaluate(f'date({year}, {month}, {day}) + duration("P{shift}D")')
    assert feel.to_json(result) == expected


@settings(max_examples=300, deadline=None)
@given(years, months, days, years, months, days)
def test_differences_and_order_agree_with_an_independent_calendar(
    y1: int, m1: int, d1: int, y2: int, m2: int, d2: int
) -> None:
    a, b = f"date({y1}, {m1}, {d1})", f"date({y2}, {m2}, {d2})"
    delta = days_from_civil(y1, m1, d1) - days_from_civil(y2, m2, d2)
    expected = None if abs(delta) > 999_999_999 else dt.timedelta(days=delta)
    assert feel.evaluate(f"{a} - {b}") == expected
    assert feel.evaluate(f"{a} < {b}") is (delta < 0)
    assert feel.evaluate(f"{a} = {b}") is (delta == 0)


@settings(max_examples=300, deadline=None)
@given(years, months, st.integers(1, 31))
def test_weekdays_and_month_ends_agree_with_an_independent_calendar(
    year: int, month: int, day: int
) -> None:
    length = month_length(year, month)
    text = f"date({year}, {month}, {day})"
    if day > length:
        assert feel.evaluate(text) is None
        return
    # 1970-01-01 was a Thursday (ISO weekday 4)
    weekday = (days_from_civil(year, month, day) + 3) % 7 + 1
    assert feel.evaluate(f"{text}.weekday") == weekday
    assert feel.to_json(feel.evaluate(f"last day of month({text})")) == iso(year, month, length)


@settings(max_examples=300, deadline=None)
@given(years, months, st.integers(1, 31), st.integers(-24_000_000_000, 24_000_000_000))
def test_adding_months_agrees_with_an_independent_calendar(
    year: int, month: int, day: int, shift: int
) -> None:
    day = min(day, month_length(year, month))
    target_year, target_month = divmod(year * 12 + month - 1 + shift, 12)
    target_month += 1
    in_range = -999_999_999 <= target_year <= 999_999_999
    expected = (
        iso(target_year, target_month, min(day, month_length(target_year, target_month)))
        if in_range
        else None
    )
    duration = f'duration("{"-" if shift < 0 else ""}P{abs(shift)}M")'
    result = feel.evaluate(f"date({year}, {month}, {day}) + {duration}")
    assert feel.to_json(result) == expected


@settings(max_examples=200, deadline=None)
@given(
    years,
    months,
    days,
    st.integers(0, 86_399),
    st.sampled_from(["Z", "+14:00", "-05:30", "@Europe/Paris", "@Australia/Melbourne", ""]),
    st.integers(-(10**15), 10**15),
)
def test_a_date_and_time_moves_by_exactly_the_duration(
    year: int, month: int, day: int, second: int, zone: str, micros: int
) -> None:
    clock = f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
    moment = feel.evaluate(f'date and time("{iso(year, month, day)}T{clock}{zone}")')
    assert moment is not None
    delta = dt.timedelta(microseconds=micros)
    moved = feel.evaluate("t + d", {"t": moment, "d": delta})
    if moved is None:  # only beyond FEEL's years
        assert abs(year) >= 999_999_999 - 32
        return
    assert feel.evaluate("m - t", {"m": moved, "t": moment}) == delta
    assert feel.evaluate("m - d = t", {"m": moved, "d": delta, "t": moment}) is True
