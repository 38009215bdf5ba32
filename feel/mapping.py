"""Host values <-> FEEL values, both directions, and FEEL values -> JSON.

Into FEEL (`to_feel`): ints and floats become `Decimal` (floats through their shortest
repr, so 0.1 is 0.1); tuples and sets become lists; mappings become dicts with string
keys; Python callables become FEEL functions; `date`, `time`, `datetime`, `timedelta`,
`YearsMonthsDuration`, `Range`, `FarDate` and `FarDateTime` are FEEL values already, and
any object with an integer `total_months` is taken for a years and months duration.
Anything else is null.

Out of FEEL (`to_host`): FEEL values are plain Python values already; functions stay
callable objects.

To JSON (`to_json`), for the worker's process variables: integral numbers become `int`,
other numbers `float` (Zeebe stores numbers as 64-bit integers or doubles, so digits
beyond a double's precision could not be kept anyway); dates, times and durations
become their ISO 8601 strings as FEEL prints them; ranges their FEEL text; functions null.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
from collections.abc import Callable, Mapping, Sequence, Set
from decimal import Decimal
from typing import Any

from feel import temporal
from feel.far_dates import FarDate, FarDateTime
from feel.values import FeelFunction, Range, YearsMonthsDuration

_PLAIN = (
    str,
    bool,
    Decimal,
    dt.date,
    dt.time,
    dt.timedelta,
    YearsMonthsDuration,
    Range,
    FarDate,
    FarDateTime,
)
_INT64 = 2**63


def to_feel(value: Any) -> Any:
    """Convert a host value to its FEEL value (recursively)."""
    kind = type(value)
    if value is None or kind is str or kind is bool or kind is Decimal:
        return value
    if kind is int:
        return Decimal(value)
    if kind is float:
        if math.isnan(value) or math.isinf(value):
            return None
        return Decimal(repr(value))
    if kind is dict:
        return {str(k): to_feel(v) for k, v in value.items()}
    if kind is list:
        return [to_feel(v) for v in value]
    if isinstance(value, (_PLAIN, FeelFunction)):
        return value
    if isinstance(value, int):  # bool was handled above; IntEnum and friends
        return Decimal(int(value))
    if isinstance(value, Mapping):
        return {str(k): to_feel(v) for k, v in value.items()}
    if isinstance(value, Sequence | Set) and not isinstance(value, bytes | bytearray):
        return [to_feel(v) for v in value]
    if callable(value):
        from feel.functions import HostFunction

        return HostFunction(value)
    months = getattr(value, "total_months", None)
    if type(months) is int:  # another library's years and months duration, duck-typed
        return YearsMonthsDuration(months)
    return None


def to_host(value: Any) -> Any:
    """Convert a FEEL value for Python callers (FEEL values are Python values already)."""
    return value


def to_json(value: Any) -> Any:
    """Convert a FEEL value to plain JSON-able Python (see the module docstring)."""
    kind = type(value)
    if value is None or kind is str or kind is bool:
        return value
    if kind is Decimal:
        if value == value.to_integral_value() and abs(value) < _INT64:
            return int(value)
        return float(value)
    if kind is dict:
        return {str(k): to_json(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [to_json(v) for v in value]
    if kind is int or kind is float:
        return value
    text = temporal.to_string(value)
    if text is not None:
        return text
    if kind is Range:
        from feel.text import feel_text

        return feel_text(value)
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    return None


def parameter_names(function: Callable[..., Any]) -> tuple[str, ...]:
    """The parameter names of a host callable (for FEEL named invocation)."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return ()
    return tuple(
        p.name
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    )
