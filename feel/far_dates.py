"""Dates and dates and times whose year is outside Python's 1..9999.

FEEL counts years as Java's java.time does: from -999,999,999 to 999,999,999,
astronomically (year 0 exists; -0001 is 2 BC). Python's `date` and `datetime` stop at
1..9999, so a value beyond is held as a Python value whose year is moved by whole
400-year cycles. The Gregorian calendar repeats exactly every 400 years (146,097 days,
a whole number of weeks), so the moved value has the true value's month lengths, leap
days and weekdays:

    FarDate(dt.date(779, 1, 1), cycles=-7)      is -2021-01-01  (779 - 7 * 400)

Only values outside 1..9999 take this form: every operation here gives a plain `date`
or `datetime` when its result is back in range, so the common path never sees these
types. Years before 1 are moved into 401..800 and years after 9999 into 9200..9599,
which leaves room for a zone conversion or a small step without leaving Python's range.

Zones: a named zone's offset is read from its rules at the moved year. Every zone's
recorded history starts after 1800, so the far past gets its local mean time and the far
future its current rules, which is what Java's ZoneRules give before the first and after
the last transition.

Arithmetic works on exact integers (days since 0001-01-01, microseconds), so any
distance fits. Results beyond the FEEL range raise `ValueError`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

MIN_YEAR, MAX_YEAR = -999_999_999, 999_999_999
CYCLE_YEARS = 400
CYCLE_DAYS = 146_097
_DAY_MICROS = 86_400_000_000
_MICROSECOND = dt.timedelta(microseconds=1)


class _Shifted:
    """What FarDate and FarDateTime share: the calendar fields of the moved value."""

    __slots__ = ()
    value: dt.date
    cycles: int

    @property
    def year(self) -> int:
        return self.value.year + CYCLE_YEARS * self.cycles

    @property
    def month(self) -> int:
        return self.value.month

    @property
    def day(self) -> int:
        return self.value.day


@dataclass(frozen=True, slots=True)
class FarDate(_Shifted):
    """A FEEL date outside years 1..9999: `value` moved by `cycles` 400-year cycles."""

    value: dt.date
    cycles: int

    def __repr__(self) -> str:
        return f"FarDate({year_text(self.year)}{self.value.isoformat()[4:]})"


@dataclass(frozen=True, slots=True)
class FarDateTime(_Shifted):
    """A FEEL date and time outside years 1..9999 (see FarDate); zones as in the module doc."""

    value: dt.datetime
    cycles: int

    @property
    def tzinfo(self) -> dt.tzinfo | None:
        return self.value.tzinfo

    def __repr__(self) -> str:
        zone = getattr(self.value.tzinfo, "key", None)
        suffix = f"@{zone}" if isinstance(zone, str) else ""
        return f"FarDateTime({year_text(self.year)}{self.value.isoformat()[4:]}{suffix})"


FAR_TYPES = (FarDate, FarDateTime)
AnyDate = dt.date | FarDate
AnyDateTime = dt.datetime | FarDateTime


def year_text(year: int) -> str:
    """A year as ISO 8601 writes it: at least four digits, a minus sign before 1."""
    return f"-{-year:04d}" if year < 0 else f"{year:04d}"


# ---------------------------------------------------------------- building values


def _split_year(year: int) -> tuple[int, int]:
    """(the year moved into Python's range, the 400-year cycles it was moved by)."""
    if year < 1:
        cycles = (year - 401) // CYCLE_YEARS
    elif year > 9999:
        cycles = (year - 9200) // CYCLE_YEARS
    else:
        return year, 0
    return year - CYCLE_YEARS * cycles, cycles


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is outside FEEL's range -999999999..999999999")


def wrap(value: dt.date, cycles: int, *, checked: bool = True) -> Any:
    """The value `cycles` 400-year cycles later: a plain date or date and time when its
    year is in 1..9999, else a FarDate or FarDateTime (moved into its window).

    Raises:
        ValueError: the year is beyond FEEL's range (unless `checked` is false).
    """
    year = value.year + CYCLE_YEARS * cycles
    if checked:
        _check_year(year)
    moved, cycles = _split_year(year)
    # a whole number of cycles keeps 29 February valid
    base = value.replace(year=moved) if moved != value.year else value
    if not cycles:
        return base
    if isinstance(base, dt.datetime):
        return FarDateTime(base, cycles)
    return FarDate(base, cycles)


def date_of(year: int, month: int, day: int) -> AnyDate:
    """The date of any year in FEEL's range.

    Raises:
        ValueError: the year is beyond FEEL's range, or the month or day do not exist.
    """
    _check_year(year)
    moved, cycles = _split_year(year)
    value = dt.date(moved, month, day)
    return FarDate(value, cycles) if cycles else value


def combine(day: AnyDate, time: dt.time) -> AnyDateTime:
    """The date and time of a date (either kind) at a time of day, in the time's zone."""
    if type(day) is FarDate:
        return FarDateTime(dt.datetime.combine(day.value, time), day.cycles)
    assert isinstance(day, dt.date)
    return dt.datetime.combine(day, time)


def parts(value: Any) -> tuple[Any, int]:
    """(the Python value, its cycles) of a plain or far date or date and time."""
    if type(value) is FarDate or type(value) is FarDateTime:
        return value.value, value.cycles
    return value, 0


def date_part(value: AnyDateTime) -> AnyDate:
    """The calendar date of a date and time."""
    if type(value) is FarDateTime:
        return FarDate(value.value.date(), value.cycles)
    assert isinstance(value, dt.datetime)
    return value.date()


def at_utc_midnight(value: AnyDate) -> AnyDateTime:
    """A date next to a date and time: its midnight in UTC, as DMN converts dates."""
    return combine(value, dt.time(0, tzinfo=dt.UTC))


# ---------------------------------------------------------------- exact positions


def day_number(value: Any) -> int:
    """Days since 0001-01-01 (day 1) of a date, or of a date and time's local date."""
    base, cycles = parts(value)
    return int(base.toordinal()) + CYCLE_DAYS * cycles


def date_from_day_number(number: int, *, checked: bool = True) -> AnyDate:
    cycles, rest = divmod(number - 1, CYCLE_DAYS)
    return wrap(dt.date.fromordinal(rest + 1), cycles, checked=checked)  # type: ignore[no-any-return]


def _wall_micros(value: AnyDateTime) -> int:
    """Microseconds since 0001-01-01T00:00 of the local (wall clock) date and time."""
    base: dt.datetime = parts(value)[0]
    seconds = base.hour * 3600 + base.minute * 60 + base.second
    return (day_number(value) * 86_400 + seconds) * 1_000_000 + base.microsecond


def _from_wall_micros(micros: int, tz: dt.tzinfo | None, *, checked: bool = True) -> Any:
    days, rest = divmod(micros, _DAY_MICROS)
    seconds, fraction = divmod(rest, 1_000_000)
    cycles, ordinal = divmod(days - 1, CYCLE_DAYS)
    day = dt.date.fromordinal(ordinal + 1)
    time = dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60, fraction, tz)
    return wrap(dt.datetime.combine(day, time), cycles, checked=checked)


