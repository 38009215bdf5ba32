"""The functions an error expression may call, and what their results mean.

- `bpmnError(errorCode[, errorMessage[, variables]])`: throw a BPMN error;
- `jobError(errorMessage[, variables[, retries[, retryBackoff]]])`: fail the job with those
  retries (default 0: an incident) after that backoff (a duration or ISO-8601 text);
- `ignoreError([variables])`: complete the job with just those variables;
- `backoff(attempt[, minDelay[, factor[, maxDelay[, jitterFactor]]]])`: an exponential
  delay for `jobError`: `minDelay * factor^(attempt - 1)`, at most `maxDelay`, with a random
  spread of `jitterFactor` either way (defaults PT0.05S, 1.6, PT5S, 0.1, as Camunda's).

They take positional or named arguments, and return contexts with an `errorType` entry, so
an expression may also write such a context itself (`{errorType: "bpmnError", errorCode:
"X"}`). A call with wrong arguments is recorded: the connector then treats the whole
expression as broken instead of reading its null result as "no error".
"""

from __future__ import annotations

import inspect
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import feel
from worker.durations import parse_iso_duration

_UNSET = inspect.Parameter.empty


@dataclass(frozen=True, slots=True)
class BpmnError:
    code: str
    message: str
    variables: dict[str, Any]


@dataclass(frozen=True, slots=True)
class JobError:
    message: str
    variables: dict[str, Any]
    retries: int
    backoff_ms: int


@dataclass(frozen=True, slots=True)
class IgnoreError:
    variables: dict[str, Any]


Decision = BpmnError | JobError | IgnoreError


@dataclass
class ErrorFunctions:
    """One evaluation's functions, and the problems met while calling them."""

    failures: list[str] = field(default_factory=list)

    def variables(self) -> dict[str, Callable[..., Any]]:
        """The functions, by name, to put in the expression's context."""
        return {
            "bpmnError": self._function(
                "bpmnError", ("errorCode", "errorMessage", "variables"), 1, _bpmn_error
            ),
            "jobError": self._function(
                "jobError",
                ("errorMessage", "variables", "retries", "retryBackoff"),
                1,
                _job_error,
            ),
            "ignoreError": self._function("ignoreError", ("variables",), 0, _ignore_error),
            "backoff": self._function(
                "backoff",
                ("attempt", "minDelay", "factor", "maxDelay", "jitterFactor"),
                1,
                _backoff,
            ),
        }

    def _function(
        self, name: str, params: tuple[str, ...], required: int, impl: Callable[..., Any]
    ) -> _HostFunction:
        signature = inspect.Signature(
            [
                inspect.Parameter(
                    param,
                    inspect.Parameter.POSITIONAL_OR_KEYWORD,
                    default=_UNSET if index < required else None,
                )
                for index, param in enumerate(params)
            ]
        )
        return _HostFunction(name, signature, impl, self.failures)


class _HostFunction:
    """A callable whose FEEL signature is `signature`; bad calls are recorded, then raised."""

    def __init__(
        self,
        name: str,
        signature: inspect.Signature,
        impl: Callable[..., Any],
        failures: list[str],
    ) -> None:
        self.__name__ = name
        self.__signature__ = signature
        self._impl = impl
        self._failures = failures

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            unknown = sorted(set(kwargs) - set(self.__signature__.parameters))
            if unknown:
                raise TypeError(f"unknown argument {', '.join(map(repr, unknown))}")
            bound = self.__signature__.bind(*args, **kwargs)
            bound.apply_defaults()
            return self._impl(**bound.arguments)
        except (TypeError, ValueError) as exc:
            problem = f"{self.__name__}(): {exc}"
            self._failures.append(problem)
            raise ValueError(problem) from None


def _text(name: str, value: Any, *, optional: bool = False) -> str:
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, got {_describe(value)}")
    return value


