"""FEEL values as FEEL text: for `string()`, for JSON output, and (shortened) for messages.

One writer serves all three. `feel_text` writes a value in full as FEEL reads it back
(numbers in plain notation with all their digits, strings quoted inside collections,
temporals as `@"..."` literals there, ranges as `range()` accepts them: `< 10` is
`(..10)`). `render` writes the same text cut short (ten items, three levels, a length)
for warnings and error messages, so that a huge value never makes a huge message.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from feel import temporal
from feel.values import DECIMAL128, FeelFunction, Range, type_name

_PLAIN_KEY = re.compile(r"[^\W\d]\w*( \w+)*")


def number_text(value: Decimal) -> str:
    """A number as FEEL writes it: plain notation, no trailing zeros, all 34 digits."""
    if value.is_zero():
        return "0"
    # normalize() in Python's default context would round to 28 digits
    return format(DECIMAL128.normalize(value), "f")


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def feel_text(value: Any, nested: bool = False) -> str:
    """The full FEEL text of a value; a string is quoted when `nested` (inside a list...).

    Raises:
        ValueError: a value with no FEEL text (not a FEEL value at all).
    """
    return _write(value, nested, None, 0)


def render(value: Any, limit: int = 80) -> str:
    """A short FEEL text of a value for messages: ten items, three levels, `limit` characters."""
    text = _write(value, True, 10, 0)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _write(value: Any, nested: bool, items: int | None, depth: int) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is str:
        return quote(value) if nested else value
    if kind is Decimal:
        return number_text(value)
    if items is not None and depth > 3 and kind in (list, dict, Range):
        return "..."
    if kind is list:
        shown = value if items is None else value[:items]
        more = ", ..." if len(shown) < len(value) else ""
        return "[" + ", ".join(_write(v, True, items, depth + 1) for v in shown) + more + "]"
    if kind is dict:
        entries = list(value.items())
        shown = entries if items is None else entries[:items]
        more = ", ..." if len(shown) < len(entries) else ""
        body = ", ".join(f"{_key(k)}: {_write(v, True, items, depth + 1)}" for k, v in shown)
        return "{" + body + more + "}"
    if kind is Range:
        return _range(value, items, depth)
    text = temporal.to_string(value)
    if text is not None:
        return f'@"{text}"' if nested else text
    if isinstance(value, FeelFunction):
        return f"function({', '.join(value.params)})"
    if items is not None:
        return repr(value)
    raise ValueError(f"cannot write {type_name(value)} as FEEL text")


def _key(key: str) -> str:
    return key if _PLAIN_KEY.fullmatch(key) else quote(key)


def _range(value: Range, items: int | None, depth: int) -> str:
    if value.comparison == "!=":
        return f"!= {_write(value.start, True, items, depth + 1)}"
    left = "[" if value.start_included else "("
    right = "]" if value.end_included else ")"
    start = "" if value.start is None else _write(value.start, True, items, depth + 1)
    end = "" if value.end is None else _write(value.end, True, items, depth + 1)
    return f"{left}{start}..{end}{right}"
