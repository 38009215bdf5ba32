"""FEEL arithmetic (`+ - * / **` and negation) for every pair of types.

Numbers use decimal128 (34 significant digits, half-even). Temporal arithmetic follows
DMN 1.5: date and time +/- duration, differences of dates and times, durations scaled
by numbers. A pair with no meaning gives None; the caller records the warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, DecimalException
from typing import Any

from feel import far_dates, temporal
from feel.far_dates import FarDate, FarDateTime
from feel.temporal import TemporalError, add_duration, add_months, date_as_date_time
from feel.values import DECIMAL128, YearsMonthsDuration

Date, Time, DateTime, Delta, YM = dt.date, dt.time, dt.datetime, dt.timedelta, YearsMonthsDuration


class ArithmeticError_(Exception):
    """An operation that has no result for its operands (becomes null plus a warning)."""


def _numbers(op: Callable[[Decimal, Decimal], Decimal]) -> Callable[[Decimal, Decimal], Any]:
    def apply(a: Decimal, b: Decimal) -> Any:
        try:
            return op(a, b)
        except DecimalException as error:
            raise ArithmeticError_(_decimal_reason(error)) from None

    return apply


def _decimal_reason(error: DecimalException) -> str:
    name = type(error).__name__
    if "DivisionByZero" in name or "DivisionUndefined" in name:
        return "division by zero"
    if "Overflow" in name:
        return "the result is too large"
    return "the result is not a number"


def _time_plus(value: dt.time, delta: dt.timedelta) -> dt.time:
    anchor = dt.datetime(2000, 1, 1, value.hour, value.minute, value.second, value.microsecond)
    moved = anchor + delta
    return moved.time().replace(tzinfo=value.tzinfo)


def _time_minus_time(a: dt.time, b: dt.time) -> dt.timedelta:
    if (a.tzinfo is None) != (b.tzinfo is None):
        raise ArithmeticError_("one time has a time zone and the other not")
    from feel.values import time_offset

    def micros(t: dt.time) -> int:
        base = ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond
        offset = time_offset(t)
        return base - (int(offset.total_seconds() * 1_000_000) if offset else 0)

    return dt.timedelta(microseconds=micros(a) - micros(b))


def _date_time_minus(a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    if (a.tzinfo is None) != (b.tzinfo is None):
        raise ArithmeticError_("one date and time has a time zone and the other not")
    if a.tzinfo is not None:
        # Python subtracts wall clocks when both share a tzinfo; FEEL wants the instants
        try:
            return a.astimezone(dt.UTC) - b.astimezone(dt.UTC)
        except OverflowError:  # within a day of 0001-01-01 or 9999-12-31
            return far_dates.difference(a, b)
    return a - b


def _as_date_time(value: dt.date) -> dt.datetime:
    """A date next to a date and time: its midnight in UTC, as DMN converts dates.

    So a date and a local date and time have no difference (null), as the TCK expects.
    """
    return date_as_date_time(value)


def _scale_delta(delta: dt.timedelta, factor: Decimal) -> dt.timedelta:
    seconds = temporal.duration_seconds(delta) * factor
    return temporal.timedelta_from_seconds(seconds)


def _scale_ym(
    value: YearsMonthsDuration, factor: Decimal, divide: bool = False
) -> YearsMonthsDuration:
    months = Decimal(value.total_months)
    result = months / factor if divide else months * factor
    return YM(int(result.to_integral_value(rounding="ROUND_DOWN")))


def _date_plus_delta(value: dt.date, delta: dt.timedelta) -> Any:
    try:
        return (dt.datetime(value.year, value.month, value.day) + delta).date()
    except OverflowError:
        return far_dates.add_delta(value, delta)


_ADD: dict[tuple[type, type], Callable[[Any, Any], Any]] = {
    (Decimal, Decimal): _numbers(DECIMAL128.add),
    (str, str): lambda a, b: a + b,
    (Delta, Delta): lambda a, b: a + b,
    (YM, YM): lambda a, b: YM(a.total_months + b.total_months),
    (DateTime, Delta): add_duration,
    (Delta, DateTime): lambda a, b: add_duration(b, a),
    (DateTime, YM): lambda a, b: add_months(a, b.total_months),
    (YM, DateTime): lambda a, b: add_months(b, a.total_months),
    (Date, Delta): _date_plus_delta,
    (Delta, Date): lambda a, b: _date_plus_delta(b, a),
    (Date, YM): lambda a, b: add_months(a, b.total_months),
    (YM, Date): lambda a, b: add_months(b, a.total_months),
    (Time, Delta): _time_plus,
    (Delta, Time): lambda a, b: _time_plus(b, a),
}

_SUBTRACT: dict[tuple[type, type], Callable[[Any, Any], Any]] = {
    (Decimal, Decimal): _numbers(DECIMAL128.subtract),
    (Delta, Delta): lambda a, b: a - b,
    (YM, YM): lambda a, b: YM(a.total_months - b.total_months),
    (DateTime, DateTime): _date_time_minus,
    (DateTime, Date): lambda a, b: _date_time_minus(a, _as_date_time(b)),
    (Date, DateTime): lambda a, b: _date_time_minus(_as_date_time(a), b),
    (Date, Date): lambda a, b: a - b,
    (DateTime, Delta): lambda a, b: add_duration(a, -b),
    (DateTime, YM): lambda a, b: add_months(a, -b.total_months),
    (Date, Delta): lambda a, b: _date_plus_delta(a, -b),
    (Date, YM): lambda a, b: add_months(a, -b.total_months),
    (Time, Time): _time_minus_time,
    (Time, Delta): lambda a, b: _time_plus(a, -b),
}

# Far dates and dates and times (years outside 1..9999, feel.far_dates) take one generic
# implementation per operation, beside each other and beside plain values; the plain pairs
# above keep their direct handlers.
for _far in (FarDate, FarDateTime):
    _ADD[(_far, Delta)] = far_dates.add_delta
    _ADD[(Delta, _far)] = lambda a, b: far_dates.add_delta(b, a)
    _ADD[(_far, YM)] = lambda a, b: far_dates.add_months(a, b.total_months)
    _ADD[(YM, _far)] = lambda a, b: far_dates.add_months(b, a.total_months)
    _SUBTRACT[(_far, Delta)] = lambda a, b: far_dates.add_delta(a, -b)
    _SUBTRACT[(_far, YM)] = lambda a, b: far_dates.add_months(a, -b.total_months)
    for _other in (Date, DateTime, FarDate, FarDateTime):
        _SUBTRACT[(_far, _other)] = far_dates.difference
        _SUBTRACT[(_other, _far)] = far_dates.difference

_MULTIPLY: dict[tuple[type, type], Callable[[Any, Any], Any]] = {
    (Decimal, Decimal): _numbers(DECIMAL128.multiply),
    (Delta, Decimal): _scale_delta,
    (Decimal, Delta): lambda a, b: _scale_delta(b, a),
    (YM, Decimal): _scale_ym,
    (Decimal, YM): lambda a, b: _scale_ym(b, a),
}


def _divide_delta(a: dt.timedelta, b: Decimal) -> dt.timedelta:
    if not b:
        raise ArithmeticError_("division by zero")
    return temporal.timedelta_from_seconds(DECIMAL128.divide(temporal.duration_seconds(a), b))


def _divide_deltas(a: dt.timedelta, b: dt.timedelta) -> Decimal:
    if not b:
        raise ArithmeticError_("division by zero")
    return DECIMAL128.divide(temporal.duration_seconds(a), temporal.duration_seconds(b))


def _divide_ym(a: YearsMonthsDuration, b: Decimal) -> YearsMonthsDuration:
    if not b:
        raise ArithmeticError_("division by zero")
    return _scale_ym(a, b, divide=True)


def _divide_yms(a: YearsMonthsDuration, b: YearsMonthsDuration) -> Decimal:
    if not b.total_months:
        raise ArithmeticError_("division by zero")
    return DECIMAL128.divide(Decimal(a.total_months), Decimal(b.total_months))


_DIVIDE: dict[tuple[type, type], Callable[[Any, Any], Any]] = {
    (Decimal, Decimal): _numbers(DECIMAL128.divide),
    (Delta, Decimal): _divide_delta,
    (Delta, Delta): _divide_deltas,
    (YM, Decimal): _divide_ym,
    (YM, YM): _divide_yms,
}


def _power(a: Decimal, b: Decimal) -> Decimal:
    try:
        if b == b.to_integral_value():
            if abs(b) > 999_999_999:
                raise ArithmeticError_("the exponent is too large")
            return DECIMAL128.power(a, b.to_integral_value())
        return DECIMAL128.power(a, b)
    except DecimalException as error:
        raise ArithmeticError_(_decimal_reason(error)) from None


_POWER: dict[tuple[type, type], Callable[[Any, Any], Any]] = {(Decimal, Decimal): _power}

OPERATIONS: dict[str, dict[tuple[type, type], Callable[[Any, Any], Any]]] = {
    "+": _ADD,
    "-": _SUBTRACT,
    "*": _MULTIPLY,
    "/": _DIVIDE,
    "**": _POWER,
}

_OPERATION_NAMES = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "**": "raise"}


def apply(op: str, a: Any, b: Any) -> tuple[Any, str | None]:
    """The result of `a op b`, and why it is null when it is (None otherwise)."""
    if a is None or b is None:
        return None, None
    handler = OPERATIONS[op].get((type(a), type(b)))
    if handler is None:
        from feel.values import type_name

        return None, f"cannot {_OPERATION_NAMES[op]} {type_name(a)} and {type_name(b)} ({op})"
    try:
        return handler(a, b), None
    except (ArithmeticError_, TemporalError, OverflowError, ValueError) as error:
        return None, f"{op}: {error}"


def negate(value: Any) -> Any:
    kind = type(value)
    if kind is Decimal:
        return DECIMAL128.minus(value)
    if kind is Delta:
        return -value
    if kind is YM:
        return -value
    return None
