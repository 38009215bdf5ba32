"""List functions: DMN 1.5's, and feel-scala's `and`, `or`, `is empty`, `partition`, ...

Positions are 1-based and negative positions count from the end. Items are compared
with FEEL equality (`[1] = [1.0]`, `{a: 1} = {a: 1}`). The aggregate functions (`min`,
`sum`, `all`, ...) take one list or their items as separate arguments: `min([1, 2])`
and `min(1, 2)` are the same. A single value given where a list is expected counts as
a list of one, as DMN's implicit conversions say.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from feel.builtins import arguments
from feel.builtins.numeric import tidy
from feel.errors import INVALID_TYPE
from feel.evaluation import Run
from feel.functions import FunctionError, builtin
from feel.values import (
    DECIMAL128,
    FeelFunction,
    YearsMonthsDuration,
    compare,
    equal,
    time_offset,
)

_list = list  # the parameters named `list`, as in the specification, hide the built-in

# ---------------------------------------------------------------- helpers


class _Unhashable(Exception):
    pass


_HASHABLE = (Decimal, str, bool, dt.date, dt.timedelta, YearsMonthsDuration)


def _key(value: Any) -> Any:
    """A hashable key such that equal keys mean FEEL-equal values.

    Raises:
        _Unhashable: the value holds something (a range, a function) compared otherwise.
    """
    kind = type(value)
    if value is None:
        return None
    if kind in _HASHABLE:
        return (kind, value)
    if kind is dt.time:  # as FEEL compares times: to the millisecond, in UTC when zoned
        millis = (
            value.hour * 3600 + value.minute * 60 + value.second
        ) * 1000 + value.microsecond // 1000
        offset = time_offset(value)
        if offset is None:
            return (kind, None, millis)
        return (kind, 1, millis - int(offset.total_seconds() * 1000))
    if kind is dt.datetime:  # FEEL compares dates and times to the millisecond
        return (
            kind,
            value.tzinfo is None,
            value.replace(microsecond=value.microsecond // 1000 * 1000),
        )
    if kind is list:
        return (list, tuple(_key(item) for item in value))
    if kind is dict:
        return (dict, frozenset((k, _key(v)) for k, v in value.items()))
    raise _Unhashable


class _Seen:
    """Values met so far, by FEEL equality; hashing keeps long lists fast."""

    def __init__(self) -> None:
        self.keys: set[Any] = set()
        self.others: list[Any] = []

    def add(self, value: Any) -> bool:
        """Record a value; whether it was new."""
        try:
            key = _key(value)
        except _Unhashable:
            if self._among_others(value):
                return False
            self.others.append(value)
            return True
        if key in self.keys:
            return False
        self.keys.add(key)
        return True

    def __contains__(self, value: Any) -> bool:
        try:
            return _key(value) in self.keys
        except _Unhashable:
            return self._among_others(value)

    def _among_others(self, value: Any) -> bool:
        return any(equal(value, other) is True for other in self.others)


def _distinct(values: list[Any]) -> list[Any]:
    seen = _Seen()
    return [value for value in values if seen.add(value)]


def _numbers(values: list[Any]) -> list[Decimal]:
    for position, value in enumerate(values, 1):
        if type(value) is not Decimal:
            raise FunctionError(f"item {position} is {arguments.describe(value)}, not a number")
    return values


def _index(position: Any, size: int, name: str = "position") -> int:
    """The 0-based index of an existing item at a 1-based (or negative) position."""
    p = arguments.integer(position, name)
    if 0 < p <= size:
        return p - 1
    if p < 0 and -p <= size:
        return size + p
    raise FunctionError(f"'{name}' {p} is outside a list of {size} items")


def _sum(values: list[Decimal]) -> Decimal:
    total = Decimal(0)
    for value in values:
        total = DECIMAL128.add(total, value)
    return total


# ---------------------------------------------------------------- membership and size


@builtin("list contains", ["list", "element"])
def list_contains(list: Any, element: Any) -> bool:
    """Whether the list holds an item equal to the element (null included)."""
    return any(equal(item, element) is True for item in arguments.items(list, "list"))


@builtin("count", ["list"])
def count(list: Any) -> Decimal:
    return Decimal(len(arguments.items(list, "list")))


@builtin("is empty", ["list"])
def is_empty(list: Any) -> bool:
    """Whether a list has no items (feel-scala extension)."""
    if type(list) is not _list:
        raise FunctionError(f"'list' must be a list, not {arguments.describe(list)}")
    return not list


@builtin("index of", ["list", "match"])
def index_of(list: Any, match: Any) -> _list[Decimal]:
    """The positions of the items equal to `match`."""
    values = arguments.items(list, "list")
    return [Decimal(i) for i, item in enumerate(values, 1) if equal(item, match) is True]


# ---------------------------------------------------------------- aggregates


@builtin("min", ["list"], variadic=True)
def min_(*values: Any) -> Any:
    """The smallest item; null for no items."""
    return _extreme(arguments.variadic(values, "list"), -1)


@builtin("max", ["list"], variadic=True)
def max_(*values: Any) -> Any:
    """The largest item; null for no items."""
    return _extreme(arguments.variadic(values, "list"), 1)


def _extreme(values: _list[Any], direction: int) -> Any:
    if not values:
        return None
    best = values[0]
    for value in values[1:]:
        order = compare(value, best)
        if order is None:
            raise FunctionError(
                f"cannot compare {arguments.describe(value)} with {arguments.describe(best)}"
            )
        if order == direction:
            best = value
    if compare(best, best) is None:
        raise FunctionError(f"{arguments.describe(best)} has no order")
    return best


@builtin("sum", ["list"], variadic=True)
def sum_(*values: Any) -> Decimal | None:
    """The sum of the numbers; null for no numbers."""
    numbers = _numbers(arguments.variadic(values, "list"))
    return _sum(numbers) if numbers else None


@builtin("product", ["list"], variadic=True)
def product(*values: Any) -> Decimal | None:
    """The product of the numbers; null for no numbers."""
    numbers = _numbers(arguments.variadic(values, "list"))
    if not numbers:
        return None
    result = Decimal(1)
    for number in numbers:
        result = DECIMAL128.multiply(result, number)
    return result


@builtin("mean", ["list"], variadic=True)
def mean(*values: Any) -> Decimal | None:
    """The arithmetic mean; null for no numbers."""
    numbers = _numbers(arguments.variadic(values, "list"))
    if not numbers:
        return None
    return DECIMAL128.divide(_sum(numbers), Decimal(len(numbers)))


@builtin("median", ["list"], variadic=True)
def median(*values: Any) -> Decimal | None:
    """The middle number, or the mean of the two middle numbers; null for no numbers."""
    numbers = sorted(_numbers(arguments.variadic(values, "list")))
    if not numbers:
        return None
    middle = len(numbers) // 2
    if len(numbers) % 2:
        return numbers[middle]
    return DECIMAL128.divide(DECIMAL128.add(numbers[middle - 1], numbers[middle]), Decimal(2))


@builtin("stddev", ["list"], variadic=True)
def stddev(*values: Any) -> Decimal:
    """The sample standard deviation; null for fewer than two numbers."""
    numbers = _numbers(arguments.variadic(values, "list"))
    if len(numbers) < 2:
        raise FunctionError(f"a standard deviation needs two numbers or more, got {len(numbers)}")
    average = DECIMAL128.divide(_sum(numbers), Decimal(len(numbers)))
    squares = _sum([DECIMAL128.power(DECIMAL128.subtract(n, average), 2) for n in numbers])
    return tidy(DECIMAL128.sqrt(DECIMAL128.divide(squares, Decimal(len(numbers) - 1))))


@builtin("mode", ["list"], variadic=True)
def mode(*values: Any) -> _list[Decimal]:
    """The most frequent numbers, ascending; an empty list for no numbers."""
    numbers = _numbers(arguments.variadic(values, "list"))
    counts: dict[Decimal, int] = {}
    for number in numbers:
        counts[number] = counts.get(number, 0) + 1
    if not counts:
        return []
    most = max(counts.values())
    return sorted(number for number, times in counts.items() if times == most)


def _all(run: Run, name: str, values: tuple[Any, ...]) -> bool | None:
    result: bool | None = True
    for item in arguments.variadic(values, "list"):
        if item is False:
            return False
        if item is not True:
            result = None
            if item is not None:
                run.warn(INVALID_TYPE, f"{name}: {arguments.describe(item)} is not a boolean")
    return result


def _any(run: Run, name: str, values: tuple[Any, ...]) -> bool | None:
    result: bool | None = False
    for item in arguments.variadic(values, "list"):
        if item is True:
            return True
        if item is not False:
            result = None
            if item is not None:
                run.warn(INVALID_TYPE, f"{name}: {arguments.describe(item)} is not a boolean")
    return result


@builtin("all", ["list"], variadic=True, pass_run=True)
def all_(run: Run, *values: Any) -> bool | None:
    """False if any item is false, true if all are true (or none), else null."""
    return _all(run, "all", values)


@builtin("and", ["list"], variadic=True, pass_run=True)
def and_(run: Run, *values: Any) -> bool | None:
    """`all` under feel-scala's other name."""
    return _all(run, "and", values)


