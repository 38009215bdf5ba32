"""The job worker: activate jobs, run each through a handler, report the outcome to Zeebe.

One long-poll loop per job type asks for as many jobs as there are free slots
(`max_jobs_active` in all) and starts each job as its own task the moment it arrives, so
no job waits for a slow one. A job:

1. honours the `jobTimeout` task header (ISO-8601) by moving its deadline with
   UpdateJobTimeout before anything else (an invalid header fails it with no retries);
2. runs through the handler (the connector) with the deadline in `JobInput`;
3. reports the outcome with exactly one command. UNAVAILABLE and RESOURCE_EXHAUSTED
   answers are retried with capped exponential backoff until the job's deadline (after
   it, Zeebe may have handed the job to another worker); internal errors a few times
   (`command_retries`); NOT_FOUND (timed out and taken, or cancelled) and
   FAILED_PRECONDITION are logged and dropped. A result Zeebe refuses as invalid fails
   the job with no retries and Zeebe's reason, instead of leaving it to time out.

With `stream_enabled`, a job stream per type runs beside the polls: Zeebe pushes jobs that
become activatable to open streams first, and the polls pick up the ones that were
waiting before the stream opened. A streamed job starts as soon as fewer than
`max_jobs_active` jobs run; a long poll that was already waiting may still bring a few
more, so the bound can be passed briefly by the jobs that arrived both ways at once.

Activation errors never stop the worker: back-pressure, an absent gateway, internal and
auth errors are retried with capped exponential backoff (with jitter) forever; only a
request the gateway calls invalid (a bad job type) ends the run (`ActivationRejected`).

`stop()` (on SIGTERM/SIGINT) stops activating at once and gives in-flight jobs the grace
period to finish; jobs still running then are cancelled before any command is sent for
them, so Zeebe times them out and hands them out again: never half done.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import structlog

from worker import metrics
from worker.backoff import Backoff
from worker.config import ZeebeSettings
from worker.durations import parse_iso_duration
from worker.fetch_variables import fetch_variable_names
from worker.health import Readiness
from worker.job import Complete, Fail, JobInput, Outcome, ThrowError
from worker.logs import job_context
from worker.zeebe import (
    Gateway,
    GatewayBusy,
    GatewayError,
    GatewayRejected,
    GatewayUnavailable,
    JobNotActive,
    JobNotFound,
)

Handler = Callable[[JobInput], Awaitable[Outcome]]

# With a backlog, wait this long for more free slots before polling, so that activation
# requests carry batches rather than one job each.
BATCH_WAIT_S = 0.02
BATCH_FRACTION = 0.3
LOG_MESSAGE_CHARS = 500

log = structlog.get_logger("worker.job_worker")


class ActivationRejected(Exception):
    """The gateway refuses our activation request as invalid; retrying cannot help."""


@dataclasses.dataclass
class WorkerStats:
    activated: int = 0
    completed: int = 0
    failed: int = 0
    errors_thrown: int = 0
    dropped: int = 0  # outcome decided but not accepted by Zeebe (job gone, gave up)
    abandoned: int = 0  # still running when the grace period ended


class JobWorker:
    """Activate jobs of the configured types and run them through `handler`."""

    def __init__(
        self,
        gateway: Gateway,
        handler: Handler,
        settings: ZeebeSettings,
        readiness: Readiness | None = None,
    ) -> None:
        self.gateway = gateway
        self.handler = handler
        self.settings = settings
        self.readiness = readiness or Readiness()
        self.stats = WorkerStats()
        self._fetch = fetch_variable_names(settings)
        self._timeout_ms = _ms(settings.job_timeout.total_seconds())
        self._request_timeout_ms = _ms(settings.request_timeout.total_seconds())
        self._backoff = (
            settings.retry_backoff_initial.total_seconds(),
            settings.retry_backoff_max.total_seconds(),
        )
        self._capacity = settings.max_jobs_active
        self._batch = max(1, int(self._capacity * BATCH_FRACTION))
        self._share = max(1, self._capacity // len(settings.job_types))
        self._reserved = 0  # slots promised to activation calls in progress
        self._tasks: set[asyncio.Task[None]] = set()
        self._slot_freed = asyncio.Event()
        self._stopping = asyncio.Event()
        self._metrics: dict[str, Any] = {}

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    def stop(self) -> None:
        """Stop activating and start draining (safe to call from a signal handler)."""
        if not self._stopping.is_set():
            log.info("worker.stopping", in_flight=self.in_flight)
        self.readiness.draining = True
        self._stopping.set()

    async def run(self) -> WorkerStats:
        """Work until `stop()`, then drain within the grace period; return the counts.

        Raises:
            ActivationRejected: the gateway refused the activation request as invalid
                (in-flight jobs were drained first).
        """
        self._stopping.clear()
        pollers = [
            asyncio.create_task(self._poll(job_type), name=f"poll {job_type}")
            for job_type in self.settings.job_types
        ]
        if self.settings.stream_enabled:
            pollers += [
                asyncio.create_task(self._stream(job_type), name=f"stream {job_type}")
                for job_type in self.settings.job_types
            ]
        stopping = asyncio.create_task(self._stopping.wait())
        log.info(
            "worker.started",
            job_types=self.settings.job_types,
            worker=self.settings.worker_name,
            max_jobs_active=self._capacity,
            job_timeout_ms=self._timeout_ms,
            stream=self.settings.stream_enabled,
            fetch_variables=self._fetch or "all",
        )
        try:
            pending: set[asyncio.Task[Any]] = {stopping, *pollers}
            while not stopping.done():
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                # A loop that ended on its own without an error (a stream the gateway
                # does not offer) leaves the others working.
                if any(not task.cancelled() and task.exception() for task in done):
                    break
        finally:
            stopping.cancel()
            for poller in pollers:
                poller.cancel()
            results = await asyncio.gather(*pollers, return_exceptions=True)
            await self._drain(self.settings.shutdown_grace_period.total_seconds())
        for result in results:
            if isinstance(result, Exception):
                raise result  # ActivationRejected, or a bug: either way the run is over
        return self.stats

    # ----- activation ------------------------------------------------------------------

    async def _poll(self, job_type: str) -> None:
        backoff = Backoff(*self._backoff)
        probe = True
        while True:
            if probe:
                # An idle long poll answers only after the request timeout; a Topology
                # call tells at once that the gateway is back (readiness).
                with contextlib.suppress(GatewayError):
                    await self.gateway.topology()
                    self._connected()
                probe = False
            free = await self._claim_slots()
            received = 0
            try:
                async for job in self.gateway.activate_jobs(
                    job_type=job_type,
                    worker=self.settings.worker_name,
                    timeout_ms=self._timeout_ms,
                    max_jobs=free,
                    request_timeout_ms=self._request_timeout_ms,
                    fetch_variables=self._fetch,
                    tenant_ids=self.settings.tenant_ids,
                ):
                    received += 1
                    self._reserved -= 1
                    self._start(job)
                self._connected()
                backoff.reset()
            except GatewayRejected as error:
                log.error(
                    "activation.rejected", job_type=job_type, code=error.code, reason=error.details
                )
                raise ActivationRejected(
                    f"the gateway refuses to activate jobs of type {job_type!r}: {error.details}"
                ) from None
            except GatewayError as error:
                delay = backoff.next()
                self._gateway_trouble(error, "activation", delay)
                await asyncio.sleep(delay)
                probe = True
            finally:
                self._reserved -= free - received

    async def _stream(self, job_type: str) -> None:
        backoff = Backoff(*self._backoff)
        while True:
            try:
                async for job in self.gateway.stream_jobs(
                    job_type=job_type,
                    worker=self.settings.worker_name,
                    timeout_ms=self._timeout_ms,
                    fetch_variables=self._fetch,
                    tenant_ids=self.settings.tenant_ids,
                ):
                    self._connected()
                    backoff.reset()
                    # A streamed job is ours already: it may use a slot a pending long
                    # poll reserved (while a stream is open, Zeebe pushes new jobs to it,
                    # so that poll rarely brings any). Not reading the next job until a
                    # slot is free lets gRPC flow control hold the gateway back.
                    while len(self._tasks) >= self._capacity:
                        self._slot_freed.clear()
                        await self._slot_freed.wait()
                    self._start(job)
            except GatewayRejected as error:
                if error.code == "UNIMPLEMENTED":
                    log.warning(
                        "stream.unsupported",
                        job_type=job_type,
                        note="the gateway offers no job streams (Zeebe < 8.4); polling only",
                    )
                    return
                log.error(
                    "stream.rejected", job_type=job_type, code=error.code, reason=error.details
                )
                raise ActivationRejected(
                    f"the gateway refuses to stream jobs of type {job_type!r}: {error.details}"
                ) from None
            except GatewayError as error:
                delay = backoff.next()
                self._gateway_trouble(error, "stream", delay)
                await asyncio.sleep(delay)

    async def _claim_slots(self) -> int:
        """Wait for free slots (batching a little when busy) and reserve them.

        With several job types, one poll reserves at most its share of all slots, so
        that an idle type's long poll cannot hold every slot away from a busy one.
        """
        await self._wait_for_free_slot()
        batch = min(self._batch, self._share)
        if self._free() < batch:
            batch_by = time.monotonic() + BATCH_WAIT_S
            while self._free() < batch and (left := batch_by - time.monotonic()) > 0:
                self._slot_freed.clear()
                try:
                    await asyncio.wait_for(self._slot_freed.wait(), left)
                except TimeoutError:
                    break
        free = min(self._free(), self._share)
        self._reserved += free
        return free

    async def _wait_for_free_slot(self) -> None:
        while self._free() < 1:
            self._slot_freed.clear()
            await self._slot_freed.wait()

    def _free(self) -> int:
        return self._capacity - len(self._tasks) - self._reserved

    def _connected(self) -> None:
        if not self.readiness.gateway_connected:
            log.info("gateway.connected")
        self.readiness.gateway_connected = True

    def _gateway_trouble(self, error: GatewayError, during: str, retry_in: float) -> None:
        if isinstance(error, GatewayUnavailable):
            self.readiness.gateway_connected = False
        event = "gateway.busy" if isinstance(error, GatewayBusy) else "gateway.error"
        level = log.info if isinstance(error, GatewayBusy) else log.warning
        level(
            event,
            during=during,
            code=error.code,
            reason=error.details[:LOG_MESSAGE_CHARS],
            retry_in_s=round(retry_in, 3),
        )

    # ----- one job ---------------------------------------------------------------------

    def _start(self, job: JobInput) -> None:
        self.stats.activated += 1
        task = asyncio.create_task(self._run_job(job, time.monotonic()), name=f"job {job.key}")
        self._tasks.add(task)
        task.add_done_callback(self._job_done)
        job_metrics = self._job_metrics(job.type)
        job_metrics["activated"].inc()
        job_metrics["in_flight"].inc()

    def _job_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._slot_freed.set()
        # Only cancellation (drain) reaches here as an error: _run_job catches the rest.
        if not task.cancelled() and task.exception() is not None:
            log.error("job.crashed", exc_info=task.exception())

    async def _run_job(self, job: JobInput, started: float) -> None:
        job_metrics = self._job_metrics(job.type)
        with job_context(job):
            try:
                log.debug("job.activated", retries=job.retries, deadline=job.deadline_epoch_ms)
                decided = await self._decide(job)
                if decided is None:
                    return
                job, outcome = decided
                job_metrics["duration"].observe(time.monotonic() - started)
                await self._report(job, outcome, started)
            finally:
                job_metrics["in_flight"].dec()

    async def _decide(self, job: JobInput) -> tuple[JobInput, Outcome] | None:
        """Apply the jobTimeout header, then ask the handler; None drops the job."""
        header = job.custom_headers.get("jobTimeout")
        if header:
            try:
                timeout = parse_iso_duration(header).total_seconds()
                if timeout <= 0:
                    raise ValueError(f"must be longer than zero, got {header!r}")
            except ValueError as error:
                message = (
                    "Invalid jobTimeout header (expected an ISO-8601 duration such as PT10M): "
                    f"{error}"
                )
                return job, Fail(error_message=message, retries=0)
            try:
                await self.gateway.update_job_timeout(job.key, _ms(timeout))
                job = dataclasses.replace(job, deadline_epoch_ms=_now_ms() + _ms(timeout))
                log.debug("job.timeout_extended", timeout_ms=_ms(timeout))
            except (JobNotFound, JobNotActive) as error:
                self.stats.dropped += 1
                log.warning(
                    "job.gone", during="UpdateJobTimeout", code=error.code, reason=error.details
                )
                return None
            except GatewayRejected as error:
                return job, Fail(
                    error_message=f"Zeebe refused the jobTimeout {header!r}: {error.details}",
                    retries=0,
                )
            except GatewayError as error:
                # The job still has its original deadline; running it is better than
                # leaving it, and Camunda's runtime does the same.
                log.warning("job.timeout_not_extended", code=error.code, reason=error.details)
        try:
            return job, await self.handler(job)
        except Exception as error:
            log.exception("job.handler_crashed")
            return job, Fail(
                error_message=f"The worker failed unexpectedly ({type(error).__name__}); "
                "see the worker's log for details",
                retries=max(job.retries - 1, 0),
            )

    async def _report(self, job: JobInput, outcome: Outcome, started: float) -> None:
        """Send the one command for `outcome`, retrying transient errors within bounds."""
        backoff = Backoff(*self._backoff)
        deadline_ms = job.deadline_epoch_ms or _now_ms() + self._timeout_ms
        internal_errors = 0
        while True:
            try:
                await self._send(job, outcome)
                self._connected()
                self._reported(job, outcome, started)
                return
            except (JobNotFound, JobNotActive) as error:
                self.stats.dropped += 1
                log.warning(
                    "job.gone", during=_command(outcome), code=error.code, reason=error.details
                )
                return
            except GatewayRejected as error:
                if not isinstance(outcome, Fail):
                    log.error(
                        "job.result_rejected", command=_command(outcome), reason=error.details
                    )
                    outcome = Fail(
                        error_message=f"Zeebe rejected the job's {_command(outcome)} command: "
                        f"{error.details}"[:6000],
                        retries=0,
                    )
                    continue
                self.stats.dropped += 1
                log.error("job.fail_rejected", reason=error.details)
                return
            except GatewayError as error:
                if not isinstance(error, GatewayUnavailable | GatewayBusy):
                    internal_errors += 1
                delay = backoff.next()
                if internal_errors > self.settings.command_retries or (
                    _now_ms() + delay * 1000 >= deadline_ms
                ):
                    self.stats.dropped += 1
                    log.error(
                        "job.report_given_up",
                        command=_command(outcome),
                        code=error.code,
                        reason=error.details,
                    )
                    return
                self._gateway_trouble(error, _command(outcome), delay)
                await asyncio.sleep(delay)

    async def _send(self, job: JobInput, outcome: Outcome) -> None:
        if isinstance(outcome, Complete):
            await self.gateway.complete_job(job.key, outcome.variables)
        elif isinstance(outcome, Fail):
            await self.gateway.fail_job(
                job.key,
                retries=outcome.retries,
                error_message=outcome.error_message,
                retry_backoff_ms=outcome.retry_backoff_ms,
                variables=outcome.variables,
            )
        else:
            await self.gateway.throw_error(
                job.key,
                error_code=outcome.error_code,
                error_message=outcome.error_message,
                variables=outcome.variables,
            )

    def _reported(self, job: JobInput, outcome: Outcome, started: float) -> None:
        job_metrics = self._job_metrics(job.type)
        took_ms = round((time.monotonic() - started) * 1000, 1)
        if isinstance(outcome, Complete):
            self.stats.completed += 1
            job_metrics["completed"].inc()
            # Success is the common case; the connector's http.request line already
            # records it at INFO, and a second line per job costs ~10% of the CPU.
            log.debug("job.completed", duration_ms=took_ms)
        elif isinstance(outcome, Fail):
            self.stats.failed += 1
            job_metrics["failed"].inc()
            log.info(
                "job.failed",
                duration_ms=took_ms,
                retries=outcome.retries,
                retry_backoff_ms=outcome.retry_backoff_ms,
                error_message=outcome.error_message[:LOG_MESSAGE_CHARS],
            )
        else:
            self.stats.errors_thrown += 1
            job_metrics["errored"].inc()
            log.info(
                "job.error_thrown",
                duration_ms=took_ms,
                error_code=outcome.error_code,
                error_message=outcome.error_message[:LOG_MESSAGE_CHARS],
            )

    def _job_metrics(self, job_type: str) -> dict[str, Any]:
        found = self._metrics.get(job_type)
        if found is None:
            found = self._metrics[job_type] = {
                "activated": metrics.JOBS_ACTIVATED.labels(job_type),
                "completed": metrics.JOBS_COMPLETED.labels(job_type),
                "failed": metrics.JOBS_FAILED.labels(job_type),
                "errored": metrics.JOBS_ERRORED.labels(job_type),
                "in_flight": metrics.JOBS_IN_FLIGHT.labels(job_type),
                "duration": metrics.JOB_DURATION.labels(job_type),
            }
        return found

    # ----- stopping --------------------------------------------------------------------

    async def _drain(self, grace_s: float) -> None:
        if self._tasks:
            log.info("worker.draining", in_flight=len(self._tasks), grace_period_s=grace_s)
            await asyncio.wait(set(self._tasks), timeout=grace_s)
        left = set(self._tasks)
        if left:
            self.stats.abandoned += len(left)
            log.warning(
                "worker.jobs_abandoned",
                count=len(left),
                note="Zeebe hands them out again when their deadline passes",
            )
            for task in left:
                task.cancel()
            await asyncio.gather(*left, return_exceptions=True)
        log.info("worker.stopped", **dataclasses.asdict(self.stats))


def _command(outcome: Outcome) -> str:
    if isinstance(outcome, Complete):
        return "CompleteJob"
    if isinstance(outcome, Fail):
        return "FailJob"
    if isinstance(outcome, ThrowError):
        return "ThrowError"
    raise TypeError(f"not an outcome: {outcome!r}")


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


__all__: Sequence[str] = ("ActivationRejected", "Handler", "JobWorker", "WorkerStats")
