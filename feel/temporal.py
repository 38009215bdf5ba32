"""Temporal values: parsing and printing FEEL's ISO 8601 forms, and their arithmetic.

Python's `datetime` types hold years 1 to 9999 and microseconds. Dates and dates and
times with other years (FEEL allows -999,999,999 to 999,999,999) are `FarDate` and
`FarDateTime` values (feel.far_dates); fractions beyond microseconds are truncated.

Time zones come from the IANA database (`zoneinfo`, with the `tzdata` package as a
fallback). A date and time in a named zone moves along the UTC timeline when a days
and time duration is added (as Java's ZonedDateTime does), and along the calendar when
a years and months duration is added.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import os
import re
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feel import far_dates
from feel.far_dates import FarDate, FarDateTime
from feel.values import YearsMonthsDuration

UTC = dt.UTC

_DATE = r"(?P<sign>-)?(?P<year>[1-9]\d{4,8}|\d{4})-(?P<month>\d\d)-(?P<day>\d\d)"
# Seconds may be left out (`13:30`, as feel-scala accepts); a zone is an offset, `Z`,
# or `@` and an IANA zone id, never both; Java's `+02:00[Europe/Berlin]` form names the
# zone after the offset.
_TIME = (
    r"(?P<hour>\d\d):(?P<minute>\d\d)(?::(?P<second>\d\d)(?:\.(?P<fraction>\d+))?)?"
    r"(?:(?:(?P<utc>[zZ])|(?P<offset>[+-]\d\d:\d\d(?::\d\d)?))"
    r"(?:\[(?P<bracketed>[A-Za-z][\w/+\-]*)\])?|@(?P<zone>[A-Za-z][\w/+\-]*))?"
)
DATE_RE = re.compile(_DATE + r"\Z")
TIME_RE = re.compile(_TIME + r"\Z")
DATE_TIME_RE = re.compile(_DATE + "T" + _TIME + r"\Z")
# Components may carry their own sign (`PT-5M`, `P-1Y-2M`), as Java's parsers allow.
DT_DURATION_RE = re.compile(
    r"(?P<sign>[-+])?P(?!\Z)(?:(?P<days>-?\d+)D)?"
    r"(?:T(?!\Z)(?:(?P<hours>-?\d+)H)?(?:(?P<minutes>-?\d+)M)?(?:(?P<seconds>-?\d+(?:\.\d*)?)S)?)?\Z"
)
YM_DURATION_RE = re.compile(
    r"(?P<sign>[-+])?P(?!\Z)(?:(?P<years>-?\d+)Y)?(?:(?P<months>-?\d+)M)?\Z"
)


class TemporalError(ValueError):
    """A temporal string or value that FEEL (or Python) cannot represent."""


# ---------------------------------------------------------------- zones


@functools.lru_cache(maxsize=512)
def zone(name: str) -> dt.tzinfo:
    """The IANA zone of that name; `Z`/`UTC` style names included."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise TemporalError(f"unknown time zone '{name}'") from error


@functools.lru_cache(maxsize=1)
def local_zone() -> dt.tzinfo:
    """The zone of this machine: $TZ or /etc/localtime as an IANA zone, else its current offset."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name and not name.startswith("/"):
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return dt.datetime.now().astimezone().tzinfo or UTC


def now() -> dt.datetime:
    """The current date and time in this machine's zone."""
    return dt.datetime.now(local_zone())


def fixed_offset(text: str) -> dt.tzinfo:
    sign = -1 if text[0] == "-" else 1
    parts = [int(p) for p in text[1:].split(":")]
    hours, minutes = parts[0], parts[1]
    seconds = parts[2] if len(parts) > 2 else 0
    if hours > 18 or minutes > 59 or seconds > 59:
        raise TemporalError(f"invalid time offset '{text}'")
    offset = dt.timedelta(hours=hours, minutes=minutes, seconds=seconds) * sign
    if abs(offset) > dt.timedelta(hours=18):
        raise TemporalError(f"invalid time offset '{text}'")
    return dt.timezone(offset)


def _tz_from(match: re.Match[str]) -> dt.tzinfo | None:
    if match.group("bracketed"):
        return zone(match.group("bracketed"))
    if match.group("utc"):
        return UTC
    if match.group("offset"):
        return fixed_offset(match.group("offset"))
    if match.group("zone"):
        return zone(match.group("zone"))
    return None


# ---------------------------------------------------------------- parsing


