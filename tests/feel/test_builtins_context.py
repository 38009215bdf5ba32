"""Context functions (DMN 1.5 10.3.4.8) with feel-scala's key paths, as tables."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

import feel
from tests.feel.builtin_checks import check, check_fails

VALUES: list[tuple[str, dict[str, Any] | None, Any]] = [
    # get value, by key or by key path
    ('get value({a: "foo"}, "a")', None, "foo"),
    ('get value({a: "foo"}, "b")', None, None),
    ('get value({a: null}, "a")', None, None),
    ('get value({"a b": 1}, "a b")', None, D(1)),
    ('get value(key: "a", m: {a: "foo"})', None, "foo"),
    ('get value(context: {a: 1}, key: "a")', None, D(1)),
    ('get value({x: 1, y: {z: 0}}, ["y", "z"])', None, D(0)),
    ('get value({x: {y: {z: 0}}}, ["x", "y"])', None, {"z": D(0)}),
    ('get value({a: {b: 3}}, ["b"])', None, None),
    ('get value({a: 1}, ["a", "b"])', None, None),
    ('get value(context: {a: {b: 2}}, keys: ["a", "b"])', None, D(2)),
    ("get value(m, k)", {"m": {"status": 200}, "k": "status"}, D(200)),
    # get entries
    (
        'get entries({a: "foo", b: "bar"})',
        None,
        [{"key": "a", "value": "foo"}, {"key": "b", "value": "bar"}],
    ),
    ("get entries({})", None, []),
    ("get entries(m: {a: 1})", None, [{"key": "a", "value": D(1)}]),
    ("get entries(context: {a: 1})", None, [{"key": "a", "value": D(1)}]),
    # context: from entries
    ('context([{key: "a", value: 1}, {key: "b", value: 2}])', None, {"a": D(1), "b": D(2)}),
    ('context({key: "a", value: 1})', None, {"a": D(1)}),
    ('context({key: "a", value: null})', None, {"a": None}),
    ('context({key: "", value: 1})', None, {"": D(1)}),
    ("context([])", None, {}),
    ('context(entries: [{key: "a", value: 1, ignored: "foo"}])', None, {"a": D(1)}),
    ("context(get entries({x: 1, y: [2]}))", None, {"x": D(1), "y": [D(2)]}),
    # context put, by key or by key path, never changing its argument
    ('context put({x: 1}, "y", 2)', None, {"x": D(1), "y": D(2)}),
    ('context put({a: 1, b: 2, c: 3}, "b", 4)', None, {"a": D(1), "b": D(4), "c": D(3)}),
    ('context put({}, "a", null)', None, {"a": None}),
    ('context put(context: {}, key: "a", value: 1)', None, {"a": D(1)}),
    ('context put({x: 1}, ["y"], 2)', None, {"x": D(1), "y": D(2)}),
    ('context put({x: 1, y: {z: 0}}, ["y", "z"], 2)', None, {"x": D(1), "y": {"z": D(2)}}),
    ('context put({x: 1}, ["y", "z"], 2)', None, {"x": D(1), "y": {"z": D(2)}}),
    (
        'context put(context: {y: {a: 0}}, keys: ["y", "b"], value: 2)',
        None,
        {"y": {"a": D(0), "b": D(2)}},
    ),
    (
        '{original: {a: {b: 1}}, copied: context put(original, ["a", "b"], 2)}',
        None,
        {"original": {"a": {"b": D(1)}}, "copied": {"a": {"b": D(2)}}},
    ),
    # context merge: later entries win, contexts are merged shallowly
    ("context merge([{x: 1}, {y: 2}])", None, {"x": D(1), "y": D(2)}),
    ("context merge([{x: 1, y: 0}, {y: 2}])", None, {"x": D(1), "y": D(2)}),
    ("context merge([{a: {aa: 1}}, {a: {bb: 2}}])", None, {"a": {"bb": D(2)}}),
    ("context merge([])", None, {}),
    ("context merge({a: 1})", None, {"a": D(1)}),
    ("context merge(contexts: [{a: 1}])", None, {"a": D(1)}),
    # feel-scala's former names: put and put all
    ('put({x: 1}, "y", 2)', None, {"x": D(1), "y": D(2)}),
    ('put(context: {}, key: "a", value: 1)', None, {"a": D(1)}),
    ("put all({x: 1}, {y: 2}, {x: 3})", None, {"x": D(3), "y": D(2)}),
    ("put all([{x: 1}, {y: 2}])", None, {"x": D(1), "y": D(2)}),
]


@pytest.mark.parametrize(("expression", "variables", "expected"), VALUES)
def test_context_functions(
    expression: str, variables: dict[str, Any] | None, expected: Any
) -> None:
    check(expression, variables, expected)


def test_context_put_leaves_the_callers_context_alone() -> None:
    original = {"a": {"b": 1}}
    assert feel.evaluate('context put(m, ["a", "b"], 2)', {"m": original}) == {"a": {"b": D(2)}}
    assert original == {"a": {"b": 1}}


ERRORS: list[tuple[str, tuple[str, ...]]] = [
    ("get value()", ("'get value'",)),
    ('get value({a: "foo"})', ("'get value'",)),
    ('get value({a: "foo"}, "a", "bar")', ("'get value'",)),
    ('get value("foo", "foo")', ("'get value'", "must be a context")),
    ('get value({a: "foo"}, 123)', ("'get value'", "'key' must be a string")),
    ('get value(k: "a", m: {a: "foo"})', ("'get value'", "k")),
    ('get value(null, "a")', ("'get value'",)),
    ('get value({a: "foo"}, null)', ("'get value'",)),
    ("get value({a: 1}, [])", ("'get value'", "non-empty list")),
    ('get value({a: 1}, ["a", 1])', ("'get value'", "strings only")),
    ('get value(context: {a: {b: 1}}, key: ["a", "b"])', ("'get value'", "'key' must be a string")),
    ("get entries()", ("'get entries'",)),
    ('get entries({a: "foo"}, {b: "bar"})', ("'get entries'",)),
    ("get entries(null)", ("'get entries'",)),
    ("get entries([1, 2])", ("'get entries'", "must be a context")),
    ('get entries(map: {a: "foo"})', ("'get entries'", "map")),
    ('context([{key: "a", value: 1}, {key: "a", value: 2}])', ("'context'", "'a' appears twice")),
    ("context({value: 1})", ("'context'", "entry 1", "key and value")),
    ('context({key: "a"})', ("'context'", "key and value")),
    ("context({key: null, value: 1})", ("'context'", "not a string")),
    ("context([1])", ("'context'", "entry 1")),
    ("context(null)", ("'context'",)),
    ("context()", ("'context'",)),
    ('context("foo")', ("'context'",)),
    ('context(entris: {key: "a", value: 1})', ("'context'", "entris")),
    ("context put({}, null, 1)", ("'context put'",)),
    ('context put(null, "a", 1)', ("'context put'",)),
    ('context put({}, "a")', ("'context put'",)),
    ('context put({}, "a", 1, 1)', ("'context put'",)),
    ('context put([], "a", 1)', ("'context put'", "must be a context")),
    ("context put({}, 1, 1)", ("'context put'",)),
    ('context put(context: {}, ky: "a", value: 1)', ("'context put'", "ky")),
    ('context put({y: {a: 0}}, ["y", null], 2)', ("'context put'", "strings only")),
    ("context put({y: {a: 0}}, [], 2)", ("'context put'", "non-empty")),
    (
        'context put({y: {a: 0}}, ["y", "a", "b"], 2)',
        ("'context put'", "'a' is number 0, not a context"),
    ),
    (
        'context put(context: {y: {a: 0}}, key: ["y", "a"], value: 2)',
        ("'context put'", "'key' must be a string"),
    ),
    ("context merge(null)", ("'context merge'",)),
    ("context merge()", ("'context merge'",)),
    ('context merge([], "foo")', ("'context merge'",)),
    ("context merge([{a: 1}, 2])", ("'context merge'", "item 2")),
    ("context merge(context: [{a: 1}])", ("'context merge'", "context")),
    ('put({}, ["a", "b"], 1)', ("'put'", "'key' must be a string")),
    ("put all({a: 1}, 2)", ("'put all'", "item 2")),
    ("put all()", ("'put all'",)),
]


@pytest.mark.parametrize(("expression", "fragments"), ERRORS)
def test_wrong_arguments_give_null_and_a_warning(
    expression: str, fragments: tuple[str, ...]
) -> None:
    check_fails(expression, None, *fragments)
