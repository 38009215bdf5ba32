"""Operations, end to end: `python -m worker` as a subprocess against the gateway double
and a loopback API server. While it runs, /healthz, /readyz and /metrics answer as the
README says; a run whose jobs use secrets never prints a secret, in any spelling."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from aiohttp import web

from tests.zeebe_gateway import GatewayDouble
from tests.zeebe_gateway.state import ACTIVATED, COMPLETED, ERROR_THROWN, INCIDENT
from worker.job import HTTP_JSON_JOB_TYPE

REPO = Path(__file__).resolve().parents[2]

# Secrets with characters that change under JSON, repr and URL encoding.
TOKEN = 'tok-"Quoted"\\back-Ünïcode-9f3a1c'
PASSWORD = "pw-line1\nline2-7e2b88"
FILE_SECRET = "from-a-file:b41d7c0e"
SECRETS = (TOKEN, PASSWORD, FILE_SECRET)


def _spellings(value: str) -> set[str]:
    return {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        repr(value)[1:-1],
        quote(value, safe=""),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def api() -> AsyncIterator[str]:
    """The API the jobs call: it checks the bearer token like a real service would."""

    async def orders(request: web.Request) -> web.Response:
        received = request.headers.get("Authorization", "")
        if received != f"Bearer {TOKEN}":
            # Careless services echo what they got: the worker must not log it as is.
            return web.json_response({"error": f"unauthorized: {received}"}, status=401)
        if request.query.get("slow"):
            await asyncio.sleep(float(request.query["slow"]))
        body = await request.json() if request.can_read_body else None
        return web.json_response({"ok": True, "got": body, "query": dict(request.query)})

    app = web.Application()
    app.router.add_route("*", "/orders", orders)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


class Worker:
    """`python -m worker` in a subprocess; its stderr (the logs) collected in memory."""

    def __init__(self, env: dict[str, str], health_port: int) -> None:
        self.env = env
        self.base = f"http://127.0.0.1:{health_port}"
        self.stderr = bytearray()
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "worker",
            "run",
            cwd=self.env["WORK_DIR"],
            env=self.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process and self.process.stderr
        while chunk := await self.process.stderr.read(65536):
            self.stderr += chunk

    async def stop(self, timeout: float = 30) -> int:
        assert self.process
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), timeout)
        if self._reader:
            await self._reader
        return code

    async def get(self, path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as session, session.get(self.base + path) as response:
            return response.status, await response.text()

    @property
    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stderr.decode().splitlines() if line.strip()]


async def _until(check: Callable[[], Awaitable[bool]], timeout: float = 20, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if await check():
                return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
async def running(api: str, tmp_path: Path) -> AsyncIterator[tuple[Worker, GatewayDouble, str]]:
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    (secrets_dir / "FILE_SECRET").write_text(FILE_SECRET + "\n")
    health_port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ZEEBE_", "CAMUNDA_", "SECRET", "HEALTH_", "LOG_"))
    }
    async with GatewayDouble() as double:
        env |= {
            "WORK_DIR": str(tmp_path),
            "PYTHONPATH": str(REPO),
            "ZEEBE_ADDRESS": double.address,
            "ZEEBE_REQUEST_TIMEOUT": "1s",
            "SHUTDOWN_GRACE_PERIOD": "10s",
            "HEALTH_HOST": "127.0.0.1",
            "HEALTH_PORT": str(health_port),
            "LOG_FORMAT": "json",
            # Everything, libraries included: the most chances to leak.
            "LOG_LEVEL": "DEBUG",
            "SECRET_API_TOKEN": TOKEN,
            "SECRET_PASSWORD": PASSWORD,
            "SECRETS_DIR": str(secrets_dir),
        }
        worker = Worker(env, health_port)
        await worker.start()
        try:
            yield worker, double, api
        finally:
            if worker.process and worker.process.returncode is None:
                worker.process.kill()
                await worker.process.wait()


def _job_variables(api: str, *, path: str = "/orders", slow: float = 0) -> dict[str, Any]:
    query = {"note": "{{secrets.PASSWORD}}"}
    if slow:
        query["slow"] = str(slow)
    return {
        "method": "POST",
        "url": api + path,
        "authentication": {"type": "bearer", "token": "{{secrets.API_TOKEN}}"},
        "headers": {"X-File-Secret": "{{secrets.FILE_SECRET}}"},
        "queryParameters": query,
        "body": {"password": "{{secrets.PASSWORD}}", "file": "{{secrets.FILE_SECRET}}"},
    }


async def test_probes_metrics_and_no_secret_in_the_logs(
    running: tuple[Worker, GatewayDouble, str],
) -> None:
    worker, double, api = running
    state = double.state

    # Alive at once; ready when connected to the gateway.
    await _until(lambda: _is(worker, "/healthz", 200), what="/healthz")
    await _until(lambda: _is(worker, "/readyz", 200), what="/readyz ready")

    # The gateway goes away: not ready, still alive. It comes back: ready again.
    await double.stop()
    await _until(lambda: _is(worker, "/readyz", 503), what="/readyz unready")
    assert (await worker.get("/healthz"))[0] == 200
    status, body = await worker.get("/readyz")
    assert json.loads(body) == {"ready": False, "gateway_connected": False, "draining": False}
    await double.start()
    await _until(lambda: _is(worker, "/readyz", 200), what="/readyz ready again")

    # Before any job, the series of the configured job type are there, at zero.
    _, text = await worker.get("/metrics")
    label = f'job_type="{HTTP_JSON_JOB_TYPE}"'
    for name in ("activated", "completed", "failed", "errored"):
        assert _samples(text)[f"connector_jobs_{name}_total{{{label}}}"] == 0

    ok = state.create_job(
        HTTP_JSON_JOB_TYPE,
        variables=_job_variables(api),
        custom_headers={"resultVariable": "answer"},
    )
    refused = state.create_job(
        HTTP_JSON_JOB_TYPE,
        variables={
            **_job_variables(api),
            # A real secret, but the wrong one: the API answers 401.
            "authentication": {"type": "bearer", "token": "{{secrets.FILE_SECRET}}"},
        },
        retries=1,
    )
    missing = state.create_job(
        HTTP_JSON_JOB_TYPE,
        variables={**_job_variables(api), "url": api + "/orders?k={{secrets.NOT_THERE}}"},
    )

    async def ended() -> bool:
        return all(
            state.jobs[key].state in (COMPLETED, INCIDENT, ERROR_THROWN)
            for key in (ok, refused, missing)
        )

    await _until(ended, what="the three jobs to end")
    assert state.jobs[ok].state == COMPLETED, state.jobs[ok]
    assert state.jobs[refused].state == INCIDENT, state.jobs[refused]
    assert state.jobs[missing].state == INCIDENT, state.jobs[missing]
    assert "NOT_THERE" in state.jobs[missing].error_message

    status, text = await worker.get("/metrics")
    assert status == 200
    samples = _samples(text)
    assert samples[f"connector_jobs_activated_total{{{label}}}"] >= 3
    assert samples[f"connector_jobs_completed_total{{{label}}}"] >= 1
    assert samples[f"connector_jobs_failed_total{{{label}}}"] >= 2
    assert (
        samples['connector_http_request_duration_seconds_count{method="POST",status_class="2xx"}']
        >= 1
    )
    assert (
        samples['connector_http_request_duration_seconds_count{method="POST",status_class="4xx"}']
        >= 1
    )
    assert samples[f"connector_job_duration_seconds_count{{{label}}}"] >= 3
    assert not any(api in name for name in samples), "a URL became a label"

    # Draining: SIGTERM with a slow job in flight; /readyz 503, /healthz 200, exit 0.
    slow = state.create_job(HTTP_JSON_JOB_TYPE, variables=_job_variables(api, slow=1.5))
    await _until(lambda: _true(state.jobs[slow].state == ACTIVATED), what="slow job active")
    assert worker.process is not None
    worker.process.send_signal(signal.SIGTERM)
    await _until(lambda: _is(worker, "/readyz", 503), timeout=5, what="draining")
    status, body = await worker.get("/readyz")
    assert json.loads(body)["draining"] is True
    assert (await worker.get("/healthz"))[0] == 200
    assert await worker.stop() == 0
    assert state.jobs[slow].state == COMPLETED

    # The logs: JSON lines, job lines carry the job, and no secret in any spelling.
    lines = worker.lines
    assert lines, "the worker logged nothing"
    (listening,) = [line for line in lines if line["event"] == "health.listening"]
    assert listening["url"] == worker.base
    loggers = {line.get("logger", "") for line in lines}
    # Library records (gRPC's Python layer, asyncio) come through the same JSON formatter.
    assert {"asyncio", "grpc._cython.cygrpc"} & loggers, loggers
    # One line per request: method, where, status, latency, and the job it belongs to.
    requests = [line for line in lines if line.get("event") == "http.request"]
    assert {line["job_key"] for line in requests} >= {ok, refused, slow}
    for line in requests:
        assert line["method"] == "POST" and api.split("//")[1] in line["url"]
        assert isinstance(line["status"], int) and line["duration_ms"] >= 0
        assert "?" not in line["url"]  # the query may hold secrets and personal data
    job_lines = [line for line in lines if line.get("job_key") == ok]
    assert job_lines
    for line in job_lines:
        assert line["job_type"] == HTTP_JSON_JOB_TYPE
        assert "process_instance_key" in line and "element_id" in line
    text = worker.stderr.decode()
    for secret in SECRETS:
        for spelling in _spellings(secret):
            assert spelling not in text, f"secret leaked in the logs as {spelling!r}"
    for key in (refused, missing):
        for secret in SECRETS:
            assert secret not in state.jobs[key].error_message


async def _is(worker: Worker, path: str, status: int) -> bool:
    return (await worker.get(path))[0] == status


async def _true(value: bool) -> bool:
    return value


def _samples(exposition: str) -> dict[str, float]:
    samples = {}
    for line in exposition.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples
