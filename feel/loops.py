"""Compiling control flow: `if`, `for` (with ranges and `partial`) and `some`/`every`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from feel import far_dates, nodes
from feel.compiler import Evaluator, compile_node
from feel.errors import INVALID_TYPE
from feel.evaluation import Frame
from feel.text import render
from feel.values import Range, compare

_ANY_DATE = (dt.date, far_dates.FarDate)


def if_then_else(node: nodes.If) -> Evaluator:
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


def for_loop(node: nodes.For) -> Evaluator:
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


def quantified(node: nodes.Quantified) -> Evaluator:
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
