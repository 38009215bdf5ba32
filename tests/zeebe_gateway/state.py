"""Zeebe's job semantics, without gRPC: what the gateway double answers and records.

A job is created ACTIVATABLE. ActivateJobs hands activatable jobs of a type to a worker
until a deadline (now + timeout); when the deadline passes the job is activatable again.
CompleteJob and ThrowError end a job (it is deleted: later commands get NOT_FOUND).
FailJob with retries > 0 makes it activatable again once the retry backoff has passed;
with retries <= 0 it raises an incident (the job stays, commands get FAILED_PRECONDITION).
UpdateJobTimeout moves the deadline of an ACTIVATED job.

Tenants: every job belongs to one (`<default>` unless created otherwise). An activation
or a stream asks for a list of tenants, none meaning `<default>`, and gets only their
jobs. With `multi_tenancy` off, as on a gateway without it, asking for any other tenant
is refused (`tenant_problem`).

Everything runs on one event loop. Long polls wait on `wait_for_change`, which wakes when
a job is created or becomes activatable again (deadline or backoff passed).

Every command is recorded (`commands`), accepted or not, so tests can check that each job
ended exactly once.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import json
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

ACTIVATABLE = "ACTIVATABLE"
ACTIVATED = "ACTIVATED"
FAILED = "FAILED"  # waiting for its retry backoff
INCIDENT = "INCIDENT"  # failed with no retries left
COMPLETED = "COMPLETED"
ERROR_THROWN = "ERROR_THROWN"
ENDED_STATES = frozenset({COMPLETED, ERROR_THROWN})
# Zeebe accepts complete/fail/throw for a job whose deadline passed but that nobody
# re-activated yet (state ACTIVATABLE), not for one in backoff or in an incident.
COMMANDABLE = frozenset({ACTIVATABLE, ACTIVATED})

DEFAULT_TENANT = "<default>"
DEFAULT_LONG_POLL_MS = 10_000  # Zeebe gateway's default when requestTimeout is 0


class CommandRejected(Exception):
    """A command the double refuses; `code` is a grpc.StatusCode name."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class Job:
    key: int
    type: str
    variables: dict[str, Any]
    custom_headers: dict[str, str]
    retries: int
    process_instance_key: int
    bpmn_process_id: str = "process"
    element_id: str = "task"
    element_instance_key: int = 0
    process_definition_key: int = 1
    process_definition_version: int = 1
    tenant_id: str = DEFAULT_TENANT
    state: str = ACTIVATABLE
    worker: str = ""
    deadline_ms: int = 0
    activatable_at_ms: int = 0
    version: int = 0  # bumped on every change, to drop stale timers
    activations: int = 0
    error_message: str = ""
    error_code: str = ""


@dataclass(frozen=True)
class CommandRecord:
    """One command as the double saw it; `code` is "OK" or a grpc.StatusCode name."""

    method: str
    job_key: int
    code: str
    at_ms: int
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class JobStream:
    """An open StreamActivatedJobs call: activated jobs wait in `queue` to be sent."""

    type: str
    worker: str
    timeout_ms: int
    fetch: list[str]
    tenants: frozenset[str] = frozenset({DEFAULT_TENANT})
    queue: asyncio.Queue[Job] = field(default_factory=asyncio.Queue)


@dataclass(frozen=True)
class Fault:
    """An injected answer: fail the call with `code`; with `after_apply` the command
    takes effect first and only the answer is lost (as when a response is dropped)."""

    code: str
    message: str = "injected by the gateway double"
    after_apply: bool = False


