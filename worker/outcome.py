"""From a response (or an error) to the job's outcome, as the task headers ask.

- `resultVariable` gets the whole response `{status, headers, body, reason}`;
- `resultExpression` sees the response as `response` and at the top level (`body`,
  `status`, ...) and returns a context whose entries become variables (after
  `resultVariable`, so they win on a name clash); null adds nothing;
- `errorExpression` runs after every call, successful or not, and may turn the outcome into
  a BPMN error, a job failure or a completion (see `worker.error_functions`). It sees
  `error` `{code, message, type, variables}` (null on success), `response` (the raw response
  when one arrived; on failure it also holds `error`, as in Camunda), on success the response
  fields and the output variables at the top level, and `job.retries`;
- without a decision from it, a success completes the job with the output variables and an
  error fails it with the error's retries, the `retryBackoff` header and `{error: ...}`.

A broken expression fails the job with no retries: retrying would send the request again.
Output variables above the size limit fail the job with no retries too.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import structlog

import feel
from worker.durations import parse_iso_duration
from worker.error_functions import BpmnError, ErrorFunctions, IgnoreError, JobError, decision
from worker.errors import (
    INCIDENT_MESSAGE_LIMIT,
    ConnectorError,
    ExpressionError,
    HttpStatusError,
    OutputTooLargeError,
    TaskHeaderError,
    shorten,
)
from worker.job import Complete, Fail, JobInput, Outcome, ThrowError
from worker.redaction import SecretMask
from worker.wire import MAX_NESTING, deeper_than, sendable_value

log = structlog.get_logger(__name__)

# A server asking to wait (Retry-After on 429/503) is obeyed up to this long.
_RETRY_AFTER_CAP_MS = 3_600_000
# What is kept of an error body too large for the job's variables.
_TRIMMED_BODY_CHARS = 4000
# Warnings after which a null result is an aborted evaluation, not a value.
_STOPPING_WARNINGS = frozenset({"LIMIT_EXCEEDED", "INTERNAL_ERROR"})


@dataclass(frozen=True, slots=True)
class TaskHeaders:
    """The custom headers of the task that decide the outcome, parsed and compiled."""

    result_variable: str | None = None
    result_expression: feel.Expression | None = None
    error_expression: feel.Expression | None = None
    retry_backoff_ms: int = 0

    @classmethod
    def parse(cls, headers: Mapping[str, str]) -> TaskHeaders:
        """Read the headers; expressions are compiled now, before any request is sent.

        Raises:
            TaskHeaderError: an invalid `retryBackoff`, or an expression that is not FEEL.
        """
        return cls(
            result_variable=(headers.get("resultVariable") or "").strip() or None,
            result_expression=_compile("resultExpression", headers.get("resultExpression")),
            error_expression=_compile("errorExpression", headers.get("errorExpression")),
            retry_backoff_ms=_backoff_ms(headers.get("retryBackoff")),
        )


def _compile(header: str, text: str | None) -> feel.Expression | None:
    if text is None or not text.strip() or text.strip() == "=":
        return None
    try:
        return feel.compile(text)
    except feel.FeelError as exc:
        raise TaskHeaderError(f"{header}: not a valid FEEL expression: {exc}") from None


def _backoff_ms(text: str | None) -> int:
    if text is None or not text.strip():
        return 0
    try:
        duration = parse_iso_duration(text)
    except (ValueError, OverflowError):
        duration = timedelta(-1)
    if duration < timedelta(0):
        raise TaskHeaderError(
            f"retryBackoff: expected an ISO-8601 duration such as PT30S or PT5M, got {text!r}"
        )
    return round(duration.total_seconds() * 1000)


def output_variables(response: dict[str, Any], headers: TaskHeaders) -> dict[str, Any]:
    """Return the variables a successful response gives: result variable and expression.

    Raises:
        ExpressionError: the result expression does not return a context (or null).
    """
    variables: dict[str, Any] = {}
    if headers.result_variable is not None:
        variables[headers.result_variable] = response
    if headers.result_expression is not None:
        context = {**response, "response": response}
        result = _json(
            "resultExpression", _evaluate("resultExpression", headers.result_expression, context)
        )
        if isinstance(result, dict):
            variables.update(result)
        elif result is not None:
            raise ExpressionError(
                "resultExpression",
                "must return a context, e.g. {id: response.body.id}, got " + _kind(result),
            )
    return variables


def decide(
    job: JobInput,
    headers: TaskHeaders,
    *,
    response: dict[str, Any] | None,
    outputs: dict[str, Any],
    error: ConnectorError | None,
    mask: SecretMask,
    max_output_bytes: int,
) -> Outcome:
    """Return the job's outcome: the default one unless the error expression decides."""
    outcome: Outcome = (
        Complete(outputs) if error is None else failure(error, job, headers.retry_backoff_ms)
    )
    if headers.error_expression is not None:
        try:
            decided = _error_expression(
                headers.error_expression, job, response, outputs, error, mask
            )
        except ExpressionError as broken:
            if error is not None:
                broken.message += f" (while handling: {shorten(error.incident_message(), 1000)})"
            broken.redact(mask)
            return failure(broken, job, 0)
        if isinstance(decided, BpmnError):
            outcome = ThrowError(
                decided.code,
                shorten(mask.redact(decided.message), INCIDENT_MESSAGE_LIMIT),
                decided.variables,
            )
        elif isinstance(decided, JobError):
            outcome = Fail(
                shorten(mask.redact(decided.message), INCIDENT_MESSAGE_LIMIT),
                decided.retries,
                decided.backoff_ms,
                {**decided.variables, "error": decided.message},
            )
        elif isinstance(decided, IgnoreError):
            outcome = Complete(decided.variables)
    return _within_limit(outcome, max_output_bytes)


