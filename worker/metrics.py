"""Prometheus metrics of the worker (prometheus-client, default registry).

Labels are low-cardinality on purpose: job type, outcome, HTTP method and status class.
URLs, hosts and job keys never become labels.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

JOBS_ACTIVATED = Counter(
    "connector_jobs_activated", "Jobs activated from the gateway.", ["job_type"]
)
JOBS_COMPLETED = Counter("connector_jobs_completed", "Jobs completed.", ["job_type"])
JOBS_FAILED = Counter("connector_jobs_failed", "Jobs failed (retried or incident).", ["job_type"])
JOBS_ERRORED = Counter("connector_jobs_errored", "Jobs that threw a BPMN error.", ["job_type"])
JOBS_IN_FLIGHT = Gauge("connector_jobs_in_flight", "Jobs being worked on now.", ["job_type"])
JOB_DURATION = Histogram(
    "connector_job_duration_seconds",
    "Time from activation to the outcome being decided.",
    ["job_type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
HTTP_REQUEST_DURATION = Histogram(
    "connector_http_request_duration_seconds",
    "Outbound HTTP request time, by method and status class (2xx..5xx, or 'error').",
    ["method", "status_class"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
OAUTH_TOKEN_FETCHES = Counter(
    "connector_oauth_token_fetches", "OAuth token requests, by result.", ["result"]
)


# Children of HTTP_REQUEST_DURATION by (method, status class): `.labels()` takes a lock and
# builds its key on every call. Few: methods are validated, status classes are six.
_HTTP_REQUEST_CHILDREN: dict[tuple[str, str], Any] = {}


def observe_http_request(method: str, status: int | None, seconds: float) -> None:
    """Record how long one outbound request took (`status` None: no response)."""
    key = (method, status_class(status))
    child = _HTTP_REQUEST_CHILDREN.get(key)
    if child is None:
        child = _HTTP_REQUEST_CHILDREN[key] = HTTP_REQUEST_DURATION.labels(*key)
    child.observe(seconds)


def status_class(status: int | None) -> str:
    """Return '2xx'..'5xx' for an HTTP status, 'error' when no response arrived."""
    if status is None or not 100 <= status <= 599:
        return "error"
    return f"{status // 100}xx"


def declare_job_types(job_types: Iterable[str]) -> None:
    """Create the per-job-type series at zero, so dashboards and `rate()` see them
    before the first job of each type arrives."""
    for job_type in job_types:
        for counter in (JOBS_ACTIVATED, JOBS_COMPLETED, JOBS_FAILED, JOBS_ERRORED):
            counter.labels(job_type)
        JOBS_IN_FLIGHT.labels(job_type)
        JOB_DURATION.labels(job_type)
