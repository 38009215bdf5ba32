"""The FEEL language, construct by construct: (expression, variables, expected) tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

import feel
from feel import Range, YearsMonthsDuration


def check(expression: str, variables: dict[str, Any] | None, expected: Any) -> None:
    result = feel.evaluate(expression, variables)
    assert result == expected and type(result) is type(expected), (expression, result)


LITERALS = [
    ("1", None, D(1)),
    ("-1", None, D(-1)),
    (".872", None, D("0.872")),
    ("-.872", None, D("-0.872")),
    ("125.4321987654", None, D("125.4321987654")),
    ("1.23e4", None, D("12300")),
    ("1.23e-4", None, D("0.000123")),
    ('"hello"', None, "hello"),
    ('"a\\"b"', None, 'a"b'),
    ('"line\\nbreak\\ttab"', None, "line\nbreak\ttab"),
    ('"\\u00e9"', None, "é"),
    ('"\\U01F40E"', None, "\U0001f40e"),
    ('"\\uD83D\\uDCA9"', None, "\U0001f4a9"),
    ('"\\\\u0009"', None, "\\u0009"),
    ('"🐎😀"', None, "🐎😀"),
    ("true", None, True),
    ("false", None, False),
    ("null", None, None),
    ('@"2019-03-31"', None, dt.date(2019, 3, 31)),
    ('@"10:30:11"', None, dt.time(10, 30, 11)),
    ('@"10:30:11+11:00"', None, dt.time(10, 30, 11, tzinfo=dt.timezone(dt.timedelta(hours=11)))),
    ('@"2018-12-08T10:30:11"', None, dt.datetime(2018, 12, 8, 10, 30, 11)),
    ('@"P10D"', None, dt.timedelta(days=10)),
    ('@"-PT1H30M"', None, -dt.timedelta(hours=1, minutes=30)),
    ('@"P1Y2M"', None, YearsMonthsDuration(14)),
    ('@"foo"', None, None),
    ("// a comment\n1 + /* another */ 2", None, D(3)),
]

NAMES_AND_PATHS = [
    ("x", {"x": 5}, D(5)),
    ("Monthly Salary * 12", {"Monthly Salary": 10000}, D(120000)),
    ("Full  Name", {"Full Name": "J"}, "J"),
    ("`Date-Time`", {"Date-Time": 1}, D(1)),
    ("Date-Time + 1", {"Date-Time": 1}, D(2)),
    ("values in a list[1]", {"values in a list": [7, 8]}, D(7)),
    ("a.b.c", {"a": {"b": {"c": 42}}}, D(42)),
    ("a.b.missing", {"a": {"b": {"c": 42}}}, None),
    ("missing.b", None, None),
    ("a.b", {"a": None}, None),
    ("{ a: 1 }.b", None, None),
    ("null.b", None, None),
    ("[{x: 1}, {x: 2}].x", None, [D(1), D(2)]),
    ("[{x: 1}, {y: 2}].y", None, [None, D(2)]),
    ("items.price", {"items": [{"price": 1.5}, {"price": 2}]}, [D("1.5"), D(2)]),
    ("response.body.main.temp", {"response": {"body": {"main": {"temp": 21.5}}}}, D("21.5")),
    ("r.body[1].id", {"r": {"body": [{"id": "a"}, {"id": "b"}]}}, "a"),
    ('@"2018-12-10".year', None, D(2018)),
    ('@"2018-12-10".weekday', None, D(1)),
    ('@"P1DT2H".hours', None, D(2)),
    ('@"P1Y2M".months', None, D(2)),
    ("[1..10).end included", None, False),
    ("(>= 10).start", None, D(10)),
]

ARITHMETIC = [
    ("1 + 2 * 3", None, D(7)),
    ("(1 + 2) * 3", None, D(9)),
    ("10 / 4", None, D("2.5")),
    ("1 / 3", None, D("0.3333333333333333333333333333333333")),
    ("0.1 + 0.2", None, D("0.3")),
    ("0.1 + 0.2 = 0.3", None, True),
    ("2 ** 10", None, D(1024)),
    ("3 ** 4 ** 5", None, D(3486784401)),
    ("-3 ** 2", None, D(9)),
    ("--10", None, D(10)),
    ("2 ** -1", None, D("0.5")),
    ("1 / 0", None, None),
    ("1 - -1", None, D(2)),
    ('"foo" + "bar"', None, "foobar"),
    ('"10" + 1', None, None),
    ("null + 1", None, None),
    ("1 + null", None, None),
    ("[1] + 1", None, None),
    ("a * 2", {"a": 0.1}, D("0.2")),
    ("a + b", {"a": 10**20, "b": 1}, D(10**20 + 1)),
    ('@"2021-01-01" + @"P1M"', None, dt.date(2021, 2, 1)),
    ('@"2021-01-31" + @"P1M"', None, dt.date(2021, 2, 28)),
    ('@"2021-01-02" - @"-PT24H"', None, dt.date(2021, 1, 3)),
    ('@"2021-01-02T10:00:00" - @"2021-01-01T09:00:00"', None, dt.timedelta(days=1, hours=1)),
    ('@"2021-01-02" - @"2021-01-01"', None, dt.timedelta(days=1)),
    ('@"P1D" * 2', None, dt.timedelta(days=2)),
    ('@"P1Y" + @"P2M"', None, YearsMonthsDuration(14)),
    ('@"P1D" - @"P1Y"', None, None),
    ('@"10:00:00" + @"PT1H"', None, dt.time(11)),
    ('-@"P1D"', None, -dt.timedelta(days=1)),
    ('-"10"', None, None),
]

COMPARISON = [
    ("1 = 1", None, True),
    ("1 = 1.0", None, True),
    ("1 != 2", None, True),
    ("1 < 2", None, True),
    ("2 <= 2", None, True),
    ('"a" < "b"', None, True),
    ('100 = "100"', None, None),
    ("null = null", None, True),
    ("1 = null", None, False),
    ("null != 1", None, True),
    ("null < 1", None, None),
    ("true < false", None, None),
    ("[1, 2] = [1, 2]", None, True),
    ("[1, 2] = [1, 3]", None, False),
    ("{a: 1} = {a: 1}", None, True),
    ('{a: 1} = {a: "1"}', None, None),
    ("{} = []", None, None),
    ('@"2002-04-02T12:00:00-01:00" = @"2002-04-02T17:00:00+04:00"', None, True),
    ('@"2002-04-02T12:00:00" = @"2002-04-02T12:00:00Z"', None, None),
    ('@"P1D" = @"PT24H"', None, True),
    ('@"P1Y" = @"P12M"', None, True),
    ("[1..2] = [1..2]", None, True),
    ("(< 10) = (null..10)", None, False),
    ("5 between 1 and 10", None, True),
    ("5 between 6 and 10", None, False),
    ('5 between "a" and 10', None, None),
]

LOGIC = [
    ("true and true", None, True),
    ("true and false", None, False),
    ("true and null", None, None),
    ("false and null", None, False),
    ('false and "x"', None, False),
    ("null and false", None, False),
    ("123 and true", None, None),
    ("true or null", None, True),
    ("false or null", None, None),
    ("false or false", None, False),
    ("null or true", None, True),
    ('"true" or false', None, None),
    ("not(true)", None, False),
    ("not(null)", None, None),
    ("not(1)", None, None),
]

CONTROL = [
    ('if 1 > 2 then "x" else "y"', None, "y"),
    ('if null then "x" else "y"', None, "y"),
    ('if 1 then "x" else "y"', None, "y"),
    ("for i in [1, 2, 3] return i * 2", None, [D(2), D(4), D(6)]),
    ("for i in 1..3 return i", None, [D(1), D(2), D(3)]),
    ("for i in 3..1 return i", None, [D(3), D(2), D(1)]),
    ("for i in 1+1..1+3 return i", None, [D(2), D(3), D(4)]),
    ("for i in [1, 2], j in [10, 20] return i + j", None, [D(11), D(21), D(12), D(22)]),
    ("for x in [[1, 2], [3]], y in x return y", None, [D(1), D(2), D(3)]),
    ("for i in [] return i", None, []),
    (
        "for i in 0..4 return if i = 0 then 1 else i * partial[-1]",
        None,
        [D(1), D(1), D(2), D(6), D(24)],
    ),
    ('for d in @"2020-01-30"..@"2020-02-01" return d.day', None, [D(30), D(31), D(1)]),
    ('for i in "a".."z" return i', None, None),
    (
        'for d in @"-0001-12-31"..@"0000-01-02" return string(d)',
        None,
        ["-0001-12-31", "0000-01-01", "0000-01-02"],
    ),
    ("some x in [1, 2, 3] satisfies x > 2", None, True),
    ("some x in [1, 2, 3] satisfies x > 3", None, False),
    ("every x in [1, 2, 3] satisfies x > 0", None, True),
    ("every x in [1, 2, 3] satisfies x > 1", None, False),
    ("some x in [1, 2], y in [2, 3] satisfies x = y", None, True),
    ("every x in [] satisfies x > 1", None, True),
]

COLLECTIONS = [
    ("[1, 2, 3][1]", None, D(1)),
    ("[1, 2, 3][-1]", None, D(3)),
    ("[1, 2, 3][0]", None, None),
    ("[1, 2, 3][4]", None, None),
    ("[1, 2, 3][item >= 2]", None, [D(2), D(3)]),
    ("[1, 2, 3][true]", None, [D(1), D(2), D(3)]),
    ("[1, 2, 3][false]", None, []),
    ("[{a: 1}, {a: 2}][a > 1]", None, [{"a": D(2)}]),
    ("[{item: 1}, {item: 2}][item >= 2]", None, [{"item": D(2)}]),
    ("[{x: 1}, {x: null}][x < 2]", None, [{"x": D(1)}]),
    ("100[1]", None, D(100)),
    ('"foo"[true]', None, ["foo"]),
    ("xs[i]", {"xs": ["a", "b"], "i": 2}, "b"),
    ("{a: 1, b: a + 1}", None, {"a": D(1), "b": D(2)}),
    ("{a: 1, b: {c: a + 1}}", None, {"a": D(1), "b": {"c": D(2)}}),
    ('{"a b": 1, c d: 2, foo+bar: 3}', None, {"a b": D(1), "c d": D(2), "foo+bar": D(3)}),
    ('{"": "empty"}', None, {"": "empty"}),
    ("{a: 1, a: 2}", None, None),
    ("{🐎: 1}", None, {"🐎": D(1)}),
    ("[1..10]", None, Range(D(1), D(10), True, True)),
    ("(1..10)", None, Range(D(1), D(10), False, False)),
    ("]1..10[", None, Range(D(1), D(10), False, False)),
    ("[1..10[.start included", None, True),
    ('[1.."a"]', None, None),
    ("(< 10)", None, Range(None, D(10), False, False, "<")),
]

MEMBERSHIP = [
    ("5 in [1..10]", None, True),
    ("10 in [1..10)", None, False),
    ("5 in < 10", None, True),
    ("9 in >= 10", None, False),
    ("5 in (< 3, > 4)", None, True),
    ("5 in (1, 2, 5)", None, True),
    ("5 in [1, 2, 3]", None, False),
    ("true in [false, 2, 3]", None, False),
    ('"b" in >= "a"', None, True),
    ("10 in (=10)", None, True),
    ("10 in (!=10)", None, False),
    ("5 in (null..10]", None, None),
    ("null in [1, null]", None, True),
    ("[1, 2] in ([1, 2], [3])", None, True),
]

INSTANCE_OF = [
    ("1 instance of number", None, True),
    ('"1" instance of number', None, False),
    ("null instance of number", None, False),
    ("1 instance of Any", None, True),
    ('@"2019-03-31" instance of date', None, True),
    ('@"2018-12-08T10:30:11" instance of date and time', None, True),
    ('@"P10D" instance of days and time duration', None, True),
    ('@"P10Y" instance of years and months duration', None, True),
    ("[1, 2] instance of list<number>", None, True),
    ('[1, "a"] instance of list<number>', None, False),
    ('{a: "foo"} instance of context<a: string>', None, True),
    ("{a: {b: 1}} instance of context<a: context<b: number>>", None, True),
    ("[1..2] instance of range<number>", None, True),
    ("(function(a) a) instance of function<Any>->Any", None, True),
    ("[] instance of list<Any>", None, True),
]

FUNCTIONS = [
    ("(function(a, b) a + b)(1, 2)", None, D(3)),
    ("(function(a, b) a - b)(b: 1, a: 5)", None, D(4)),
    ("{f: function(x) x * 2, r: f(21)}.r", None, D(42)),
    ("{f: function(n) if n <= 1 then 1 else n * f(n - 1), r: f(5)}.r", None, D(120)),
    ("{mk: function(a) function(b) a * b, r: mk(10)(3)}.r", None, D(30)),
    ('{f: function(a: number) a, r: f("x")}.r', None, None),
    ("{f: function(a: number) a, r: f([7])}.r", None, D(7)),
    ("(function(a) a)(1, 2)", None, None),
    ("f(2)", {"f": lambda x: x * 3}, D(6)),
    ("f(b: 1, a: 2)", {"f": lambda a, b: a - b}, D(1)),
    ("f(1)", {"f": lambda x: 1 / 0}, None),
    ("x(1)", {"x": 5}, None),
    ("unknown fn(1)", None, None),
    ('(function() external {java: {class: "x"}})()', None, None),
]


@pytest.mark.parametrize(
    ("expression", "variables", "expected"),
    LITERALS
    + NAMES_AND_PATHS
    + ARITHMETIC
    + COMPARISON
    + LOGIC
    + CONTROL
    + COLLECTIONS
    + MEMBERSHIP
    + INSTANCE_OF
    + FUNCTIONS,
)
def test_expression(expression: str, variables: dict[str, Any] | None, expected: Any) -> None:
    check(expression, variables, expected)


UNARY_TESTS = [
    ("< 10, [20..30]", D(25), None, True),
    ("< 10, [20..30]", D(15), None, False),
    ("-", "anything", None, True),
    ('not("x")', "x", None, False),
    ('not("x")', "y", None, True),
    ('"a", "b"', "b", None, True),
    ("? > 5", 7, None, True),
    ("? > 5", 3, None, False),
    ("> limit", 7, {"limit": 5}, True),
    ("[1, 2, 3]", 2, None, True),
    ("true", False, None, False),
    ("null", None, None, True),
    ('>= @"2020-01-01"', dt.date(2021, 1, 1), None, True),
    ("< 10", "a", None, None),
]


@pytest.mark.parametrize(("tests", "value", "variables", "expected"), UNARY_TESTS)
def test_unary_tests(
    tests: str, value: Any, variables: dict[str, Any] | None, expected: Any
) -> None:
    assert feel.evaluate_unary_tests(tests, value, variables) is expected


WARNINGS = [
    ("x", "NO_VARIABLE_FOUND", "'x'"),
    ("a.b", "NO_CONTEXT_ENTRY_FOUND", "'b'"),
    ('1 + "a"', "INVALID_TYPE", "number and string"),
    ('1 < "a"', "NOT_COMPARABLE", '1 < "a"'),
    ("nope(1)", "NO_FUNCTION_FOUND", "'nope'"),
    ("[1][5]", "INVALID_TYPE", "out of bounds"),
    ('@"2019-13-01"', "INVALID_LITERAL", "2019-13-01"),
]


@pytest.mark.parametrize(("expression", "kind", "fragment"), WARNINGS)
def test_null_results_say_why(expression: str, kind: str, fragment: str) -> None:
    value, warnings = feel.compile(expression).evaluate_with_warnings({"a": {}})
    assert value is None
    assert any(w.kind == kind and fragment in w.message for w in warnings), warnings


JAVA = [
    (
        '{f: function(a, b) external {java: {class: "java.lang.Math", method signature: "max(int, int)"}}, r: f(3, 9)}.r',
        D(9),
    ),
    (
        '{f: function(a) external {java: {class: "java.lang.Math", method signature: "sqrt(double)"}}, r: f(16)}.r',
        D("4.0"),
    ),
    (
        '{f: function(s) external {java: {class: "java.lang.Integer", method signature: "valueOf(java.lang.String)"}}, r: f("42")}.r',
        D(42),
    ),
    (
        '{f: function(s) external {java: {class: "java.lang.Integer", method signature: "valueOf(java.lang.String)"}}, r: f("x")}.r',
        None,
    ),
    (
        '{f: function(a) external {java: {class: "java.lang.Math", method signature: "max(int, int)"}}, r: f(1.5, 2)}.r',
        None,
    ),
    (
        '{f: function(a) external {java: {class: "java.lang.System", method signature: "exit(int)"}}, r: f(0)}.r',
        None,
    ),
    (
        '{f: function(a, b) external {java: {class: "java.lang.String", method signature: "format(java.lang.String, [Ljava.lang.Object;)"}}, r: f("%s-%s", 1, "b")}.r',
        "1-b",
    ),
]


@pytest.mark.parametrize(("expression", "expected"), JAVA)
def test_external_java_functions_of_java_lang(expression: str, expected: Any) -> None:
    """A safe part of java.lang is mapped to Python; anything else is null with a warning."""
    check(expression, None, expected)
