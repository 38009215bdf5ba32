"""Errors and warnings of the FEEL engine.

    FeelError                 base of everything the engine raises
     └── FeelSyntaxError      the text is not FEEL (line, column, caret excerpt)

Only syntax errors raise. Evaluation errors follow the DMN specification: the
result (or the failing part of it) is null, and a `FeelWarning` records why.
"""

from __future__ import annotations

from dataclasses import dataclass


class FeelError(Exception):
    """Base class of the FEEL engine's exceptions."""


EXCERPT_WIDTH = 120


class FeelSyntaxError(FeelError):
    """An expression that cannot be parsed.

    `line` and `column` are 1-based; `excerpt` is the offending line with a caret
    under the column.
    """

    def __init__(self, message: str, expression: str, line: int, column: int) -> None:
        self.reason = message
        self.expression = expression
        self.line = line
        self.column = column
        lines = expression.splitlines() or [""]
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        caret = max(column - 1, 0)
        if len(text) > EXCERPT_WIDTH:  # show a window around the column of a long line
            start = max(0, min(caret - EXCERPT_WIDTH // 2, len(text) - EXCERPT_WIDTH))
            text = text[start : start + EXCERPT_WIDTH]
            caret -= start
        self.excerpt = f"{text}\n{' ' * caret}^"
        super().__init__(f"{message} (line {line}, column {column})\n{self.excerpt}")


@dataclass(frozen=True, slots=True)
class FeelWarning:
    """Why (part of) an evaluation gave null: a kind for machines, a message for people."""

    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


# Warning kinds
NO_VARIABLE_FOUND = "NO_VARIABLE_FOUND"
NO_CONTEXT_ENTRY_FOUND = "NO_CONTEXT_ENTRY_FOUND"
NO_PROPERTY_FOUND = "NO_PROPERTY_FOUND"
NOT_A_FUNCTION = "NOT_A_FUNCTION"
NO_FUNCTION_FOUND = "NO_FUNCTION_FOUND"
FUNCTION_INVOCATION_FAILURE = "FUNCTION_INVOCATION_FAILURE"
INVALID_TYPE = "INVALID_TYPE"
NOT_COMPARABLE = "NOT_COMPARABLE"
INVALID_LITERAL = "INVALID_LITERAL"
ASSERTION_FAILURE = "ASSERTION_FAILURE"
LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
