"""Boolean functions: `not`."""

from __future__ import annotations

from typing import Any

from feel.functions import builtin


@builtin("not", ["negand"])
def not_(negand: Any) -> bool | None:
    """Logical negation; null for anything that is not a boolean."""
    if type(negand) is bool:
        return not negand
    return None


@builtin("is defined", ["value"])
def is_defined(value: Any) -> bool:
    """Whether the value exists and is not null (feel-scala 1.17+: false for null)."""
    return value is not None
