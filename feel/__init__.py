"""A FEEL (DMN 1.5 Friendly Enough Expression Language) engine.

    >>> import feel
    >>> feel.evaluate("{total: sum(items.price), big: some i in items satisfies i.price > 10}",
    ...               {"items": [{"price": 4}, {"price": 12}]})
    {'total': Decimal('16'), 'big': True}

`evaluate` parses (cached), compiles and runs an expression; `compile` returns an
`Expression` to run many times. Syntax errors raise `FeelSyntaxError`; evaluation errors
give null, and `Expression.evaluate_with_warnings` tells why. See feel/values.py for how
FEEL values map to Python values.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from feel import builtins as _builtins  # noqa: F401 - registers the built-in functions
from feel.compiler import compile_node, compile_unary_tests
from feel.errors import LIMIT_EXCEEDED, FeelError, FeelSyntaxError, FeelWarning
from feel.evaluation import DEFAULT_LIMITS, Abort, Frame, Limits, Run
from feel.far_dates import FarDate, FarDateTime
from feel.mapping import to_feel, to_host, to_json
from feel.nodes import UnaryTests
from feel.parser import needs_quoting, parse, quote_known_names
from feel.values import FeelFunction, Range, YearsMonthsDuration

__all__ = [
    "DEFAULT_LIMITS",
    "Expression",
    "FarDate",
    "FarDateTime",
    "FeelError",
    "FeelFunction",
    "FeelSyntaxError",
    "FeelWarning",
    "Limits",
    "Range",
    "UnaryTestsExpression",
    "YearsMonthsDuration",
    "compile",
    "compile_unary_tests_text",
    "evaluate",
    "evaluate_unary_tests",
    "to_feel",
    "to_host",
    "to_json",
]

NAME = "feel (this project)"
CACHE_SIZE = 1024

_EMPTY: Mapping[str, Any] = {}


class Expression:
    """A compiled FEEL expression; evaluate it as often as needed, from any thread."""

    __slots__ = ("_evaluator", "limits", "text")

    def __init__(self, text: str, evaluator: Any, limits: Limits = DEFAULT_LIMITS) -> None:
        self.text = text
        self._evaluator = evaluator
        self.limits = limits

    def with_limits(self, limits: Limits) -> Expression:
        """The same expression evaluated under other limits (compiled ones are shared)."""
        return Expression(self.text, self._evaluator, limits)

    def evaluate(self, variables: Mapping[str, Any] | None = None) -> Any:
        """The value of the expression (null when it cannot be evaluated)."""
        return self._run(variables)[0]

    def evaluate_with_warnings(
        self, variables: Mapping[str, Any] | None = None
    ) -> tuple[Any, list[FeelWarning]]:
        """The value and the warnings that explain a null (or part of one)."""
        value, run = self._run(variables)
        return value, run.warnings

    def _run(self, variables: Mapping[str, Any] | None) -> tuple[Any, Run]:
        run = Run(self.limits)
        host = variables if isinstance(variables, Mapping) else _EMPTY
        try:
            value = self._evaluator(Frame({}, None, run, host))
        except Abort:
            value = None
        except RecursionError:
            value = None
            run.warn(LIMIT_EXCEEDED, "the expression is nested too deeply to evaluate")
        except MemoryError:
            value = None
            run.warn(LIMIT_EXCEEDED, "the evaluation ran out of memory")
        except Exception as error:
            value = None
            run.warn("INTERNAL_ERROR", f"{type(error).__name__}: {error}")
        return value, run

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def _strip(text: str) -> str:
    stripped = text.lstrip()
    return stripped[1:] if stripped.startswith("=") else text


@functools.lru_cache(maxsize=CACHE_SIZE)
def _compiled(text: str, known_names: frozenset[str]) -> Expression:
    source = quote_known_names(text, known_names) if known_names else text
    try:
        evaluator = compile_node(parse(source))
    except RecursionError:
        raise FeelSyntaxError("expression is nested too deeply", text, 1, 1) from None
    return Expression(text, evaluator)


def compile(expression: str, known_names: Iterable[str] = ()) -> Expression:
    """Parse and compile an expression (cached by its text). A leading `=` is ignored.

    `known_names` lists variable names that contain spaces around reserved words or
    characters such as `-` (`Date-Time`); other such names must be written in backticks.

    Raises:
        FeelSyntaxError: the expression is not FEEL.
    """
    if not isinstance(expression, str):
        raise FeelError(f"a FEEL expression must be a string, not {type(expression).__name__}")
    text = _strip(expression)
    names = frozenset(n for n in known_names if needs_quoting(n) and n in text)
    return _compiled(text, names)


@functools.lru_cache(maxsize=4096)
def _special(name: str) -> bool:
    return needs_quoting(name)


def evaluate(expression: str, variables: Mapping[str, Any] | None = None) -> Any:
    """Evaluate a FEEL expression with the given variables.

    Variable names holding characters that FEEL names cannot (`Date-Time`) are found
    in the expression without backticks.

    Raises:
        FeelSyntaxError: the expression is not FEEL.
    """
    names: Iterable[str] = ()
    if variables:
        names = [k for k in variables if type(k) is str and _special(k)]
    return compile(expression, names).evaluate(variables)


class UnaryTestsExpression:
    """Compiled unary tests (a DMN input entry)."""

    __slots__ = ("_evaluator", "text")

    def __init__(self, text: str, evaluator: Any) -> None:
        self.text = text
        self._evaluator = evaluator

    def evaluate(self, input_value: Any, variables: Mapping[str, Any] | None = None) -> bool | None:
        run = Run()
        host = variables if isinstance(variables, Mapping) else _EMPTY
        root = Frame({}, None, run, host)
        frame = Frame({"?": to_feel(input_value)}, root, run)
        try:
            result = self._evaluator(frame)
        except (Abort, RecursionError, MemoryError):
            return None
        except Exception:
            return None
        return result if type(result) is bool else None


@functools.lru_cache(maxsize=CACHE_SIZE)
def _compiled_tests(text: str, known_names: frozenset[str]) -> UnaryTestsExpression:
    source = quote_known_names(text, known_names) if known_names else text
    node = parse(source, start="unary_tests")
    assert isinstance(node, UnaryTests)
    return UnaryTestsExpression(text, compile_unary_tests(node))


def compile_unary_tests_text(tests: str, known_names: Iterable[str] = ()) -> UnaryTestsExpression:
    """Parse and compile unary tests such as `< 10, [20..30], not("x")`.

    Raises:
        FeelSyntaxError: the text is not a FEEL unary test.
    """
    names = frozenset(n for n in known_names if needs_quoting(n) and n in tests)
    return _compiled_tests(tests, names)


def evaluate_unary_tests(
    tests: str, input_value: Any, variables: Mapping[str, Any] | None = None
) -> bool | None:
    """Whether the input value passes the unary tests (null when it cannot be decided).

    Raises:
        FeelSyntaxError: the text is not a FEEL unary test.
    """
    names: Iterable[str] = [k for k in variables if _special(k)] if variables else ()
    return compile_unary_tests_text(tests, names).evaluate(input_value, variables)
