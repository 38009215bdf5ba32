"""Properties of non-context values: `date.year`, `duration.days`, `range.start`, ...

A days and time duration's `days`, `hours`, `minutes` and `seconds` are the parts of
its normalized form (P1DT2H3M4S), signed like the duration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from feel.far_dates import FarDate, FarDateTime
from feel.values import Range, YearsMonthsDuration, time_offset


def _seconds(value: dt.time | dt.datetime) -> Decimal:
    if value.microsecond:
        return Decimal(value.second) + Decimal(value.microsecond) / Decimal(1_000_000)
    return Decimal(value.second)


def _timezone(value: dt.time | dt.datetime) -> Any:
    key = getattr(value.tzinfo, "key", None)
    return key if isinstance(key, str) else None


def _delta_parts(value: dt.timedelta) -> tuple[int, int, int, Decimal, int]:
    sign = -1 if value < dt.timedelta(0) else 1
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    exact = Decimal(seconds) + Decimal(value.microseconds) / Decimal(1_000_000)
    return value.days, hours, minutes, exact, sign


_DATE: dict[str, Callable[[Any], Any]] = {
    "year": lambda v: Decimal(v.year),
    "month": lambda v: Decimal(v.month),
    "day": lambda v: Decimal(v.day),
    "weekday": lambda v: Decimal(v.isoweekday()),
}
_TIME: dict[str, Callable[[Any], Any]] = {
    "hour": lambda v: Decimal(v.hour),
    "minute": lambda v: Decimal(v.minute),
    "second": _seconds,
    "time offset": time_offset,
    "timezone": _timezone,
}
_DATE_TIME = {**_DATE, **_TIME}
_DELTA: dict[str, Callable[[Any], Any]] = {
    "days": lambda v: Decimal(_delta_parts(v)[0] * _delta_parts(v)[4]),
    "hours": lambda v: Decimal(_delta_parts(v)[1] * _delta_parts(v)[4]),
    "minutes": lambda v: Decimal(_delta_parts(v)[2] * _delta_parts(v)[4]),
    "seconds": lambda v: _delta_parts(v)[3] * _delta_parts(v)[4],
}
_YM: dict[str, Callable[[Any], Any]] = {
    "years": lambda v: Decimal(v.years),
    "months": lambda v: Decimal(v.months),
}
_RANGE: dict[str, Callable[[Any], Any]] = {
    "start": lambda v: v.start,
    "end": lambda v: v.end,
    "start included": lambda v: v.start_included,
    "end included": lambda v: v.end_included,
}


def _of_moved(get: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: get(value.value)


# Far values (feel.far_dates) have their true year; every other property is the moved
# value's, which the 400-year cycle keeps (weekday included).
_FAR_DATE: dict[str, Callable[[Any], Any]] = {
    "year": lambda v: Decimal(v.year),
    **{key: _of_moved(get) for key, get in _DATE.items() if key != "year"},
}
_FAR_DATE_TIME = {**_FAR_DATE, **{key: _of_moved(get) for key, get in _TIME.items()}}

_BY_TYPE: dict[type, dict[str, Callable[[Any], Any]]] = {
    dt.date: _DATE,
    dt.datetime: _DATE_TIME,
    dt.time: _TIME,
    dt.timedelta: _DELTA,
    YearsMonthsDuration: _YM,
    Range: _RANGE,
    FarDate: _FAR_DATE,
    FarDateTime: _FAR_DATE_TIME,
}


def get_property(value: Any, key: str) -> tuple[bool, Any]:
    """(True, the property) when the value has that property, else (False, None)."""
    table = _BY_TYPE.get(type(value))
    if table is None:
        return False, None
    getter = table.get(key)
    if getter is None:
        return False, None
    return True, getter(value)


def property_names(value: Any) -> tuple[str, ...]:
    table = _BY_TYPE.get(type(value))
    return tuple(table) if table else ()
