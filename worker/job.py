"""What the connector needs from a Zeebe job, and what it decides to do with it.

`worker.connector` turns a `JobInput` into exactly one `Outcome`; `worker.zeebe`
turns the outcome into the matching gateway command. Neither side knows the
other's library: these plain frozen values are the whole contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HTTP_JSON_JOB_TYPE = "io.camunda:http-json:1"


@dataclass(frozen=True, slots=True)
class JobInput:
    """One activated job, as the connector sees it.

    `variables` are the job's variables as decoded JSON; `custom_headers` are the
    task headers (strings) set by the element template.
    """

    key: int
    variables: dict[str, Any]
    custom_headers: dict[str, str]
    retries: int
    type: str = HTTP_JSON_JOB_TYPE
    process_instance_key: int = 0
    bpmn_process_id: str = ""
    element_id: str = ""
    tenant_id: str = ""
    # Zeebe's activation deadline (epoch milliseconds). The connector must decide the
    # outcome before it, or another replica may run the job again; None means unknown.
    deadline_epoch_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Complete:
    """Complete the job with these variables (a JSON object)."""

    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Fail:
    """Fail the job: Zeebe retries it after `retry_backoff_ms` while `retries` > 0,
    and raises an incident with `error_message` at 0."""

    error_message: str
    retries: int
    retry_backoff_ms: int = 0
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ThrowError:
    """Throw a BPMN error that a boundary or event sub-process can catch."""

    error_code: str
    error_message: str = ""
    variables: dict[str, Any] = field(default_factory=dict)


Outcome = Complete | Fail | ThrowError
