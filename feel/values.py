"""FEEL values: which Python objects carry which FEEL type, and how values compare.

Python already has most FEEL types:

    null                      None
    number                    decimal.Decimal (decimal128: 34 digits, half-even)
    string                    str
    boolean                   bool
    date                      datetime.date (feel.far_dates.FarDate beyond years 1..9999)
    time                      datetime.time (naive, fixed offset, or zoneinfo zone)
    date and time             datetime.datetime (or feel.far_dates.FarDateTime)
    days and time duration    datetime.timedelta
    list                      list
    context                   dict (insertion order kept)

and this module adds what Python lacks: `YearsMonthsDuration`, `Range` and `FeelFunction`.
Equality and ordering follow DMN 1.5: values of different types are neither equal nor
unequal (the result is null), `null = null` is true and `x = null` false.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation, Overflow
from typing import TYPE_CHECKING, Any

from feel import far_dates
from feel.far_dates import FarDate, FarDateTime

if TYPE_CHECKING:
    from feel.evaluation import Run

DECIMAL128 = Context(
    prec=34,
    rounding=ROUND_HALF_EVEN,
    Emax=6144,
    Emin=-6143,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

Number = Decimal


@dataclass(frozen=True, slots=True, order=False)
class YearsMonthsDuration:
    """A years and months duration, held as a signed number of months."""

    total_months: int

    @property
    def years(self) -> int:
        sign = -1 if self.total_months < 0 else 1
        return sign * (abs(self.total_months) // 12)

    @property
    def months(self) -> int:
        sign = -1 if self.total_months < 0 else 1
        return sign * (abs(self.total_months) % 12)

    def __str__(self) -> str:
        months = abs(self.total_months)
        years, months = divmod(months, 12)
        text = "P"
        if years:
            text += f"{years}Y"
        if months or not years:
            text += f"{months}M"
        return ("-" if self.total_months < 0 else "") + text

    def __repr__(self) -> str:
        return f"YearsMonthsDuration({self})"

    def __neg__(self) -> YearsMonthsDuration:
        return YearsMonthsDuration(-self.total_months)


@dataclass(frozen=True, slots=True)
class Range:
    """A FEEL range (interval).

    `comparison` is set for the ranges that unary comparisons make (`< 10` is
    `Range(None, 10, False, False, "<")`): their missing endpoint is unbounded, while a
    literal null endpoint (`(null..10)`) is unknown, so membership in it is null. `= x`
    and `!= x` are ranges too, the latter matching everything but x.
    """

    start: Any
    end: Any
    start_included: bool
    end_included: bool
    comparison: str | None = None

    @property
    def start_unbounded(self) -> bool:
        return self.start is None and self.comparison in ("<", "<=")

    @property
    def end_unbounded(self) -> bool:
        return self.end is None and self.comparison in (">", ">=")

    def __repr__(self) -> str:
        if self.comparison is not None:
            operand = self.end if self.comparison in ("<", "<=") else self.start
            return f"Range({self.comparison} {operand!r})"
        left = "[" if self.start_included else "("
        right = "]" if self.end_included else ")"
        return f"Range({left}{self.start!r}..{self.end!r}{right})"


class FeelFunction:
    """A function value: a built-in, a user-defined FEEL function, or a host callable.

    `params` are the FEEL parameter names (for named invocation). Calling the object
    from Python takes and returns host values (see feel.mapping).
    """

    name: str
    params: tuple[str, ...]

    def invoke(self, run: Run, args: Sequence[Any] | None, named: dict[str, Any] | None) -> Any:
        raise NotImplementedError

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from feel import mapping
        from feel.evaluation import Abort, Run

        run = Run()
        feel_args = [mapping.to_feel(a) for a in args]
        feel_named = {k: mapping.to_feel(v) for k, v in kwargs.items()} if kwargs else None
        try:
            result = self.invoke(run, None if feel_named else feel_args, feel_named)
        except (Abort, RecursionError):
            return None
        return mapping.to_host(result)

    def __repr__(self) -> str:
        return f"<FEEL function {self.name}({', '.join(self.params)})>"


HostCallable = Callable[..., Any]

# ---------------------------------------------------------------- types

_TYPE_NAMES: dict[type, str] = {
    Decimal: "number",
    str: "string",
    bool: "boolean",
    dt.date: "date",
    dt.time: "time",
    dt.datetime: "date and time",
    dt.timedelta: "days and time duration",
    YearsMonthsDuration: "years and months duration",
    list: "list",
    dict: "context",
    Range: "range",
    FarDate: "date",
    FarDateTime: "date and time",
}


def type_name(value: Any) -> str:
    """The FEEL type name of a value ('null' for None)."""
    if value is None:
        return "null"
    name = _TYPE_NAMES.get(type(value))
    if name is not None:
        return name
    if isinstance(value, FeelFunction):
        return "function"
    if isinstance(value, dt.datetime):
        return "date and time"
    if isinstance(value, dt.date):
        return "date"
    return type(value).__name__


def is_number(value: Any) -> bool:
    return type(value) is Decimal


# ---------------------------------------------------------------- equality and order


def _time_key(value: dt.time) -> tuple[int, int | None]:
    """Milliseconds since midnight, shifted to UTC when the time has an offset.

    Times and dates and times compare at millisecond precision, as the DMN TCK expects.
    """
    seconds = (value.hour * 60 + value.minute) * 60 + value.second
    millis = seconds * 1000 + value.microsecond // 1000
    offset = time_offset(value)
    if offset is None:
        return millis, None
    return millis - int(offset.total_seconds() * 1000), 1


def _millis(value: dt.datetime) -> dt.datetime:
    if not value.microsecond:
        return value
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def time_offset(value: dt.time | dt.datetime) -> dt.timedelta | None:
    """The UTC offset of a time or date and time; for a time in a named zone, today's."""
    tz = value.tzinfo
    if tz is None:
        return None
    if isinstance(value, dt.datetime):
        return value.utcoffset()
    offset = tz.utcoffset(None)
    if offset is None:
        today = dt.datetime.now(dt.UTC).date()
        offset = dt.datetime.combine(today, value.replace(tzinfo=None), tz).utcoffset()
    return offset


