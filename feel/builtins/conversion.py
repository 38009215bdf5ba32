"""Conversion functions: `date`, `time`, `date and time`, `duration`,
`years and months duration`, `number` and `string` (DMN 1.5, table 72).

Strings are parsed with the rules of feel.temporal (the same as `@"..."` literals); a
value already of the target type passes through. `string` prints any value as FEEL
writes it: numbers without exponent, temporals in their ISO form, and lists, contexts
and ranges as FEEL text (`[1, "a"]`, `{a: 1}`, `[1..10)`), as feel-scala does; inside
them, strings are quoted and temporals written as `@"..."` literals, so that the text
reads back as the same value (`range(string(r)) = r`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from feel import far_dates, temporal
from feel.far_dates import FarDate, FarDateTime
from feel.functions import FunctionError, builtin
from feel.temporal import TemporalError
from feel.text import feel_text, number_text
from feel.values import DECIMAL128, YearsMonthsDuration, type_name

T = TypeVar("T")

# ---------------------------------------------------------------- argument checks


def _integer(value: Any, name: str) -> int:
    """A number argument that must be a whole number."""
    if type(value) is not Decimal:
        raise FunctionError(f"{name} must be a number, not {type_name(value)}")
    if not value.is_finite() or value != value.to_integral_value():
        raise FunctionError(f"{name} must be a whole number, not {number_text(value)}")
    return int(value)


def _temporal(parse: Callable[[str], T], text: str) -> T:
    try:
        return parse(text)
    except TemporalError as error:
        raise FunctionError(str(error)) from None


# ---------------------------------------------------------------- date


@builtin("date", ["from"])
def date_from(value: Any) -> dt.date | FarDate:
    """A date from a date string, or the date of a date and time."""
    if type(value) is str:
        return _temporal(temporal.parse_date, value)
    if type(value) is dt.datetime:
        return value.date()
    if type(value) is dt.date or type(value) is FarDate:
        return value
    if type(value) is FarDateTime:
        return far_dates.date_part(value)
    raise FunctionError(f"expected a date string or a date and time, not {type_name(value)}")


@builtin("date", ["year", "month", "day"])
def date_from_parts(year: Any, month: Any, day: Any) -> dt.date | FarDate:
    """A date from its year, month and day (years -999,999,999 to 999,999,999)."""
    y, m, d = _integer(year, "year"), _integer(month, "month"), _integer(day, "day")
    try:
        if 1 <= y <= 9999:
            return dt.date(y, m, d)
        return far_dates.date_of(y, m, d)
    except ValueError as error:
        raise FunctionError(str(error)) from None


# ---------------------------------------------------------------- time


@builtin("time", ["from"])
def time_from(value: Any) -> dt.time:
    """A time from a time string, or the time (and zone) of a date and time.

    A date gives its midnight in UTC, as the specification converts dates.
    """
    if type(value) is str:
        # ISO 8601 allows the time designator in front (`T23:59:00`), as feel-scala does
        text = value[1:] if value.startswith("T") else value
        return _temporal(temporal.parse_time, text)
    if type(value) is dt.datetime:
        return value.timetz()
    if type(value) is FarDateTime:
        return value.value.timetz()
    if type(value) is dt.date or type(value) is FarDate:
        return dt.time(0, 0, 0, tzinfo=dt.UTC)
    if type(value) is dt.time:
        return value
    raise FunctionError(f"expected a time string or a date and time, not {type_name(value)}")


@builtin("time", ["hour", "minute", "second", "offset"], required=3)
def time_from_parts(hour: Any, minute: Any, second: Any, offset: Any = None) -> dt.time:
    """A time from its hour, minute, second (may have a fraction) and an optional offset."""
    h, m = _integer(hour, "hour"), _integer(minute, "minute")
    if type(second) is not Decimal or not second.is_finite():
        raise FunctionError(f"second must be a number, not {type_name(second)}")
    whole = int(second.to_integral_value(rounding="ROUND_FLOOR"))
    micros = int(((second - whole) * 1_000_000).to_integral_value(rounding="ROUND_DOWN"))
    if not (0 <= h <= 23 and 0 <= m <= 59 and 0 <= whole <= 59):
        raise FunctionError(f"{h}:{m}:{number_text(second)} is not a time of day")
    zone: dt.tzinfo | None = None
    if offset is not None:
        if type(offset) is not dt.timedelta:
            raise FunctionError(f"offset must be a days and time duration, not {type_name(offset)}")
        if abs(offset) > dt.timedelta(hours=18) or offset.microseconds:
            raise FunctionError(f"offset {temporal.to_string(offset)} is not a valid time offset")
        zone = dt.UTC if not offset else dt.timezone(offset)
    return dt.time(h, m, whole, micros, tzinfo=zone)


# ---------------------------------------------------------------- date and time


@builtin("date and time", ["from"])
def date_time_from(value: Any) -> dt.datetime | FarDateTime:
    """A date and time from a string (a bare date means its midnight)."""
    if type(value) is str:
        return _temporal(temporal.parse_date_time, value)
    if type(value) is dt.datetime or type(value) is FarDateTime:
        return value
    raise FunctionError(f"expected a date and time string, not {type_name(value)}")


@builtin("date and time", ["date", "time"])
def date_time_from_parts(date: Any, time: Any) -> dt.datetime | FarDateTime:
    """A date and time from a date (or the date of a date and time) and a time.

    With a zone name or offset string instead of a time (the feel-scala extension
    `date and time(date, timezone)`), the same instant in that zone; a local date and
    time is taken to be in that zone.
    """
    kind = type(date)
    if kind is not dt.date and kind is not dt.datetime and kind not in far_dates.FAR_TYPES:
        raise FunctionError(f"date must be a date or a date and time, not {type_name(date)}")
    if type(time) is str:
        return _in_zone(date, time)
    if type(time) is not dt.time:
        raise FunctionError(f"time must be a time, not {type_name(time)}")
    if kind is dt.datetime:
        return dt.datetime.combine(date.date(), time)
    if kind is FarDateTime:
        return far_dates.combine(far_dates.date_part(date), time)
    return far_dates.combine(date, time)


# Named invocation with the extension's parameter names reaches the same function.
builtin("date and time", ["date", "timezone"])(date_time_from_parts)


def _in_zone(value: Any, name: str) -> dt.datetime | FarDateTime:
    zone = _zone(name)
    if type(value) is dt.date or type(value) is FarDate:
        return far_dates.combine(value, dt.time(0, tzinfo=zone))
    if type(value) is dt.datetime:
        if value.tzinfo is None:
            return value.replace(tzinfo=zone)
        # overflows within a day of 0001-01-01 or 9999-12-31, where far dates take over
        with contextlib.suppress(OverflowError):
            return value.astimezone(zone)
    try:
        return far_dates.in_zone(value, zone)
    except ValueError as error:
        raise FunctionError(str(error)) from None


def _zone(name: str) -> dt.tzinfo:
    if name in ("Z", "z"):
        return dt.UTC
    if re.fullmatch(r"[+-]\d\d:\d\d(:\d\d)?", name):
        return _temporal(temporal.fixed_offset, name)
    return _temporal(temporal.zone, name)


# ---------------------------------------------------------------- durations


@builtin("duration", ["from"])
def duration_from(value: Any) -> dt.timedelta | YearsMonthsDuration:
    """A days and time or a years and months duration from its ISO 8601 string."""
    if type(value) is str:
        return _temporal(temporal.parse_duration, value)
    if type(value) is dt.timedelta or type(value) is YearsMonthsDuration:
        return value
    raise FunctionError(f"expected a duration string, not {type_name(value)}")


@builtin("years and months duration", ["from", "to"])
def years_and_months_duration(start: Any, end: Any) -> YearsMonthsDuration:
    """The whole years and months from one date (or date and time) to another."""
    for name, value in (("from", start), ("to", end)):
        kind = type(value)
        if kind is not dt.date and kind is not dt.datetime and kind not in far_dates.FAR_TYPES:
            raise FunctionError(f"{name} must be a date or a date and time, not {type_name(value)}")
    return YearsMonthsDuration(temporal.months_between(start, end))


# ---------------------------------------------------------------- number

_GROUPING = (" ", ",", ".", None)
_DECIMAL = (".", ",", None)
_NUMBER_RE = re.compile(r"-?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?\Z")


@builtin("number", ["from", "grouping separator", "decimal separator"], required=1)
def number(text: Any, grouping: Any = None, decimal: Any = None) -> Decimal:
    """The number a string writes, with the given grouping and decimal separators.

    The grouping separator is a space, a comma, a period or null; the decimal separator
    a period, a comma or null, and not the grouping separator.
    """
    if type(text) is not str:
        raise FunctionError(f"from must be a string, not {type_name(text)}")
    if grouping not in _GROUPING or (grouping is not None and type(grouping) is not str):
        raise FunctionError("grouping separator must be ' ', ',', '.' or null")
    if decimal not in _DECIMAL or (decimal is not None and type(decimal) is not str):
        raise FunctionError("decimal separator must be '.', ',' or null")
    if grouping is not None and grouping == decimal:
        raise FunctionError("the grouping and decimal separators must differ")
    plain = text.replace(grouping, "") if grouping else text
    if decimal and decimal != ".":
        plain = plain.replace(decimal, ".")
    if not _NUMBER_RE.match(plain):
        raise FunctionError(f"'{text}' is not a number")
    try:
        return DECIMAL128.create_decimal(plain)
    except InvalidOperation:
        raise FunctionError(f"'{text}' is out of the range of numbers") from None


# ---------------------------------------------------------------- string


@builtin("string", ["from"])
def string(value: Any) -> str | None:
    """The FEEL text of any value; null stays null."""
    if value is None:
        return None
    if type(value) is str:
        return value
    try:
        return feel_text(value)
    except ValueError as error:
        raise FunctionError(str(error)) from None
