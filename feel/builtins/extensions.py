"""feel-scala's extensions: `get or else`, `assert`, `is blank`, `trim`, `uuid`, base64, JSON...

`assert` is the one function that fails a whole evaluation: when its condition is not
true it records an ASSERTION_FAILURE warning with the message and the result of the
expression is null, wherever the call was.

`to json` writes numbers with all their digits (`1.10` as `1.1`, never a float),
dates, times and durations as their ISO strings (a date and time in a named zone as
`2025-11-24T10:00:00+01:00[Europe/Berlin]`, as Camunda does) and ranges as FEEL text;
a function has no JSON form (null). `from json` reads numbers as exact decimals and keeps strings as
strings (no date guessing).
"""

from __future__ import annotations

import base64
import binascii
import builtins
import datetime as dt
import json
import uuid as uuid_module
from decimal import Decimal, DecimalException
from typing import Any

from feel import temporal
from feel.builtins import arguments
from feel.builtins.xml_regex import compile_pattern, time_limited
from feel.errors import ASSERTION_FAILURE, LIMIT_EXCEEDED
from feel.evaluation import Abort, LimitExceeded, Run
from feel.functions import FunctionError, builtin
from feel.text import feel_text, number_text, render
from feel.values import DECIMAL128, FeelFunction, Range, YearsMonthsDuration


@builtin("get or else", ["value", "default"])
def get_or_else(value: Any, default: Any) -> Any:
    """The value, or the default when the value is null."""
    return default if value is None else value


def _assert(run: Run, value: Any, condition: Any, cause: Any = None) -> Any:
    if condition is True:
        return value
    if cause is None:
        message = f"the condition is not fulfilled (it is {render(condition)})"
    else:
        message = cause if type(cause) is str else render(cause)
    run.warn(ASSERTION_FAILURE, message)
    raise Abort


builtin("assert", ["value", "condition"], pass_run=True)(_assert)
builtin("assert", ["value", "condition", "cause"], pass_run=True)(_assert)


@builtin("is blank", ["string"])
def is_blank(string: Any) -> bool:
    """Whether the string is empty or only whitespace."""
    return not arguments.string(string, "string").strip()


@builtin("trim", ["string"])
def trim(string: Any) -> str:
    """The string without leading and trailing whitespace."""
    return arguments.string(string, "string").strip()


@builtin("uuid")
def uuid() -> str:
    """A random (version 4) UUID, 36 characters."""
    return str(uuid_module.uuid4())


@builtin("to base64", ["value"], pass_run=True)
def to_base64(run: Run, value: Any) -> str:
    """The UTF-8 bytes of the string, in Base64."""
    text = arguments.string(value, "value")
    return run.check_string(base64.b64encode(text.encode("utf-8", "surrogatepass")).decode("ascii"))


@builtin("from base64", ["value"])
def from_base64(value: Any) -> str:
    """The string whose UTF-8 bytes the Base64 text encodes."""
    text = arguments.string(value, "value")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as error:
        raise FunctionError(f"not Base64 of UTF-8 text: {error}") from None


# ---------------------------------------------------------------- JSON


def _zoned_text(value: dt.datetime) -> str | None:
    """`2025-11-24T10:00:00+01:00[Europe/Berlin]` for a date and time in a named zone."""
    key = getattr(value.tzinfo, "key", None)
    offset = value.utcoffset()
    if not key or offset is None:
        return None
    local = temporal.to_string(value.replace(tzinfo=None))
    seconds = int(offset.total_seconds())
    if seconds == 0:
        zone = "Z"
    else:
        sign = "-" if seconds < 0 else "+"
        hours, rest = divmod(abs(seconds), 3600)
        zone = f"{sign}{hours:02d}:{rest // 60:02d}" + (f":{rest % 60:02d}" if rest % 60 else "")
    return f"{local}{zone}[{key}]"


class _TooLong(Exception):
    pass