def failure(error: ConnectorError, job: JobInput, backoff_ms: int) -> Fail:
    """The default outcome of an error: its message, retries and the `error` variable."""
    if isinstance(error, HttpStatusError) and error.status in (429, 503):
        backoff_ms = max(backoff_ms, _retry_after_ms(error.variables["response"]["headers"]))
    return Fail(
        error.incident_message(),
        error.retries(job.retries),
        backoff_ms,
        {"error": error.as_variable()},
    )


def _error_expression(
    expression: feel.Expression,
    job: JobInput,
    response: dict[str, Any] | None,
    outputs: dict[str, Any],
    error: ConnectorError | None,
    mask: SecretMask,
) -> BpmnError | JobError | IgnoreError | None:
    functions = ErrorFunctions()
    context: dict[str, Any]
    if error is None:
        context = {**(response or {}), **outputs, "response": response}
    else:
        error_variable = mask.redact_value(error.as_variable())
        context = {
            "error": error_variable,
            "response": {**(response or {}), "error": error_variable},
        }
    context.update(functions.variables())
    context["job"] = {"retries": job.retries}
    result = _evaluate("errorExpression", expression, context)
    if functions.failures:
        raise ExpressionError("errorExpression", "; ".join(functions.failures))
    try:
        return decision(result)
    except ValueError as exc:
        raise ExpressionError("errorExpression", str(exc)) from None
    except RecursionError:
        raise ExpressionError(
            "errorExpression", f"returned variables nested more than {MAX_NESTING} levels deep"
        ) from None


def _evaluate(header: str, expression: feel.Expression, context: dict[str, Any]) -> Any:
    """Evaluate a task header's expression.

    Raises:
        ExpressionError: the evaluation was stopped (a limit of the FEEL engine: steps, list
            or string size, nesting, a regular expression's timeout), so its null means
            nothing: neither "no variables" nor "no decision".
    """
    result, warnings = expression.evaluate_with_warnings(context)
    if warnings:
        log.debug(
            "feel.warnings",
            header=header,
            warnings=[f"{warning.kind}: {warning.message}" for warning in warnings],
        )
    stopped = [w.message for w in warnings if w.kind in _STOPPING_WARNINGS]
    if result is None and stopped:
        raise ExpressionError(header, "the evaluation was stopped: " + "; ".join(stopped))
    return result


