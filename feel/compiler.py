"""AST to Python closures: each node becomes `fn(frame) -> value`.

Compiling once and calling closures is several times faster than walking the tree on
every evaluation. Failures inside an expression are soft: the failing part is null and
a warning is recorded on the run, as the DMN specification asks; only the limits of
feel.evaluation abandon an evaluation as a whole.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from feel import far_dates, nodes
from feel.errors import (
    INVALID_TYPE,
    NO_CONTEXT_ENTRY_FOUND,
    NO_FUNCTION_FOUND,
    NO_VARIABLE_FOUND,
    NOT_A_FUNCTION,
)
from feel.evaluation import MISSING, Frame, LimitExceeded
from feel.external import JavaFunction
from feel.functions import REGISTRY, UserFunction
from feel.mapping import to_feel
from feel.properties import get_property
from feel.text import render
from feel.values import FeelFunction, Range, compare, type_name

Evaluator = Callable[[Frame], Any]
_ANY_DATE = (dt.date, far_dates.FarDate)


def compile_node(node: nodes.Node) -> Evaluator:
    """Compile an AST node to a closure."""
    handler = _handlers().get(type(node))
    if handler is None:  # pragma: no cover - the parser only builds known nodes
        raise TypeError(f"cannot compile {type(node).__name__}")
    return handler(node)


# ---------------------------------------------------------------- literals and names


def _literal(node: nodes.Literal) -> Evaluator:
    value = node.value
    return lambda frame: value


def _invalid_literal(node: nodes.InvalidLiteral) -> Evaluator:
    message = node.message

    def evaluate(frame: Frame) -> Any:
        frame.run.warn("INVALID_LITERAL", message)
        return None

    return evaluate


def _name(node: nodes.Name) -> Evaluator:
    name = node.name

    def evaluate(frame: Frame) -> Any:
        value = frame.lookup(name)
        if value is not MISSING:
            return value
        function = REGISTRY.get(name)
        if function is not None:
            return function
        frame.run.warn(NO_VARIABLE_FOUND, f"no variable found with name '{name}'")
        return None

    return evaluate


def _path_chain(node: nodes.Path) -> tuple[str, tuple[str, ...]] | None:
    """`a.b.c` as ('a', ('b', 'c')) when the path starts at a plain name."""
    keys: list[str] = []
    current: nodes.Node = node
    while isinstance(current, nodes.Path):
        keys.append(current.key)
        current = current.base
    if not isinstance(current, nodes.Name):
        return None
    return current.name, tuple(reversed(keys))


def _path(node: nodes.Path) -> Evaluator:
    chain = _path_chain(node)
    if chain is not None:
        return _name_path(*chain)
    base = compile_node(node.base)
    key = node.key
    return lambda frame: select(frame, base(frame), key)


def _name_path(root: str, keys: tuple[str, ...]) -> Evaluator:
    """A path from a variable. Walks the caller's raw values and converts only the result."""

    def evaluate(frame: Frame) -> Any:
        value, raw = resolve_path(frame, root, keys)
        return to_feel(value) if raw else value

    return evaluate


def resolve_path(frame: Frame, root: str, keys: tuple[str, ...]) -> tuple[Any, bool]:
    """The value at `root.keys...`, and whether it is still a raw (unconverted) host value.

    A path into the caller's variables walks their dicts as they are, so that reading one
    number from a large response does not convert the whole response to FEEL values.
    """
    current: Frame = frame
    while True:
        value = current.vars.get(root, MISSING)
        if value is not MISSING:
            break
        parent = current.parent
        if parent is None:
            host = current.host
            raw = MISSING if host is None else host.get(root, MISSING)
            if raw is MISSING:
                function = REGISTRY.get(root)
                if function is None:
                    frame.run.warn(NO_VARIABLE_FOUND, f"no variable found with name '{root}'")
                    return None, False
                value = function
                break
            for index, key in enumerate(keys):
                if type(raw) is dict:
                    raw = raw.get(key, MISSING)
                    if raw is MISSING:
                        frame.run.warn(
                            NO_CONTEXT_ENTRY_FOUND, f"no context entry found with key '{key}'"
                        )
                        return None, False
                else:
                    value = to_feel(raw)
                    for rest in keys[index:]:
                        value = select(frame, value, rest)
                    return value, False
            return raw, True
        current = parent
    for key in keys:
        value = select(frame, value, key)
    return value, False