@builtin("any", ["list"], variadic=True, pass_run=True)
def any_(run: Run, *values: Any) -> bool | None:
    """True if any item is true, false if all are false (or none), else null."""
    return _any(run, "any", values)


@builtin("or", ["list"], variadic=True, pass_run=True)
def or_(run: Run, *values: Any) -> bool | None:
    """`any` under feel-scala's other name."""
    return _any(run, "or", values)


# ---------------------------------------------------------------- building lists


@builtin("sublist", ["list", "start position", "length"], required=2)
def sublist(list: Any, start: Any, length: Any = arguments.OMITTED) -> _list[Any]:
    """`length` items (or all the rest) from a start position."""
    values = arguments.items(list, "list")
    begin = _index(start, len(values), "start position")
    if length is arguments.OMITTED:
        return values[begin:]
    size = arguments.integer(length, "length")
    if size < 0:
        raise FunctionError(f"'length' must not be negative, got {size}")
    return values[begin : begin + size]


def _append(run: Run, list: Any, *items: Any) -> _list[Any]:
    values = arguments.items(list, "list")
    run.check_items(len(values) + len(items))
    return [*values, *items]


builtin("append", ["list", "items"], required=1, variadic=True, pass_run=True)(_append)
builtin("append", ["list", "item"], required=1, variadic=True, pass_run=True)(_append)


