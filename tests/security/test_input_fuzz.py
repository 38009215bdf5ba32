"""Hypothesis fuzzing of the input models and of whole jobs (short runs; always run).

- `bind_inputs` + `prepare` (pure, no network): any variables give a prepared request or
  a `ConnectorError`, never another exception; a prepared request carries no control
  character in its URL or headers, and only token header names.
- task headers: any text gives parsed headers or a `TaskHeaderError`.
- `invoke` job files: any bytes give a job or a `JobFileError`.
- whole jobs through a connector sandboxed to loopback: every job ends with an outcome
  Zeebe can take, never the "bug in the worker" failure.

`test_input_fuzz_long.py` runs the same properties on 100,000 inputs (RUN_LONG=1).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.security.conftest import (
    SANDBOX,
    LoopbackOnlyResolver,
    error_code,
    job,
    outcome_problems,
)
from tests.security.conftest import settings as connector_settings
from tests.security.strategies import (
    job_variables,
    mostly_valid_headers,
    mostly_valid_jobs,
    task_headers,
)
from worker.connector import Connector
from worker.errors import ConnectorError, TaskHeaderError
from worker.http_client import HttpClient
from worker.invoke import JobFileError, read_job
from worker.job import Fail
from worker.outcome import TaskHeaders
from worker.request import bind_inputs, prepare
from worker.secret_store import SecretAccess, SecretStore

pytestmark = pytest.mark.timeout(300)

STORE = SecretStore(
    "",
    environ={"A": "secret-a", "B": "b\r\nX-Injected: yes", "CRLF": "\r\n", "SURROGATE": "\ud800"},
    access=SecretAccess(["A", "B", "CRLF", "SURROGATE", "MISSING"]),
)
URL_TEXT = re.compile(r"https?://[A-Za-z0-9\-._~!$&'()*+,;=:@/?\[\]%]+")
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
FORBIDDEN_IN_VALUES = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]")
LOOPBACK = "http://127.0.0.1:8"  # never connected to: the pure properties send nothing


def check_bind_and_prepare(variables: dict[str, Any]) -> None:
    try:
        inputs = bind_inputs(variables, STORE, {}, "io.camunda:http-json:1")
        request = prepare(inputs)
    except ConnectorError:
        return
    assert URL_TEXT.fullmatch(request.url), request.url
    for name, value in request.headers:
        assert TOKEN.fullmatch(name), name
        assert not FORBIDDEN_IN_VALUES.search(value), value
    assert request.body is None or isinstance(request.body, bytes)


def check_task_headers(headers: dict[str, str]) -> None:
    with contextlib.suppress(TaskHeaderError):
        TaskHeaders.parse(headers)


def check_job_file(content: bytes) -> None:
    with tempfile.NamedTemporaryFile(suffix=".json") as file:
        Path(file.name).write_bytes(content)
        with contextlib.suppress(JobFileError):
            read_job(file.name)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(job_variables(LOOPBACK))
def test_any_inputs_bind_or_fail_clearly(variables: dict[str, Any]) -> None:
    check_bind_and_prepare(variables)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(task_headers)
def test_any_task_headers_parse_or_fail_clearly(headers: dict[str, str]) -> None:
    check_task_headers(headers)


job_files = st.one_of(
    st.binary(max_size=200),
    st.builds(
        lambda variables, headers: (
            '{"variables": ' + variables + ', "customHeaders": ' + headers + "}"
        ).encode("utf-8", "surrogatepass"),
        st.text(max_size=40),
        st.text(max_size=20),
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(job_files)
def test_any_job_file_gives_a_job_or_a_clear_error(content: bytes) -> None:
    check_job_file(content)


class JobRunner:
    """A loopback API and a sandboxed connector on an event loop of their own, so that a
    synchronous hypothesis test can run whole jobs one after another."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.base = ""
        self.loop.run_until_complete(self._start())

    async def _start(self) -> None:
        async def ok(request: web.Request) -> web.Response:
            await request.read()
            return web.json_response({"ok": True, "query": dict(request.query)})

        async def status(request: web.Request) -> web.Response:
            return web.json_response({"problem": "x"}, status=int(request.query.get("code", "500")))

        async def token(request: web.Request) -> web.Response:
            return web.json_response({"access_token": "fuzz-token", "expires_in": 60})

        app = web.Application()
        app.router.add_route("*", "/ok{tail:.*}", ok)
        app.router.add_route("*", "/status", status)
        app.router.add_route("*", "/token{tail:.*}", token)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{self.runner.addresses[0][1]}"
        sandbox = connector_settings(
            max_request_seconds=5.0, default_timeout_seconds=2.0, **SANDBOX
        )
        http = HttpClient(sandbox, resolver=LoopbackOnlyResolver())  # type: ignore[arg-type]
        self.connector = Connector(sandbox, http=http)
        await self.connector.__aenter__()

    def run(self, variables: dict[str, Any], headers: dict[str, str]) -> list[str]:
        outcome = self.loop.run_until_complete(
            asyncio.wait_for(self.connector.run(job(variables, headers)), 30)
        )
        code = error_code(outcome) if isinstance(outcome, Fail) else ""
        event(f"{type(outcome).__name__} {code}")
        return outcome_problems(outcome, None, variables)

    def close(self) -> None:
        async def stop() -> None:
            await self.connector.__aexit__(None, None, None)
            await self.runner.cleanup()

        self.loop.run_until_complete(stop())
        self.loop.close()


@pytest.fixture(scope="module")
def runner() -> Iterator[JobRunner]:
    running = JobRunner()
    yield running
    running.close()


# The URLs are built from the runner's loopback address, known only once it runs.
BASE_PLACEHOLDER = "http://127.0.0.1:0"


def with_base(value: Any, base: str) -> Any:
    if isinstance(value, str):
        return value.replace(BASE_PLACEHOLDER, base)
    if isinstance(value, dict):
        return {key: with_base(item, base) for key, item in value.items()}
    if isinstance(value, list):
        return [with_base(item, base) for item in value]
    return value


any_jobs = st.one_of(
    st.tuples(mostly_valid_jobs(BASE_PLACEHOLDER), mostly_valid_headers),
    st.tuples(job_variables(BASE_PLACEHOLDER), task_headers),
)


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(any_jobs)
def test_any_job_ends_with_an_outcome_zeebe_can_take(
    runner: JobRunner, generated: tuple[dict[str, Any], dict[str, str]]
) -> None:
    variables, headers = generated
    assert runner.run(with_base(variables, runner.base), headers) == []
