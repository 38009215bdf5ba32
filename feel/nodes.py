"""The FEEL abstract syntax tree: plain frozen data, one class per construct, no behaviour.

The parser (feel/parser.py) builds these from lark's parse tree; the compiler
(feel/compiler.py) turns them into Python closures. Temporal literals are folded at
parse time into `Literal` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Node:
    """Base of every AST node."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A constant: number, string, boolean, null, or a folded temporal literal."""

    value: Any


@dataclass(frozen=True, slots=True)
class InvalidLiteral(Node):
    """A temporal literal whose text is not a valid value: null with this warning."""

    message: str


@dataclass(frozen=True, slots=True)
class Name(Node):
    name: str


@dataclass(frozen=True, slots=True)
class Path(Node):
    """`base.key`: a context entry, a property, or a projection over a list."""

    base: Node
    key: str


@dataclass(frozen=True, slots=True)
class Filter(Node):
    """`base[condition]`: an index (number) or a filter (boolean per item)."""

    base: Node
    condition: Node


@dataclass(frozen=True, slots=True)
class Invocation(Node):
    """`function(args)`: positional when `named` is None, else by parameter name."""

    function: Node
    args: tuple[Node, ...]
    named: tuple[tuple[str, Node], ...] | None = None


@dataclass(frozen=True, slots=True)
class Negation(Node):
    operand: Node


@dataclass(frozen=True, slots=True)
class Arithmetic(Node):
    op: str  # + - * / **
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Comparison(Node):
    op: str  # = != < <= > >=
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Between(Node):
    value: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True)
class UnaryComparison(Node):
    """`< 10` and friends: a unary test, or, standing alone, a range value."""

    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class In(Node):
    """`value in tests`: true when any of the positive unary tests holds."""

    value: Node
    tests: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Conjunction(Node):
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Disjunction(Node):
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class If(Node):
    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class Iteration(Node):
    """One `name in source` (or `name in start..end`) of a for or quantified expression."""

    name: str
    source: Node
    end: Node | None = None


@dataclass(frozen=True, slots=True)
class For(Node):
    iterations: tuple[Iteration, ...]
    body: Node


@dataclass(frozen=True, slots=True)
class Quantified(Node):
    every: bool
    iterations: tuple[Iteration, ...]
    condition: Node


@dataclass(frozen=True, slots=True)
class ListNode(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ContextNode(Node):
    entries: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class RangeNode(Node):
    start: Node
    end: Node
    start_included: bool
    end_included: bool


# ---------------------------------------------------------------- types


class TypeSpec:
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class NamedType(TypeSpec):
    name: str


@dataclass(frozen=True, slots=True)
class ListType(TypeSpec):
    item: TypeSpec


@dataclass(frozen=True, slots=True)
class RangeType(TypeSpec):
    item: TypeSpec


@dataclass(frozen=True, slots=True)
class ContextType(TypeSpec):
    entries: tuple[tuple[str, TypeSpec], ...]


@dataclass(frozen=True, slots=True)
class FunctionType(TypeSpec):
    params: tuple[TypeSpec, ...]
    result: TypeSpec


@dataclass(frozen=True, slots=True)
class InstanceOf(Node):
    value: Node
    type: TypeSpec


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    type: TypeSpec | None = None


@dataclass(frozen=True, slots=True)
class FunctionDefinition(Node):
    params: tuple[Parameter, ...]
    body: Node
    external: bool = False


# ---------------------------------------------------------------- unary tests


@dataclass(frozen=True, slots=True)
class UnaryTests(Node):
    """A DMN input entry: `-` (any), `not(...)`, or positive tests separated by commas."""

    tests: tuple[Node, ...]
    negated: bool = False
    any_input: bool = False