def select(frame: Frame, value: Any, key: str) -> Any:
    """`value.key`: a context entry, a projection over a list, or a property."""
    if type(value) is dict:
        result = value.get(key, MISSING)
        if result is MISSING:
            frame.run.warn(NO_CONTEXT_ENTRY_FOUND, f"no context entry found with key '{key}'")
            return None
        return result
    if type(value) is list:
        return [
            select(frame, item, key) if type(item) is dict else _item_property(frame, item, key)
            for item in value
        ]
    if value is None:
        frame.run.warn(NO_CONTEXT_ENTRY_FOUND, f"cannot get '{key}' of null")
        return None
    found, result = get_property(value, key)
    if found:
        return result
    frame.run.warn(NO_CONTEXT_ENTRY_FOUND, f"{type_name(value)} has no property '{key}'")
    return None


def _item_property(frame: Frame, item: Any, key: str) -> Any:
    if item is None:
        return None
    found, result = get_property(item, key)
    return result if found else None


# ---------------------------------------------------------------- collections


def _list(node: nodes.ListNode) -> Evaluator:
    items = [compile_node(item) for item in node.items]
    if not items:
        return lambda frame: []
    return lambda frame: [item(frame) for item in items]


def _context(node: nodes.ContextNode) -> Evaluator:
    entries = [(key, compile_node(value)) for key, value in node.entries]
    keys = [key for key, _ in entries]
    duplicate = next((k for i, k in enumerate(keys) if k in keys[:i]), None)

    def evaluate(frame: Frame) -> Any:
        if duplicate is not None:
            frame.run.warn(INVALID_TYPE, f"the context has the key '{duplicate}' twice")
            return None
        result: dict[str, Any] = {}
        scope = Frame(result, frame, frame.run)
        for key, value in entries:
            result[key] = value(scope)
        return result

    return evaluate


def _range(node: nodes.RangeNode) -> Evaluator:
    start, end = compile_node(node.start), compile_node(node.end)
    start_included, end_included = node.start_included, node.end_included

    def evaluate(frame: Frame) -> Any:
        low, high = start(frame), end(frame)
        if low is not None and high is not None and compare(low, high) is None:
            frame.run.warn(
                INVALID_TYPE, f"range endpoints {render(low)} and {render(high)} are not comparable"
            )
            return None
        if low is None and high is None:
            frame.run.warn(INVALID_TYPE, "a range needs at least one endpoint")
            return None
        return Range(low, high, start_included, end_included)

    return evaluate


def unary_range(op: str, operand: Any) -> Range | None:
    """`< x` and friends as a range value."""
    if op == "<":
        return Range(None, operand, False, False, op)
    if op == "<=":
        return Range(None, operand, False, True, op)
    if op == ">":
        return Range(operand, None, False, False, op)
    if op == ">=":
        return Range(operand, None, True, False, op)
    if op == "=":
        return Range(operand, operand, True, True, op)
    if op == "!=":
        return Range(operand, operand, False, False, op)
    return None


def _unary_comparison(node: nodes.UnaryComparison) -> Evaluator:
    op, operand = node.op, compile_node(node.operand)

    def evaluate(frame: Frame) -> Any:
        value = operand(frame)
        result = unary_range(op, value)
        if result is None:
            frame.run.warn(INVALID_TYPE, f"'{op} {render(value)}' is not a range")
        return result

    return evaluate


# ---------------------------------------------------------------- filters and invocation


def _filter(node: nodes.Filter) -> Evaluator:
    base = compile_node(node.base)
    condition = compile_node(node.condition)
    constant = node.condition.value if isinstance(node.condition, nodes.Literal) else MISSING
    chain = _path_chain(node.base) if isinstance(node.base, nodes.Path) else None
    if chain is None and isinstance(node.base, nodes.Name):
        chain = (node.base.name, ())
    if chain is not None and type(constant) is Decimal:
        return _raw_index(chain, constant)

    def evaluate(frame: Frame) -> Any:
        items = base(frame)
        if items is None:
            return None
        if type(items) is not list:
            items = [items]
        if type(constant) is Decimal:
            return index(frame, items, constant)
        if constant is True:
            return list(items)
        if constant is False:
            return []
        run = frame.run
        result = []
        for position, item in enumerate(items):
            run.step()
            variables = {"item": item}
            if type(item) is dict:
                variables.update(item)
            test = condition(Frame(variables, frame, run))
            if position == 0 and type(test) is Decimal:
                return index(frame, items, test)
            if test is True:
                result.append(item)
        return result

    return evaluate


