"""Argument checks shared by the built-in functions.

Each check returns the argument as the type the function needs, or raises
`FunctionError` with a reason naming the parameter; the registry's shared path turns
that into null plus a warning naming the function and its arguments.

DMN's implicit conversions apply: a singleton list stands for its only item where a
single value is expected (`upper case(["a"])`), and a single value for a singleton list
where a list is expected (`count(5)`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from feel.functions import FunctionError
from feel.text import render
from feel.values import FeelFunction, type_name

_SURROGATE = re.compile("[\ud800-\udfff]")

OMITTED: Any = object()
"""Default of an optional parameter, so that an explicit null can be told from no argument."""


def describe(value: Any) -> str:
    """A value for an error message: its FEEL type and a short rendering."""
    if value is None:
        return "null"
    return f"{type_name(value)} {render(value, 40)}"


def _single(value: Any) -> Any:
    if type(value) is list and len(value) == 1:
        return value[0]
    return value


def number(value: Any, name: str) -> Decimal:
    """A number argument."""
    value = _single(value)
    if type(value) is not Decimal:
        raise FunctionError(f"'{name}' must be a number, not {describe(value)}")
    return value


def integer(value: Any, name: str) -> int:
    """A number argument used as a whole number (the fraction is dropped, as DMN does)."""
    result = number(value, name)
    if not result.is_finite() or result.adjusted() > 18:
        raise FunctionError(f"'{name}' is too large: {describe(value)}")
    return int(result)


def string(value: Any, name: str) -> str:
    """A string argument; UTF-16 surrogate pairs in it are joined into one character."""
    value = _single(value)
    if type(value) is not str:
        raise FunctionError(f"'{name}' must be a string, not {describe(value)}")
    if _SURROGATE.search(value):
        joined: str = value.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
        return joined
    return value


def context(value: Any, name: str) -> dict[str, Any]:
    """A context argument."""
    value = _single(value)
    if type(value) is not dict:
        raise FunctionError(f"'{name}' must be a context, not {describe(value)}")
    return value


def function(value: Any, name: str) -> FeelFunction:
    """A function argument."""
    value = _single(value)
    if not isinstance(value, FeelFunction):
        raise FunctionError(f"'{name}' must be a function, not {describe(value)}")
    return value


def items(value: Any, name: str) -> list[Any]:
    """A list argument; a single non-null value counts as a list of one."""
    if type(value) is list:
        return value
    if value is None:
        raise FunctionError(f"'{name}' must be a list, not null")
    return [value]


def variadic(args: tuple[Any, ...], name: str) -> list[Any]:
    """The items of `f(list)` or `f(item, item, ...)`: one list argument, or the arguments."""
    if len(args) == 1:
        return items(args[0], name)
    return list(args)