class GatewayState:
    """Jobs, timers, faults and the command log of one simulated cluster."""

    def __init__(
        self, long_poll_default_ms: int = DEFAULT_LONG_POLL_MS, *, multi_tenancy: bool = False
    ) -> None:
        self.long_poll_default_ms = long_poll_default_ms
        self.multi_tenancy = multi_tenancy
        self.jobs: dict[int, Job] = {}
        self.commands: list[CommandRecord] = []
        self.activation_log: list[tuple[int, str, int]] = []  # (job key, worker, at ms)
        self.activate_requests = 0
        self.activation_requests: list[tuple[str, int]] = []  # (type, maxJobsToActivate)
        self.activated_bytes = 0  # size of the variables handed out, for the bench
        self.ended_count = 0  # jobs completed, errored or in an incident (cheap to poll)
        self._keys = itertools.count(2251799813685249)  # Zeebe-like keys
        self._activatable: dict[str, deque[int]] = {}
        self._timers: list[tuple[int, int, int]] = []  # (due ms, job key, job version)
        self._faults: dict[str, deque[Fault]] = {}
        self._waiters: set[asyncio.Future[None]] = set()
        self._streams: dict[str, list[JobStream]] = {}
        self.streamed_count = 0  # activations pushed to a job stream

    # ----- creating jobs ---------------------------------------------------------------

    def create_job(
        self,
        type: str,
        variables: dict[str, Any] | None = None,
        custom_headers: dict[str, str] | None = None,
        retries: int = 3,
        **attributes: Any,
    ) -> int:
        """Create an activatable job and wake waiting long polls; return its key."""
        key = next(self._keys)
        job = Job(
            key=key,
            type=type,
            variables=dict(variables or {}),
            custom_headers=dict(custom_headers or {}),
            retries=retries,
            process_instance_key=key + 1_000_000,
            element_instance_key=key + 2_000_000,
            **attributes,
        )
        self.jobs[key] = job
        self._make_activatable(job)
        return key

    def create_jobs(self, count: int, type: str, **kwargs: Any) -> list[int]:
        return [self.create_job(type, **kwargs) for _ in range(count)]

    # ----- activation ------------------------------------------------------------------

    def activate(
        self,
        type: str,
        worker: str,
        timeout_ms: int,
        max_jobs: int,
        fetch_variables: Iterable[str] = (),
        tenant_ids: Iterable[str] = (),
    ) -> list[tuple[Job, dict[str, Any]]]:
        """Activate up to `max_jobs` jobs of `type` of the tenants asked for; return them
        with the fetched variables."""
        now = now_ms()
        self._fire_timers(now)
        queue = self._activatable.get(type)
        fetch = list(fetch_variables)
        tenants = tenant_set(tenant_ids)
        activated: list[tuple[Job, dict[str, Any]]] = []
        others: list[int] = []  # other tenants' jobs: they stay first in line
        while queue and len(activated) < max_jobs:
            key = queue.popleft()
            job = self.jobs.get(key)
            if job is None or job.state != ACTIVATABLE:
                continue
            if job.tenant_id not in tenants:
                others.append(key)
                continue
            activated.append((job, self._activate_one(job, worker, timeout_ms, fetch, now)))
        if others and queue is not None:
            queue.extendleft(reversed(others))
        return activated

    def tenant_problem(self, tenant_ids: Iterable[str]) -> str | None:
        """Why the gateway refuses to activate for `tenant_ids`, or None."""
        asked = list(tenant_ids)
        if not self.multi_tenancy and any(tenant != DEFAULT_TENANT for tenant in asked):
            return (
                f"tenantIds {asked}: multi-tenancy is disabled on this gateway, so only "
                f"{DEFAULT_TENANT!r} (or no tenant ids) may be asked for"
            )
        return None

    def next_timer_ms(self) -> int | None:
        """When the next deadline or backoff falls due (it may be stale), if any."""
        return self._timers[0][0] if self._timers else None

    async def wait_for_change(self, timeout_s: float) -> None:
        """Wait until a job may have become activatable, or `timeout_s` passed."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.add(waiter)
        due = self.next_timer_ms()
        if due is not None:
            timeout_s = min(timeout_s, max(0.0, (due - now_ms()) / 1000) + 0.001)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout=max(0.0, timeout_s))
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)

    # ----- commands --------------------------------------------------------------------

    def complete(self, key: int, variables: str) -> None:
        self._command("CompleteJob", key, {"variables": variables}, self._complete)

    def fail(
        self, key: int, retries: int, error_message: str, retry_backoff_ms: int, variables: str
    ) -> None:
        detail = {
            "retries": retries,
            "errorMessage": error_message,
            "retryBackOff": retry_backoff_ms,
            "variables": variables,
        }
        self._command("FailJob", key, detail, self._fail)

    def throw_error(self, key: int, error_code: str, error_message: str, variables: str) -> None:
        detail = {"errorCode": error_code, "errorMessage": error_message, "variables": variables}
        self._command("ThrowError", key, detail, self._throw_error)

    def update_timeout(self, key: int, timeout_ms: int) -> None:
        self._command("UpdateJobTimeout", key, {"timeout": timeout_ms}, self._update_timeout)

    def check_fault(self, method: str) -> Fault | None:
        """Pop the next injected fault for `method`, if any."""
        queue = self._faults.get(method)
        return queue.popleft() if queue else None

    def inject(self, method: str, code: str, times: int = 1, *, after_apply: bool = False) -> None:
        """Make the next `times` calls of `method` fail with `code` (a StatusCode name)."""
        queue = self._faults.setdefault(method, deque())
        queue.extend(Fault(code, after_apply=after_apply) for _ in range(times))

    def clear_faults(self) -> None:
        self._faults.clear()

    def record_rejection(self, method: str, key: int, code: str, detail: dict[str, Any]) -> None:
        self.commands.append(CommandRecord(method, key, code, now_ms(), detail))

    # ----- inspection ------------------------------------------------------------------

    def accepted(self, method: str | None = None) -> list[CommandRecord]:
        return [c for c in self.commands if c.code == "OK" and method in (None, c.method)]

    def endings(self) -> dict[int, list[CommandRecord]]:
        """Accepted commands that ended each job: complete, throw, or fail into an incident."""
        result: dict[int, list[CommandRecord]] = {}
        for command in self.commands:
            if command.code != "OK":
                continue
            if command.method in ("CompleteJob", "ThrowError") or (
                command.method == "FailJob" and command.detail["retries"] <= 0
            ):
                result.setdefault(command.job_key, []).append(command)
        return result

    def problems_with_exactly_once(self, keys: Iterable[int]) -> list[str]:
        """Describe every job in `keys` that did not end exactly once (empty: all good)."""
        endings = self.endings()
        problems = []
        for key in keys:
            count = len(endings.get(key, []))
            if count != 1:
                state = self.jobs[key].state if key in self.jobs else "?"
                problems.append(f"job {key} ended {count} times (state {state})")
        return problems

    def counts(self) -> dict[str, int]:
        by_state: dict[str, int] = {}
        for job in self.jobs.values():
            by_state[job.state] = by_state.get(job.state, 0) + 1
        return by_state

    # ----- internals -------------------------------------------------------------------

    def _command(self, method: str, key: int, detail: dict[str, Any], apply: Any) -> None:
        fault = self.check_fault(method)
        if fault is not None and not fault.after_apply:
            self.record_rejection(method, key, fault.code, detail)
            raise CommandRejected(fault.code, fault.message)
        try:
            apply(self._commandable(method, key), detail)
        except CommandRejected as rejected:
            self.record_rejection(method, key, rejected.code, detail)
            raise
        self.commands.append(CommandRecord(method, key, "OK", now_ms(), detail))
        if fault is not None:
            raise CommandRejected(fault.code, fault.message)

    def _commandable(self, method: str, key: int) -> Job:
        job = self.jobs.get(key)
        if job is None or job.state in ENDED_STATES:
            raise CommandRejected(
                "NOT_FOUND",
                f"Command '{method}' rejected: no job with key '{key}' exists "
                "(it was never created, or it was completed, or an error was thrown)",
            )
        if method == "UpdateJobTimeout":
            allowed: frozenset[str] = frozenset({ACTIVATED})
        else:
            allowed = COMMANDABLE
        if job.state not in allowed:
            raise CommandRejected(
                "FAILED_PRECONDITION",
                f"Command '{method}' rejected: job with key '{key}' is in state {job.state}",
            )
        return job

    def _complete(self, job: Job, detail: dict[str, Any]) -> None:
        job.variables.update(_variables_object(detail["variables"]))
        self._end(job, COMPLETED)

    def _fail(self, job: Job, detail: dict[str, Any]) -> None:
        job.variables.update(_variables_object(detail["variables"]))
        job.retries = detail["retries"]
        job.error_message = detail["errorMessage"]
        job.version += 1
        job.worker = ""
        if job.retries <= 0:
            job.state = INCIDENT
            self.ended_count += 1
        elif detail["retryBackOff"] > 0:
            job.state = FAILED
            job.activatable_at_ms = now_ms() + detail["retryBackOff"]
            heapq.heappush(self._timers, (job.activatable_at_ms, job.key, job.version))
        else:
            self._make_activatable(job)

    def _throw_error(self, job: Job, detail: dict[str, Any]) -> None:
        if not detail["errorCode"]:
            raise CommandRejected("INVALID_ARGUMENT", "errorCode must not be empty")
        job.variables.update(_variables_object(detail["variables"]))
        job.error_code = detail["errorCode"]
        job.error_message = detail["errorMessage"]
        self._end(job, ERROR_THROWN)

    def _update_timeout(self, job: Job, detail: dict[str, Any]) -> None:
        job.deadline_ms = now_ms() + detail["timeout"]
        job.version += 1
        heapq.heappush(self._timers, (job.deadline_ms, job.key, job.version))

    def _end(self, job: Job, state: str) -> None:
        job.state = state
        job.version += 1
        self.ended_count += 1

    def _make_activatable(self, job: Job) -> None:
        job.state = ACTIVATABLE
        job.worker = ""
        job.version += 1
        streams = self._streams.get(job.type)
        stream = next((s for s in streams or () if job.tenant_id in s.tenants), None)
        if stream is not None:
            # Zeebe pushes a job that becomes activatable to an open stream of its tenant
            # first (round robin); pollers only see it when no stream takes it.
            streams.remove(stream)
            streams.append(stream)
            self._activate_one(job, stream.worker, stream.timeout_ms, stream.fetch, now_ms())
            self.streamed_count += 1
            stream.queue.put_nowait(job)
            return
        self._activatable.setdefault(job.type, deque()).append(job.key)
        self._wake()

    # ----- job streams (StreamActivatedJobs) -------------------------------------------

    def open_stream(
        self,
        type: str,
        worker: str,
        timeout_ms: int,
        fetch_variables: Iterable[str],
        tenant_ids: Iterable[str] = (),
    ) -> JobStream:
        """Register a stream: jobs of `type` (and of its tenants) that become activatable
        from now on go to it."""
        stream = JobStream(type, worker, timeout_ms, list(fetch_variables), tenant_set(tenant_ids))
        self._streams.setdefault(type, []).append(stream)
        return stream

    def close_stream(self, stream: JobStream) -> None:
        """Unregister `stream`; jobs pushed to it but not sent are yielded back."""
        streams = self._streams.get(stream.type, [])
        if stream in streams:
            streams.remove(stream)
        while not stream.queue.empty():
            job = stream.queue.get_nowait()
            if job.state == ACTIVATED and job.worker == stream.worker:
                self._make_activatable(job)

    def open_streams(self, type: str) -> int:
        return len(self._streams.get(type, []))

    def fetched_variables(self, job: Job, fetch: list[str]) -> dict[str, Any]:
        if fetch:
            return {name: job.variables[name] for name in fetch if name in job.variables}
        return dict(job.variables)

    def fire_due_timers(self) -> None:
        self._fire_timers(now_ms())

    def _activate_one(
        self, job: Job, worker: str, timeout_ms: int, fetch: list[str], now: int
    ) -> dict[str, Any]:
        job.state = ACTIVATED
        job.worker = worker
        job.deadline_ms = now + timeout_ms
        job.version += 1
        job.activations += 1
        heapq.heappush(self._timers, (job.deadline_ms, job.key, job.version))
        self.activation_log.append((job.key, worker, now))
        return self.fetched_variables(job, fetch)

    def _fire_timers(self, now: int) -> None:
        while self._timers and self._timers[0][0] <= now:
            _, key, version = heapq.heappop(self._timers)
            job = self.jobs.get(key)
            if job is None or job.version != version:
                continue
            if job.state == ACTIVATED or job.state == FAILED:
                self._make_activatable(job)

    def _wake(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()


def _variables_object(text: str) -> dict[str, Any]:
    """Parse command variables as Zeebe does: empty means none, else a JSON object."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError as error:
        raise CommandRejected(
            "INVALID_ARGUMENT", f"variables are not valid JSON: {error}"
        ) from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CommandRejected(
            "INVALID_ARGUMENT",
            f"variables must be a JSON object at the root, got {type(value).__name__}",
        )
    return value


def tenant_set(tenant_ids: Iterable[str]) -> frozenset[str]:
    """The tenants an activation asks for: the default tenant when it names none."""
    return frozenset(tenant_ids) or frozenset({DEFAULT_TENANT})
