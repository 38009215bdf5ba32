"""String functions of DMN 1.5, with feel-scala's `string join` prefix and suffix.

Lengths and positions count Unicode code points, so an emoji is one character.
Positions are 1-based; a negative position counts from the end. `matches`, `replace`
and `split` take XPath regular expressions (see feel.builtins.xml_regex).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from feel.builtins import arguments
from feel.builtins.xml_regex import ResultTooLong, compile_pattern, time_limited
from feel.errors import LIMIT_EXCEEDED
from feel.evaluation import LimitExceeded, Run
from feel.functions import FunctionError, builtin


@builtin("substring", ["string", "start position", "length"], required=2)
def substring(string: Any, start: Any, length: Any = arguments.OMITTED) -> str:
    """`length` characters (or the rest) from the start position; fractions are dropped."""
    text = arguments.string(string, "string")
    position = arguments.integer(start, "start position")
    size = len(text)
    # a 0-based begin; position 0 is the place before the first character, as in XPath
    begin = position - 1 if position > 0 else size + position if position < 0 else -1
    end = size if length is arguments.OMITTED else begin + arguments.integer(length, "length")
    begin, end = max(begin, 0), min(end, size)
    return text[begin:end] if begin < end else ""


@builtin("string length", ["string"])
def string_length(string: Any) -> Decimal:
    return Decimal(len(arguments.string(string, "string")))


@builtin("upper case", ["string"], pass_run=True)
def upper_case(run: Run, string: Any) -> str:
    return run.check_string(arguments.string(string, "string").upper())


@builtin("lower case", ["string"], pass_run=True)
def lower_case(run: Run, string: Any) -> str:
    return run.check_string(arguments.string(string, "string").lower())


@builtin("substring before", ["string", "match"])
def substring_before(string: Any, match: Any) -> str:
    """The text before the first occurrence of `match`; empty when it does not occur."""
    text, found = arguments.string(string, "string"), arguments.string(match, "match")
    index = text.find(found)
    return text[:index] if index > 0 else ""


@builtin("substring after", ["string", "match"])
def substring_after(string: Any, match: Any) -> str:
    """The text after the first occurrence of `match`; empty when it does not occur."""
    text, found = arguments.string(string, "string"), arguments.string(match, "match")
    index = text.find(found)
    return text[index + len(found) :] if index >= 0 else ""


@builtin("contains", ["string", "match"])
def contains(string: Any, match: Any) -> bool:
    return arguments.string(match, "match") in arguments.string(string, "string")


@builtin("starts with", ["string", "match"])
def starts_with(string: Any, match: Any) -> bool:
    return arguments.string(string, "string").startswith(arguments.string(match, "match"))


@builtin("ends with", ["string", "match"])
def ends_with(string: Any, match: Any) -> bool:
    return arguments.string(string, "string").endswith(arguments.string(match, "match"))


def _flags(flags: Any) -> str:
    return "" if flags is None else arguments.string(flags, "flags")


@builtin("matches", ["input", "pattern", "flags"], required=2, pass_run=True)
def matches(run: Run, input: Any, pattern: Any, flags: Any = None) -> bool:
    """Whether the pattern matches somewhere in the input (anchor it with ^ and $)."""
    text = arguments.string(input, "input")
    compiled = compile_pattern(arguments.string(pattern, "pattern"), _flags(flags))
    with time_limited(run):
        return compiled.search(text)


@builtin("replace", ["input", "pattern", "replacement", "flags"], required=3, pass_run=True)
def replace(run: Run, input: Any, pattern: Any, replacement: Any, flags: Any = None) -> str:
    """Every match replaced; `$1` in the replacement is the first group, `$0` the match."""
    text = arguments.string(input, "input")
    compiled = compile_pattern(arguments.string(pattern, "pattern"), _flags(flags))
    limit = run.limits.string_length
    try:
        with time_limited(run):
            return compiled.replace(text, arguments.string(replacement, "replacement"), limit)
    except ResultTooLong:
        run.warn(LIMIT_EXCEEDED, f"replace: a string longer than {limit}")
        raise LimitExceeded from None


@builtin("split", ["string", "delimiter"], pass_run=True)
def split(run: Run, string: Any, delimiter: Any) -> list[str]:
    """The parts between the matches of the delimiter pattern (`split("a;b", ";")`)."""
    text = arguments.string(string, "string")
    compiled = compile_pattern(arguments.string(delimiter, "delimiter"))
    with time_limited(run):
        return compiled.split(text)


def _join(
    run: Run, items: Any, delimiter: Any = None, prefix: Any = None, suffix: Any = None
) -> str:
    parts = []
    for position, item in enumerate(arguments.items(items, "list"), 1):
        if item is None:
            continue  # nulls are skipped
        if type(item) is not str:
            raise FunctionError(f"item {position} is {arguments.describe(item)}, not a string")
        parts.append(item)

    def text(value: Any, name: str) -> str:
        return "" if value is None else arguments.string(value, name)

    separator = text(delimiter, "delimiter")
    total = sum(map(len, parts)) + len(separator) * max(len(parts) - 1, 0)
    if total > run.limits.string_length:  # refuse before building it
        run.warn(LIMIT_EXCEEDED, f"string join: a string longer than {run.limits.string_length}")
        raise LimitExceeded
    joined = text(prefix, "prefix") + separator.join(parts) + text(suffix, "suffix")
    return run.check_string(joined)


builtin("string join", ["list", "delimiter"], required=1, pass_run=True)(_join)
builtin("string join", ["list", "delimiter", "prefix", "suffix"], pass_run=True)(_join)