def _date_from(match: re.Match[str]) -> dt.date | FarDate:
    year = int(match.group("year"))
    if match.group("sign"):
        if not year:
            raise TemporalError("-0000 is not a year (write 0000)")
        year = -year
    try:
        if 1 <= year <= 9999:
            return dt.date(year, int(match.group("month")), int(match.group("day")))
        return far_dates.date_of(year, int(match.group("month")), int(match.group("day")))
    except ValueError as error:
        raise TemporalError(str(error)) from error


def _micros(fraction: str | None) -> int:
    if not fraction:
        return 0
    return int((fraction + "000000")[:6])


def _time_parts(match: re.Match[str]) -> tuple[int, int, int, int, bool]:
    hour, minute = int(match.group("hour")), int(match.group("minute"))
    second = int(match.group("second") or 0)
    micros = _micros(match.group("fraction"))
    # 24:00:00 is the end of the day: midnight of the next one (ISO 8601)
    end_of_day = hour == 24 and minute == 0 and second == 0 and micros == 0
    if end_of_day:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        raise TemporalError("hour, minute or second out of range")
    return hour, minute, second, micros, end_of_day


def parse_date(text: str) -> dt.date | FarDate:
    match = DATE_RE.match(text)
    if not match:
        raise TemporalError(f"'{text}' is not a date (expected YYYY-MM-DD)")
    return _date_from(match)


def parse_time(text: str) -> dt.time:
    match = TIME_RE.match(text)
    if not match:
        raise TemporalError(
            f"'{text}' is not a time (expected hh:mm:ss with an optional offset or zone)"
        )
    hour, minute, second, micros, _ = _time_parts(match)
    return dt.time(hour, minute, second, micros, tzinfo=_tz_from(match))


def parse_date_time(text: str) -> dt.datetime | FarDateTime:
    """A date and time; a bare date means its midnight."""
    match = DATE_TIME_RE.match(text)
    if match:
        day = _date_from(match)
        hour, minute, second, micros, end_of_day = _time_parts(match)
        if end_of_day:
            day = _far(far_dates.add_delta, day, dt.timedelta(days=1))
        tz = _tz_from(match)
        if type(day) is dt.date:
            return dt.datetime(day.year, day.month, day.day, hour, minute, second, micros, tz)
        return far_dates.combine(day, dt.time(hour, minute, second, micros, tz))
    match = DATE_RE.match(text)
    if match:
        return far_dates.combine(_date_from(match), dt.time(0))
    raise TemporalError(f"'{text}' is not a date and time (expected YYYY-MM-DDThh:mm:ss)")


def parse_days_time_duration(text: str) -> dt.timedelta:
    match = DT_DURATION_RE.match(text)
    if not match or text.endswith("T"):
        raise TemporalError(f"'{text}' is not a days and time duration (e.g. P1DT2H)")
    seconds = (
        Decimal(match.group("days") or 0) * 86400
        + Decimal(match.group("hours") or 0) * 3600
        + Decimal(match.group("minutes") or 0) * 60
        + Decimal((match.group("seconds") or "0").rstrip("."))
    )
    if match.group("sign") == "-":
        seconds = -seconds
    try:
        # beyond microseconds the digits are dropped, as for times
        return timedelta_from_seconds(seconds, ROUND_DOWN)
    except TemporalError as error:
        raise TemporalError(f"duration '{text}' is too large") from error


def parse_years_months_duration(text: str) -> YearsMonthsDuration:
    match = YM_DURATION_RE.match(text)
    if not match:
        raise TemporalError(f"'{text}' is not a years and months duration (e.g. P1Y2M)")
    months = int(match.group("years") or 0) * 12 + int(match.group("months") or 0)
    return YearsMonthsDuration(-months if match.group("sign") == "-" else months)


def parse_duration(text: str) -> dt.timedelta | YearsMonthsDuration:
    """Either kind of duration, chosen by its components."""
    if YM_DURATION_RE.match(text):
        return parse_years_months_duration(text)
    return parse_days_time_duration(text)


def parse_temporal(text: str) -> Any:
    """The value of a temporal literal `@"..."`: date, time, date and time or duration."""
    if text.startswith(("P", "-P")):
        return parse_duration(text)
    if "T" in text:
        return parse_date_time(text)
    if DATE_RE.match(text):
        return parse_date(text)
    return parse_time(text)


# ---------------------------------------------------------------- printing


