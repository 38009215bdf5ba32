"""End to end: `python -m worker` as a subprocess, the gateway double over real gRPC, and a
real aiohttp server on 127.0.0.1 for the REST calls.

Nothing is patched: the worker reads its settings from the environment like in
production, runs the real connector pipeline, and is stopped with real signals.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.zeebe_gateway import GatewayDouble

PROJECT = Path(__file__).resolve().parents[2]
TYPE = "io.camunda:http-json:1"
TOKEN = "e2e-token-8f2b"  # the value of {{secrets.API_TOKEN}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Service:
    """The HTTP service the jobs call: records requests and in-flight counts."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.url = ""
        self.released = asyncio.Event()
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        for prefix in ("", "/case/{case}"):
            app.router.add_route("*", f"{prefix}/echo", self.echo)
            app.router.add_route("*", f"{prefix}/slow", self.slow)
            app.router.add_route("*", f"{prefix}/held", self.held)
            app.router.add_route("*", f"{prefix}/status/{{code}}", self.status)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _record(self, request: web.Request) -> dict[str, Any]:
        raw = await request.read()
        seen = {
            "case": request.match_info.get("case"),
            "method": request.method,
            "path": request.path,
            "query": dict(request.query),
            "headers": dict(request.headers),
            "body": json.loads(raw)
            if raw and request.content_type == "application/json"
            else raw.decode(),
        }
        self.requests.append(seen)
        return seen

    async def echo(self, request: web.Request) -> web.Response:
        return web.json_response(await self._record(request))

    async def slow(self, request: web.Request) -> web.Response:
        seen = await self._record(request)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(int(request.query.get("ms", "500")) / 1000)
        finally:
            self.in_flight -= 1
        return web.json_response({"slept": True, "id": seen["query"].get("id")})

    async def held(self, request: web.Request) -> web.Response:
        """Answers only once `released` is set: in flight for as long as a test needs."""
        await self._record(request)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await self.released.wait()
        finally:
            self.in_flight -= 1
        return web.json_response({"held": True})

    async def status(self, request: web.Request) -> web.Response:
        await self._record(request)
        code = int(request.match_info["code"])
        return web.json_response({"problem": f"status {code}"}, status=code)


