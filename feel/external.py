"""External Java functions (`function(x) external {java: {class: ..., method signature: ...}}`).

DMN lets a function be bound to a static Java method. This engine runs no Java; it maps
a fixed, side-effect-free part of `java.lang` to Python: the static methods of
`java.lang.Math`, the `valueOf` methods of the boxed number types and `String.valueOf` /
`String.format`. Arguments are converted as Java would receive them (a FEEL number to an
`int` only when it is whole, to a `double` otherwise); a result comes back as a FEEL value.
Any other class or method gives null and a warning, as does a failing conversion.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from feel.errors import FUNCTION_INVOCATION_FAILURE
from feel.evaluation import Run
from feel.values import FeelFunction


class JavaCallError(Exception):
    """An argument Java would not accept, or a method outside the supported set."""


_INTEGRAL = {"int": 2**31, "long": 2**63, "short": 2**15, "byte": 2**7}
_FLOATING = {"double", "float"}


def _argument(java_type: str, value: Any) -> Any:
    if java_type in _INTEGRAL:
        if type(value) is not Decimal or value != value.to_integral_value():
            raise JavaCallError(f"{value!r} is not a Java {java_type}")
        number = int(value)
        bound = _INTEGRAL[java_type]
        if not -bound <= number < bound:
            raise JavaCallError(f"{number} does not fit a Java {java_type}")
        return number
    if java_type in _FLOATING:
        if type(value) is not Decimal:
            raise JavaCallError(f"{value!r} is not a Java {java_type}")
        return float(value)
    if java_type == "char":
        if type(value) is not str or len(value) != 1:
            raise JavaCallError(f"{value!r} is not a Java char")
        return value
    if java_type in ("java.lang.String", "String"):
        if type(value) is not str:
            raise JavaCallError(f"{value!r} is not a Java String")
        return value
    raise JavaCallError(f"unsupported Java parameter type {java_type}")


def _result(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return Decimal(repr(value))
    raise JavaCallError(f"unsupported Java result {value!r}")


def _parse_int(text: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", text):
        raise JavaCallError(f"NumberFormatException: {text!r}")
    return int(text)


def _parse_float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise JavaCallError(f"NumberFormatException: {text!r}") from None


def _java_format(pattern: str, *args: Any) -> str:
    values = tuple(int(a) if type(a) is Decimal and a == a.to_integral_value() else a for a in args)
    python = re.sub(r"%n", "\n", pattern)
    try:
        return python % values
    except (TypeError, ValueError) as error:
        raise JavaCallError(f"IllegalFormatException: {error}") from None


_MATH_UNARY: dict[str, Callable[[float], Any]] = {
    "abs": abs,
    "acos": math.acos,
    "asin": math.asin,
    "atan": math.atan,
    "cbrt": math.cbrt,
    "ceil": lambda x: float(math.ceil(x)),
    "cos": math.cos,
    "cosh": math.cosh,
    "exp": math.exp,
    "expm1": math.expm1,
    "floor": lambda x: float(math.floor(x)),
    "log": math.log,
    "log10": math.log10,
    "log1p": math.log1p,
    "rint": lambda x: float(round(x)),
    "signum": lambda x: math.copysign(1.0, x) if x else 0.0,
    "sin": math.sin,
    "sinh": math.sinh,
    "sqrt": math.sqrt,
    "tan": math.tan,
    "tanh": math.tanh,
    "toDegrees": math.degrees,
    "toRadians": math.radians,
}
_MATH_BINARY: dict[str, Callable[[float, float], Any]] = {
    "atan2": math.atan2,
    "hypot": math.hypot,
    "max": max,
    "min": min,
    "pow": math.pow,
}

_VALUE_OF = {
    "java.lang.Integer": ("int", _parse_int),
    "java.lang.Long": ("long", _parse_int),
    "java.lang.Short": ("short", _parse_int),
    "java.lang.Byte": ("byte", _parse_int),
    "java.lang.Double": ("double", _parse_float),
    "java.lang.Float": ("float", _parse_float),
}


def _resolve(class_name: str, method: str, types: list[str]) -> Callable[..., Any]:
    if class_name == "java.lang.Math":
        if method in _MATH_UNARY and len(types) == 1 and types[0] in (*_FLOATING, *_INTEGRAL):
            return _MATH_UNARY[method]
        if (
            method in _MATH_BINARY
            and len(types) == 2
            and len(set(types)) == 1
            and types[0] in (*_FLOATING, *_INTEGRAL)
        ):
            return _MATH_BINARY[method]
        if method == "round" and types in (["double"], ["float"]):
            return lambda x: math.floor(x + 0.5)
    if class_name in _VALUE_OF and method == "valueOf" and len(types) == 1:
        primitive, parse = _VALUE_OF[class_name]
        if types[0] in ("java.lang.String", "String"):
            return parse
        if types[0] == primitive:
            return lambda x: x
    if class_name == "java.lang.String":
        if method == "valueOf" and len(types) == 1:
            return str
        if method == "format" and len(types) == 2 and types[0] in ("java.lang.String", "String"):
            return _java_format
    raise JavaCallError(f"{class_name}.{method}({', '.join(types)}) is not supported")


_SIGNATURE = re.compile(r"\s*([\w$]+)\s*\(([^)]*)\)\s*\Z")


class JavaFunction(FeelFunction):
    """A FEEL function bound to a supported static Java method."""

    def __init__(self, params: tuple[str, ...], binding: Any) -> None:
        self.name = "external"
        self.params = params
        self.problem: str | None = None
        self.types: list[str] = []
        self.method: Callable[..., Any] | None = None
        try:
            java = binding["java"] if isinstance(binding, dict) else {}
            class_name = java["class"]
            match = _SIGNATURE.match(java["method signature"])
            if match is None:
                raise JavaCallError(f"invalid method signature {java['method signature']!r}")
            self.types = [t.strip() for t in match.group(2).split(",") if t.strip()]
            self.method = _resolve(class_name, match.group(1), self.types)
            self.name = f"{class_name}.{match.group(1)}"
        except (JavaCallError, KeyError, TypeError) as error:
            self.problem = f"external function {binding!r}: {error}"

    def invoke(self, run: Run, args: Sequence[Any] | None, named: dict[str, Any] | None) -> Any:
        if self.method is None:
            run.warn(
                FUNCTION_INVOCATION_FAILURE, self.problem or "external functions are not supported"
            )
            return None
        values = list(args or ()) if named is None else [named.get(p) for p in self.params]
        try:
            varargs = self.types and self.types[-1].startswith("[L")
            fixed = self.types[:-1] if varargs else self.types
            if len(values) < len(fixed) or (not varargs and len(values) != len(fixed)):
                raise JavaCallError(f"{len(values)} arguments for {len(self.types)} parameters")
            converted = [_argument(t, v) for t, v in zip(fixed, values, strict=False)]
            if varargs:
                converted += values[len(fixed) :]
            return _result(self.method(*converted))
        except (JavaCallError, ValueError, OverflowError, ZeroDivisionError) as error:
            run.warn(FUNCTION_INVOCATION_FAILURE, f"{self.name}: {error}")
            return None