def _raw_index(chain: tuple[str, tuple[str, ...]], position: Decimal) -> Evaluator:
    """`a.b[1]`: pick the item from the raw list and convert only that item."""
    root, keys = chain

    def evaluate(frame: Frame) -> Any:
        items, raw = resolve_path(frame, root, keys)
        if items is None:
            return None
        if type(items) is not list:
            items = [items]
        item = index(frame, items, position)
        return to_feel(item) if raw else item

    return evaluate


def index(frame: Frame, items: list[Any], position: Decimal) -> Any:
    """The item at a 1-based position (negative counts from the end)."""
    if position != position.to_integral_value():
        frame.run.warn(INVALID_TYPE, f"list index {position} is not an integer")
        return None
    i = int(position)
    if i > 0 and i <= len(items):
        return items[i - 1]
    if i < 0 and -i <= len(items):
        return items[i]
    frame.run.warn(INVALID_TYPE, f"index {i} is out of bounds of a list of {len(items)} items")
    return None


def _invocation(node: nodes.Invocation) -> Evaluator:
    args = [compile_node(a) for a in node.args]
    named = None if node.named is None else [(k, compile_node(v)) for k, v in node.named]
    if isinstance(node.function, nodes.Name):
        name = node.function.name

        def resolve_name(frame: Frame) -> Any:
            value = frame.lookup(name)
            if value is MISSING:
                function = REGISTRY.get(name)
                if function is None:
                    frame.run.warn(NO_FUNCTION_FOUND, f"no function found with name '{name}'")
                return function
            if not isinstance(value, FeelFunction):
                # A variable that is not a function does not hide the built-in of that name,
                # as in feel-scala: {time: @"09:00:00", t: time(now())} still calls time().
                return REGISTRY.get(name, value)
            return value

        resolve: Evaluator = resolve_name
        description = f"'{name}'"
    else:
        resolve = compile_node(node.function)
        description = "the callee"

    def evaluate(frame: Frame) -> Any:
        function = resolve(frame)
        if function is None:
            return None
        if not isinstance(function, FeelFunction):
            frame.run.warn(
                NOT_A_FUNCTION, f"{description} is {type_name(function)}, not a function"
            )
            return None
        if named is not None:
            return function.invoke(frame.run, None, {k: v(frame) for k, v in named})
        return function.invoke(frame.run, [a(frame) for a in args], None)

    return evaluate


def _function_definition(node: nodes.FunctionDefinition) -> Evaluator:
    params = tuple(p.name for p in node.params)
    if node.external:
        binding = compile_node(node.body)
        return lambda frame: JavaFunction(params, binding(frame))
    types = tuple(p.type for p in node.params)
    body = compile_node(node.body)
    return lambda frame: UserFunction(params, types, body, frame)


@functools.cache
def _handlers() -> dict[type, Callable[[Any], Evaluator]]:
    """Which function compiles which node (built on first use: the operator and loop
    modules compile their operands with `compile_node` from here)."""
    from feel import loops, operators

    return {
        nodes.Literal: _literal,
        nodes.InvalidLiteral: _invalid_literal,
        nodes.Name: _name,
        nodes.Path: _path,
        nodes.Filter: _filter,
        nodes.Invocation: _invocation,
        nodes.Negation: operators.negation,
        nodes.Arithmetic: operators.binary_arithmetic,
        nodes.Comparison: operators.comparison,
        nodes.Between: operators.between,
        nodes.UnaryComparison: _unary_comparison,
        nodes.In: operators.membership,
        nodes.Conjunction: operators.conjunction,
        nodes.Disjunction: operators.disjunction,
        nodes.If: loops.if_then_else,
        nodes.For: loops.for_loop,
        nodes.Quantified: loops.quantified,
        nodes.ListNode: _list,
        nodes.ContextNode: _context,
        nodes.RangeNode: _range,
        nodes.InstanceOf: operators.instance_of,
        nodes.FunctionDefinition: _function_definition,
        nodes.UnaryTests: operators.unary_tests,
    }


def compile_unary_tests(node: nodes.UnaryTests) -> Evaluator:
    """Compile DMN unary tests; the evaluator reads the input value from the name `?`."""
    return compile_node(node)


__all__ = ["LimitExceeded", "compile_node", "compile_unary_tests"]
