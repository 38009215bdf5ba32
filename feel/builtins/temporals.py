"""Temporal functions: `is`, `day of year`, `day of week`, `month of year`,
`week of year` (DMN 1.5, tables 77 and 79), `now`, `today`, and feel-scala's
`last day of month`.

The calendar functions take a date or a date and time (its local date). `now()` is
the current instant in this machine's zone (an IANA zone when it can be found, as
feel-scala gives the JVM's zone); `today()` is that instant's date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from feel import far_dates, temporal
from feel.far_dates import FarDate, FarDateTime
from feel.functions import FunctionError, builtin
from feel.values import equal, type_name

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _day(value: Any) -> dt.date:
    """The calendar date of a date or date and time argument.

    For a far date (feel.far_dates), the moved date: its day of the year, weekday, month
    and ISO week are the true date's.
    """
    if type(value) is dt.date:
        return value
    if type(value) is dt.datetime:
        return value.date()
    if type(value) is FarDate:
        return value.value
    if type(value) is FarDateTime:
        return value.value.date()
    raise FunctionError(f"date must be a date or a date and time, not {type_name(value)}")


@builtin("day of year", ["date"])
def day_of_year(date: Any) -> Decimal:
    """The number of the day within its year, 1 for 1 January."""
    return Decimal(_day(date).timetuple().tm_yday)


@builtin("day of week", ["date"])
def day_of_week(date: Any) -> str:
    """The English name of the day of the week ("Monday" ... "Sunday")."""
    return _DAYS[_day(date).weekday()]


@builtin("month of year", ["date"])
def month_of_year(date: Any) -> str:
    """The English name of the month ("January" ... "December")."""
    return _MONTHS[_day(date).month - 1]


@builtin("week of year", ["date"])
def week_of_year(date: Any) -> Decimal:
    """The ISO 8601 week number: week 1 holds the year's first Thursday."""
    return Decimal(_day(date).isocalendar()[1])


@builtin("last day of month", ["date"])
def last_day_of_month(date: Any) -> dt.date | FarDate:
    """The last day of the month of a date or date and time (feel-scala extension)."""
    day = _day(date)
    last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    _, cycles = far_dates.parts(date)
    return FarDate(last, cycles) if cycles else last


@builtin("now")
def now() -> dt.datetime:
    """The current date and time, in this machine's zone."""
    return temporal.now()


@builtin("today")
def today() -> dt.date:
    """The current date, in this machine's zone."""
    return temporal.now().date()


# ---------------------------------------------------------------- is


@builtin("is", ["value1", "value2"])
def is_(value1: Any, value2: Any) -> bool:
    """Whether both values are the same element of FEEL's semantic domain.

    Unlike `=`, values of different types are simply not the same (false, not null),
    and temporals must agree on their zone too: 23:00:50Z is 23:00:50+00:00, but not
    23:00:50@Etc/GMT, nor 12:00:00-01:00 the same instant as 17:00:00+04:00.
    """
    if type(value1) is not type(value2):
        return False
    if type(value1) in (dt.time, dt.datetime):
        return _same_temporal(value1, value2)
    if type(value1) is FarDateTime:
        return value1.cycles == value2.cycles and _same_temporal(value1.value, value2.value)
    return equal(value1, value2) is True


def _same_temporal(a: dt.time | dt.datetime, b: dt.time | dt.datetime) -> bool:
    if a.replace(tzinfo=None) != b.replace(tzinfo=None):
        return False
    return _zone_identity(a) == _zone_identity(b)


def _zone_identity(value: dt.time | dt.datetime) -> tuple[str, object] | None:
    """What tells two zones apart: the IANA id of a named zone, else the fixed offset."""
    tz = value.tzinfo
    if tz is None:
        return None
    key = getattr(tz, "key", None)
    if isinstance(key, str):
        return ("zone", key)
    offset = value.utcoffset() if isinstance(value, dt.datetime) else tz.utcoffset(None)
    return ("offset", offset)
