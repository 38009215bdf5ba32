"""List functions (DMN 1.5 10.3.4.4) and feel-scala's list extensions, as tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

import feel
from tests.feel.builtin_checks import check, check_fails


def numbers(*values: int | str) -> list[D]:
    return [D(v) for v in values]


VALUES: list[tuple[str, dict[str, Any] | None, Any]] = [
    # list contains, count, index of
    ("list contains([1, 2, 3], 2)", None, True),
    ("list contains([1, 2, 3], 2.0)", None, True),
    ('list contains([1, 2, 3], "2")', None, False),
    ("list contains([1, null], null)", None, True),
    ("list contains([[1], {a: 1}], {a: 1})", None, True),
    ("list contains(list: [1], element: 1)", None, True),
    ("count([1, 2, 3])", None, D(3)),
    ("count([])", None, D(0)),
    ("count(5)", None, D(1)),
    ("count(list: [[1, 2]])", None, D(1)),
    ("index of([1, 2, 3, 2], 2)", None, numbers(2, 4)),
    ('index of(["a"], "b")', None, []),
    ("index of(list: [1, 1], match: 1)", None, numbers(1, 2)),
    # min, max, sum, mean, product: one list or separate items
    ("min([1, 2, 3])", None, D(1)),
    ("min(3, 1, 2)", None, D(1)),
    ("min(4)", None, D(4)),
    ("min([])", None, None),
    ('min(["b", "a"])', None, "a"),
    ("min(list: [5, -3])", None, D(-3)),
    ('max([date("2020-01-02"), date("2021-03-04")])', None, dt.date(2021, 3, 4)),
    ("max(1, 2, 3)", None, D(3)),
    ('max([duration("PT1H"), duration("PT2H")])', None, dt.timedelta(hours=2)),
    ("sum([1, 2, 3])", None, D(6)),
    ("sum(1, 2, 3)", None, D(6)),
    ("sum(0.1, 0.2)", None, D("0.3")),
    ("sum([])", None, None),
    ("sum(list: [1, 2])", None, D(3)),
    ("product([2, 3, 4])", None, D(24)),
    ("product(2.5, 1, 2.5, 3)", None, D("18.75")),
    ("product(6)", None, D(6)),
    ("product(list: [2, 3])", None, D(6)),
    ("mean([1, 2, 3])", None, D(2)),
    ("mean(1, 2, 3, 4)", None, D("2.5")),
    ("mean([6, 14, -3])", None, D("5.666666666666666666666666666666667")),
    ("mean([])", None, None),
    ("mean(list: [2])", None, D(2)),
    # median, stddev, mode
    ("median(8, 2, 5, 3, 4)", None, D(4)),
    ("median([6, 1, 2, 3])", None, D("2.5")),
    ("median([])", None, None),
    ("median(list: [8, 2, 5, 7])", None, D(6)),
    ("stddev(2, 4, 7, 5)", None, D("2.081665999466132735282297706979931")),
    ("stddev([1, 1])", None, D(0)),
    ("stddev(list: [2, 4, 7, 5]) > 2.08", None, True),
    ("mode(6, 3, 9, 6, 6)", None, numbers(6)),
    ("mode([6, 1, 9, 6, 1])", None, numbers(1, 6)),
    ("mode([2.5, 1, 2.50, 3])", None, numbers("2.5")),
    ("mode([])", None, []),
    ("mode(list: [3])", None, numbers(3)),
    # all / and, any / or: three-valued
    ("all([true, true])", None, True),
    ("all([true, false, null])", None, False),
    ("all([true, null])", None, None),
    ("all([])", None, True),
    ("all(true, false)", None, False),
    ("all(true)", None, True),
    ("all(list: [true])", None, True),
    ("and([true, false])", None, False),
    ("and(false, null, true)", None, False),
    ("and([true, null])", None, None),
    ("and(list: [])", None, True),
    ("any([false, true])", None, True),
    ("any([false, null])", None, None),
    ("any([])", None, False),
    ("any(false, false)", None, False),
    ("any(list: [null, true])", None, True),
    ("or([false, true])", None, True),
    ("or(false, null, true)", None, True),
    ("or([false, null])", None, None),
    ("or(list: [])", None, False),
    # sublist, append, concatenate, insert before, remove, reverse
    ("sublist([1, 2, 3], 2)", None, numbers(2, 3)),
    ("sublist([1, 2, 3], 1, 2)", None, numbers(1, 2)),
    ("sublist([1, 2, 3], -1, 1)", None, numbers(3)),
    ("sublist([1, 2, 3], 2, 5)", None, numbers(2, 3)),
    ("sublist([1, 2, 3], 2, 0)", None, []),
    ("sublist(list: [1, 2, 3], start position: 3)", None, numbers(3)),
    ("append([1], 2, 3)", None, numbers(1, 2, 3)),
    ("append([1])", None, numbers(1)),
    ("append([1], [2])", None, [D(1), numbers(2)]),
    ("append([], null)", None, [None]),
    ("append(list: [1], items: [2, 3])", None, numbers(1, 2, 3)),
    ("append(list: [1], item: 2)", None, numbers(1, 2)),
    ("concatenate([1, 2], [3])", None, numbers(1, 2, 3)),
    ("concatenate([1], [2], [3])", None, numbers(1, 2, 3)),
    ("concatenate([[1]], [2])", None, [numbers(1), D(2)]),
    ("concatenate()", None, []),
    ("concatenate(lists: [[1], [2]])", None, numbers(1, 2)),
    ("insert before([1, 3], 1, 2)", None, numbers(2, 1, 3)),
    ("insert before([1, 3], 2, 2)", None, numbers(1, 2, 3)),
    ("insert before([1, 3], -1, 2)", None, numbers(1, 2, 3)),
    ("insert before(list: [1], position: 1, newItem: 0)", None, numbers(0, 1)),
    ("remove([1, 2, 3], 2)", None, numbers(1, 3)),
    ("remove([1, 2, 3], -1)", None, numbers(1, 2)),
    ("remove(list: [1], position: 1)", None, []),
    ("reverse([1, 2, 3])", None, numbers(3, 2, 1)),
    ("reverse([])", None, []),
    ("reverse(list: [1, 2])", None, numbers(2, 1)),
    # union, distinct values, duplicate values, flatten
    ("union([1, 2], [2, 3])", None, numbers(1, 2, 3)),
    ("union([1, 2.0], [2, [1]], [[1]])", None, [D(1), D(2), numbers(1)]),
    ("union()", None, []),
    ("union(lists: [[1], [1]])", None, numbers(1)),
    ("distinct values([1, 2, 3, 2, 1])", None, numbers(1, 2, 3)),
    ('distinct values([1, "1", true, null, null])', None, [D(1), "1", True, None]),
    ("distinct values([{a: 1}, {a: 1.0}, {a: 2}])", None, [{"a": D(1)}, {"a": D(2)}]),
    ('distinct values([time("10:00:00"), time("10:00:00")])', None, [dt.time(10)]),
    (
        'distinct values([time("10:00:00+01:00"), time("09:00:00Z"), time("09:00:00")])',
        None,
        [
            dt.time(10, tzinfo=dt.timezone(dt.timedelta(hours=1))),
            dt.time(9),
        ],
    ),
    (
        "distinct values([a, b, c])",
        {
            "a": dt.datetime(2020, 1, 1, 10, 0, 0, 100),
            "b": dt.datetime(2020, 1, 1, 10, 0, 0, 200),
            "c": dt.datetime(2020, 1, 1, 10, 0, 1),
        },
        [dt.datetime(2020, 1, 1, 10, 0, 0, 100), dt.datetime(2020, 1, 1, 10, 0, 1)],
    ),
    ("distinct values(list: [[1], [1]])", None, [numbers(1)]),
    ("duplicate values([1, 2, 3, 2, 1, 1])", None, numbers(1, 2)),
    ("duplicate values([3, 1, 1, 3, 3])", None, numbers(3, 1)),
    (
        'duplicate values([{a: 1}, {a: 1.0}, @"2020-01-01", date("2020-01-01")])',
        None,
        [{"a": D(1)}, dt.date(2020, 1, 1)],
    ),
    ("duplicate values([1, 2])", None, []),
    ("duplicate values(list: [null, null])", None, [None]),
    ("flatten([[1, 2], [[3]], 4])", None, numbers(1, 2, 3, 4)),
    ("flatten([[], [[]]])", None, []),
    ("flatten(5)", None, numbers(5)),
    ("flatten(list: [[null]])", None, [None]),
    # sort
    ("sort([3, 1, 4, 5, 2], function(x, y) x < y)", None, numbers(1, 2, 3, 4, 5)),
    ("sort([3, 1, 2], function(x, y) x > y)", None, numbers(3, 2, 1)),
    ('sort(["b", "a"], function(x, y) x < y)', None, ["a", "b"]),
    (
        "sort([{n: 2, k: 1}, {n: 1, k: 2}, {n: 2, k: 3}], function(a, b) a.n < b.n)",
        None,
        [{"n": D(1), "k": D(2)}, {"n": D(2), "k": D(1)}, {"n": D(2), "k": D(3)}],
    ),
    ("sort(list: [3, 1], precedes: function(x, y) x < y)", None, numbers(1, 3)),
    ("sort([], function(x, y) x < y)", None, []),
    ("sort(xs, precedes)", {"xs": [3, 1, 2], "precedes": lambda x, y: x < y}, numbers(1, 2, 3)),
    # list replace, by position or by a match function
    ("list replace([1, 2, 3], 2, 4)", None, numbers(1, 4, 3)),
    ("list replace([1, 2, 3], -1, 4)", None, numbers(1, 2, 4)),
    ("list replace([1, 2, 3], 2.5, 4)", None, numbers(1, 4, 3)),
    ("list replace([1, 2, 3], 3, null)", None, [D(1), D(2), None]),
    (
        "list replace([2, 4, 7, 8], function(item, newItem) item < newItem, 5)",
        None,
        numbers(5, 5, 7, 8),
    ),
    ("list replace(1, 1, 5)", None, numbers(5)),
    ("list replace(position: 2, newItem: 4, list: [1, 2, 3])", None, numbers(1, 4, 3)),
    (
        "list replace(match: function(item, newItem) item = 2, newItem: 4, list: [1, 2])",
        None,
        numbers(1, 4),
    ),
    # feel-scala: is empty, partition
    ("is empty([])", None, True),
    ("is empty([null])", None, False),
    ("is empty(list: [1])", None, False),
    ("partition([1, 2, 3, 4, 5], 2)", None, [numbers(1, 2), numbers(3, 4), numbers(5)]),
    ("partition([], 2)", None, []),
    ("partition(list: [1, 2], size: 5)", None, [numbers(1, 2)]),
]


@pytest.mark.parametrize(("expression", "variables", "expected"), VALUES)
def test_list_functions(expression: str, variables: dict[str, Any] | None, expected: Any) -> None:
    check(expression, variables, expected)


ERRORS: list[tuple[str, tuple[str, ...]]] = [
    ("list contains(null, 1)", ("'list contains'", "'list' must be a list")),
    ("list contains([1])", ("'list contains'",)),
    ("count(null)", ("'count'",)),
    ("count([1], [2])", ("'count'",)),
    ("count(l: [1])", ("'count'", "l")),
    ('min([1, "a"])', ("'min'", "cannot compare")),
    ("min([1, null])", ("'min'", "cannot compare")),
    ("min([{a: 1}])", ("'min'", "no order")),
    ("min()", ("'min'",)),
    ("min(null)", ("'min'",)),
    ('max(1, "a")', ("'max'", "cannot compare")),
    ('sum([1, "a"])', ("'sum'", "item 2", "not a number")),
    ("sum([1, null])", ("'sum'", "item 2")),
    ("sum(null)", ("'sum'",)),
    ('mean(["a"])', ("'mean'", "not a number")),
    ("product([])", ()),  # null without a failure warning: no numbers
    ("product([1, 2, null, 4])", ("'product'", "item 3")),
    ('median([1, 2, "foo"])', ("'median'",)),
    ("median(l: [1])", ("'median'",)),
    ("stddev([47])", ("'stddev'", "two numbers or more")),
    ("stddev([])", ("'stddev'",)),
    ('stddev(1, "a")', ("'stddev'",)),
    ('mode([1, 2, "foo"])', ("'mode'",)),
    ("mode(null)", ("'mode'",)),
    ("all([true, 123])", ("all", "not a boolean")),
    ("all(null)", ()),
    ("all()", ("'all'",)),
    ("any([false, 123])", ("any", "not a boolean")),
    ("any(l: [true])", ("'any'",)),
    ("sublist([1, 2, 3], 4)", ("'sublist'", "outside a list of 3")),
    ("sublist([1, 2, 3], 0)", ("'sublist'", "'start position' 0")),
    ("sublist([1, 2, 3], 1, -1)", ("'sublist'", "negative")),
    ("sublist([1, 2, 3], 1, null)", ("'sublist'", "'length'")),
    ('sublist([1, 2, 3], "1")', ("'sublist'",)),
    ("append(null, 1)", ("'append'",)),
    ("append()", ("'append'",)),
    ("concatenate([1], null)", ("'concatenate'",)),
    ("insert before([1, 3], 3, 2)", ("'insert before'", "outside")),
    ("insert before([1, 3], 0, 2)", ("'insert before'",)),
    ("insert before(null, 1, 2)", ("'insert before'",)),
    ("remove([1, 2], 3)", ("'remove'", "outside")),
    ("remove([1, 2], null)", ("'remove'",)),
    ("reverse(null)", ("'reverse'",)),
    ("union([1], null)", ("'union'",)),
    ("distinct values(null)", ("'distinct values'",)),
    ("duplicate values(null)", ("'duplicate values'",)),
    ("flatten(null)", ("'flatten'",)),
    ("flatten([1], [2])", ("'flatten'",)),
    ("sort([3, 1])", ("'sort'",)),
    ("sort([3, 1], null)", ("'sort'", "'precedes' must be a function")),
    ("sort([3, 1], function(x, y) null)", ("'sort'", "not a boolean")),
    ('sort([3, "a"], function(x, y) x < y)', ("'sort'", "not a boolean")),
    ("sort(null, function(x, y) x < y)", ("'sort'",)),
    ("list replace([1, 2, 3], 0, 4)", ("'list replace'", "outside")),
    ("list replace([1, 2, 3], 4, 4)", ("'list replace'", "outside")),
    ("list replace([1, 2, 3], -4, 4)", ("'list replace'", "outside")),
    ("list replace(null, 1, 4)", ("'list replace'",)),
    ("list replace([1, 2, 3], null, 4)", ("'list replace'",)),
    ('list replace([1, 2, 3], "2", 4)', ("'list replace'",)),
    ('list replace([1, 2, 3], "2")', ("'list replace'",)),
    ("list replace([2, 4], function(item, newItem, extra) item = 2, 5)", ("'list replace'",)),
    ("list replace([2, 4], function(item) item = 2, 5)", ("'list replace'",)),
    ("list replace([2, 4], function(item, newItem) item, 5)", ("'list replace'", "not a boolean")),
    (
        "list replace(match: 1, newItem: 4, list: [1])",
        ("'list replace'", "'match' must be a function"),
    ),
    ("list replace(position: 2, newItem: 4, list: [1, 2, 3], foo: 1)", ("'list replace'", "foo")),
    ("is empty(null)", ("'is empty'",)),
    ("is empty(1)", ("'is empty'", "must be a list")),
    ("partition([1], 0)", ("'partition'", "positive")),
    ("partition([1], null)", ("'partition'",)),
    ("partition([1, 2], 1.5)", ("'partition'", "whole number")),
    ("partition(null, 1)", ("'partition'",)),
]


@pytest.mark.parametrize(("expression", "fragments"), ERRORS)
def test_wrong_arguments_give_null_and_a_warning(
    expression: str, fragments: tuple[str, ...]
) -> None:
    if fragments:
        check_fails(expression, None, *fragments)
    else:
        check(expression, None, None)


def test_aggregates_of_many_items_are_fast_and_exact() -> None:
    values = list(range(100_000))
    assert feel.evaluate("sum(xs)", {"xs": values}) == D(sum(values))
    assert feel.evaluate("count(distinct values(xs))", {"xs": values + values}) == D(100_000)
    assert feel.evaluate("count(union(xs, xs))", {"xs": values}) == D(100_000)


def test_distinct_values_of_many_times_is_fast() -> None:
    times = [dt.time(h, m, s) for h in range(24) for m in range(60) for s in range(0, 60, 2)]
    assert feel.evaluate("count(distinct values(concatenate(xs, xs)))", {"xs": times}) == D(
        len(times)
    )


def test_flatten_stops_at_the_item_limit() -> None:
    expression = "flatten(for i in 1..1000 return ys)"
    check_fails(expression, {"ys": [[1] * 2_000]}, "more than")


def test_sort_is_bounded_by_the_step_budget() -> None:
    shuffled = [(i * 7919) % 200_003 for i in range(200_000)]
    result, warnings = feel.compile("sort(xs, function(x, y) x < y)").evaluate_with_warnings(
        {"xs": shuffled}
    )
    assert result is None
    assert any(w.kind == "LIMIT_EXCEEDED" for w in warnings)
