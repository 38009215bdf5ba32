"""Numeric functions: rounding at a scale, `abs`, `modulo`, `sqrt`, `log`, `exp`, `odd`, `even`.

All arithmetic is decimal128 (34 significant digits, half-even), like the rest of FEEL.
A scale is a whole number between -6111 and 6176 (a fraction is dropped); a negative
scale rounds to tens, hundreds, and so on. feel-scala's `random number()` and its
`decimal(n, scale, mode)` with a Java rounding mode name are here too.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    DecimalException,
)
from typing import Any

from feel.builtins import arguments
from feel.functions import FunctionError, builtin
from feel.values import DECIMAL128, YearsMonthsDuration

MIN_SCALE = -6111
MAX_SCALE = 6176
_ONE = Decimal(1)


def _scale(value: Any) -> int:
    scale = arguments.integer(value, "scale")
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise FunctionError(f"'scale' must be between {MIN_SCALE} and {MAX_SCALE}, not {scale}")
    return scale


def tidy(value: Decimal) -> Decimal:
    """A result without a negative zero or an exponent (1.2E+3 becomes 1200)."""
    if value.is_zero():
        return value.copy_abs()
    if value.as_tuple().exponent > 0 and value.adjusted() < DECIMAL128.prec:  # type: ignore[operator]
        return value.quantize(_ONE, context=DECIMAL128)
    return value


def round_at(n: Decimal, scale: int, rounding: str) -> Decimal:
    """`n` rounded to `scale` decimal places with the given rounding mode."""
    exponent = n.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -scale:
        return tidy(n)  # no digits beyond the scale: nothing to round
    try:
        return tidy(n.quantize(_ONE.scaleb(-scale), rounding=rounding, context=DECIMAL128))
    except DecimalException:
        raise FunctionError(f"cannot round {n} at scale {scale} in 34 digits") from None


def _rounding(name: str, mode: str, scale_required: bool) -> None:
    required = 2 if scale_required else 1

    @builtin(name, ["n", "scale"], required=required)
    def apply(n: Any, scale: Any = arguments.OMITTED) -> Decimal:
        places = 0 if scale is arguments.OMITTED else _scale(scale)
        return round_at(arguments.number(n, "n"), places, mode)

    apply.__name__ = name.replace(" ", "_")


_rounding("decimal", ROUND_HALF_EVEN, scale_required=True)

_MODES = {
    "UP": ROUND_UP,
    "DOWN": ROUND_DOWN,
    "CEILING": ROUND_CEILING,
    "FLOOR": ROUND_FLOOR,
    "HALF_UP": ROUND_HALF_UP,
    "HALF_DOWN": ROUND_HALF_DOWN,
    "HALF_EVEN": ROUND_HALF_EVEN,
}


@builtin("decimal", ["n", "scale", "mode"])
def decimal_with_mode(n: Any, scale: Any, mode: Any) -> Decimal:
    """`decimal` with a rounding mode by its Java name: "half_up", "floor"... (feel-scala)."""
    number = arguments.number(n, "n")
    places = _scale(scale)
    name = arguments.string(mode, "mode").upper()
    if name == "UNNECESSARY":
        result = round_at(number, places, ROUND_DOWN)
        if result != number:
            raise FunctionError(f"{number} cannot be shown with {places} decimal places unrounded")
        return result
    if name not in _MODES:
        known = ", ".join(sorted(_MODES)).lower() + ", unnecessary"
        raise FunctionError(f"unknown rounding mode '{name.lower()}' (known: {known})")
    return round_at(number, places, _MODES[name])


_rounding("floor", ROUND_FLOOR, scale_required=False)
_rounding("ceiling", ROUND_CEILING, scale_required=False)
_rounding("round up", ROUND_UP, scale_required=False)
_rounding("round down", ROUND_DOWN, scale_required=False)
_rounding("round half up", ROUND_HALF_UP, scale_required=False)
_rounding("round half down", ROUND_HALF_DOWN, scale_required=False)


@builtin("abs", ["n"])
def abs_(n: Any) -> Any:
    """The absolute value of a number or of either kind of duration."""
    n = n[0] if type(n) is list and len(n) == 1 else n
    if type(n) is Decimal:
        return n.copy_abs()
    if type(n) is dt.timedelta:
        return abs(n)
    if type(n) is YearsMonthsDuration:
        return YearsMonthsDuration(abs(n.total_months))
    raise FunctionError(f"'n' must be a number or a duration, not {arguments.describe(n)}")


@builtin("modulo", ["dividend", "divisor"])
def modulo(dividend: Any, divisor: Any) -> Decimal:
    """The remainder of dividend / divisor, with the sign of the divisor (floored division)."""
    a = arguments.number(dividend, "dividend")
    b = arguments.number(divisor, "divisor")
    if b.is_zero():
        raise FunctionError("division by zero")
    try:
        remainder = DECIMAL128.remainder(a, b)
    except DecimalException:
        raise FunctionError(f"the quotient of {a} and {b} is too large") from None
    if not remainder.is_zero() and remainder.is_signed() != b.is_signed():
        remainder = DECIMAL128.add(remainder, b)
    return tidy(remainder)


@builtin("sqrt", ["number"])
def sqrt(number: Any) -> Decimal:
    """The square root; null for a negative number."""
    n = arguments.number(number, "number")
    if n.is_signed() and not n.is_zero():
        raise FunctionError(f"no square root of the negative number {n}")
    return tidy(DECIMAL128.sqrt(n))


@builtin("log", ["number"])
def log(number: Any) -> Decimal:
    """The natural logarithm; null unless the number is positive."""
    n = arguments.number(number, "number")
    if n.is_signed() or n.is_zero():
        raise FunctionError(f"no logarithm of {n}: the number must be positive")
    return tidy(DECIMAL128.ln(n))


@builtin("exp", ["number"])
def exp(number: Any) -> Decimal:
    """Euler's number raised to the given power."""
    n = arguments.number(number, "number")
    try:
        return tidy(DECIMAL128.exp(n))
    except DecimalException:
        raise FunctionError(f"exp({n}) is too large") from None


def _parity(n: Decimal) -> int | None:
    """0 for an even integer, 1 for an odd one, None for a number with a fraction."""
    if n != n.to_integral_value():
        return None
    whole = n.to_integral_value()
    _sign, digits, exponent = whole.as_tuple()
    if isinstance(exponent, int) and exponent > 0:
        return 0  # a multiple of ten
    return digits[-1] % 2


@builtin("odd", ["number"])
def odd(number: Any) -> bool:
    """Whether the number is an odd integer (false for a number with a fraction)."""
    return _parity(arguments.number(number, "number")) == 1


@builtin("even", ["number"])
def even(number: Any) -> bool:
    """Whether the number is an even integer (false for a number with a fraction)."""
    return _parity(arguments.number(number, "number")) == 0


@builtin("random number")
def random_number() -> Decimal:
    """A random number between 0 (included) and 1 (excluded) (feel-scala extension)."""
    return Decimal(repr(random.random()))
