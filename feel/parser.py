"""Text to AST: lark's LALR parser (feel/_lalr.py, generated from feel/grammar.lark) and a
Transformer that builds the frozen nodes of feel/nodes.py.

This is the one place where lark is known: its exceptions become `FeelSyntaxError`
here, with line, column and a caret excerpt.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from feel import _lalr, nodes
from feel.errors import FeelSyntaxError
from feel.temporal import TemporalError, parse_temporal
from feel.values import DECIMAL128

MAX_EXPRESSION_LENGTH = 100_000

_RESERVED = frozenset(
    [
        "and",
        "or",
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
        "instance",
        "true",
        "false",
        "null",
        "function",
        "external",
    ]
)
_PLAIN_NAME = re.compile(r"[^\W\d]\w*(?:[ \t]+\w+)*\Z")


def needs_quoting(name: str) -> bool:
    """Whether a variable name cannot be written bare in FEEL (e.g. `Date-Time`, `a in b`)."""
    if name == "?":
        return False
    if not _PLAIN_NAME.match(name):
        return True
    return any(word in _RESERVED for word in name.split())


def quote_known_names(text: str, names: Iterable[str]) -> str:
    """Put backticks around the given names where they occur in the text as names.

    DMN names may contain characters that are operators elsewhere (`Date-Time`,
    `decision A 2.1`); when the caller knows which names exist, they are marked
    before parsing. Strings, backtick names and comments are left alone.
    """
    candidates = sorted({n for n in names if n and n in text}, key=len, reverse=True)
    if not candidates:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
            continue
        if ch == "`":
            j = text.find("`", i + 1)
            j = n if j < 0 else j
            out.append(text[i : j + 1])
            i = j + 1
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(text[i:j])
            i = j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(text[i:j])
            i = j
            continue
        if i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_?"):
            for name in candidates:
                end = i + len(name)
                if text.startswith(name, i) and (
                    end >= n or not (text[end].isalnum() or text[end] in "_?")
                ):
                    out.append(f"`{name}`")
                    i = end
                    break
            else:
                out.append(ch)
                i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


# ---------------------------------------------------------------- tokens to values

# Other escapes stay as written: "\d+" is the regular expression \d+, "\b" is \b.
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "'": "'"}
# \U takes six hex digits (DMN) or five, as Camunda's data types page writes "\U101EF".
_ESCAPE_RE = re.compile(
    r"\\(u[0-9a-fA-F]{4}|U(?:0[0-9a-fA-F]|10)[0-9a-fA-F]{4}|U[0-9a-fA-F]{5}|.)", re.DOTALL
)


def unescape(body: str) -> str:
    """The value of a FEEL string literal's body (between the quotes)."""
    if "\\" not in body:
        return body

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, "\\" + code)

    text = _ESCAPE_RE.sub(replace, body)
    # \uD83D\uDCA9 style surrogate pairs become one code point
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _name(token: Any) -> str:
    text = str(token)
    if text.startswith("`"):
        return text[1:-1]
    return " ".join(text.split())


def _key(token: Any) -> str:
    text = str(token)
    if token.type == "STRING":
        return unescape(text[1:-1])
    if token.type == "BACKTICK_NAME":
        return text[1:-1]
    return text.strip()


Children = list[Any]  # what the parser hands each rule (named so the rule `list` can't shadow it)

_BRACKETS_OPEN = {"[": True, "(": False, "]": False}
_BRACKETS_CLOSE = {"]": True, ")": False, "[": False}


