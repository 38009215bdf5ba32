"""The job worker loop in-process against the gateway double, with test handlers.

The handlers here stand in for the connector so that activation, concurrency, command
retries, the jobTimeout header and draining are tested on their own; the end-to-end tests
run the real connector in `python -m worker`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from tests.zeebe_gateway import GatewayDouble
from worker.config import ZeebeSettings
from worker.fetch_variables import CONNECTOR_INPUTS
from worker.health import Readiness
from worker.job import Complete, Fail, JobInput, Outcome, ThrowError
from worker.job_worker import ActivationRejected, JobWorker, WorkerStats
from worker.zeebe import Gateway, open_channel

TYPE = "io.camunda:http-json:1"


def settings_for(double: GatewayDouble, **overrides: Any) -> ZeebeSettings:
    values: dict[str, Any] = {
        "address": double.address,
        "job_timeout": timedelta(seconds=30),
        "request_timeout": timedelta(seconds=2),
        "retry_backoff_initial": timedelta(milliseconds=20),
        "retry_backoff_max": timedelta(milliseconds=200),
        "shutdown_grace_period": timedelta(seconds=5),
        "max_jobs_active": 10,
        "worker_name": "test-worker",
    }
    values.update(overrides)
    return ZeebeSettings(**values)


class Running:
    """A JobWorker running in the background of a test."""

    def __init__(self, worker: JobWorker) -> None:
        self.worker = worker
        self.task = asyncio.create_task(worker.run())

    async def stop(self) -> WorkerStats:
        self.worker.stop()
        return await asyncio.wait_for(self.task, 30)


@pytest.fixture
async def double() -> AsyncIterator[GatewayDouble]:
    async with GatewayDouble() as gateway:
        yield gateway


@pytest.fixture
async def start_worker(
    double: GatewayDouble,
) -> AsyncIterator[Callable[..., Awaitable[Running]]]:
    started: list[tuple[Running, Gateway]] = []

    async def start(handler: Callable[[JobInput], Awaitable[Outcome]], **overrides: Any) -> Running:
        settings = settings_for(double, **overrides)
        gateway = Gateway(open_channel(settings))
        running = Running(JobWorker(gateway, handler, settings, Readiness()))
        started.append((running, gateway))
        return running

    yield start
    for running, gateway in started:
        if not running.task.done():
            running.worker.stop()
            await asyncio.gather(running.task, return_exceptions=True)
        await gateway.close()


async def complete_all(job: JobInput) -> Outcome:
    return Complete({"handled": job.key})


async def eventually(check: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


def ended(double: GatewayDouble, keys: list[int]) -> Callable[[], bool]:
    return lambda: all(
        double.state.jobs[key].state in ("COMPLETED", "ERROR_THROWN", "INCIDENT") for key in keys
    )


async def test_jobs_are_completed_with_the_handlers_variables(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    keys = double.state.create_jobs(25, TYPE, variables={"url": "http://x"})
    running = await start_worker(complete_all)
    await eventually(ended(double, keys))
    stats = await running.stop()
    assert double.state.problems_with_exactly_once(keys) == []
    assert all(double.state.jobs[key].variables["handled"] == key for key in keys)
    assert (stats.activated, stats.completed, stats.abandoned) == (25, 25, 0)


async def test_fail_and_throw_outcomes_become_the_matching_commands(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    fail_key = double.state.create_job(TYPE, variables={"do": "fail"}, retries=3)
    throw_key = double.state.create_job(TYPE, variables={"do": "throw"})

    async def handler(job: JobInput) -> Outcome:
        if job.variables["do"] == "fail":
            return Fail(
                "HTTP 500 Internal Server Error", retries=0, retry_backoff_ms=0, variables={"e": 1}
            )
        return ThrowError("404", "Not Found", {"status": 404})

    running = await start_worker(handler)
    await eventually(ended(double, [fail_key, throw_key]))
    await running.stop()
    failed, thrown = double.state.jobs[fail_key], double.state.jobs[throw_key]
    assert (failed.state, failed.error_message, failed.variables) == (
        "INCIDENT",
        "HTTP 500 Internal Server Error",
        {"do": "fail", "e": 1},
    )
    assert (thrown.state, thrown.error_code, thrown.error_message) == (
        "ERROR_THROWN",
        "404",
        "Not Found",
    )
    [fail_command] = double.state.accepted("FailJob")
    assert fail_command.detail["retries"] == 0


async def test_a_fail_with_retries_and_backoff_comes_back_after_the_backoff(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    key = double.state.create_job(TYPE, retries=2)
    seen: list[tuple[float, int]] = []

    async def handler(job: JobInput) -> Outcome:
        seen.append((time.monotonic(), job.retries))
        if job.retries == 2:
            return Fail("try again", retries=1, retry_backoff_ms=300)
        return Complete()

    running = await start_worker(handler)
    await eventually(ended(double, [key]))
    await running.stop()
    assert [retries for _, retries in seen] == [2, 1]
    assert seen[1][0] - seen[0][0] >= 0.28
    assert double.state.problems_with_exactly_once([key]) == []


async def test_concurrency_is_bounded_and_no_job_waits_for_a_slow_one(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    slow = double.state.create_job(TYPE, variables={"slow": True})
    fast = double.state.create_jobs(40, TYPE, variables={"slow": False})
    release = asyncio.Event()
    running_now = 0
    most = 0

    async def handler(job: JobInput) -> Outcome:
        nonlocal running_now, most
        running_now += 1
        most = max(most, running_now)
        try:
            if job.variables["slow"]:
                await release.wait()
            else:
                await asyncio.sleep(0.01)
        finally:
            running_now -= 1
        return Complete()

    running = await start_worker(handler, max_jobs_active=4)
    await eventually(ended(double, fast))  # while the slow one still holds a slot
    assert double.state.jobs[slow].state == "ACTIVATED"
    release.set()
    await eventually(ended(double, [slow]))
    await running.stop()
    assert most <= 4
    assert double.state.problems_with_exactly_once([slow, *fast]) == []


async def test_the_job_timeout_header_extends_the_deadline_before_the_handler_runs(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    key = double.state.create_job(TYPE, custom_headers={"jobTimeout": "PT10M"})
    deadlines: list[int | None] = []

    async def handler(job: JobInput) -> Outcome:
        deadlines.append(job.deadline_epoch_ms)
        return Complete()

    running = await start_worker(handler, job_timeout=timedelta(seconds=30))
    await eventually(ended(double, [key]))
    await running.stop()
    [update] = double.state.accepted("UpdateJobTimeout")
    assert update.detail == {"timeout": 600_000}
    assert deadlines[0] is not None
    assert abs(deadlines[0] - (time.time() * 1000 + 600_000)) < 5_000


@pytest.mark.parametrize("header", ["ten minutes", "P1M", "PT0S", "-PT5M"])
async def test_an_invalid_job_timeout_header_fails_the_job_without_retries(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]], header: str
) -> None:
    key = double.state.create_job(TYPE, custom_headers={"jobTimeout": header})
    called: list[int] = []

    async def handler(job: JobInput) -> Outcome:
        called.append(job.key)
        return Complete()

    running = await start_worker(handler)
    await eventually(ended(double, [key]))
    await running.stop()
    job = double.state.jobs[key]
    assert job.state == "INCIDENT"
    assert "jobTimeout" in job.error_message and "ISO-8601" in job.error_message
    assert called == []


async def test_the_deadline_from_the_activation_reaches_the_handler(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    key = double.state.create_job(TYPE)
    deadlines: list[int | None] = []

    async def handler(job: JobInput) -> Outcome:
        deadlines.append(job.deadline_epoch_ms)
        return Complete()

    running = await start_worker(handler, job_timeout=timedelta(seconds=42))
    await eventually(ended(double, [key]))
    await running.stop()
    assert deadlines[0] == double.state.jobs[key].deadline_ms
    assert abs(deadlines[0] - (time.time() * 1000 + 42_000)) < 5_000


@pytest.mark.parametrize(
    ("fetch", "expected"),
    [
        ("all", {"url": "u", "method": "GET", "orderId": 7, "huge": "x" * 100}),
        ("inputs", {"url": "u", "method": "GET"}),
        ("inputs,orderId", {"url": "u", "method": "GET", "orderId": 7}),
    ],
)
async def test_fetch_variables_setting(
    double: GatewayDouble,
    start_worker: Callable[..., Awaitable[Running]],
    fetch: str,
    expected: dict[str, Any],
) -> None:
    key = double.state.create_job(
        TYPE, variables={"url": "u", "method": "GET", "orderId": 7, "huge": "x" * 100}
    )
    seen: list[dict[str, Any]] = []

    async def handler(job: JobInput) -> Outcome:
        seen.append(job.variables)
        return Complete()

    running = await start_worker(handler, fetch_variables=fetch)
    await eventually(ended(double, [key]))
    await running.stop()
    assert seen == [expected]


def test_connector_inputs_cover_every_template_version() -> None:
    from tests.reference import ELEMENT_TEMPLATES as templates

    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            binding = node.get("binding")
            if isinstance(binding, dict) and binding.get("type") == "zeebe:input":
                names.add(binding["name"].split(".")[0])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in templates.rglob("*.json"):
        walk(json.loads(path.read_text()))
    assert names, "no inputs found in the templates"
    assert names <= set(CONNECTOR_INPUTS)


async def test_back_pressure_on_activation_and_commands_is_absorbed(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    keys = double.state.create_jobs(30, TYPE)
    double.state.inject("ActivateJobs", "RESOURCE_EXHAUSTED", times=5)
    double.state.inject("CompleteJob", "RESOURCE_EXHAUSTED", times=10)
    running = await start_worker(complete_all)
    await eventually(ended(double, keys))
    await running.stop()
    assert double.state.problems_with_exactly_once(keys) == []
    codes = [c.code for c in double.state.commands if c.method == "CompleteJob"]
    assert codes.count("RESOURCE_EXHAUSTED") == 10
    assert codes.count("OK") == 30


async def test_a_lost_answer_then_not_found_is_dropped_without_a_second_ending(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    key = double.state.create_job(TYPE)
    double.state.inject("CompleteJob", "UNAVAILABLE", after_apply=True)
    running = await start_worker(complete_all)
    await eventually(lambda: any(c.code == "NOT_FOUND" for c in double.state.commands))
    stats = await running.stop()
    assert double.state.problems_with_exactly_once([key]) == []
    assert (stats.completed, stats.dropped) == (0, 1)


async def test_internal_errors_on_a_command_are_retried_a_few_times_then_given_up(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    key = double.state.create_job(TYPE)
    double.state.inject("CompleteJob", "INTERNAL", times=100)
    running = await start_worker(complete_all, command_retries=2)
    await eventually(lambda: len(double.state.commands) >= 3)
    await asyncio.sleep(0.5)
    stats = await running.stop()
    assert [c.code for c in double.state.commands] == ["INTERNAL"] * 3
    assert stats.dropped == 1
    assert double.state.jobs[key].state == "ACTIVATED"  # left to time out in Zeebe


async def test_a_result_zeebe_refuses_fails_the_job_with_zeebes_reason(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    key = double.state.create_job(TYPE)
    double.state.inject("CompleteJob", "INVALID_ARGUMENT")
    running = await start_worker(complete_all)
    await eventually(ended(double, [key]))
    await running.stop()
    job = double.state.jobs[key]
    assert job.state == "INCIDENT"
    assert job.error_message.startswith("Zeebe rejected the job's CompleteJob command: ")


async def test_a_crashing_handler_fails_the_job_and_the_worker_goes_on(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    bad = double.state.create_job(TYPE, variables={"crash": True}, retries=3)
    good = double.state.create_job(TYPE, variables={"crash": False})

    async def handler(job: JobInput) -> Outcome:
        if job.variables["crash"]:
            raise RuntimeError("secret-looking detail that must not reach Zeebe")
        return Complete()

    running = await start_worker(handler)
    await eventually(ended(double, [bad, good]))
    await running.stop()
    assert double.state.jobs[good].state == "COMPLETED"
    # each crash spends one retry (3, 2, 1), then the incident holds the job
    assert [c.detail["retries"] for c in double.state.accepted("FailJob")] == [2, 1, 0]
    message = double.state.jobs[bad].error_message
    assert "RuntimeError" in message and "secret-looking" not in message


async def test_stop_lets_in_flight_jobs_finish_within_the_grace_period(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    keys = double.state.create_jobs(8, TYPE)
    started = asyncio.Event()

    async def handler(job: JobInput) -> Outcome:
        started.set()
        await asyncio.sleep(0.3)
        return Complete()

    running = await start_worker(handler)
    await started.wait()
    await asyncio.sleep(0.05)
    requests_before = double.state.activate_requests
    stats = await running.stop()
    assert double.state.problems_with_exactly_once(keys) == []
    assert stats.abandoned == 0
    assert double.state.activate_requests <= requests_before + 1


async def test_jobs_still_running_after_the_grace_period_are_left_untouched(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    quick = double.state.create_job(TYPE, variables={"sleep": 0.05})
    stuck = double.state.create_jobs(3, TYPE, variables={"sleep": 60})
    cancelled: list[int] = []

    async def handler(job: JobInput) -> Outcome:
        try:
            await asyncio.sleep(job.variables["sleep"])
        except asyncio.CancelledError:
            cancelled.append(job.key)
            raise
        return Complete()

    running = await start_worker(handler, shutdown_grace_period=timedelta(milliseconds=300))
    await eventually(ended(double, [quick]))
    started = time.monotonic()
    stats = await running.stop()
    assert time.monotonic() - started < 2
    assert stats.abandoned == 3
    assert sorted(cancelled) == sorted(stuck)
    assert all(double.state.jobs[key].state == "ACTIVATED" for key in stuck)
    assert [c.job_key for c in double.state.commands] == [quick]


async def test_the_worker_rides_out_the_gateway_going_away(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    first = double.state.create_jobs(5, TYPE)
    running = await start_worker(complete_all)
    await eventually(ended(double, first))
    assert running.worker.readiness.gateway_connected
    await double.stop()
    await eventually(lambda: not running.worker.readiness.gateway_connected)
    await asyncio.sleep(1)
    second = double.state.create_jobs(5, TYPE)
    await double.start()
    await eventually(ended(double, second))
    assert running.worker.readiness.gateway_connected
    await running.stop()
    assert double.state.problems_with_exactly_once(first + second) == []


async def test_commands_wait_for_the_gateway_to_come_back(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    keys = double.state.create_jobs(5, TYPE)
    release = asyncio.Event()

    async def handler(job: JobInput) -> Outcome:
        await release.wait()
        return Complete()

    running = await start_worker(handler)
    await eventually(lambda: running.worker.in_flight == 5)
    await double.stop()
    release.set()  # the outcomes are decided while no gateway answers
    await asyncio.sleep(1)
    await double.start()
    await eventually(ended(double, keys))
    stats = await running.stop()
    assert double.state.problems_with_exactly_once(keys) == []
    assert stats.dropped == 0


async def test_an_activation_request_the_gateway_calls_invalid_ends_the_run(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    double.state.inject("ActivateJobs", "INVALID_ARGUMENT")
    running = await start_worker(complete_all)
    with pytest.raises(ActivationRejected, match="refuses to activate jobs"):
        await asyncio.wait_for(running.task, 10)


async def test_stream_mode_takes_new_jobs_from_the_stream_and_old_ones_by_polling(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    waiting = double.state.create_jobs(5, TYPE)  # there before the worker: polled
    running = await start_worker(
        complete_all, stream_enabled=True, request_timeout=timedelta(seconds=30)
    )
    await eventually(ended(double, waiting))
    await eventually(lambda: double.state.open_streams(TYPE) == 1)
    pushed = double.state.create_jobs(20, TYPE)
    await eventually(ended(double, pushed))
    await running.stop()
    assert double.state.problems_with_exactly_once(waiting + pushed) == []
    assert double.state.streamed_count == 20
    await eventually(lambda: double.state.open_streams(TYPE) == 0)  # the stream was closed


async def test_an_idle_worker_is_ready_without_waiting_for_its_long_poll(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    running = await start_worker(complete_all, request_timeout=timedelta(seconds=30))
    started = time.monotonic()
    await eventually(lambda: running.worker.readiness.gateway_connected, timeout=5)
    assert time.monotonic() - started < 2
    await running.stop()


async def test_a_gateway_without_job_streams_leaves_the_worker_polling(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    double.state.inject("StreamActivatedJobs", "UNIMPLEMENTED")
    running = await start_worker(complete_all, stream_enabled=True)
    await eventually(lambda: any(c.method == "StreamActivatedJobs" for c in double.state.commands))
    keys = double.state.create_jobs(10, TYPE)
    await eventually(ended(double, keys))
    assert not running.task.done()
    await running.stop()
    assert double.state.streamed_count == 0


async def test_an_idle_job_types_long_poll_does_not_hold_every_slot(
    double: GatewayDouble, start_worker: Callable[..., Awaitable[Running]]
) -> None:
    running = await start_worker(
        complete_all,
        job_types="idle:type,busy:type",
        max_jobs_active=4,
        request_timeout=timedelta(seconds=20),
    )
    await asyncio.sleep(0.3)  # both long polls are waiting now
    keys = double.state.create_jobs(12, "busy:type")
    started = time.monotonic()
    await eventually(ended(double, keys), timeout=10)
    assert time.monotonic() - started < 3  # not after the idle poll's 20 s
    await running.stop()
    assert double.state.problems_with_exactly_once(keys) == []
    # each type's poll asks for at most its share of the 4 slots
    assert max(asked for _, asked in double.state.activation_requests) == 2
