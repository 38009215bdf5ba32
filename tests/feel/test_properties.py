"""Property tests (hypothesis): robustness on any input, decimal arithmetic, JSON round trips.

The short runs here always run; tests/feel/test_fuzz_long.py runs 100,000 inputs when
RUN_LONG=1.
"""

from __future__ import annotations

import contextlib
import math
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import feel
from feel.values import DECIMAL128

TOKENS = [
    "1",
    "2.5",
    "-",
    "+",
    "*",
    "/",
    "**",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    "..",
    '"s"',
    "x",
    "a b",
    "item",
    "?",
    "=",
    "!=",
    "<",
    ">=",
    "and",
    "or",
    "not",
    "if",
    "then",
    "else",
    "for",
    "in",
    "return",
    "some",
    "every",
    "satisfies",
    "between",
    "instance of",
    "function",
    "null",
    "true",
    "@",
    '"P1D"',
    '"2020-01-01"',
    "count",
    "sum",
    "date",
    "string",
    "x.y",
    "[1..3]",
    "`q`",
    "//",
    "\n",
    "/*",
    "*/",
    "partial",
    "external",
    "->",
]


def feel_like() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join)


def evaluate_safely(text: str, variables: dict[str, Any] | None = None) -> None:
    with contextlib.suppress(feel.FeelError):
        feel.evaluate(text, variables)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_gives_a_value_or_a_feel_error(text: str) -> None:
    evaluate_safely(text)


@settings(max_examples=600, deadline=None)
@given(feel_like())
def test_any_token_soup_gives_a_value_or_a_feel_error(text: str) -> None:
    evaluate_safely(text, {"x": [1, {"y": 2}], "a b": "c", "item": None})


finite = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    # values decimal128 holds exactly, as FEEL number literals are
    lambda d: abs(d.adjusted()) < 6000 and len(d.as_tuple().digits) <= 34
)


def literal(d: Decimal) -> str:
    return f"({d:f})" if d < 0 else f"{d:f}"


@settings(max_examples=300, deadline=None)
@given(finite, finite, st.sampled_from(["+", "-", "*", "/"]))
def test_arithmetic_agrees_with_decimal128(a: Decimal, b: Decimal, op: str) -> None:
    operation = {
        "+": DECIMAL128.add,
        "-": DECIMAL128.subtract,
        "*": DECIMAL128.multiply,
        "/": DECIMAL128.divide,
    }[op]
    try:
        expected = operation(a, b)
    except ArithmeticError:
        expected = None
    assert feel.evaluate(f"{literal(a)} {op} {literal(b)}") == expected
    assert feel.evaluate(f"a {op} b", {"a": a, "b": b}) == expected


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.text(max_size=10)
    | st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


def same_json(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return (
            isinstance(b, dict) and a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
        )
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same_json, a, b))
    if isinstance(a, float) or isinstance(b, float):
        return (not isinstance(b, bool) and math.isclose(a, b, rel_tol=0, abs_tol=0)) or a == b
    return type(a) is type(b) and a == b


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_to_json_of_a_mapped_json_value_gives_it_back(value: Any) -> None:
    assert same_json(value, feel.to_json(feel.evaluate("x", {"x": value})))
