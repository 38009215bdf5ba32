"""Range functions (DMN 1.5, table 78): `before`, `after`, `meets`, `met by`,
`overlaps`, `overlaps before`, `overlaps after`, `finishes`, `finished by`, `includes`,
`during`, `starts`, `started by`, `coincides`, and `range`, which reads a range from
its FEEL text (table 72).

Each relation takes two points, a point and a range, or two ranges, as its
overloads allow; the table's formulas are written out below one per overload. The
missing endpoint of a range made from a comparison (`< 10`, or `range("(..10)")`) is
unbounded; a null endpoint of a literal range (`(null..10)`) is unknown, and so is
every relation that needs it (null). Points that cannot be compared with each other
(a number and a date) give null too, with a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from feel.builtins.conversion import date_from, date_time_from, duration_from, time_from
from feel.errors import FeelSyntaxError
from feel.functions import FunctionError, builtin
from feel.nodes import Invocation, Literal, Name
from feel.parser import parse
from feel.text import render
from feel.values import FeelFunction, Range, compare, type_name

# ---------------------------------------------------------------- endpoints


class _Unbounded:
    """The missing side of a half-bounded range: below (-1) or above (+1) every value."""

    __slots__ = ("side",)

    def __init__(self, side: int) -> None:
        self.side = side

    def __repr__(self) -> str:
        return "-inf" if self.side < 0 else "+inf"


_BELOW, _ABOVE = _Unbounded(-1), _Unbounded(1)


def _order(a: Any, b: Any) -> int:
    """-1, 0 or 1 for two endpoints or points; unbounded sides compare as infinities."""
    if isinstance(a, _Unbounded) or isinstance(b, _Unbounded):
        sa = a.side if isinstance(a, _Unbounded) else 0
        sb = b.side if isinstance(b, _Unbounded) else 0
        return (sa > sb) - (sa < sb)
    order = compare(a, b)
    if order is None:
        raise FunctionError(f"{render(a, 40)} and {render(b, 40)} cannot be compared")
    return order


def _lt(a: Any, b: Any) -> bool:
    return _order(a, b) < 0


def _gt(a: Any, b: Any) -> bool:
    return _order(a, b) > 0


def _eq(a: Any, b: Any) -> bool:
    return _order(a, b) == 0


class _Span:
    """A range argument with its unbounded sides made explicit."""

    __slots__ = ("end", "end_included", "start", "start_included")

    def __init__(self, value: Range) -> None:
        if value.comparison == "!=":
            raise FunctionError(f"{render(value)} is not an interval")
        self.start: Any = _BELOW if value.start_unbounded else value.start
        self.end: Any = _ABOVE if value.end_unbounded else value.end
        if self.start is None or self.end is None:
            raise FunctionError(f"the range {render(value)} has a null endpoint")
        self.start_included = value.start_included
        self.end_included = value.end_included


def _point(value: Any) -> Any:
    if value is None:
        raise FunctionError("a point is null")
    if type(value) in (list, dict) or isinstance(value, FeelFunction):
        raise FunctionError(f"a point must be a comparable value, not {type_name(value)}")
    return value


# ---------------------------------------------------------------- the relations

Relation = Callable[[Any, Any], bool]


def _relation(
    name: str,
    signatures: Sequence[tuple[str, str]],
    *,
    points: Relation | None = None,
    point_range: Relation | None = None,
    range_point: Relation | None = None,
    ranges: Relation | None = None,
) -> None:
    """Register a range function: one implementation that picks the overload by type."""

    def invoke(a: Any, b: Any) -> bool:
        a_range, b_range = type(a) is Range, type(b) is Range
        if a_range and b_range:
            handler, x, y = ranges, _Span(a), _Span(b)
        elif a_range:
            handler, x, y = range_point, _Span(a), _point(b)
        elif b_range:
            handler, x, y = point_range, _point(a), _Span(b)
        else:
            handler, x, y = points, _point(a), _point(b)
        if handler is None:
            kinds = (
                f"{'a range' if a_range else 'a point'} and {'a range' if b_range else 'a point'}"
            )
            raise FunctionError(f"'{name}' is not defined for {kinds}")
        return handler(x, y)

    invoke.__name__ = name.replace(" ", "_")
    for params in signatures:
        builtin(name, params)(invoke)


_POINTS = ("point1", "point2")
_POINT_RANGE = ("point", "range")
_RANGE_POINT = ("range", "point")
_RANGES = ("range1", "range2")

_relation(
    "before",
    [_POINTS, _POINT_RANGE, _RANGE_POINT, _RANGES],
    points=lambda p1, p2: _lt(p1, p2),
    point_range=lambda p, r: _lt(p, r.start) or (_eq(p, r.start) and not r.start_included),
    range_point=lambda r, p: _lt(r.end, p) or (_eq(r.end, p) and not r.end_included),
    ranges=lambda r1, r2: (
        _lt(r1.end, r2.start)
        or ((not r1.end_included or not r2.start_included) and _eq(r1.end, r2.start))
    ),
)

_relation(
    "after",
    [_POINTS, _POINT_RANGE, _RANGE_POINT, _RANGES],
    points=lambda p1, p2: _gt(p1, p2),
    point_range=lambda p, r: _gt(p, r.end) or (_eq(p, r.end) and not r.end_included),
    range_point=lambda r, p: _gt(r.start, p) or (_eq(r.start, p) and not r.start_included),
    ranges=lambda r1, r2: (
        _gt(r1.start, r2.end)
        or ((not r1.start_included or not r2.end_included) and _eq(r1.start, r2.end))
    ),
)

_relation(
    "meets",
    [_RANGES],
    ranges=lambda r1, r2: r1.end_included and r2.start_included and _eq(r1.end, r2.start),
)

_relation(
    "met by",
    [_RANGES],
    ranges=lambda r1, r2: r1.start_included and r2.end_included and _eq(r1.start, r2.end),
)


def _overlaps(r1: _Span, r2: _Span) -> bool:
    return (
        _gt(r1.end, r2.start) or (_eq(r1.end, r2.start) and r1.end_included and r2.start_included)
    ) and (
        _lt(r1.start, r2.end) or (_eq(r1.start, r2.end) and r1.start_included and r2.end_included)
    )


def _overlaps_before(r1: _Span, r2: _Span) -> bool:
    return (
        (
            _lt(r1.start, r2.start)
            or (_eq(r1.start, r2.start) and r1.start_included and not r2.start_included)
        )
        and (
            _gt(r1.end, r2.start)
            or (_eq(r1.end, r2.start) and r1.end_included and r2.start_included)
        )
        and (
            _lt(r1.end, r2.end)
            or (_eq(r1.end, r2.end) and (not r1.end_included or r2.end_included))
        )
    )


_relation("overlaps", [_RANGES], ranges=_overlaps)
_relation("overlaps before", [_RANGES], ranges=_overlaps_before)
_relation("overlaps after", [_RANGES], ranges=lambda r1, r2: _overlaps_before(r2, r1))


def _finishes(r1: _Span, r2: _Span) -> bool:
    return (
        r1.end_included == r2.end_included
        and _eq(r1.end, r2.end)
        and (
            _gt(r1.start, r2.start)
            or (_eq(r1.start, r2.start) and (not r1.start_included or r2.start_included))
        )
    )


_relation(
    "finishes",
    [_POINT_RANGE, _RANGES],
    point_range=lambda p, r: r.end_included and _eq(r.end, p),
    ranges=_finishes,
)

_relation(
    "finished by",
    [_RANGE_POINT, _RANGES],
    range_point=lambda r, p: r.end_included and _eq(r.end, p),
    ranges=lambda r1, r2: _finishes(r2, r1),
)


def _includes_point(r: _Span, p: Any) -> bool:
    return (
        (_lt(r.start, p) and _gt(r.end, p))
        or (_eq(r.start, p) and r.start_included)
        or (_eq(r.end, p) and r.end_included)
    )


def _includes(r1: _Span, r2: _Span) -> bool:
    return (
        _lt(r1.start, r2.start)
        or (_eq(r1.start, r2.start) and (r1.start_included or not r2.start_included))
    ) and (
        _gt(r1.end, r2.end) or (_eq(r1.end, r2.end) and (r1.end_included or not r2.end_included))
    )


_relation("includes", [_RANGE_POINT, _RANGES], range_point=_includes_point, ranges=_includes)
_relation(
    "during",
    [_POINT_RANGE, _RANGES],
    point_range=lambda p, r: _includes_point(r, p),
    ranges=lambda r1, r2: _includes(r2, r1),
)


def _starts(r1: _Span, r2: _Span) -> bool:
    return (
        _eq(r1.start, r2.start)
        and r1.start_included == r2.start_included
        and (
            _lt(r1.end, r2.end)
            or (_eq(r1.end, r2.end) and (not r1.end_included or r2.end_included))
        )
    )


_relation(
    "starts",
    [_POINT_RANGE, _RANGES],
    point_range=lambda p, r: _eq(r.start, p) and r.start_included,
    ranges=_starts,
)

_relation(
    "started by",
    [_RANGE_POINT, _RANGES],
    range_point=lambda r, p: _eq(r.start, p) and r.start_included,
    ranges=lambda r1, r2: _starts(r2, r1),
)

_relation(
    "coincides",
    [_POINTS, _RANGES],
    points=lambda p1, p2: _eq(p1, p2),
    ranges=lambda r1, r2: (
        _eq(r1.start, r2.start)
        and r1.start_included == r2.start_included
        and _eq(r1.end, r2.end)
        and r1.end_included == r2.end_included
    ),
)


# ---------------------------------------------------------------- range(from)

_OPENING = {"[": True, "(": False, "]": False}
_CLOSING = {"]": True, ")": False, "[": False}
_CONSTRUCTORS: dict[str, Callable[[Any], Any]] = {
    "date": date_from,
    "time": time_from,
    "date and time": date_time_from,
    "duration": duration_from,
}


@builtin("range", ["from"])
def range_from(text: Any) -> Range:
    """The range a string writes as a FEEL range literal (grammar rule 66).

    Endpoints are literals only: numbers, strings, `@"..."` temporals, or `date`,
    `time`, `date and time` and `duration` of a string literal. An endpoint may be left
    out on an open side: `range("[2..)")` is `>= 2`, `range("(..2)")` is `< 2`.
    """
    if type(text) is not str:
        raise FunctionError(f"from must be a string, not {type_name(text)}")
    source = text.strip()
    if len(source) < 4 or source[0] not in _OPENING or source[-1] not in _CLOSING:
        raise FunctionError(f"'{text}' is not a range literal such as [1..10)")
    start_included, end_included = _OPENING[source[0]], _CLOSING[source[-1]]
    low_text, high_text = _split(source[1:-1], text)
    low, high = _endpoint(low_text, text), _endpoint(high_text, text)
    if low is None and high is None:
        raise FunctionError(f"the range '{text}' has no endpoint")
    if low is None:
        if start_included:
            raise FunctionError(f"the range '{text}' includes a missing start")
        return Range(None, high, False, end_included, "<=" if end_included else "<")
    if high is None:
        if end_included:
            raise FunctionError(f"the range '{text}' includes a missing end")
        return Range(low, None, start_included, False, ">=" if start_included else ">")
    order = compare(low, high)
    if order is None:
        raise FunctionError(f"the endpoints of '{text}' cannot be compared")
    if order > 0:
        raise FunctionError(f"the range '{text}' starts after it ends")
    return Range(low, high, start_included, end_included)


def _split(inner: str, text: str) -> tuple[str, str]:
    """The two endpoint texts around the one `..` that is not inside a string literal."""
    cuts: list[int] = []
    i, quoted = 0, False
    while i < len(inner):
        char = inner[i]
        if quoted:
            if char == "\\":
                i += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif inner.startswith("..", i):
            cuts.append(i)
            i += 1
        i += 1
    if len(cuts) != 1:
        raise FunctionError(f"'{text}' is not a range literal such as [1..10)")
    return inner[: cuts[0]].strip(), inner[cuts[0] + 2 :].strip()


def _endpoint(source: str, text: str) -> Any:
    """The value of one endpoint literal, or None when it is left out."""
    if not source:
        return None
    try:
        node = parse(source)
    except FeelSyntaxError:
        raise FunctionError(f"'{source}' in '{text}' is not a literal") from None
    if isinstance(node, Literal) and node.value is not None and type(node.value) is not bool:
        return node.value
    if (
        isinstance(node, Invocation)
        and isinstance(node.function, Name)
        and node.function.name in _CONSTRUCTORS
        and node.named is None
        and len(node.args) == 1
        and isinstance(node.args[0], Literal)
        and type(node.args[0].value) is str
    ):
        return _CONSTRUCTORS[node.function.name](node.args[0].value)
    raise FunctionError(f"'{source}' in '{text}' is not a literal endpoint")