def _concatenate(run: Run, *lists: Any) -> _list[Any]:
    parts = [arguments.items(part, "lists") for part in lists]
    run.check_items(sum(len(part) for part in parts))
    return [item for part in parts for item in part]


builtin("concatenate", ["lists"], required=0, variadic=True, pass_run=True)(_concatenate)
builtin("concatenate", ["list"], required=0, variadic=True, pass_run=True)(_concatenate)


def _union(run: Run, *lists: Any) -> _list[Any]:
    return _distinct(_concatenate(run, *lists))


builtin("union", ["lists"], required=0, variadic=True, pass_run=True)(_union)
builtin("union", ["list"], required=0, variadic=True, pass_run=True)(_union)


@builtin("insert before", ["list", "position", "newItem"])
def insert_before(list: Any, position: Any, new_item: Any) -> _list[Any]:
    """The list with a new item before the item at `position`."""
    values = arguments.items(list, "list")
    index = _index(position, len(values))
    return [*values[:index], new_item, *values[index:]]


@builtin("remove", ["list", "position"])
def remove(list: Any, position: Any) -> _list[Any]:
    """The list without the item at `position`."""
    values = arguments.items(list, "list")
    index = _index(position, len(values))
    return values[:index] + values[index + 1 :]


@builtin("reverse", ["list"])
def reverse(list: Any) -> _list[Any]:
    return arguments.items(list, "list")[::-1]


@builtin("distinct values", ["list"])
def distinct_values(list: Any) -> _list[Any]:
    """The items without repetitions, in order of first appearance."""
    return _distinct(arguments.items(list, "list"))


@builtin("duplicate values", ["list"])
def duplicate_values(list: Any) -> _list[Any]:
    """The items that appear more than once, each once, in order of first appearance."""
    values = arguments.items(list, "list")
    seen, repeated = _Seen(), _Seen()
    for item in values:
        if not seen.add(item):
            repeated.add(item)
    return [item for item in _distinct(values) if item in repeated]


@builtin("flatten", ["list"], pass_run=True)
def flatten(run: Run, list: Any) -> _list[Any]:
    """The items of nested lists, in order, as one list."""
    limit = run.limits.items
    result: _list[Any] = []
    stack = [iter(arguments.items(list, "list"))]
    while stack:
        for item in stack[-1]:
            if type(item) is _list:
                stack.append(iter(item))
                break
            result.append(item)
            if len(result) > limit:
                run.check_items(len(result))
        else:
            stack.pop()
    return result


@builtin("partition", ["list", "size"])
def partition(list: Any, size: Any) -> _list[_list[Any]]:
    """The list cut into sublists of `size` items (the last may be shorter) (feel-scala)."""
    values = arguments.items(list, "list")
    step = arguments.integer(size, "size")
    if step < 1 or step != arguments.number(size, "size"):
        raise FunctionError(
            f"'size' must be a positive whole number, not {arguments.describe(size)}"
        )
    return [values[i : i + step] for i in range(0, len(values), step)]


# ---------------------------------------------------------------- functions over items


def _call_boolean(run: Run, function: FeelFunction, args: _list[Any], role: str) -> bool:
    result = function.invoke(run, args, None)
    if type(result) is not bool:
        raise FunctionError(
            f"the {role} function returned {arguments.describe(result)}, not a boolean"
        )
    return result


@builtin("sort", ["list", "precedes"], pass_run=True)
def sort(run: Run, list: Any, precedes: Any) -> _list[Any]:
    """The items ordered so that `precedes(x, y)` holds for each x before y (stable)."""
    values = arguments.items(list, "list")
    function = arguments.function(precedes, "precedes")

    class Item:
        __slots__ = ("value",)

        def __init__(self, value: Any) -> None:
            self.value = value

        def __lt__(self, other: Item) -> bool:
            return _call_boolean(run, function, [self.value, other.value], "precedes")

    return [item.value for item in sorted(Item(value) for value in values)]


def _list_replace(run: Run, list: Any, position_or_match: Any, new_item: Any) -> _list[Any]:
    values = arguments.items(list, "list")
    if isinstance(position_or_match, FeelFunction):
        return [
            new_item if _call_boolean(run, position_or_match, [item, new_item], "match") else item
            for item in values
        ]
    index = _index(position_or_match, len(values))
    return [*values[:index], new_item, *values[index + 1 :]]


builtin("list replace", ["list", "position", "newItem"], pass_run=True)(_list_replace)


@builtin("list replace", ["list", "match", "newItem"], pass_run=True)
def list_replace_matching(run: Run, list: Any, match: Any, new_item: Any) -> _list[Any]:
    """The list with `newItem` wherever `match(item, newItem)` is true."""
    return _list_replace(run, list, arguments.function(match, "match"), new_item)
