"""Parsing: syntax errors with positions, and the generated parser matching the grammar."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import feel
from feel import nodes
from feel.parser import needs_quoting, parse, quote_known_names

ROOT = Path(__file__).resolve().parents[2]
TCK = ROOT.parent / "shared" / "conformance" / "tck.jsonl"

SYNTAX_ERRORS = [
    ("1 +", 1, 4, "unexpected end of expression"),
    ("(1 + 2", 1, 7, "unexpected end of expression"),
    ("1 + * 2", 1, 5, "unexpected '*'"),
    ("if x then 1", 1, 12, "unexpected end"),
    ("{a: 1,, b: 2}", 1, 7, "unexpected ','"),
    ("a\n + ]", 2, 4, "unexpected ']'"),
    ('"unterminated', 1, 1, "unexpected character"),
    ("1 $ 2", 1, 3, "unexpected character '$'"),
    ("", 1, 1, "empty"),
    ("x instance of list<number", 1, 26, "unexpected end"),
]


@pytest.mark.parametrize(("text", "line", "column", "message"), SYNTAX_ERRORS)
def test_syntax_errors_name_the_place(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(feel.FeelSyntaxError) as caught:
        feel.compile(text)
    error = caught.value
    assert (error.line, error.column) == (line, column), str(error)
    assert message in str(error)
    lines = text.splitlines() or [""]
    assert error.excerpt == f"{lines[line - 1]}\n{' ' * (column - 1)}^"
    assert isinstance(error, feel.FeelError)


def test_leading_equals_is_ignored_and_compilation_is_cached() -> None:
    first = feel.compile("= 1 + 1")
    assert first.evaluate() == 2
    assert feel.compile("= 1 + 1") is first
    assert feel.compile("1 + 1").evaluate() == 2


def test_deep_nesting_is_a_syntax_error_not_a_crash() -> None:
    with pytest.raises(feel.FeelSyntaxError) as caught:
        feel.compile("[" * 5000 + "1" + "]" * 5000)
    assert len(caught.value.excerpt) < 300
    assert feel.evaluate("(" * 5000 + "1" + ")" * 5000) == 1
    assert feel.evaluate("-" * 300 + "1") == 1


def test_non_string_expression_is_a_feel_error() -> None:
    with pytest.raises(feel.FeelError):
        feel.compile(42)  # type: ignore[arg-type]


AST = [
    ("a.b", nodes.Path(nodes.Name("a"), "b")),
    ("-5", nodes.Literal(-5)),
    ("x in (1, 2)", nodes.In(nodes.Name("x"), (nodes.Literal(1), nodes.Literal(2)))),
    ("f(a: 1)", nodes.Invocation(nodes.Name("f"), (), (("a", nodes.Literal(1)),))),
    ("date and time(x)", nodes.Invocation(nodes.Name("date and time"), (nodes.Name("x"),))),
    (
        "get or else(x, 1)",
        nodes.Invocation(nodes.Name("get or else"), (nodes.Name("x"), nodes.Literal(1))),
    ),
    ("day of week(x)", nodes.Invocation(nodes.Name("day of week"), (nodes.Name("x"),))),
    ("Monthly   Salary", nodes.Name("Monthly Salary")),
]


@pytest.mark.parametrize(("text", "expected"), AST)
def test_ast(text: str, expected: nodes.Node) -> None:
    assert parse(text) == expected


def test_known_names_with_operators_are_quoted_outside_strings() -> None:
    text = 'Date-Time + 1 + "Date-Time" // Date-Time'
    assert quote_known_names(text, ["Date-Time"]) == '`Date-Time` + 1 + "Date-Time" // Date-Time'
    assert needs_quoting("Date-Time") and needs_quoting("values in a list")
    assert not needs_quoting("Monthly Salary") and not needs_quoting("x")


def test_generated_parser_is_up_to_date() -> None:
    check = subprocess.run(
        [sys.executable, "-m", "feel.tools.build_parser", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_generated_parser_agrees_with_lark_on_the_tck_expressions() -> None:
    """The shipped standalone parser and lark reading grammar.lark build the same trees."""
    lark = pytest.importorskip("lark")
    grammar = (ROOT / "feel" / "grammar.lark").read_text(encoding="utf-8")
    reference = lark.Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        start=["expression", "unary_tests"],
        maybe_placeholders=True,
    )
    from feel import _lalr

    shipped = _lalr.Lark_StandAlone()
    expressions = [text for text, *_ in SYNTAX_ERRORS]
    if TCK.exists():
        expressions += [
            json.loads(line)["expression"] for line in TCK.read_text(encoding="utf-8").splitlines()
        ]
    expressions += [text for text, _ in AST]

    def shape(tree: object) -> object:
        children = getattr(tree, "children", None)
        if children is None:
            return (getattr(tree, "type", None), str(tree)) if tree is not None else None
        return (str(tree.data), [shape(child) for child in children])

    checked = 0
    for text in expressions:
        try:
            expected = shape(reference.parse(text, start="expression"))
        except lark.exceptions.LarkError:
            expected = "error"
        try:
            actual = shape(shipped.parse(text, start="expression"))
        except _lalr.LarkError:
            actual = "error"
        assert actual == expected, text
        checked += 1
    assert checked >= len(AST)
