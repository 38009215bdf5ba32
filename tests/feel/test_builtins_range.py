"""Range functions (DMN 1.5 table 78) and range(from): (expression, variables, expected)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

import feel
from feel import Range


def check(expression: str, variables: dict[str, Any] | None, expected: Any) -> None:
    result = feel.evaluate(expression, variables)
    assert result == expected and type(result) is type(expected), (expression, result)


# The specification's own examples, overload by overload.
SPEC_EXAMPLES = [
    ("before(1, 10)", True),
    ("before(10, 1)", False),
    ("before(1, [1..10])", False),
    ("before(1, (1..10])", True),
    ("before(1, [5..10])", True),
    ("before([1..10], 10)", False),
    ("before([1..10), 10)", True),
    ("before([1..10], 15)", True),
    ("before([1..10], [15..20])", True),
    ("before([1..10], [10..20])", False),
    ("before([1..10), [10..20])", True),
    ("before([1..10], (10..20])", True),
    ("after(10, 5)", True),
    ("after(5, 10)", False),
    ("after(12, [1..10])", True),
    ("after(10, [1..10))", True),
    ("after(10, [1..10])", False),
    ("after([11..20], 12)", False),
    ("after([11..20], 10)", True),
    ("after((11..20], 11)", True),
    ("after([11..20], 11)", False),
    ("after([11..20], [1..10])", True),
    ("after([1..10], [11..20])", False),
    ("after([11..20], [1..11))", True),
    ("after((11..20], [1..11])", True),
    ("meets([1..5], [5..10])", True),
    ("meets([1..5), [5..10])", False),
    ("meets([1..5], (5..10])", False),
    ("meets([1..5], [6..10])", False),
    ("met by([5..10], [1..5])", True),
    ("met by([5..10], [1..5))", False),
    ("met by((5..10], [1..5])", False),
    ("met by([6..10], [1..5])", False),
    ("overlaps([1..5], [3..8])", True),
    ("overlaps([3..8], [1..5])", True),
    ("overlaps([1..8], [3..5])", True),
    ("overlaps([3..5], [1..8])", True),
    ("overlaps([1..5], [6..8])", False),
    ("overlaps([6..8], [1..5])", False),
    ("overlaps([1..5], [5..8])", True),
    ("overlaps([1..5], (5..8])", False),
    ("overlaps([1..5), [5..8])", False),
    ("overlaps([1..5), (5..8])", False),
    ("overlaps([5..8], [1..5])", True),
    ("overlaps((5..8], [1..5])", False),
    ("overlaps([5..8], [1..5))", False),
    ("overlaps((5..8], [1..5))", False),
    ("overlaps before([1..5], [3..8])", True),
    ("overlaps before([1..5], [6..8])", False),
    ("overlaps before([1..5], [5..8])", True),
    ("overlaps before([1..5], (5..8])", False),
    ("overlaps before([1..5), [5..8])", False),
    ("overlaps before([1..5), (1..5])", True),
    ("overlaps before([1..5], (1..5])", True),
    ("overlaps before([1..5), [1..5])", False),
    ("overlaps before([1..5], [1..5])", False),
    ("overlaps after([3..8], [1..5])", True),
    ("overlaps after([6..8], [1..5])", False),
    ("overlaps after([5..8], [1..5])", True),
    ("overlaps after((5..8], [1..5])", False),
    ("overlaps after([5..8], [1..5))", False),
    ("overlaps after((1..5], [1..5))", True),
    ("overlaps after((1..5], [1..5])", True),
    ("overlaps after([1..5], [1..5))", False),
    ("overlaps after([1..5], [1..5])", False),
    ("finishes(10, [1..10])", True),
    ("finishes(10, [1..10))", False),
    ("finishes([5..10], [1..10])", True),
    ("finishes([5..10), [1..10])", False),
    ("finishes([5..10), [1..10))", True),
    ("finishes([1..10], [1..10])", True),
    ("finishes((1..10], [1..10])", True),
    ("finished by([1..10], 10)", True),
    ("finished by([1..10), 10)", False),
    ("finished by([1..10], [5..10])", True),
    ("finished by([1..10], [5..10))", False),
    ("finished by([1..10), [5..10))", True),
    ("finished by([1..10], [1..10])", True),
    ("finished by([1..10], (1..10])", True),
    ("includes([1..10], 5)", True),
    ("includes([1..10], 12)", False),
    ("includes([1..10], 1)", True),
    ("includes([1..10], 10)", True),
    ("includes((1..10], 1)", False),
    ("includes([1..10), 10)", False),
    ("includes([1..10], [4..6])", True),
    ("includes([1..10], [1..5])", True),
    ("includes((1..10], (1..5])", True),
    ("includes([1..10], (1..10))", True),
    ("includes([1..10), [5..10))", True),
    ("includes([1..10], [1..10))", True),
    ("includes([1..10], (1..10])", True),
    ("includes([1..10], [1..10])", True),
    ("during(5, [1..10])", True),
    ("during(12, [1..10])", False),
    ("during(1, [1..10])", True),
    ("during(10, [1..10])", True),
    ("during(1, (1..10])", False),
    ("during(10, [1..10))", False),
    ("during([4..6], [1..10])", True),
    ("during([1..5], [1..10])", True),
    ("during((1..5], (1..10])", True),
    ("during((1..10), [1..10])", True),
    ("during([5..10), [1..10))", True),
    ("during([1..10), [1..10])", True),
    ("during((1..10], [1..10])", True),
    ("during([1..10], [1..10])", True),
    ("starts(1, [1..10])", True),
    ("starts(1, (1..10])", False),
    ("starts(2, [1..10])", False),
    ("starts([1..5], [1..10])", True),
    ("starts((1..5], (1..10])", True),
    ("starts((1..5], [1..10])", False),
    ("starts([1..5], (1..10])", False),
    ("starts([1..10], [1..10])", True),
    ("starts([1..10), [1..10])", True),
    ("starts((1..10), (1..10))", True),
    ("started by([1..10], 1)", True),
    ("started by((1..10], 1)", False),
    ("started by([1..10], 2)", False),
    ("started by([1..10], [1..5])", True),
    ("started by((1..10], (1..5])", True),
    ("started by([1..10], (1..5])", False),
    ("started by((1..10], [1..5])", False),
    ("started by([1..10], [1..10])", True),
    ("started by([1..10], [1..10))", True),
    ("started by((1..10), (1..10))", True),
    ("coincides(5, 5)", True),
    ("coincides(3, 4)", False),
    ("coincides([1..5], [1..5])", True),
    ("coincides((1..5), [1..5])", False),
    ("coincides([1..5], [2..6])", False),
]

OTHER_TYPES_AND_OPEN_RANGES = [
    ('before(date("2020-01-01"), date("2020-01-02"))', None, True),
    ('before(@"2020-01-01T10:00:00Z", @"2020-01-01T11:00:00+02:00")', None, False),
    ('includes([@"08:00:00"..@"17:00:00"), @"12:30:00")', None, True),
    ('during(@"P2D", [@"P1D"..@"P1W"))', None, None),  # P1W is not a FEEL duration
    ('during(@"P2D", [@"P1D"..@"P7D"))', None, True),
    ('after("b", ["a".."b"))', None, True),
    ("includes(x, 5)", {"x": Range(D(1), D(10), True, True)}, True),
    # the missing side of a comparison range is unbounded
    ("before(1, (> 5))", None, True),
    ("before((< 5), 5)", None, True),
    ("before((<= 5), 5)", None, False),
    ("after(1, (< 5))", None, False),
    ("includes((< 10), 3)", None, True),
    ("includes((< 10), [1..3])", None, True),
    ("includes((< 10), (< 5))", None, True),
    ("includes((< 5), (< 10))", None, False),
    ("during([1..3], (>= 1))", None, True),
    ("overlaps((< 5), (> 3))", None, True),
    ("overlaps((< 3), (> 3))", None, False),
    ("meets((<= 3), [3..5])", None, True),
    ("starts((< 3), (< 5))", None, True),
    ("coincides((< 3), (< 3))", None, True),
    ("coincides((< 3), (<= 3))", None, False),
    # named invocation with the specification's parameter names
    ("before(point1: 1, point2: 10)", None, True),
    ("before(point: 1, range: [2..5])", None, True),
    ("before(range1: [1..5], range2: [6..10])", None, True),
    ("after(range1: [6..10], range2: [1..5])", None, True),
    ("meets(range1: [1..5], range2: [5..10])", None, True),
    ("met by(range2: [1..5], range1: [5..10])", None, True),
    ("finishes(point: 10, range: [1..10])", None, True),
    ("finished by(range: [1..10], point: 10)", None, True),
    ("includes(range: [1..10], point: 5)", None, True),
    ("during(point: 5, range: [1..10])", None, True),
    ("starts(point: 1, range: [1..10])", None, True),
    ("started by(range: [1..10], point: 1)", None, True),
    ("coincides(point1: 5, point2: 5)", None, True),
    ("overlaps before(range1: [1..5], range2: [3..8])", None, True),
    ("overlaps after(range1: [3..8], range2: [1..5])", None, True),
    # null: wrong types, counts, names, unknown endpoints
    ("before(1, null)", None, None),
    ('before(1, "a")', None, None),
    ('before(1, [@"2020-01-01"..@"2020-02-01"])', None, None),
    ("before([1, 2], 3)", None, None),
    ("meets(1, 2)", None, None),
    ("meets([1..5], 5)", None, None),
    ("finishes([1..10], 10)", None, None),
    ("finished by(10, [1..10])", None, None),
    ("includes(5, [1..10])", None, None),
    ("during([1..10], 5)", None, None),
    ("starts([1..10], 1)", None, None),
    ("started by(1, [1..10])", None, None),
    ("coincides(5, [5..5])", None, None),
    ("before(1)", None, None),
    ("before(1, 2, 3)", None, None),
    ("before(point: 1, range2: [1..2])", None, None),
    ("before(1, (null..10])", None, None),
    ("before(1, (!= 3))", None, None),
]


@pytest.mark.parametrize(("expression", "expected"), SPEC_EXAMPLES)
def test_specification_examples(expression: str, expected: bool) -> None:
    check(expression, None, expected)


@pytest.mark.parametrize(("expression", "variables", "expected"), OTHER_TYPES_AND_OPEN_RANGES)
def test_range_functions(expression: str, variables: dict[str, Any] | None, expected: Any) -> None:
    check(expression, variables, expected)


RANGE_FROM = [
    ('range("[18..21)")', Range(D(18), D(21), True, False)),
    ('range("(18..21]")', Range(D(18), D(21), False, True)),
    ('range("]18..21[")', Range(D(18), D(21), False, False)),
    ('range(" [ -1.5 .. 3 ] ")', Range(D("-1.5"), D(3), True, True)),
    ('range("[2..)")', Range(D(2), None, True, False, ">=")),
    ('range("(2..)")', Range(D(2), None, False, False, ">")),
    ('range("(..2)")', Range(None, D(2), False, False, "<")),
    ('range("(..2]")', Range(None, D(2), False, True, "<=")),
    ('range("[\\"a\\"..\\"c\\"]")', Range("a", "c", True, True)),
    ('range("[\\"a..b\\"..\\"c\\"]")', Range("a..b", "c", True, True)),
    (
        'range("[@\\"1970-01-01\\"..@\\"1970-01-02\\"]")',
        Range(dt.date(1970, 1, 1), dt.date(1970, 1, 2), True, True),
    ),
    (
        'range("[date(\\"1970-01-01\\")..date(\\"1970-01-02\\")]")',
        Range(dt.date(1970, 1, 1), dt.date(1970, 1, 2), True, True),
    ),
    (
        'range("[time(\\"08:00:00\\")..@\\"17:00:00\\")")',
        Range(dt.time(8), dt.time(17), True, False),
    ),
    (
        'range("[duration(\\"P1D\\")..duration(\\"P2D\\")]")',
        Range(dt.timedelta(1), dt.timedelta(2), True, True),
    ),
    ('range(from: "[1..3]")', Range(D(1), D(3), True, True)),
    ('range("[1..3]") = [1..3]', True),
    ('range("[2..)") = (>= 2)', True),
    ('range("(..2)") = (< 2)', True),
    ('2 in range("[1..3]")', True),
    ('5 in range("[2..)")', True),
    ('range("[1..3]") instance of range<number>', True),
    # null: not a range literal, or endpoints that are not literals
    ('range("")', None),
    ('range(" ")', None),
    ('range("[..]")', None),
    ('range("[..2]")', None),
    ('range("[1..]")', None),
    ('range(">=10")', None),
    ('range("(<10)")', None),
    ('range("1..3")', None),
    ('range("[1..2..3]")', None),
    ('range("[3..1]")', None),
    ('range("[1..\\"b\\"]")', None),
    ('range("[@\\"1970-01-01\\"..@\\"1970-01-02T00:00:00\\"]")', None),
    ('range("[null..null]")', None),
    ('range("[true..false]")', None),
    ('range("[x..3]")', None),
    ('range("[1+1..3]")', None),
    ('range("[date(string(\\"1970-01-01\\"))..date(\\"1970-01-02\\")]")', None),
    ('range("[date(2020, 1, 1)..date(\\"2021-01-01\\")]")', None),
    ('range("[@\\"foo\\"..@\\"2021-01-01\\"]")', None),
    ("range([1..3])", None),
    ("range(null)", None),
    ("range()", None),
    ('range("[1..3]", "foo")', None),
    ('range(fron: "[1..3]")', None),
]


@pytest.mark.parametrize(("expression", "expected"), RANGE_FROM)
def test_range_from_a_string(expression: str, expected: Any) -> None:
    check(expression, None, expected)


WARNINGS = [
    ('before(1, "a")', ["'before'", "cannot be compared"]),
    ("meets(1, 2)", ["'meets'", "not defined for a point and a point"]),
    ("before(1, (null..10])", ["'before'", "null endpoint"]),
    ("includes(1)", ["'includes'"]),
    ('range("[3..1]")', ["'range'", "starts after it ends"]),
    ('range(">=10")', ["'range'", "not a range literal"]),
    ('range("[x..3]")', ["'range'", "not a literal"]),
]


@pytest.mark.parametrize(("expression", "fragments"), WARNINGS)
def test_wrong_arguments_warn(expression: str, fragments: list[str]) -> None:
    value, warnings = feel.compile(expression).evaluate_with_warnings({})
    assert value is None and warnings, expression
    message = " ".join(w.message for w in warnings)
    for fragment in fragments:
        assert fragment in message, (fragment, message)