class _Writer:
    """JSON text in pieces, stopped as soon as it grows past the string limit."""

    def __init__(self, limit: int) -> None:
        self.pieces: list[str] = []
        self.length = 0
        self.limit = limit

    def add(self, text: str) -> None:
        self.length += len(text)
        if self.length > self.limit:
            raise _TooLong
        self.pieces.append(text)

    def value(self, value: Any) -> None:
        kind = type(value)
        if value is None:
            self.add("null")
        elif kind is bool:
            self.add("true" if value else "false")
        elif kind is Decimal:
            self.add(number_text(value))
        elif kind is str:
            self.add(json.dumps(value, ensure_ascii=False))
        elif kind is list:
            self.add("[")
            for index, item in enumerate(value):
                if index:
                    self.add(",")
                self.value(item)
            self.add("]")
        elif kind is dict:
            self.add("{")
            for index, (key, item) in enumerate(value.items()):
                if index:
                    self.add(",")
                self.add(json.dumps(str(key), ensure_ascii=False) + ":")
                self.value(item)
            self.add("}")
        elif isinstance(value, FeelFunction):
            raise FunctionError("a function has no JSON form")
        elif kind is Range:
            self.add(json.dumps(feel_text(value), ensure_ascii=False))
        else:
            text = (_zoned_text(value) if kind is dt.datetime else None) or temporal.to_string(
                value
            )
            self.add("null" if text is None else json.dumps(text))


@builtin("to json", ["value"], pass_run=True)
def to_json(run: Run, value: Any) -> str:
    """The value as a JSON text."""
    writer = _Writer(run.limits.string_length)
    try:
        writer.value(value)
    except RecursionError:
        raise FunctionError("the value is nested too deeply") from None
    except _TooLong:
        run.warn(LIMIT_EXCEEDED, f"to json: a string longer than {writer.limit}")
        raise LimitExceeded from None
    return "".join(writer.pieces)


def _reject_constant(name: str) -> Any:
    raise FunctionError(f"'{name}' is not a JSON number")


def _json_number(text: str) -> Decimal:
    try:
        return DECIMAL128.plus(Decimal(text))
    except DecimalException:
        raise FunctionError(f"the number {text[:40]} is too large") from None


@builtin("from json", ["value"])
def from_json(value: Any) -> Any:
    """The FEEL value of a JSON text: objects are contexts, arrays lists, numbers exact."""
    text = arguments.string(value, "value")
    try:
        return json.loads(
            text, parse_float=_json_number, parse_int=_json_number, parse_constant=_reject_constant
        )
    except json.JSONDecodeError as error:
        raise FunctionError(f"not JSON: {error}") from None
    except RecursionError:
        raise FunctionError("the JSON is nested too deeply") from None


# ---------------------------------------------------------------- regular expressions


@builtin("extract", ["string", "pattern"], pass_run=True)
def extract(run: Run, string: Any, pattern: Any) -> list[str]:
    """Every match of the pattern in the string, in order."""
    text = arguments.string(string, "string")
    compiled = compile_pattern(arguments.string(pattern, "pattern"))
    with time_limited(run):
        return compiled.find_all(text)


# ---------------------------------------------------------------- Camunda 8


def _optional(value: Any, name: str, kind: type, kind_name: str) -> None:
    if value is not None and type(value) is not kind:
        raise FunctionError(
            f"'{name}' must be null or a {kind_name}, not {arguments.describe(value)}"
        )


@builtin("fromAi", ["value", "description", "type", "schema", "options"], required=1)
def from_ai(
    value: Any, description: Any = None, type: Any = None, schema: Any = None, options: Any = None
) -> Any:
    """The value unchanged: Camunda's tag for a value an AI agent supplies to a tool call.

    The other parameters describe the value for the integration that reads the
    expression (the AI agent connector); evaluation only checks their types.
    """
    _optional(description, "description", str, "string")
    _optional(type, "type", str, "string")
    _optional(schema, "schema", dict, "context")
    _optional(options, "options", dict, "context")
    return value


def _cycle(repetitions: Any, interval: Any) -> str:
    if builtins.type(interval) not in (dt.timedelta, YearsMonthsDuration):
        raise FunctionError(f"'interval' must be a duration, not {arguments.describe(interval)}")
    count = ""
    if repetitions is not None:
        times = arguments.integer(repetitions, "repetitions")
        if times < 0 or times != arguments.number(repetitions, "repetitions"):
            wrong = arguments.describe(repetitions)
            raise FunctionError(f"'repetitions' must be a whole number from 0, not {wrong}")
        count = str(times)
    return f"R{count}/{temporal.to_string(interval)}"


@builtin("cycle", ["repetitions", "interval"])
def cycle(repetitions: Any, interval: Any) -> str:
    """Zeebe's timer cycle as ISO 8601 text: `cycle(3, duration("PT1H"))` is "R3/PT1H".

    Null repetitions (or `cycle(interval)`) repeat without end: "R/P7D".
    """
    return _cycle(repetitions, interval)


@builtin("cycle", ["interval"])
def cycle_forever(interval: Any) -> str:
    return _cycle(None, interval)