class _ToAst(_lalr.Transformer):  # type: ignore[type-arg]
    """Builds feel.nodes from the parse, rule by rule (called inline by the LALR parser)."""

    # ---- literals and names
    def number(self, c: Children) -> nodes.Node:
        return nodes.Literal(DECIMAL128.create_decimal(str(c[0])))

    def string(self, c: Children) -> nodes.Node:
        return nodes.Literal(unescape(str(c[0])[1:-1]))

    def temporal(self, c: Children) -> nodes.Node:
        text = unescape(str(c[0])[1:-1])
        try:
            return nodes.Literal(parse_temporal(text))
        except TemporalError as error:
            return nodes.InvalidLiteral(f'@"{text}" is not a valid temporal value: {error}')

    def true(self, c: Children) -> nodes.Node:
        return nodes.Literal(True)

    def false(self, c: Children) -> nodes.Node:
        return nodes.Literal(False)

    def null(self, c: Children) -> nodes.Node:
        return nodes.Literal(None)

    def name(self, c: Children) -> str:
        return _name(c[0])

    def variable(self, c: Children) -> nodes.Node:
        return nodes.Name(str(c[0]))

    # ---- composite values
    def list(self, c: Children) -> nodes.Node:
        return nodes.ListNode(tuple(x for x in c if x is not None))

    def context(self, c: Children) -> nodes.Node:
        return nodes.ContextNode(tuple(x for x in c if x is not None))

    def context_entry(self, c: Children) -> tuple[str, nodes.Node]:
        return (_key(c[0]), c[1])

    def range(self, c: Children) -> nodes.Node:
        opening, start, _, end, closing = c
        return nodes.RangeNode(
            start, end, _BRACKETS_OPEN[str(opening)], _BRACKETS_CLOSE[str(closing)]
        )

    def unary_comparison(self, c: Children) -> nodes.Node:
        return nodes.UnaryComparison(str(c[0]), c[1])

    # ---- operators
    def disjunction(self, c: Children) -> nodes.Node:
        return nodes.Disjunction(c[0], c[1])

    def conjunction(self, c: Children) -> nodes.Node:
        return nodes.Conjunction(c[0], c[1])

    def comparison(self, c: Children) -> nodes.Node:
        return nodes.Comparison(str(c[1]), c[0], c[2])

    def between(self, c: Children) -> nodes.Node:
        return nodes.Between(c[0], c[1], c[2])

    def membership(self, c: Children) -> nodes.Node:
        return nodes.In(c[0], c[1])

    def single_test(self, c: Children) -> tuple[nodes.Node, ...]:
        return (c[0],)

    def test_list(self, c: Children) -> tuple[nodes.Node, ...]:
        return tuple(c)

    def instance_of(self, c: Children) -> nodes.Node:
        return nodes.InstanceOf(c[0], c[2])

    def arithmetic(self, c: Children) -> nodes.Node:
        return nodes.Arithmetic(str(c[1]), c[0], c[2])

    def negation(self, c: Children) -> nodes.Node:
        operand = c[1]
        if isinstance(operand, nodes.Literal) and type(operand.value) is Decimal:
            return nodes.Literal(DECIMAL128.minus(operand.value))
        return nodes.Negation(operand)

    # ---- postfix
    def filter(self, c: Children) -> nodes.Node:
        return nodes.Filter(c[0], c[1])

    def path(self, c: Children) -> nodes.Node:
        return nodes.Path(c[0], c[1])

    def invocation(self, c: Children) -> nodes.Node:
        function, arguments = c
        if arguments is None:
            return nodes.Invocation(function, ())
        kind, values = arguments
        if kind == "named":
            return nodes.Invocation(function, (), tuple(values))
        return nodes.Invocation(function, tuple(values))

    def positional_arguments(self, c: Children) -> tuple[str, Children]:
        return ("positional", c)

    def named_arguments(self, c: Children) -> tuple[str, Children]:
        return ("named", c)

    def named_argument(self, c: Children) -> tuple[str, nodes.Node]:
        return (_key(c[0]), c[1])

    # ---- control
    def if_expression(self, c: Children) -> nodes.Node:
        return nodes.If(c[0], c[1], c[2])

    def iteration_context(self, c: Children) -> nodes.Iteration:
        return nodes.Iteration(c[0], c[1])

    def range_iteration_context(self, c: Children) -> nodes.Iteration:
        return nodes.Iteration(c[0], c[1], c[2])

    def for_expression(self, c: Children) -> nodes.Node:
        return nodes.For(tuple(c[:-1]), c[-1])

    def quantified_binding(self, c: Children) -> nodes.Iteration:
        return nodes.Iteration(c[0], c[1])

    def quantified_expression(self, c: Children) -> nodes.Node:
        return nodes.Quantified(str(c[0]) == "every", tuple(c[1:-1]), c[-1])

    # ---- functions
    def function_definition(self, c: Children) -> nodes.Node:
        body = c[-1]
        external = any(getattr(x, "type", None) == "EXTERNAL" for x in c[:-1])
        params = tuple(x for x in c[:-1] if isinstance(x, nodes.Parameter))
        return nodes.FunctionDefinition(params, body, external)

    def formal_parameter(self, c: Children) -> nodes.Parameter:
        return nodes.Parameter(c[0], c[1])

    # ---- types
    def named_type(self, c: Children) -> nodes.TypeSpec:
        return nodes.NamedType(c[0])

    def list_type(self, c: Children) -> nodes.TypeSpec:
        _closing(c[-1])
        return nodes.ListType(c[1])

    def range_type(self, c: Children) -> nodes.TypeSpec:
        _closing(c[-1])
        return nodes.RangeType(c[1])

    def context_type(self, c: Children) -> nodes.TypeSpec:
        _closing(c[-1])
        return nodes.ContextType(tuple(c[1:-1]))

    def context_type_entry(self, c: Children) -> tuple[str, nodes.TypeSpec]:
        return (_key(c[0]), c[1])

    def function_type(self, c: Children) -> nodes.TypeSpec:
        _closing(c[-2])
        return nodes.FunctionType(tuple(x for x in c[1:-2] if x is not None), c[-1])

    # ---- unary tests
    def any_input(self, c: Children) -> nodes.Node:
        return nodes.UnaryTests((), any_input=True)

    def negated_tests(self, c: Children) -> nodes.Node:
        return nodes.UnaryTests(tuple(c[1:]), negated=True)

    def positive_tests(self, c: Children) -> nodes.Node:
        return nodes.UnaryTests(tuple(c))