class WorkerProcess:
    """`python -m worker` with a given environment; its log goes to a file."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.process: asyncio.subprocess.Process | None = None
        self.health_url = f"http://127.0.0.1:{env['HEALTH_PORT']}"

    async def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "worker", cwd=PROJECT, env=self.env, stdout=log, stderr=log
        )
        log.close()

    async def signal(self, signum: int = signal.SIGTERM) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signum)
        return await asyncio.wait_for(self.process.wait(), 60)

    async def wait(self, timeout: float = 30) -> int:
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), timeout)

    def log_lines(self) -> list[dict[str, Any]]:
        lines = []
        for line in self.log_path.read_text().splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                lines.append({"event": line})
        return lines

    async def readiness(self) -> int:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{self.health_url}/readyz") as answer,
        ):
            return answer.status


@pytest.fixture
async def double() -> AsyncIterator[GatewayDouble]:
    async with GatewayDouble() as gateway:
        yield gateway


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    running = Service()
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def start_worker(double: GatewayDouble, tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    workers: list[WorkerProcess] = []

    async def start(**overrides: str) -> WorkerProcess:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/tmp"),
            "ZEEBE_ADDRESS": double.address,
            "HEALTH_HOST": "127.0.0.1",
            "HEALTH_PORT": str(free_port()),
            "LOG_FORMAT": "json",
            "ZEEBE_JOB_TIMEOUT": "8s",
            "ZEEBE_REQUEST_TIMEOUT": "2s",
            "ZEEBE_RETRY_BACKOFF_INITIAL": "50ms",
            "ZEEBE_RETRY_BACKOFF_MAX": "500ms",
            "SHUTDOWN_GRACE_PERIOD": "10s",
            "HTTP_DEFAULT_TIMEOUT_SECONDS": "2",
            "JOB_DEADLINE_MARGIN_SECONDS": "0.5",
            "SECRET_API_TOKEN": TOKEN,
            **overrides,
        }
        worker = WorkerProcess(env, tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        await worker.start()
        return worker

    yield start
    for worker in workers:
        if worker.process is not None and worker.process.returncode is None:
            worker.process.kill()
            await worker.process.wait()


async def eventually(check: Callable[[], bool], timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in {timeout} s: {what}")
        await asyncio.sleep(0.02)


def all_ended(double: GatewayDouble, keys: list[int]) -> Callable[[], bool]:
    done = {"COMPLETED", "ERROR_THROWN", "INCIDENT"}
    return lambda: all(double.state.jobs[key].state in done for key in keys)


# ----- the connector's cases, through real gRPC --------------------------------------------


def connector_cases(
    service_url: str,
) -> list[tuple[str, dict[str, Any], dict[str, str], Callable[..., None]]]:
    """(name, variables, task headers, check(job, requests)) for one worker run.

    Each case calls its own path (`/case/<n>/...`), so requests are told apart by case.
    """
    counter = iter(range(1000))

    def case_url() -> str:
        return f"{service_url}/case/{next(counter)}"

    def completed_with(**expected: Any) -> Callable[..., None]:
        def check(job: Any, requests: list[dict[str, Any]]) -> None:
            assert job.state == "COMPLETED", job.error_message
            for name, value in expected.items():
                assert job.variables[name] == value

        return check

    def check_get(job: Any, requests: list[dict[str, Any]]) -> None:
        assert job.state == "COMPLETED", job.error_message
        response = job.variables["response"]
        assert response["status"] == 200
        assert response["body"]["query"] == {"q": "a b/ü", "page": "2"}
        [request] = requests
        assert request["method"] == "GET"

    def check_post(job: Any, requests: list[dict[str, Any]]) -> None:
        assert job.state == "COMPLETED", job.error_message
        assert job.variables["echoedOrder"] == 42
        assert job.variables["status"] == 200
        [request] = requests
        assert request["body"] == {"orderId": 42, "items": [1, 2]}
        assert request["headers"]["X-Tenant"] == "acme"
        assert request["headers"]["Content-Type"].startswith("application/json")

    def check_basic(job: Any, requests: list[dict[str, Any]]) -> None:
        assert job.state == "COMPLETED", job.error_message
        expected = "Basic " + base64.b64encode(b"alice:s3cret").decode()
        assert requests[0]["headers"]["Authorization"] == expected

    def check_bearer_secret(job: Any, requests: list[dict[str, Any]]) -> None:
        assert job.state == "COMPLETED", job.error_message
        assert requests[0]["headers"]["Authorization"] == f"Bearer {TOKEN}"

    def check_api_key(job: Any, requests: list[dict[str, Any]]) -> None:
        assert job.state == "COMPLETED", job.error_message
        assert requests[0]["query"]["api_key"] == "k-123"

    def check_404_fails_with_retries_left(job: Any, requests: list[dict[str, Any]]) -> None:
        assert job.state in ("FAILED", "ACTIVATABLE", "ACTIVATED", "INCIDENT"), job.state
        assert job.retries == 2  # one retry spent; the retryBackoff header holds it back
        assert "404" in job.error_message

    def check_bpmn_error(job: Any, requests: list[dict[str, Any]]) -> None:
        assert job.state == "ERROR_THROWN", job.error_message
        assert job.error_code == "NOT_FOUND"

    def check_missing_secret(job: Any, requests: list[dict[str, Any]]) -> None:
        assert job.state == "INCIDENT"
        assert "NOPE" in job.error_message
        assert requests == []

    def check_bad_method(job: Any, requests: list[dict[str, Any]]) -> None:
        assert job.state == "INCIDENT"
        assert "method" in job.error_message.lower()
        assert requests == []

    def check_refused(job: Any, requests: list[dict[str, Any]]) -> None:
        assert job.state != "COMPLETED"
        assert job.retries == 2
        assert job.error_message

    def check_timeout(job: Any, requests: list[dict[str, Any]]) -> None:
        assert job.state != "COMPLETED"
        assert job.retries == 2
        assert "time" in job.error_message.lower()

    closed = f"http://127.0.0.1:{free_port()}/nothing-listens-here"
    return [
        (
            "GET with query parameters",
            {
                "url": f"{case_url()}/echo",
                "method": "GET",
                "queryParameters": {"q": "a b/ü", "page": "2"},
            },
            {"resultVariable": "response"},
            check_get,
        ),
        (
            "POST JSON body, headers and a result expression",
            {
                "url": f"{case_url()}/echo",
                "method": "post",
                "headers": {"X-Tenant": "acme"},
                "body": {"orderId": 42, "items": [1, 2]},
            },
            {"resultExpression": "={echoedOrder: body.body.orderId, status: response.status}"},
            check_post,
        ),
        (
            "basic auth",
            {
                "url": f"{case_url()}/echo",
                "method": "GET",
                "authentication": {"type": "basic", "username": "alice", "password": "s3cret"},
            },
            {},
            check_basic,
        ),
        (
            "bearer token from a secret",
            {
                "url": f"{case_url()}/echo",
                "method": "GET",
                "authentication": {"type": "bearer", "token": "{{secrets.API_TOKEN}}"},
            },
            {},
            check_bearer_secret,
        ),
        (
            "API key in the query",
            {
                "url": f"{case_url()}/echo",
                "method": "GET",
                "authentication": {
                    "type": "apiKey",
                    "apiKeyLocation": "query",
                    "name": "api_key",
                    "value": "k-123",
                },
            },
            {},
            check_api_key,
        ),
        (
            "FEEL input expression",
            {"url": '= base + "/echo"', "base": case_url(), "method": "GET"},
            {"resultExpression": "={feelStatus: response.status}"},
            completed_with(feelStatus=200),
        ),
        (
            "HTTP 404 fails with one retry spent",
            {"url": f"{case_url()}/status/404", "method": "GET"},
            {"retryBackoff": "PT30S"},
            check_404_fails_with_retries_left,
        ),
        (
            "error expression throws a BPMN error",
            {"url": f"{case_url()}/status/404", "method": "GET"},
            {
                "errorExpression": '=if error.code = "404" '
                'then bpmnError("NOT_FOUND", "no such order") else null'
            },
            check_bpmn_error,
        ),
        (
            "a missing secret is an incident",
            {
                "url": f"{case_url()}/echo",
                "method": "GET",
                "headers": {"X-Key": "{{secrets.NOPE}}"},
            },
            {},
            check_missing_secret,
        ),
        (
            "an invalid method is an incident",
            {"url": f"{case_url()}/echo", "method": "FETCH"},
            {},
            check_bad_method,
        ),
        (
            "connection refused",
            {"url": closed, "method": "GET"},
            {"retryBackoff": "PT30S"},
            check_refused,
        ),
        (
            "read timeout",
            {"url": f"{case_url()}/slow?ms=3000", "method": "GET", "readTimeoutInSeconds": 1},
            {"retryBackoff": "PT30S"},
            check_timeout,
        ),
        (
            "jobTimeout header",
            {"url": f"{case_url()}/echo", "method": "GET"},
            {"jobTimeout": "PT2M", "resultExpression": "={ok: response.status = 200}"},
            completed_with(ok=True),
        ),
    ]


async def test_connector_cases_through_real_grpc(
    double: GatewayDouble, service: Service, start_worker: Callable[..., Any]
) -> None:
    cases = connector_cases(service.url)
    keys = [
        double.state.create_job(TYPE, variables=variables, custom_headers=headers, retries=3)
        for _, variables, headers, _ in cases
    ]
    worker = await start_worker()
    await eventually(
        lambda: all(
            double.state.jobs[key].state not in ("ACTIVATABLE", "ACTIVATED") for key in keys
        ),
        what="every case decided once",
    )
    assert await worker.signal() == 0
    problems = []
    for index, ((name, _, _, check), key) in enumerate(zip(cases, keys, strict=True)):
        requests = [r for r in service.requests if r["case"] == str(index)]
        try:
            check(double.state.jobs[key], requests)
        except AssertionError as error:
            problems.append(f"{name}: {error}")
    assert problems == []
    [update] = double.state.accepted("UpdateJobTimeout")
    assert (update.job_key, update.detail) == (keys[-1], {"timeout": 120_000})
    everything = json.dumps([c.detail for c in double.state.commands]) + worker.log_path.read_text()
    assert TOKEN not in everything  # the secret never reached Zeebe or the log


# ----- scale, stopping, the gateway going away, back-pressure -------------------------------


async def test_2000_jobs_with_100_active_all_end_exactly_once(
    double: GatewayDouble, service: Service, start_worker: Callable[..., Any]
) -> None:
    keys = [
        double.state.create_job(
            TYPE,
            variables={"url": f"{service.url}/slow?ms=20&id={n}", "method": "GET"},
            custom_headers={"resultExpression": "={id: response.body.id}"},
        )
        for n in range(2000)
    ]
    worker = await start_worker(ZEEBE_MAX_JOBS_ACTIVE="100")
    await eventually(all_ended(double, keys), timeout=90, what="2000 jobs ended")
    assert await worker.signal(signal.SIGINT) == 0
    assert double.state.problems_with_exactly_once(keys) == []
    assert {double.state.jobs[key].variables["id"] for key in keys} == {str(n) for n in range(2000)}
    assert len(service.requests) == 2000
    assert 50 <= service.most_in_flight <= 100


@pytest.mark.parametrize(
    "grpc_experiments",
    [None, ""],
    ids=["our gRPC default (iomgr TCP client)", "gRPC's own default (EventEngine client)"],
)
async def test_a_gateway_addressed_by_host_name_with_either_grpc_client(
    double: GatewayDouble,
    service: Service,
    start_worker: Callable[..., Any],
    grpc_experiments: str | None,
) -> None:
    # `localhost` goes through gRPC's resolver (compose and Kubernetes give host names);
    # GRPC_EXPERIMENTS set, even empty, is the user's choice and replaces ours.
    keys = [
        double.state.create_job(
            TYPE,
            variables={"url": f"{service.url}/echo?id={n}", "method": "GET"},
            custom_headers={"resultExpression": "={id: response.body.query.id}"},
        )
        for n in range(50)
    ]
    overrides = {"ZEEBE_ADDRESS": f"localhost:{double.port}"}
    if grpc_experiments is not None:
        overrides["GRPC_EXPERIMENTS"] = grpc_experiments
    worker = await start_worker(**overrides)
    await eventually(all_ended(double, keys), what="50 jobs ended")
    assert await worker.signal() == 0
    assert double.state.problems_with_exactly_once(keys) == []
    assert {double.state.jobs[key].variables["id"] for key in keys} == {str(n) for n in range(50)}


async def test_sigterm_drains_500_in_flight_jobs_then_a_restart_does_the_rest(
    double: GatewayDouble, service: Service, start_worker: Callable[..., Any]
) -> None:
    keys = double.state.create_jobs(
        700, TYPE, variables={"url": f"{service.url}/slow?ms=1500", "method": "GET"}
    )
    settings = {"ZEEBE_MAX_JOBS_ACTIVE": "500", "HTTP_MAX_CONNECTIONS": "0"}
    first = await start_worker(**settings)
    await eventually(lambda: service.in_flight >= 500, what="500 requests in flight")
    activated_before = len(double.state.activation_log)
    assert await first.signal() == 0  # waits for the drain
    assert len(double.state.activation_log) == activated_before  # nothing new after SIGTERM
    completed = [key for key in keys if double.state.jobs[key].state == "COMPLETED"]
    assert len(completed) == 500  # every in-flight job finished within the grace period
    second = await start_worker(**settings)
    await eventually(all_ended(double, keys), what="the rest done after the restart")
    assert await second.signal() == 0
    assert double.state.problems_with_exactly_once(keys) == []
    assert len(service.requests) == 700  # no request was made twice


async def test_jobs_still_running_when_the_grace_period_ends_are_redone_after_a_restart(
    double: GatewayDouble, service: Service, start_worker: Callable[..., Any]
) -> None:
    # The service holds every answer until released, so no job can finish within the
    # grace period however slowly a loaded machine starts the requests.
    keys = double.state.create_jobs(
        500, TYPE, variables={"url": f"{service.url}/held", "method": "GET"}
    )
    settings = {
        "ZEEBE_MAX_JOBS_ACTIVE": "500",
        "HTTP_MAX_CONNECTIONS": "0",
        "ZEEBE_JOB_TIMEOUT": "6s",
    }
    first = await start_worker(**settings, SHUTDOWN_GRACE_PERIOD="300ms")
    await eventually(lambda: service.in_flight >= 500, what="500 requests in flight")
    started = time.monotonic()
    assert await first.signal() == 0
    assert time.monotonic() - started < 5
    assert double.state.commands == []  # abandoned untouched: no half-done job
    stopped = [line for line in first.log_lines() if line.get("event") == "worker.stopped"]
    assert stopped and stopped[0]["abandoned"] == 500
    service.released.set()
    second = await start_worker(**settings)  # takes them once their deadline passed
    await eventually(all_ended(double, keys), timeout=40, what="abandoned jobs redone")
    assert await second.signal() == 0
    assert double.state.problems_with_exactly_once(keys) == []
    assert all(double.state.jobs[key].state == "COMPLETED" for key in keys)
    assert all(double.state.jobs[key].activations == 2 for key in keys)
    assert len(service.requests) == 1000  # the abandoned calls were made again


async def test_the_gateway_going_away_for_5_seconds(
    double: GatewayDouble, service: Service, start_worker: Callable[..., Any]
) -> None:
    keys = double.state.create_jobs(
        300, TYPE, variables={"url": f"{service.url}/slow?ms=300", "method": "GET"}
    )
    worker = await start_worker(ZEEBE_MAX_JOBS_ACTIVE="50")
    await eventually(lambda: double.state.ended_count >= 60, what="some jobs done")
    await eventually(lambda: service.in_flight > 0, what="jobs in flight")
    assert await worker.readiness() == 200
    await double.stop()
    await asyncio.sleep(1)
    assert await worker.readiness() == 503
    later = double.state.create_jobs(
        100, TYPE, variables={"url": f"{service.url}/slow?ms=300", "method": "GET"}
    )
    await asyncio.sleep(4)
    await double.start()
    await eventually(all_ended(double, keys + later), timeout=60, what="all jobs ended")
    assert await worker.readiness() == 200
    assert await worker.signal() == 0
    assert double.state.problems_with_exactly_once(keys + later) == []
    events = [line.get("event") for line in worker.log_lines()]
    assert "gateway.error" in events


async def test_back_pressure_is_absorbed(
    double: GatewayDouble, service: Service, start_worker: Callable[..., Any]
) -> None:
    keys = double.state.create_jobs(
        500, TYPE, variables={"url": f"{service.url}/echo", "method": "GET"}
    )
    double.state.inject("ActivateJobs", "RESOURCE_EXHAUSTED", times=8)
    double.state.inject("CompleteJob", "RESOURCE_EXHAUSTED", times=200)
    worker = await start_worker()
    await eventually(all_ended(double, keys), timeout=60, what="all jobs ended")
    assert await worker.signal() == 0
    assert double.state.problems_with_exactly_once(keys) == []
    rejected = [c for c in double.state.commands if c.code == "RESOURCE_EXHAUSTED"]
    assert len(rejected) == 208
    assert len(service.requests) == 500  # back-pressure never made a call run twice


async def test_a_gateway_that_refuses_the_activation_request_exits_3(
    double: GatewayDouble, start_worker: Callable[..., Any]
) -> None:
    double.state.inject("ActivateJobs", "INVALID_ARGUMENT")
    worker = await start_worker()
    assert await worker.wait() == 3
    assert "gateway error: the gateway refuses to activate jobs" in worker.log_path.read_text()


@pytest.mark.parametrize("stream", ["false", "true"], ids=["polling", "polling and a stream"])
async def test_the_worker_takes_only_its_tenants_jobs(
    double: GatewayDouble, service: Service, start_worker: Callable[..., Any], stream: str
) -> None:
    double.state.multi_tenancy = True

    def job(tenant: str) -> int:
        return double.state.create_job(
            TYPE,
            variables={"url": f"{service.url}/echo?tenant={tenant}", "method": "GET"},
            custom_headers={"resultVariable": "result"},
            tenant_id=tenant,
        )

    before = [job(tenant) for tenant in ("tenant-a", "tenant-b", "tenant-c", "<default>")]
    worker = await start_worker(ZEEBE_TENANT_IDS="tenant-a, tenant-b", ZEEBE_STREAM_ENABLED=stream)
    after = [job(tenant) for tenant in ("tenant-a", "tenant-b", "tenant-c", "<default>")]
    mine = [before[0], before[1], after[0], after[1]]
    await eventually(all_ended(double, mine), what="tenant-a and tenant-b jobs ended")
    await asyncio.sleep(0.3)  # time enough to take a job it should not
    assert await worker.signal() == 0
    assert [double.state.jobs[key].state for key in mine] == ["COMPLETED"] * 4
    others = [before[2], before[3], after[2], after[3]]
    assert [double.state.jobs[key].activations for key in others] == [0, 0, 0, 0]
    assert sorted(r["query"]["tenant"] for r in service.requests) == sorted(
        ["tenant-a", "tenant-b"] * 2
    )


async def test_tenant_ids_on_a_gateway_without_multi_tenancy_stop_the_worker(
    double: GatewayDouble, start_worker: Callable[..., Any]
) -> None:
    worker = await start_worker(ZEEBE_TENANT_IDS="tenant-a")
    assert await worker.wait() == 3
    log = worker.log_path.read_text()
    assert "multi-tenancy is disabled" in log
    assert "the gateway refuses to activate jobs" in log


async def test_stream_mode_end_to_end(
    double: GatewayDouble, service: Service, start_worker: Callable[..., Any]
) -> None:
    worker = await start_worker(ZEEBE_STREAM_ENABLED="true", ZEEBE_REQUEST_TIMEOUT="30s")
    await eventually(lambda: double.state.open_streams(TYPE) == 1, what="stream opened")
    keys = double.state.create_jobs(
        50, TYPE, variables={"url": f"{service.url}/echo", "method": "GET"}
    )
    await eventually(all_ended(double, keys), what="streamed jobs ended")
    assert await worker.signal() == 0
    assert double.state.problems_with_exactly_once(keys) == []
    assert double.state.streamed_count == 50
