"""Numeric functions (DMN 1.5 10.3.4.5) and feel-scala's `random number`, as tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

import feel
from feel import YearsMonthsDuration
from tests.feel.builtin_checks import check, check_fails

VALUES: list[tuple[str, dict[str, Any] | None, Any]] = [
    # decimal: half-even at a scale
    ("decimal(1/3, 2)", None, D("0.33")),
    ("decimal(1/3, 2.5)", None, D("0.33")),
    ("decimal(1.5, 0)", None, D(2)),
    ("decimal(2.5, 0)", None, D(2)),
    ("decimal(0.515, 2)", None, D("0.52")),
    ("decimal(-2.5, 0)", None, D(-2)),
    ("decimal(12345, -2)", None, D(12300)),
    ("decimal(1.5, 6176)", None, D("1.5")),
    ("decimal(n: 15/7, scale: 3)", None, D("2.143")),
    # feel-scala: decimal with a Java rounding mode
    ('decimal(2.5, 0, "half_up")', None, D(3)),
    ('decimal(-2.5, 0, "FLOOR")', None, D(-3)),
    ('decimal(1/3, 2, "up")', None, D("0.34")),
    ('decimal(2.50, 1, "unnecessary")', None, D("2.5")),
    ('decimal(n: 2.5, scale: 0, mode: "half_down")', None, D(2)),
    # floor and ceiling, with an optional scale
    ("floor(1.5)", None, D(1)),
    ("floor(-1.5)", None, D(-2)),
    ("floor(-1.56, 1)", None, D("-1.6")),
    ("floor(1.56, 1)", None, D("1.5")),
    ("floor(5)", None, D(5)),
    ("floor(n: 1.5)", None, D(1)),
    ("ceiling(1.5)", None, D(2)),
    ("ceiling(-1.5)", None, D(-1)),
    ("ceiling(-0.3333)", None, D(0)),
    ("ceiling(-1.56, 1)", None, D("-1.5")),
    ("ceiling(n: 1.51, scale: 1)", None, D("1.6")),
    # the four rounding modes
    ("round up(5.5)", None, D(6)),
    ("round up(-5.5)", None, D(-6)),
    ("round up(1.121, 2)", None, D("1.13")),
    ("round up(-1.126, 2)", None, D("-1.13")),
    ("round up(5.5, 6176)", None, D("5.5")),
    ("round up(n: 5.5, scale: 0)", None, D(6)),
    ("round down(5.5)", None, D(5)),
    ("round down(-5.5)", None, D(-5)),
    ("round down(1.126, 2)", None, D("1.12")),
    ("round down(n: -1.126, scale: 2)", None, D("-1.12")),
    ("round half up(5.5)", None, D(6)),
    ("round half up(-5.5)", None, D(-6)),
    ("round half up(1.125, 2)", None, D("1.13")),
    ("round half up(n: 1.121, scale: 2)", None, D("1.12")),
    ("round half down(5.5)", None, D(5)),
    ("round half down(-5.5)", None, D(-5)),
    ("round half down(1.126, 2)", None, D("1.13")),
    ("round half down(1250, -2)", None, D(1200)),
    ("round half down(n: 1.125, scale: 2)", None, D("1.12")),
    # abs: numbers and both kinds of duration
    ("abs(-1)", None, D(1)),
    ("abs(0)", None, D(0)),
    ("abs(n: -1.5)", None, D("1.5")),
    ('abs(duration("-P1D"))', None, dt.timedelta(days=1)),
    ('abs(duration("-P1Y2M"))', None, YearsMonthsDuration(14)),
    ('abs(duration("P1Y"))', None, YearsMonthsDuration(12)),
    # modulo: the sign of the divisor
    ("modulo(12, 5)", None, D(2)),
    ("modulo(-12, 5)", None, D(3)),
    ("modulo(12, -5)", None, D(-3)),
    ("modulo(-12, -5)", None, D(-2)),
    ("modulo(10.1, 4.5)", None, D("1.1")),
    ("modulo(-10.1, 4.5)", None, D("3.4")),
    ("modulo(10.1, -4.5)", None, D("-3.4")),
    ("modulo(0, 4)", None, D(0)),
    ("modulo(dividend: 10, divisor: 4)", None, D(2)),
    # sqrt, log, exp at 34 digits
    ("sqrt(16)", None, D(4)),
    ("sqrt(0)", None, D(0)),
    ("sqrt(2)", None, D("1.414213562373095048801688724209698")),
    ("sqrt(number: 4)", None, D(2)),
    ("log(1)", None, D(0)),
    ("log(10)", None, D("2.302585092994045684017991454684364")),
    ("log(number: 4) > 1.386", None, True),
    ("exp(0)", None, D(1)),
    ("exp(1)", None, D("2.718281828459045235360287471352662")),
    ("exp(number: 5) > 148.41", None, True),
    ("exp(-100000)", None, D(0)),
    # odd and even: whole numbers only
    ("odd(5)", None, True),
    ("odd(-1)", None, True),
    ("odd(2)", None, False),
    ("odd(0)", None, False),
    ("odd(5.5)", None, False),
    ("odd(number: 3)", None, True),
    ("even(2)", None, True),
    ("even(-2)", None, True),
    ("even(0)", None, True),
    ("even(1)", None, False),
    ("even(2.5)", None, False),
    ("even(2.000)", None, True),
    ("even(1E+40)", None, True),
    ("even(number: 4)", None, True),
    # a singleton list stands for its number
    ("floor([1.5])", None, D(1)),
]


@pytest.mark.parametrize(("expression", "variables", "expected"), VALUES)
def test_numeric_functions(
    expression: str, variables: dict[str, Any] | None, expected: Any
) -> None:
    check(expression, variables, expected)


def test_results_have_no_exponent_or_negative_zero() -> None:
    assert str(feel.evaluate("decimal(12345, -2)")) == "12300"
    assert str(feel.evaluate("ceiling(-0.5)")) == "0"
    assert str(feel.evaluate("round down(-0.4, 0)")) == "0"


ERRORS: list[tuple[str, tuple[str, ...]]] = [
    ("decimal(1.5)", ("'decimal'",)),
    ('decimal("1.5", 0)', ("'decimal'", "'n' must be a number")),
    ("decimal(1.5, null)", ("'decimal'", "'scale'")),
    ("decimal(1.5, 6177)", ("'decimal'", "between -6111 and 6176")),
    ("decimal(1.5, -6112)", ("'decimal'", "between")),
    ('decimal(2.5, 0, "unnecessary")', ("'decimal'", "unrounded")),
    ('decimal(2.5, 0, "nearest")', ("'decimal'", "unknown rounding mode 'nearest'")),
    ("decimal(2.5, 0, null)", ("'decimal'", "'mode'")),
    ("floor()", ("'floor'",)),
    ("floor(null, 1)", ("'floor'",)),
    ("floor(1.56, null)", ("'floor'", "'scale'")),
    ("floor(n: 1.5, scal: 1)", ("'floor'", "scal")),
    ("floor(n: 1.5, scale: 1, stuff: 2)", ("'floor'",)),
    ('floor("1.5")', ("'floor'",)),
    ('ceiling(1.5, "1")', ("'ceiling'", "'scale'")),
    ("ceiling(1.5, 1, 2)", ("'ceiling'", "got 3")),
    ("round up(scale: 0)", ("'round up'",)),
    ('round down("1", 0)', ("'round down'",)),
    ("round half up(1, 6177)", ("'round half up'",)),
    ("round half down(null, 0)", ("'round half down'",)),
    ("abs()", ("'abs'",)),
    ("abs(1, 1)", ("'abs'",)),
    ("abs(number: -1)", ("'abs'", "number")),
    ('abs("-1")', ("'abs'", "number or a duration")),
    ("abs(null)", ("'abs'",)),
    ('abs(date("2018-12-06"))', ("'abs'",)),
    ("modulo(10, 0)", ("'modulo'", "division by zero")),
    ("modulo(4)", ("'modulo'",)),
    ("modulo(10, null)", ("'modulo'", "'divisor'")),
    ('modulo("10", 4)', ("'modulo'", "'dividend'")),
    ("modulo(dividend: 10, foo: 4)", ("'modulo'", "foo")),
    ('modulo(duration("P10D"), 4)', ("'modulo'",)),
    ("sqrt(-1)", ("'sqrt'", "negative")),
    ("sqrt(n: 4)", ("'sqrt'",)),
    ('sqrt("4")', ("'sqrt'",)),
    ("log(0)", ("'log'", "positive")),
    ("log(-1)", ("'log'", "positive")),
    ("log(null)", ("'log'",)),
    ("exp(1000000)", ("'exp'", "too large")),
    ("exp(true)", ("'exp'",)),
    ("odd(null)", ("'odd'",)),
    ('even("4")', ("'even'",)),
    ("even(n: 4)", ("'even'",)),
    ("random number(1)", ("'random number'",)),
]


@pytest.mark.parametrize(("expression", "fragments"), ERRORS)
def test_wrong_arguments_give_null_and_a_warning(
    expression: str, fragments: tuple[str, ...]
) -> None:
    check_fails(expression, None, *fragments)


def test_random_number_lies_between_zero_and_one() -> None:
    values = feel.evaluate("for i in 1..50 return random number()")
    assert all(type(v) is D and 0 <= v < 1 for v in values)
    assert len(set(values)) > 1