class _GenericTypeError(Exception):
    def __init__(self, token: Any) -> None:
        self.token = token


def _closing(token: Any) -> None:
    if str(token) != ">":
        raise _GenericTypeError(token)


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    return _lalr.Lark_StandAlone(transformer=_ToAst())  # type: ignore[no-untyped-call]


_READABLE = {
    "RPAR": "')'",
    "LPAR": "'('",
    "RSQB": "']'",
    "LSQB": "'['",
    "RBRACE": "'}'",
    "LBRACE": "'{'",
    "COMMA": "','",
    "COLON": "':'",
    "DOT": "'.'",
    "NAME": "a name",
    "KEY": "a name",
    "STRING": "a string",
    "NUMBER": "a number",
    "COMPARE": "a comparison",
    "THEN": "'then'",
    "ELSE": "'else'",
    "RETURN": "'return'",
    "SATISFIES": "'satisfies'",
    "IN": "'in'",
    "__ANON_0": "'..'",
    "$END": "the end",
}


def _expected(names: Iterable[str]) -> str:
    readable = sorted({_READABLE.get(n, n.lower().strip("_")) for n in names})
    if not readable or len(readable) > 8:
        return ""
    return "; expected " + ", ".join(readable)


def parse(text: str, start: str = "expression") -> nodes.Node:
    """Parse FEEL text (an expression, or unary tests with start='unary_tests').

    Raises:
        FeelSyntaxError: the text is not FEEL.
    """
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise FeelSyntaxError(
            f"expression is longer than {MAX_EXPRESSION_LENGTH} characters", text[:200], 1, 1
        )
    if not text.strip():
        raise FeelSyntaxError("expression is empty", text, 1, 1)
    try:
        result: nodes.Node = _parser().parse(text, start=start)
        return result
    except _lalr.UnexpectedCharacters as error:
        position: int = error.pos_in_stream or 0
        char = text[position] if position < len(text) else ""
        raise FeelSyntaxError(
            f"unexpected character {char!r}", text, error.line, error.column
        ) from None
    except _lalr.UnexpectedToken as error:
        token = error.token
        if token.type == "$END":
            line, column = _end_position(text)
            message = "unexpected end of expression"
        else:
            line, column = token.line, token.column
            message = f"unexpected {str(token)!r}"
        raise FeelSyntaxError(message + _expected(error.expected), text, line, column) from None
    except _lalr.UnexpectedEOF as error:
        line, column = _end_position(text)
        raise FeelSyntaxError(
            "unexpected end of expression" + _expected(error.expected), text, line, column
        ) from None
    except _lalr.VisitError as error:
        inner = error.orig_exc
        if isinstance(inner, _GenericTypeError):
            token = inner.token
            raise FeelSyntaxError(
                f"expected '>' to close the type, got {str(token)!r}",
                text,
                token.line,
                token.column,
            ) from None
        raise FeelSyntaxError(f"invalid expression: {inner}", text, 1, 1) from None
    except _GenericTypeError as error:
        token = error.token
        raise FeelSyntaxError(
            f"expected '>' to close the type, got {str(token)!r}", text, token.line, token.column
        ) from None
    except RecursionError:
        raise FeelSyntaxError("expression is nested too deeply", text, 1, 1) from None


def _end_position(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1
