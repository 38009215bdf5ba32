"""feel-scala's extension functions: (expression, variables, expected)."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal as D
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import feel
from tests.feel.builtin_checks import check, check_fails

VALUES: list[tuple[str, dict[str, Any] | None, Any]] = [
    # get or else
    ('get or else("this", "default")', None, "this"),
    ('get or else(null, "default")', None, "default"),
    ("get or else(null, null)", None, None),
    ("get or else(false, true)", None, False),
    ("get or else(value: x.y, default: 0)", {"x": {}}, D(0)),
    # assert: the value when the condition is true
    ("assert(x, x != null)", {"x": "value"}, "value"),
    ('assert(x, x >= 0, "x should be positive")', {"x": 4}, D(4)),
    ("assert(condition: true, value: 5)", None, D(5)),
    # is blank, trim
    ('is blank("")', None, True),
    ('is blank(" \t\n")', None, True),
    ('is blank(" a ")', None, False),
    ('is blank(string: "x")', None, False),
    ('trim("  hello   world  ")', None, "hello   world"),
    ('trim("\t x \n")', None, "x"),
    ('trim(string: "a ")', None, "a"),
    # base64 of UTF-8
    ('to base64("FEEL")', None, "RkVFTA=="),
    ('to base64("Grüße €")', None, "R3LDvMOfZSDigqw="),
    ('to base64(value: "")', None, ""),
    ('from base64("RkVFTA==")', None, "FEEL"),
    ('from base64(to base64("日本 🎉"))', None, "日本 🎉"),
    ('from base64(value: "R3LDvMOfZSDigqw=")', None, "Grüße €"),
    # to json: exact numbers, ISO temporals, compact
    ('to json({a: 1, b: [true, null, "x"]})', None, '{"a":1,"b":[true,null,"x"]}'),
    ("to json(1.10)", None, "1.1"),
    ("to json(1/3)", None, "0.3333333333333333333333333333333333"),
    ("to json(12345678901234567890.5)", None, "12345678901234567890.5"),
    ("to json(1E+3)", None, "1000"),
    ('to json("a\\"b")', None, '"a\\"b"'),
    ('to json("é")', None, '"é"'),
    ("to json(true)", None, "true"),
    ("to json(null)", None, "null"),
    ('to json(@"2023-06-14")', None, '"2023-06-14"'),
    ('to json(@"10:30:00+01:00")', None, '"10:30:00+01:00"'),
    ('to json(@"2023-06-14T10:30:00Z")', None, '"2023-06-14T10:30:00Z"'),
    (
        'to json(@"2025-11-24T10:00:00@Europe/Berlin")',
        None,
        '"2025-11-24T10:00:00+01:00[Europe/Berlin]"',
    ),
    (
        'to json(@"2025-07-24T10:00:00@Europe/Berlin")',
        None,
        '"2025-07-24T10:00:00+02:00[Europe/Berlin]"',
    ),
    ('to json(@"P3Y")', None, '"P3Y"'),
    ('to json(@"PT90M")', None, '"PT1H30M"'),
    ("to json([1..5))", None, '"[1..5)"'),
    ("to json(value: {})", None, "{}"),
    # from json: exact numbers, strings stay strings
    (
        'from json("{\\"a\\": 1, \\"b\\": [1.5, \\"x\\", null]}")',
        None,
        {"a": D(1), "b": [D("1.5"), "x", None]},
    ),
    ('from json("true")', None, True),
    ('from json("null")', None, None),
    ('from json("\\"2023-06-14\\"")', None, "2023-06-14"),
    ('from json("0.1")', None, D("0.1")),
    ('from json("1e3")', None, D(1000)),
    (
        'from json("123456789012345678901234567890123456789")',
        None,
        D("1.234567890123456789012345678901235E+38"),
    ),
    ('from json(value: "[]")', None, []),
    (
        "from json(to json(x))",
        {"x": {"n": 1.25, "s": ["a", None]}},
        {"n": D("1.25"), "s": ["a", None]},
    ),
    # extract
    ('extract("references are 1234, 1256, 1378", "12[0-9]*")', None, ["1234", "1256"]),
    ('extract("abc", "[0-9]+")', None, []),
    ('extract(string: "a1b22", pattern: "\\d+")', None, ["1", "22"]),
]


@pytest.mark.parametrize(("expression", "variables", "expected"), VALUES)
def test_extension_functions(
    expression: str, variables: dict[str, Any] | None, expected: Any
) -> None:
    check(expression, variables, expected)


def test_uuid_is_a_random_version_4_uuid() -> None:
    first, second = feel.evaluate("[uuid(), uuid()]")
    pattern = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    assert re.fullmatch(pattern, first)
    assert first != second


def test_to_json_output_is_json() -> None:
    text = feel.evaluate('to json({n: 0.1 + 0.2, d: @"2020-01-02", l: [1, {x: null}]})')
    assert json.loads(text) == {"n": 0.3, "d": "2020-01-02", "l": [1, {"x": None}]}


@pytest.mark.parametrize(
    ("expression", "variables"),
    [
        ("assert(x, x >= 0)", {"x": -1}),
        ("assert(x, x != null)", None),
        ('assert(1, "yes")', None),
        ("{a: 1, b: assert(2, false)}.a", None),
        ("for i in [1, 2] return assert(i, i < 2)", None),
    ],
)
def test_a_failed_assertion_makes_the_whole_evaluation_null(
    expression: str, variables: dict[str, Any] | None
) -> None:
    result, warnings = feel.compile(expression).evaluate_with_warnings(variables)
    assert result is None
    assert [w.kind for w in warnings if w.kind == "ASSERTION_FAILURE"] == ["ASSERTION_FAILURE"]


def test_a_failed_assertion_carries_its_message() -> None:
    _, warnings = feel.compile('assert(x, x > 0, "x must be positive")').evaluate_with_warnings(
        {"x": 0}
    )
    assert ("ASSERTION_FAILURE", "x must be positive") in [(w.kind, w.message) for w in warnings]


ERRORS: list[tuple[str, tuple[str, ...]]] = [
    ('get or else("a")', ("'get or else'",)),
    ("assert(1)", ("'assert'",)),
    ("is blank(1)", ("'is blank'", "must be a string")),
    ("is blank(null)", ("'is blank'",)),
    ("trim(null)", ("'trim'",)),
    ("trim(1)", ("'trim'",)),
    ("uuid(1)", ("'uuid'",)),
    ("to base64(1)", ("'to base64'",)),
    ('from base64("not base64!")', ("'from base64'", "not Base64")),
    ('from base64("abc")', ("'from base64'",)),
    ('from base64("/w==")', ("'from base64'", "UTF-8")),
    ("from base64(null)", ("'from base64'",)),
    ("to json(function(x) x)", ("'to json'", "no JSON form")),
    ("to json({f: function(x) x})", ("'to json'", "no JSON form")),
    ('from json("{oops")', ("'from json'", "not JSON")),
    ('from json("NaN")', ("'from json'", "not a JSON number")),
    ('from json("1e9999")', ("'from json'", "too large")),
    ("from json(1)", ("'from json'",)),
    ('extract("abc", "(")', ("'extract'", "unbalanced")),
    ('extract(null, "a")', ("'extract'",)),
]


@pytest.mark.parametrize(("expression", "fragments"), ERRORS)
def test_wrong_arguments_give_null_and_a_warning(
    expression: str, fragments: tuple[str, ...]
) -> None:
    check_fails(expression, None, *fragments)


def test_to_json_stops_at_the_string_limit() -> None:
    result, warnings = feel.compile("to json(for i in 1..200 return x)").evaluate_with_warnings(
        {"x": "y" * 100_000}
    )
    assert result is None
    assert any(w.kind == "LIMIT_EXCEEDED" and "to json" in w.message for w in warnings)


def test_from_json_of_deep_nesting_is_null_not_a_crash() -> None:
    check_fails("from json(s)", {"s": "[" * 100_000 + "]" * 100_000}, "'from json'")


def test_to_json_of_a_date_and_time_in_a_zone_in_winter_and_summer() -> None:
    berlin = dt.datetime(2025, 1, 1, 12, tzinfo=ZoneInfo("Europe/Berlin"))
    assert (
        feel.evaluate("to json(x)", {"x": berlin}) == '"2025-01-01T12:00:00+01:00[Europe/Berlin]"'
    )