def equal(a: Any, b: Any) -> bool | None:
    """FEEL `a = b`: True, False, or None when the values are not comparable."""
    if a is None or b is None:
        return a is None and b is None
    ta, tb = type(a), type(b)
    if ta is tb and ta in (Decimal, str, bool, dt.date, dt.timedelta, YearsMonthsDuration):
        return bool(a == b)
    if ta is dt.datetime and tb is dt.datetime:
        if (a.tzinfo is None) != (b.tzinfo is None):
            return None
        return bool(_millis(a) == _millis(b))
    if ta is dt.time and tb is dt.time:
        ka, kb = _time_key(a), _time_key(b)
        if (ka[1] is None) != (kb[1] is None):
            return None
        return ka[0] == kb[0]
    if ta is list and tb is list:
        if len(a) != len(b):
            return False
        result: bool | None = True
        for x, y in zip(a, b, strict=True):
            item = equal(x, y)
            if item is False:
                return False
            if item is None:
                result = None
        return result
    if ta is dict and tb is dict:
        if a.keys() != b.keys():
            return False
        result = True
        for key, x in a.items():
            item = equal(x, b[key])
            if item is False:
                return False
            if item is None:
                result = None
        return result
    if ta is Range and tb is Range:
        if (
            a.start_included != b.start_included
            or a.end_included != b.end_included
            or a.comparison != b.comparison
        ):
            return False
        start, end = equal(a.start, b.start), equal(a.end, b.end)
        if start is None or end is None:
            return None
        return start and end
    if isinstance(a, FeelFunction) and isinstance(b, FeelFunction):
        return a is b
    if ta in far_dates.FAR_TYPES or tb in far_dates.FAR_TYPES:
        order = far_dates.compare(a, b)
        return None if order is None else order == 0
    return None


def compare(a: Any, b: Any) -> int | None:
    """Order two FEEL values: -1, 0 or 1, or None when they have no common order."""
    ta, tb = type(a), type(b)
    if ta is not tb:
        if ta in far_dates.FAR_TYPES or tb in far_dates.FAR_TYPES:
            return far_dates.compare(a, b)
        return None
    if ta in (Decimal, str, dt.date, dt.timedelta):
        return int(a > b) - int(a < b)
    if ta is YearsMonthsDuration:
        return int(a.total_months > b.total_months) - int(a.total_months < b.total_months)
    if ta is dt.datetime:
        if (a.tzinfo is None) != (b.tzinfo is None):
            return None
        a, b = _millis(a), _millis(b)
        return int(a > b) - int(a < b)
    if ta is dt.time:
        ka, kb = _time_key(a), _time_key(b)
        if (ka[1] is None) != (kb[1] is None):
            return None
        return (ka[0] > kb[0]) - (ka[0] < kb[0])
    if ta in far_dates.FAR_TYPES:
        return far_dates.compare(a, b)
    return None


def less_than(a: Any, b: Any) -> bool | None:
    order = compare(a, b)
    return None if order is None else order < 0


def in_range(value: Any, rng: Range) -> bool | None:
    """Whether a value lies in a range; None when it cannot be compared with the endpoints."""
    if rng.comparison == "!=":
        same = equal(value, rng.start)
        return None if same is None else not same
    if rng.start is not None:
        order = compare(value, rng.start)
        if order is None:
            return None
        if order < 0 or (order == 0 and not rng.start_included):
            return False
    elif not rng.start_unbounded:
        return None
    if rng.end is not None:
        order = compare(value, rng.end)
        if order is None:
            return None
        if order > 0 or (order == 0 and not rng.end_included):
            return False
    elif not rng.end_unbounded:
        return None
    return True


def distinct(values: list[Any]) -> list[Any]:
    """The values without duplicates (FEEL equality), first occurrences kept."""
    result: list[Any] = []
    for value in values:
        if not any(equal(value, seen) is True for seen in result):
            result.append(value)
    return result