def _context(name: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be a context, got {_describe(value)}")
    return value


def _number(name: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"{name} must be a number, got {_describe(value)}")
    return Decimal(value)


def _duration(name: str, value: Any) -> timedelta:
    if isinstance(value, timedelta):
        duration = value
    elif isinstance(value, str):
        duration = parse_iso_duration(value)
    else:
        raise ValueError(f"{name} must be a days-time duration, got {_describe(value)}")
    if duration < timedelta(0):
        raise ValueError(f"{name} must not be negative, got {_describe(value)}")
    return duration


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a context"
    if isinstance(value, list):
        return "a list"
    return repr(feel.to_json(value))


def _error_code(value: Any) -> str:
    code = _text("errorCode", value)
    if not code.strip():
        raise ValueError("errorCode must not be empty: a BPMN error is caught by its code")
    return code


def _bpmn_error(errorCode: Any, errorMessage: Any, variables: Any) -> dict[str, Any]:
    return {
        "errorType": "bpmnError",
        "errorCode": _error_code(errorCode),
        "errorMessage": _text("errorMessage", errorMessage, optional=True),
        "variables": _context("variables", variables),
    }


def _job_error(
    errorMessage: Any,
    variables: Any,
    retries: Any,
    retryBackoff: Any,
) -> dict[str, Any]:
    return {
        "errorType": "jobError",
        "errorMessage": _text("errorMessage", errorMessage),
        "variables": _context("variables", variables),
        "retries": 0 if retries is None else _retries(retries),
        "retryBackoff": timedelta(0)
        if retryBackoff is None
        else _duration("retryBackoff", retryBackoff),
    }


def _ignore_error(variables: Any) -> dict[str, Any]:
    return {"errorType": "ignoreError", "variables": _context("variables", variables)}


def _backoff(
    attempt: Any,
    minDelay: Any,
    factor: Any,
    maxDelay: Any,
    jitterFactor: Any,
) -> timedelta:
    count = _number("attempt", attempt)
    if count < 1:
        raise ValueError(f"attempt must be 1 or more, got {_describe(attempt)}")
    low = _duration("minDelay", minDelay) if minDelay is not None else timedelta(seconds=0.05)
    high = _duration("maxDelay", maxDelay) if maxDelay is not None else timedelta(seconds=5)
    growth = float(_number("factor", factor)) if factor is not None else 1.6
    jitter = float(_number("jitterFactor", jitterFactor)) if jitterFactor is not None else 0.1
    if growth < 1:
        raise ValueError(f"factor must be 1 or more, got {_describe(factor)}")
    if not 0 <= jitter <= 1:
        raise ValueError(f"jitterFactor must be between 0 and 1, got {_describe(jitterFactor)}")
    exponent = min(float(count) - 1, 1000.0)
    try:
        seconds = low.total_seconds() * growth**exponent
    except OverflowError:
        seconds = high.total_seconds()
    seconds = min(max(seconds, low.total_seconds()), high.total_seconds())
    seconds *= 1 + random.uniform(-jitter, jitter)
    return timedelta(milliseconds=round(seconds * 1000))


def _retries(value: Any) -> int:
    number = _number("retries", value)
    if number < 0 or number != number.to_integral_value():
        raise ValueError(f"retries must be a whole number of 0 or more, got {_describe(value)}")
    return int(number)


def decision(result: Any) -> Decision | None:
    """Read an error expression's result: a decision, or None for "no error".

    Raises:
        ValueError: the result is neither null, an empty context, nor a context with a known
            `errorType` and valid entries.
    """
    if result is None or result == {}:
        return None
    if not isinstance(result, dict):
        raise ValueError(
            "must return bpmnError(...), jobError(...), ignoreError(...) or null, "
            f"got {_describe(result)}"
        )
    kind = result.get("errorType")
    if kind == "bpmnError":
        code = result.get("errorCode")
        if code is None:
            return None
        return BpmnError(
            code=_error_code(code),
            message=_text("errorMessage", result.get("errorMessage"), optional=True),
            variables=_json_context("variables", result.get("variables")),
        )
    if kind == "jobError":
        backoff = result.get("retryBackoff")
        retries = result.get("retries")
        return JobError(
            message=_text("errorMessage", result.get("errorMessage")),
            variables=_json_context("variables", result.get("variables")),
            retries=0 if retries is None else _retries(retries),
            backoff_ms=0 if backoff is None else _milliseconds(_duration("retryBackoff", backoff)),
        )
    if kind == "ignoreError":
        return IgnoreError(variables=_json_context("variables", result.get("variables")))
    raise ValueError(
        "must return bpmnError(...), jobError(...), ignoreError(...) or null, got a context "
        f"with errorType {_describe(kind)}"
    )


def _json_context(name: str, value: Any) -> dict[str, Any]:
    converted: dict[str, Any] = feel.to_json(_context(name, value))
    return converted


def _milliseconds(duration: timedelta) -> int:
    return round(duration.total_seconds() * 1000)
