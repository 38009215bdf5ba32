"""The state of one evaluation: variable frames, warnings and the budget against hostile input.

A `Run` is created per evaluation. `Frame`s chain local scopes (context entries, function
parameters, iteration variables) up to a root frame over the caller's variables, which
are converted to FEEL values lazily, on first use, and cached for the rest of the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from feel.errors import LIMIT_EXCEEDED, FeelWarning

MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep a hostile expression from hanging or exhausting memory.

    `steps` counts loop iterations, filter tests and function calls; `items` bounds the
    length of a list the expression builds; `string_length` the length of a string it
    builds; `call_depth` the nesting of user-defined function calls.
    """

    steps: int = 300_000
    items: int = 1_000_000
    string_length: int = 10_000_000
    call_depth: int = 128


DEFAULT_LIMITS = Limits()


class Abort(Exception):
    """Raised inside an evaluation to abandon it as a whole; its result is null.

    Whoever raises it records the warning that says why first.
    """


class LimitExceeded(Abort):
    """The evaluation went over one of its `Limits`."""


class Run:
    """One evaluation: its warnings, budget and limits."""

    __slots__ = ("depth", "limits", "steps", "warnings")

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.warnings: list[FeelWarning] = []
        self.steps = 0
        self.depth = 0
        self.limits = limits

    def warn(self, kind: str, message: str) -> None:
        if len(self.warnings) < 100:
            self.warnings.append(FeelWarning(kind, message))

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > self.limits.steps:
            self.warnings.append(
                FeelWarning(LIMIT_EXCEEDED, f"evaluation stopped after {self.limits.steps} steps")
            )
            raise LimitExceeded

    def check_items(self, size: int) -> None:
        if size > self.limits.items:
            self.warnings.append(
                FeelWarning(LIMIT_EXCEEDED, f"a list of more than {self.limits.items} items")
            )
            raise LimitExceeded

    def check_string(self, text: str) -> str:
        if len(text) > self.limits.string_length:
            self.warnings.append(
                FeelWarning(LIMIT_EXCEEDED, f"a string longer than {self.limits.string_length}")
            )
            raise LimitExceeded
        return text


class Frame:
    """A scope of variables. The root frame reads the caller's variables through `host`."""

    __slots__ = ("host", "parent", "run", "vars")

    def __init__(
        self,
        variables: dict[str, Any],
        parent: Frame | None,
        run: Run,
        host: Mapping[str, Any] | None = None,
    ) -> None:
        self.vars = variables
        self.parent = parent
        self.run = run
        self.host = host

    def child(self, variables: dict[str, Any]) -> Frame:
        return Frame(variables, self, self.run)

    def lookup(self, name: str) -> Any:
        """The FEEL value bound to a name, or MISSING."""
        frame = self
        while True:
            value = frame.vars.get(name, MISSING)
            if value is not MISSING:
                return value
            parent = frame.parent
            if parent is None:
                break
            frame = parent
        host = frame.host
        if host is None:
            return MISSING
        raw = host.get(name, MISSING)
        if raw is MISSING:
            return MISSING
        from feel.mapping import to_feel

        value = to_feel(raw)
        frame.vars[name] = value
        return value

    def root(self) -> Frame:
        frame = self
        while frame.parent is not None:
            frame = frame.parent
        return frame
