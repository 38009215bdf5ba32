"""FEEL types: `instance of`, and the conversions DMN applies when a value meets a type.

Type names: number, string, boolean, date, time, date and time, days and time duration,
years and months duration, list, context, range, function, Any, Null, and the generic
forms `list<T>`, `range<T>`, `context<k: T, ...>` and `function<T, ...> -> T`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from feel.far_dates import FarDate, FarDateTime, at_utc_midnight
from feel.nodes import ContextType, FunctionType, ListType, NamedType, RangeType, TypeSpec
from feel.values import FeelFunction, Range, YearsMonthsDuration

NONCONFORMING: Any = object()

_ALIASES = {
    "dateTime": "date and time",
    "dayTimeDuration": "days and time duration",
    "yearMonthDuration": "years and months duration",
    "days and time duration": "days and time duration",
    "years and months duration": "years and months duration",
}


def _named(name: str, value: Any) -> bool:
    name = _ALIASES.get(name, name)
    if name == "Any":
        return value is not None
    if name == "Null":
        return value is None
    if value is None:
        return False
    kind = type(value)
    if name == "number":
        return kind is Decimal
    if name == "string":
        return kind is str
    if name == "boolean":
        return kind is bool
    if name == "date":
        return kind is dt.date or kind is FarDate
    if name == "time":
        return kind is dt.time
    if name == "date and time":
        return kind is dt.datetime or kind is FarDateTime
    if name == "days and time duration":
        return kind is dt.timedelta
    if name == "years and months duration":
        return kind is YearsMonthsDuration
    if name == "list":
        return kind is list
    if name == "context":
        return kind is dict
    if name == "range":
        return kind is Range
    if name == "function":
        return isinstance(value, FeelFunction)
    return False


def conforms(value: Any, spec: TypeSpec) -> bool:
    """Whether a value is an instance of the type."""
    if isinstance(spec, NamedType):
        return _named(spec.name, value)
    if isinstance(spec, ListType):
        return type(value) is list and all(v is None or conforms(v, spec.item) for v in value)
    if isinstance(spec, RangeType):
        return type(value) is Range and all(
            e is None or conforms(e, spec.item) for e in (value.start, value.end)
        )
    if isinstance(spec, ContextType):
        return type(value) is dict and all(
            key in value and (value[key] is None or conforms(value[key], entry))
            for key, entry in spec.entries
        )
    if isinstance(spec, FunctionType):
        if not isinstance(value, FeelFunction):
            return False
        return len(value.params) == len(spec.params) or not value.params
    return False


def coerce_to(value: Any, spec: TypeSpec) -> Any:
    """The value converted for a typed parameter, or NONCONFORMING.

    DMN's implicit conversions: a singleton list stands for its element, an element for
    a singleton list, and a date for the midnight (UTC) date and time.
    """
    if value is None or conforms(value, spec):
        return value
    if type(value) is list and len(value) == 1 and conforms(value[0], spec):
        return value[0]
    if isinstance(spec, ListType) and conforms(value, spec.item):
        return [value]
    if (
        isinstance(spec, NamedType)
        and _ALIASES.get(spec.name, spec.name) == "date and time"
        and (type(value) is dt.date or type(value) is FarDate)
    ):
        return at_utc_midnight(value)
    return NONCONFORMING


def type_text(spec: TypeSpec) -> str:
    if isinstance(spec, NamedType):
        return spec.name
    if isinstance(spec, ListType):
        return f"list<{type_text(spec.item)}>"
    if isinstance(spec, RangeType):
        return f"range<{type_text(spec.item)}>"
    if isinstance(spec, ContextType):
        return "context<" + ", ".join(f"{k}: {type_text(t)}" for k, t in spec.entries) + ">"
    if isinstance(spec, FunctionType):
        params = ", ".join(type_text(t) for t in spec.params)
        return f"function<{params}>->{type_text(spec.result)}"
    return "?"
