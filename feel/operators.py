"""Compiling operators: arithmetic, comparison, three-valued logic, `between`, `in` and
unary tests, and `instance of`."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from feel import arithmetic, nodes
from feel.compiler import Evaluator, compile_node
from feel.errors import INVALID_TYPE, NOT_COMPARABLE
from feel.evaluation import MISSING, Frame
from feel.text import render
from feel.types import conforms
from feel.values import Range, compare, equal, in_range, type_name


def binary_arithmetic(node: nodes.Arithmetic) -> Evaluator:
    op = node.op
    left, right = compile_node(node.left), compile_node(node.right)
    handlers = arithmetic.OPERATIONS[op]
    number_op = handlers[(Decimal, Decimal)]

    def evaluate(frame: Frame) -> Any:
        a, b = left(frame), right(frame)
        if type(a) is Decimal and type(b) is Decimal:
            try:
                return number_op(a, b)
            except arithmetic.ArithmeticError_ as error:
                frame.run.warn(INVALID_TYPE, f"{op}: {error}")
                return None
        result, problem = arithmetic.apply(op, a, b)
        if problem is not None:
            frame.run.warn(INVALID_TYPE, problem)
        elif type(result) is str:
            frame.run.check_string(result)
        return result

    return evaluate


def negation(node: nodes.Negation) -> Evaluator:
    operand = compile_node(node.operand)

    def evaluate(frame: Frame) -> Any:
        value = operand(frame)
        result = arithmetic.negate(value)
        if result is None and value is not None:
            frame.run.warn(INVALID_TYPE, f"cannot negate {type_name(value)}")
        return result

    return evaluate


def compare_values(frame: Frame, op: str, a: Any, b: Any) -> bool | None:
    """`a op b` for a comparison operator, warning when the values are not comparable."""
    if op == "=":
        result = equal(a, b)
    elif op == "!=":
        same = equal(a, b)
        result = None if same is None else not same
    else:
        if a is None or b is None:
            return None
        order = compare(a, b)
        if order is None:
            frame.run.warn(NOT_COMPARABLE, f"cannot compare {render(a, 40)} {op} {render(b, 40)}")
            return None
        if op == "<":
            return order < 0
        if op == "<=":
            return order <= 0
        if op == ">":
            return order > 0
        return order >= 0
    if result is None:
        frame.run.warn(NOT_COMPARABLE, f"cannot compare {render(a, 40)} {op} {render(b, 40)}")
    return result


def comparison(node: nodes.Comparison) -> Evaluator:
    op = node.op
    left, right = compile_node(node.left), compile_node(node.right)
    return lambda frame: compare_values(frame, op, left(frame), right(frame))


def between(node: nodes.Between) -> Evaluator:
    value, low, high = compile_node(node.value), compile_node(node.low), compile_node(node.high)

    def evaluate(frame: Frame) -> Any:
        v = value(frame)
        return _and(
            compare_values(frame, ">=", v, low(frame)), compare_values(frame, "<=", v, high(frame))
        )

    return evaluate


def _and(a: Any, b: Any) -> bool | None:
    if a is False or b is False:
        return False
    if a is True and b is True:
        return True
    return None


def conjunction(node: nodes.Conjunction) -> Evaluator:
    left, right = compile_node(node.left), compile_node(node.right)

    def evaluate(frame: Frame) -> Any:
        a = left(frame)
        if a is False:
            return False
        b = right(frame)
        if b is False:
            return False
        if a is True and b is True:
            return True
        return None

    return evaluate


def disjunction(node: nodes.Disjunction) -> Evaluator:
    left, right = compile_node(node.left), compile_node(node.right)

    def evaluate(frame: Frame) -> Any:
        a = left(frame)
        if a is True:
            return True
        b = right(frame)
        if b is True:
            return True
        if a is False and b is False:
            return False
        return None

    return evaluate


def compile_test(node: nodes.Node) -> Callable[[Frame, Any], bool | None]:
    """A positive unary test: `fn(frame, value)` says whether the value passes it."""
    if isinstance(node, nodes.UnaryComparison):
        op, operand = node.op, compile_node(node.operand)
        return lambda frame, value: compare_values(frame, op, value, operand(frame))
    expression = compile_node(node)

    def test(frame: Frame, value: Any) -> bool | None:
        expected = expression(frame)
        return matches(frame, value, expected)

    return test


def matches(frame: Frame, value: Any, expected: Any) -> bool | None:
    """Whether a value satisfies what a unary test expression evaluated to."""
    if type(expected) is Range:
        return in_range(value, expected)
    if type(expected) is list:
        if type(value) is list:
            found = equal(value, expected)
            if found:
                return True
        # membership: items of another type are simply not the value
        for item in expected:
            outcome = in_range(value, item) if type(item) is Range else equal(value, item)
            if outcome:
                return True
        return False
    return equal(value, expected)


def membership(node: nodes.In) -> Evaluator:
    value = compile_node(node.value)
    tests = [compile_test(t) for t in node.tests]

    def evaluate(frame: Frame) -> Any:
        v = value(frame)
        result: bool | None = False
        for test in tests:
            outcome = test(frame, v)
            if outcome is True:
                return True
            if outcome is None:
                result = None
        return result

    return evaluate


def instance_of(node: nodes.InstanceOf) -> Evaluator:
    value, spec = compile_node(node.value), node.type
    return lambda frame: conforms(value(frame), spec)


def _boolean_test(expression: Evaluator) -> Callable[[Frame, Any], bool | None]:
    """A test written with `?`: it holds when the expression is true."""

    def test(frame: Frame, _value: Any) -> bool | None:
        outcome = expression(frame)
        return outcome if type(outcome) is bool else None

    return test


def _uses_input(node: nodes.Node) -> bool:
    """Whether a test mentions `?` (then it is a boolean expression, not a value to match)."""
    if isinstance(node, nodes.Name):
        return node.name == "?"
    if isinstance(node, nodes.UnaryComparison):
        return False
    for name in getattr(node, "__slots__", ()):
        child = getattr(node, name, None)
        if isinstance(child, nodes.Node) and _uses_input(child):
            return True
        if isinstance(child, tuple):
            for item in child:
                if isinstance(item, nodes.Node) and _uses_input(item):
                    return True
                if isinstance(item, tuple) and any(
                    isinstance(x, nodes.Node) and _uses_input(x) for x in item
                ):
                    return True
    return False


def unary_tests(node: nodes.UnaryTests) -> Evaluator:
    if node.any_input:
        return lambda frame: True
    # a test that mentions `?` is a boolean expression; any other is matched against `?`
    compiled: list[Callable[[Frame, Any], Any]] = []
    for test in node.tests:
        if _uses_input(test) and not isinstance(test, nodes.UnaryComparison):
            compiled.append(_boolean_test(compile_node(test)))
        else:
            compiled.append(compile_test(test))
    negated = node.negated

    def evaluate(frame: Frame) -> Any:
        value = frame.lookup("?")
        value = None if value is MISSING else value
        result: bool | None = False
        for test in compiled:
            outcome = test(frame, value)
            if outcome is True:
                result = True
                break
            if outcome is None:
                result = None
        if negated:
            return None if result is None else not result
        return result

    return evaluate
