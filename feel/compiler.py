"""AST to Python closures: each node becomes `fn(frame) -> value`.

Compiling once and calling closures is several times faster than walking the tree on
every evaluation. Failures inside an expression are soft: the failing part is null and
a warning is recorded on the run, as the DMN specification asks; only the limits of
feel.evaluation abandon an evaluation as a whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from feel import arithmetic, far_dates, nodes
from feel.errors import (
    INVALID_TYPE,
    NO_CONTEXT_ENTRY_FOUND,
    NO_FUNCTION_FOUND,
    NO_VARIABLE_FOUND,
    NOT_A_FUNCTION,
    NOT_COMPARABLE,
)
from feel.evaluation import MISSING, Frame, LimitExceeded
from feel.external import JavaFunction
from feel.functions import REGISTRY, UserFunction, render
from feel.mapping import to_feel
from feel.properties import get_property
from feel.types import conforms
from feel.values import FeelFunction, Range, compare, equal, in_range, type_name

Evaluator = Callable[[Frame], Any]
_ANY_DATE = (dt.date, far_dates.FarDate)


def compile_node(node: nodes.Node) -> Evaluator:
    """Compile an AST node to a closure."""
    handler = _HANDLERS.get(type(node))
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


# ---------------------------------------------------------------- operators


def _arithmetic(node: nodes.Arithmetic) -> Evaluator:
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


def _negation(node: nodes.Negation) -> Evaluator:
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


def _comparison(node: nodes.Comparison) -> Evaluator:
    op = node.op
    left, right = compile_node(node.left), compile_node(node.right)
    return lambda frame: compare_values(frame, op, left(frame), right(frame))


def _between(node: nodes.Between) -> Evaluator:
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


def _conjunction(node: nodes.Conjunction) -> Evaluator:
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


def _disjunction(node: nodes.Disjunction) -> Evaluator:
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


def _in(node: nodes.In) -> Evaluator:
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


def _instance_of(node: nodes.InstanceOf) -> Evaluator:
    value, spec = compile_node(node.value), node.type
    return lambda frame: conforms(value(frame), spec)


# ---------------------------------------------------------------- control


def _if(node: nodes.If) -> Evaluator:
    condition, then, otherwise = (
        compile_node(node.condition),
        compile_node(node.then),
        compile_node(node.otherwise),
    )
    return lambda frame: then(frame) if condition(frame) is True else otherwise(frame)


def _iteration_values(
    frame: Frame, iteration: nodes.Iteration, source: Evaluator, end: Evaluator | None
) -> list[Any] | None:
    """The values an iteration variable takes, or None (with a warning) when it has none."""
    start = source(frame)
    if end is not None:
        return _numeric_span(frame, start, end(frame))
    if type(start) is list:
        return start
    if type(start) is Range:
        return _range_values(frame, start)
    if start is None:
        frame.run.warn(INVALID_TYPE, f"cannot iterate over null ('{iteration.name}')")
        return None
    return [start]


def _numeric_span(frame: Frame, start: Any, stop: Any) -> list[Any] | None:
    if type(start) is Decimal and type(stop) is Decimal:
        if start != start.to_integral_value() or stop != stop.to_integral_value():
            frame.run.warn(INVALID_TYPE, "a range to iterate over needs integer endpoints")
            return None
        first, last = int(start), int(stop)
        size = abs(last - first) + 1
        frame.run.check_items(size)
        frame.run.step(size // 16)
        step = 1 if last >= first else -1
        return [Decimal(i) for i in range(first, last + step, step)]
    if type(start) is dt.date and type(stop) is dt.date:
        days = (stop - start).days
        frame.run.check_items(abs(days) + 1)
        step = 1 if days >= 0 else -1
        return [start + dt.timedelta(days=i) for i in range(0, days + step, step)]
    if type(start) in _ANY_DATE and type(stop) in _ANY_DATE:  # a far date at either end
        first, last = far_dates.day_number(start), far_dates.day_number(stop)
        frame.run.check_items(abs(last - first) + 1)
        step = 1 if last >= first else -1
        return [far_dates.date_from_day_number(n) for n in range(first, last + step, step)]
    frame.run.warn(INVALID_TYPE, f"cannot iterate from {render(start)} to {render(stop)}")
    return None


def _range_values(frame: Frame, value: Range) -> list[Any] | None:
    if value.start is None or value.end is None or compare(value.start, value.end) in (None, 1):
        frame.run.warn(INVALID_TYPE, f"cannot iterate over the range {render(value)}")
        return None
    values = _numeric_span(frame, value.start, value.end)
    if values is None:
        return None
    if not value.start_included:
        values = values[1:]
    if not value.end_included and values:
        values = values[:-1]
    return values


def _for(node: nodes.For) -> Evaluator:
    iterations = [
        (it, compile_node(it.source), None if it.end is None else compile_node(it.end))
        for it in node.iterations
    ]
    body = compile_node(node.body)

    def evaluate(frame: Frame) -> Any:
        run = frame.run
        results: list[Any] = []

        def loop(level: int, scope: Frame) -> bool:
            iteration, source, end = iterations[level]
            values = _iteration_values(scope, iteration, source, end)
            if values is None:
                return False
            last = level == len(iterations) - 1
            for value in values:
                run.step()
                inner = Frame({iteration.name: value, "partial": results}, scope, run)
                if last:
                    results.append(body(inner))
                    if len(results) > run.limits.items:
                        run.check_items(len(results))
                elif not loop(level + 1, inner):
                    return False
            return True

        return results if loop(0, frame) else None

    return evaluate


def _quantified(node: nodes.Quantified) -> Evaluator:
    iterations = [(it, compile_node(it.source)) for it in node.iterations]
    condition = compile_node(node.condition)
    every = node.every

    def evaluate(frame: Frame) -> Any:
        run = frame.run

        def loop(level: int, scope: Frame) -> bool | None:
            iteration, source = iterations[level]
            values = _iteration_values(scope, iteration, source, None)
            if values is None:
                return None
            last = level == len(iterations) - 1
            for value in values:
                run.step()
                inner = Frame({iteration.name: value}, scope, run)
                outcome = condition(inner) if last else loop(level + 1, inner)
                if every and outcome is not True:
                    return False
                if not every and outcome is True:
                    return True
            return every

        return loop(0, frame)

    return evaluate


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


def compile_unary_tests(node: nodes.UnaryTests) -> Evaluator:
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


_HANDLERS: dict[type, Callable[[Any], Evaluator]] = {
    nodes.Literal: _literal,
    nodes.InvalidLiteral: _invalid_literal,
    nodes.Name: _name,
    nodes.Path: _path,
    nodes.Filter: _filter,
    nodes.Invocation: _invocation,
    nodes.Negation: _negation,
    nodes.Arithmetic: _arithmetic,
    nodes.Comparison: _comparison,
    nodes.Between: _between,
    nodes.UnaryComparison: _unary_comparison,
    nodes.In: _in,
    nodes.Conjunction: _conjunction,
    nodes.Disjunction: _disjunction,
    nodes.If: _if,
    nodes.For: _for,
    nodes.Quantified: _quantified,
    nodes.ListNode: _list,
    nodes.ContextNode: _context,
    nodes.RangeNode: _range,
    nodes.InstanceOf: _instance_of,
    nodes.FunctionDefinition: _function_definition,
    nodes.UnaryTests: compile_unary_tests,
}

__all__ = ["LimitExceeded", "compile_node", "compile_unary_tests"]