def _json(header: str, value: Any) -> Any:
    """A FEEL result as JSON-able values, refused when nested too deeply to write back."""
    try:
        result = feel.to_json(value)
    except RecursionError:
        result = None
        deep = True
    else:
        deep = deeper_than(result)
    if deep:
        raise ExpressionError(
            header, f"returned a value nested more than {MAX_NESTING} levels deep"
        )
    return result


def _within_limit(outcome: Outcome, limit: int) -> Outcome:
    """Keep the outcome's variables within `limit` bytes of JSON.

    A failure keeps its error with the response body cut short; a completion or BPMN error
    that is too large becomes a failure without retries.
    """
    text = _json_text(outcome.variables)
    # An error's variables wrap a response body (itself at most MAX_NESTING deep) in a few
    # levels of their own.
    if text is None or deeper_than(outcome.variables, MAX_NESTING + 16, text):
        error = OutputTooLargeError(
            f"The variables to write back are nested more than {MAX_NESTING} levels deep; map "
            "only what the process needs with a resultExpression"
        )
        return Fail(error.incident_message(), 0, 0, {"error": error.as_variable()})
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        # a lone surrogate (broken UTF-16 in a variable or header): Zeebe takes UTF-8 only
        outcome = replace(outcome, variables=sendable_value(outcome.variables))
        size = _json_size(outcome.variables)
    if size <= limit:
        return outcome
    if isinstance(outcome, Fail):
        return _trimmed(outcome, limit)
    action = "complete the job with" if isinstance(outcome, Complete) else "throw the error with"
    error = OutputTooLargeError(
        f"The variables to {action} take {_size(size)} as JSON, over the {_size(limit)} limit "
        "(MAX_OUTPUT_BYTES); map only what the process needs with a resultExpression"
    )
    return Fail(error.incident_message(), 0, 0, {"error": error.as_variable()})


def _trimmed(outcome: Fail, limit: int) -> Fail:
    variables = copy.deepcopy(outcome.variables)
    error = variables.get("error")
    response = error.get("variables", {}).get("response") if isinstance(error, dict) else None
    if isinstance(response, dict) and "body" in response:
        body = response["body"]
        text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        response["body"] = (
            shorten(text, _TRIMMED_BODY_CHARS) + " [cut: the body is too large for a variable]"
        )
        if _json_size(variables) <= limit:
            return Fail(outcome.error_message, outcome.retries, outcome.retry_backoff_ms, variables)
    if isinstance(error, dict):
        error = {key: error[key] for key in ("code", "message", "type") if key in error}
        error["message"] = shorten(str(error.get("message", "")), _TRIMMED_BODY_CHARS)
        return Fail(
            outcome.error_message, outcome.retries, outcome.retry_backoff_ms, {"error": error}
        )
    return Fail(outcome.error_message, outcome.retries, outcome.retry_backoff_ms, {})


def _retry_after_ms(headers: dict[str, Any]) -> int:
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str):
        return 0
    text = value.strip()
    if text.isdigit():
        return min(int(text) * 1000, _RETRY_AFTER_CAP_MS)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return 0
    return min(max(round((moment.timestamp() - time.time()) * 1000), 0), _RETRY_AFTER_CAP_MS)


# json.dumps with options builds an encoder at every call; this one is built once
_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def _json_text(variables: dict[str, Any]) -> str | None:
    """`variables` as compact JSON (lone surrogates kept); None when nested too deeply."""
    try:
        return _COMPACT_JSON.encode(variables)
    except RecursionError:
        return None


def _json_size(variables: dict[str, Any]) -> int:
    """Bytes of `variables` as compact JSON.

    Raises:
        UnicodeEncodeError: a string holds a lone surrogate.
    """
    return len(_COMPACT_JSON.encode(variables).encode("utf-8"))


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):.2f} MiB" if count >= 100 * 1024 else f"{count} bytes"


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    kind = {str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return f"{kind.get(type(value), type(value).__name__)} {json.dumps(value, default=str)[:100]}"
