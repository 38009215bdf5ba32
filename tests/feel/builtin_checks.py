"""Checks shared by the built-in function tables: strict equality and expected warnings."""

from __future__ import annotations

from typing import Any

import feel


def same(result: Any, expected: Any) -> bool:
    """Equal and of the same types all the way down (so `true` is not the number 1)."""
    if type(result) is not type(expected):
        return False
    if type(expected) is list:
        return len(result) == len(expected) and all(map(same, result, expected))
    if type(expected) is dict:
        return list(result) == list(expected) and all(
            same(result[k], v) for k, v in expected.items()
        )
    return bool(result == expected)


def check(expression: str, variables: dict[str, Any] | None, expected: Any) -> None:
    """The expression evaluates to the expected value."""
    result, warnings = feel.compile(expression).evaluate_with_warnings(variables)
    assert same(result, expected), (expression, result, warnings)


def check_fails(expression: str, variables: dict[str, Any] | None, *fragments: str) -> None:
    """The expression is null, with a warning whose message holds every fragment."""
    result, warnings = feel.compile(expression).evaluate_with_warnings(variables)
    assert result is None, (expression, result)
    messages = [w.message for w in warnings]
    assert any(all(f in m for f in fragments) for m in messages), (expression, messages)