def instant(value: AnyDateTime) -> int:
    """Microseconds of a date and time on the UTC timeline (its wall clock when local)."""
    base, _ = parts(value)
    offset = base.utcoffset()
    wall = _wall_micros(value)
    return wall if offset is None else wall - offset // _MICROSECOND


def _in_zone(utc_micros: int, zone: dt.tzinfo) -> AnyDateTime:
    """The date and time in a zone of an instant on the UTC timeline."""
    utc = _from_wall_micros(utc_micros, dt.UTC, checked=False)
    base, cycles = parts(utc)
    try:
        local = base.astimezone(zone)
    except OverflowError:
        # within a day of 0001-01-01 or 9999-12-31: the same rules one cycle inward
        step = 1 if base.year < 5000 else -1
        local = base.replace(year=base.year + CYCLE_YEARS * step).astimezone(zone)
        cycles -= step
    return wrap(local, cycles)  # type: ignore[no-any-return]


def in_zone(value: AnyDateTime, zone: dt.tzinfo) -> AnyDateTime:
    """The same instant in another zone (a local date and time only takes the zone)."""
    base, cycles = parts(value)
    if base.tzinfo is None:
        return wrap(base.replace(tzinfo=zone), cycles)  # type: ignore[no-any-return]
    return _in_zone(instant(value), zone)


# ---------------------------------------------------------------- arithmetic


def _is_date(value: Any) -> bool:
    return type(value) is dt.date or type(value) is FarDate


def add_delta(value: Any, delta: dt.timedelta) -> Any:
    """A date or date and time (either kind) moved by a days and time duration.

    A date moves by the whole days of the duration, floored (`- PT1H` is the day before);
    a date and time in a named zone moves along the UTC timeline, any other along its
    wall clock.

    Raises:
        ValueError: the result is beyond FEEL's range.
    """
    if _is_date(value):
        return date_from_day_number(day_number(value) + delta.days)
    micros = delta // _MICROSECOND
    tz = value.tzinfo
    if isinstance(tz, ZoneInfo):
        return _in_zone(instant(value) + micros, tz)
    return _from_wall_micros(_wall_micros(value) + micros, tz)


def add_months(value: Any, months: int) -> Any:
    """A date or date and time (either kind) moved by whole months, the day clamped to
    the month's end; the clock and the zone stay.

    Raises:
        ValueError: the result is beyond FEEL's range.
    """
    base, cycles = parts(value)
    index = (base.year + CYCLE_YEARS * cycles) * 12 + base.month - 1 + months
    year, month = divmod(index, 12)
    _check_year(year)
    moved, cycles = _split_year(year)
    day = min(base.day, calendar.monthrange(moved, month + 1)[1])
    return wrap(base.replace(year=moved, month=month + 1, day=day), cycles)


def difference(a: Any, b: Any) -> dt.timedelta:
    """`a - b` of two dates, or of two dates and times (a date counts as its UTC midnight).

    Raises:
        ValueError: one has a time zone and the other not, or the difference is more
            than 999,999,999 days (the longest days and time duration).
    """
    if _is_date(a) and _is_date(b):
        days = day_number(a) - day_number(b)
        micros = None
    else:
        a = at_utc_midnight(a) if _is_date(a) else a
        b = at_utc_midnight(b) if _is_date(b) else b
        if (a.tzinfo is None) != (b.tzinfo is None):
            raise ValueError("one date and time has a time zone and the other not")
        micros = instant(a) - instant(b)
    try:
        return dt.timedelta(days=days) if micros is None else dt.timedelta(microseconds=micros)
    except OverflowError:
        raise ValueError("the difference is longer than 999999999 days") from None


def compare(a: Any, b: Any) -> int | None:
    """Order two dates, or two dates and times (at millisecond precision, as FEEL
    compares them), of either kind; None for any other pair, as for plain values."""
    if _is_date(a) and _is_date(b):
        x, y = day_number(a), day_number(b)
    elif type(a) in _DATE_TIMES and type(b) in _DATE_TIMES:
        if (a.tzinfo is None) != (b.tzinfo is None):
            return None
        x, y = instant(a) // 1000, instant(b) // 1000
    else:
        return None
    return (x > y) - (x < y)


_DATE_TIMES = (dt.datetime, FarDateTime)
