"""Hostile expressions end quickly with null (and a warning) or a FeelError: never a hang,
a crash or memory exhaustion. Each test has a hard timeout as a hang guard; how fast they
end is measured by bench/feel_bench.py."""

from __future__ import annotations

import pytest

import feel

HOSTILE = [
    "for x in 1..1000000000 return x",
    "for x in 1..999999 return x",
    "for a in 1..1000, b in 1..1000 return a * b",
    "count(for a in 1..2000 return for b in 1..2000 return b)",
    'for i in 1..64 return if i = 1 then "x" else partial[-1] + partial[-1]',
    "{f: function(n) f(n + 1), r: f(1)}.r",
    "{f: function(n) f(n) + f(n), r: f(1)}.r",
    "{f: function(g) g(g), r: f(f)}.r",
    "2 ** 999999999",
    "1000000 ** 1000000",
    "9" * 5000 + " * " + "9" * 5000,
    "[1..1000000000]",
    "every x in [1, 2] satisfies every y in [1, 2] satisfies x = x",
]


@pytest.mark.timeout(10)
@pytest.mark.parametrize("expression", HOSTILE)
def test_hostile_expression_ends_with_null_or_a_value(expression: str) -> None:
    value, warnings = feel.compile(expression).evaluate_with_warnings()
    if value is None:
        assert warnings, "a null result must say why"


HOSTILE_SYNTAX = [
    "[" * 5000 + "1" + "]" * 5000,
    "{a: " * 3000 + "1" + "}" * 3000,
    "x" * 200_000,
    "(" * 100_000,
    '"' + "a" * 10,
]


@pytest.mark.timeout(10)
@pytest.mark.parametrize("expression", HOSTILE_SYNTAX, ids=lambda e: e[:12])
def test_hostile_syntax_raises_a_feel_error(expression: str) -> None:
    with pytest.raises(feel.FeelError):
        feel.compile(expression)


def test_limits_can_be_tightened() -> None:
    expression = feel.compile("for x in 1..100 return x")
    value, warnings = expression.with_limits(feel.Limits(steps=10)).evaluate_with_warnings()
    assert value is None
    assert warnings[-1].kind == "LIMIT_EXCEEDED"
    assert len(expression.evaluate()) == 100  # the cached expression keeps the defaults