def format_offset(offset: dt.timedelta) -> str:
    if not offset:
        return "Z"
    sign = "-" if offset < dt.timedelta(0) else "+"
    seconds = int(abs(offset).total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    return text + (f":{seconds:02d}" if seconds else "")


def _format_zone(value: dt.time | dt.datetime) -> str:
    tz = value.tzinfo
    if tz is None:
        return ""
    key = getattr(tz, "key", None)
    if isinstance(key, str) and key:
        return "@" + key
    offset = tz.utcoffset(None) if isinstance(value, dt.time) else value.utcoffset()
    return format_offset(offset or dt.timedelta(0))


def format_time(value: dt.time) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + _format_zone(value)


def format_date(value: dt.date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def format_date_time(value: dt.datetime) -> str:
    return (
        format_date(value)
        + "T"
        + format_time(value.timetz()).removesuffix(_format_zone(value.timetz()))
        + _format_zone(value)
    )


def format_days_time_duration(value: dt.timedelta) -> str:
    negative = value < dt.timedelta(0)
    value = abs(value)
    days = value.days
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = "P" + (f"{days}D" if days else "")
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if seconds or value.microseconds:
        clock += f"{seconds}"
        if value.microseconds:
            clock += f".{value.microseconds:06d}".rstrip("0")
        clock += "S"
    if clock:
        text += "T" + clock
    if text == "P":
        return "PT0S"
    return ("-" if negative else "") + text


def to_string(value: Any) -> str | None:
    """The FEEL string of a temporal value, or None when it is not one."""
    if isinstance(value, dt.datetime):
        return format_date_time(value)
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, dt.time):
        return format_time(value)
    if isinstance(value, dt.timedelta):
        return format_days_time_duration(value)
    if isinstance(value, YearsMonthsDuration):
        return str(value)
    if type(value) is FarDateTime:
        # the moved year always has four digits
        return far_dates.year_text(value.year) + format_date_time(value.value)[4:]
    if type(value) is FarDate:
        return far_dates.year_text(value.year) + format_date(value.value)[4:]
    return None


# ---------------------------------------------------------------- arithmetic


def add_months(value: dt.date, months: int) -> Any:
    """Move a date (or date and time) by whole months, clamping the day to the month's end.

    Beyond years 1..9999 the result is a FarDate or FarDateTime.
    """
    index = value.year * 12 + (value.month - 1) + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        return _far(far_dates.add_months, value, months)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return value.replace(year=year, month=month + 1, day=day)


def add_duration(value: dt.datetime, duration: dt.timedelta) -> Any:
    """Add an exact duration; in a named zone along the UTC timeline.

    Beyond years 1..9999 the result is a FarDateTime.
    """
    try:
        if isinstance(value.tzinfo, ZoneInfo):
            return (value.astimezone(UTC) + duration).astimezone(value.tzinfo)
        return value + duration
    except OverflowError:
        return _far(far_dates.add_delta, value, duration)


def _far(operation: Any, value: Any, amount: Any) -> Any:
    """A move that leaves years 1..9999, done by feel.far_dates."""
    try:
        return operation(value, amount)
    except (ValueError, OverflowError) as error:
        raise TemporalError(str(error)) from error


def date_as_date_time(value: dt.date) -> dt.datetime:
    """A date used where a date and time is needed: its midnight, UTC."""
    return dt.datetime(value.year, value.month, value.day, tzinfo=UTC)


def months_between(start: Any, end: Any) -> int:
    """Whole months from start to end (negative when end is earlier), as FEEL counts them.

    Start and end are dates or dates and times, plain or far (anything with a year,
    month and day).

    Only the calendar dates count, not the clock or the zone (as Java's Period.between
    does): from 2014-12-31T23:59:59 to 2016-12-31T00:00:01 is two years.
    """
    months: int = (end.year * 12 + end.month) - (start.year * 12 + start.month)
    days: int = end.day - start.day
    if months > 0 and days < 0:
        months -= 1
    elif months < 0 and days > 0:
        months += 1
    return months


def time_to_seconds(value: dt.time) -> Decimal:
    return (
        Decimal(value.hour * 3600 + value.minute * 60 + value.second)
        + Decimal(value.microsecond) / 1_000_000
    )


def duration_seconds(value: dt.timedelta) -> Decimal:
    """Exact seconds of a timedelta as a Decimal."""
    return Decimal(value.days * 86400 + value.seconds) + Decimal(value.microseconds) / Decimal(
        1_000_000
    )


def timedelta_from_seconds(seconds: Decimal, rounding: str = ROUND_HALF_EVEN) -> dt.timedelta:
    """The timedelta of a number of seconds, rounded to microseconds.

    Raises:
        TemporalError: the duration is beyond timedelta's range (999,999,999 days).
    """
    micros = (seconds * 1_000_000).to_integral_value(rounding=rounding)
    try:
        return dt.timedelta(microseconds=int(micros))
    except OverflowError as error:
        raise TemporalError("duration out of the supported range") from error
