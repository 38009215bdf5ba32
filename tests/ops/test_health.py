"""The health endpoint: /healthz, /readyz, /metrics, and `python -m worker healthcheck`."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from prometheus_client import CollectorRegistry, Counter

from worker import metrics
from worker.health import Readiness, health_url, healthcheck_main, start_health_server


@pytest.fixture
async def served() -> AsyncIterator[tuple[Readiness, str]]:
    readiness = Readiness()
    runner = await start_health_server(readiness, "127.0.0.1", 0)
    try:
        yield readiness, health_url(runner)
    finally:
        await runner.cleanup()


async def _get(url: str, **headers: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status, response.headers["Content-Type"], await response.text()


@pytest.mark.parametrize(
    ("connected", "draining", "status"),
    [(False, False, 503), (True, False, 200), (True, True, 503), (False, True, 503)],
)
async def test_readyz_follows_readiness_and_healthz_never_does(
    served: tuple[Readiness, str], connected: bool, draining: bool, status: int
) -> None:
    readiness, base = served
    readiness.gateway_connected, readiness.draining = connected, draining

    got_status, content_type, body = await _get(base + "/readyz")
    assert got_status == status
    assert content_type.startswith("application/json")
    assert json.loads(body) == {
        "ready": status == 200,
        "gateway_connected": connected,
        "draining": draining,
    }
    assert await _get(base + "/healthz") == (
        200,
        "application/json; charset=utf-8",
        '{"status": "alive"}',
    )


async def test_readiness_changes_are_seen_by_the_next_probe(served: tuple[Readiness, str]) -> None:
    readiness, base = served
    seen = []
    for connected, draining in [(False, False), (True, False), (True, True)]:
        readiness.gateway_connected, readiness.draining = connected, draining
        seen.append((await _get(base + "/readyz"))[0])
    assert seen == [503, 200, 503]


async def test_metrics_expose_the_connector_metrics(served: tuple[Readiness, str]) -> None:
    _, base = served
    metrics.JOBS_ACTIVATED.labels("io.camunda:http-json:1").inc()
    metrics.HTTP_REQUEST_DURATION.labels("GET", metrics.status_class(204)).observe(0.01)
    status, content_type, body = await _get(base + "/metrics")
    assert status == 200
    assert content_type.startswith("text/plain; version=0.0.4")
    for name in (
        'connector_jobs_activated_total{job_type="io.camunda:http-json:1"}',
        "connector_jobs_completed",
        "connector_jobs_failed",
        "connector_jobs_errored",
        "connector_jobs_in_flight",
        "connector_job_duration_seconds",
        'connector_http_request_duration_seconds_bucket{le="0.01",method="GET",status_class="2xx"}',
        "connector_oauth_token_fetches",
    ):
        assert name in body, name

    status, content_type, body = await _get(
        base + "/metrics", Accept="application/openmetrics-text; version=1.0.0"
    )
    assert status == 200 and content_type.startswith("application/openmetrics-text")
    assert body.rstrip().endswith("# EOF")


async def test_metrics_of_a_given_registry() -> None:
    registry = CollectorRegistry()
    Counter("only_this", "A counter of this registry only.", registry=registry).inc(3)
    runner = await start_health_server(Readiness(), "127.0.0.1", 0, registry=registry)
    try:
        _, _, body = await _get(health_url(runner, "/metrics"))
    finally:
        await runner.cleanup()
    assert "only_this_total 3.0" in body
    assert "connector_jobs_activated" not in body


async def test_unknown_path_is_404(served: tuple[Readiness, str]) -> None:
    _, base = served
    assert (await _get(base + "/actuator/health"))[0] == 404


async def test_port_in_use_raises_and_cleans_up() -> None:
    runner = await start_health_server(Readiness(), "127.0.0.1", 0)
    try:
        port = int(runner.addresses[0][1])
        with pytest.raises(OSError):
            await start_health_server(Readiness(), "127.0.0.1", port)
    finally:
        await runner.cleanup()


async def test_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        runner = await start_health_server(Readiness(), "::1", 0)
    except OSError as error:
        pytest.skip(f"::1 cannot be bound here: {error}")
    try:
        url = health_url(runner, "/healthz")
        assert url.startswith("http://[::1]:")
        assert (await _get(url))[0] == 200
        assert await asyncio.to_thread(healthcheck_main, ["--url", url]) == 0
    finally:
        await runner.cleanup()


# healthcheck_main is synchronous (the Docker HEALTHCHECK process); run it in a thread so
# the server on this event loop can answer it.


async def test_healthcheck_command_healthy_and_ready(
    served: tuple[Readiness, str], capsys: pytest.CaptureFixture[str]
) -> None:
    readiness, base = served
    assert await asyncio.to_thread(healthcheck_main, ["--url", base + "/healthz"]) == 0
    assert json.loads(capsys.readouterr().out) == {"status": "alive"}

    assert await asyncio.to_thread(healthcheck_main, ["--url", base + "/readyz"]) == 1
    assert "answered 503" in capsys.readouterr().err
    readiness.gateway_connected = True
    assert await asyncio.to_thread(healthcheck_main, ["--url", base + "/readyz"]) == 0


async def test_healthcheck_reads_host_and_port_from_the_environment(
    served: tuple[Readiness, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    readiness, base = served
    port = base.rsplit(":", 1)[1]
    monkeypatch.setenv("HEALTH_PORT", port)
    for host in ("127.0.0.1", "0.0.0.0"):  # a wildcard listener is probed on loopback
        monkeypatch.setenv("HEALTH_HOST", host)
        assert await asyncio.to_thread(healthcheck_main, []) == 0
        assert await asyncio.to_thread(healthcheck_main, ["--ready"]) == 1
    readiness.gateway_connected = True
    assert await asyncio.to_thread(healthcheck_main, ["--ready"]) == 0


def test_healthcheck_unhealthy_when_nothing_listens(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as unused:  # bound, not listening: connections are refused
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
        assert (
            healthcheck_main(["--url", f"http://127.0.0.1:{port}/healthz", "--timeout", "1"]) == 1
        )
    assert capsys.readouterr().err.startswith("unhealthy: ")


def test_healthcheck_unhealthy_on_a_silent_server(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as silent:  # accepts into the backlog, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        assert healthcheck_main(["--url", f"http://127.0.0.1:{port}/", "--timeout", "0.3"]) == 1
    assert "timed out" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("env", "argv", "message"),
    [
        ({"HEALTH_PORT": "not-a-port"}, [], "HEALTH_PORT"),
        ({}, ["--url", "https://127.0.0.1:1/healthz"], "expected an http://host:port/path URL"),
    ],
)
def test_healthcheck_bad_settings_are_unhealthy_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    argv: list[str],
    message: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert healthcheck_main(argv) == 1
    assert message in capsys.readouterr().err


async def test_declared_job_types_appear_at_zero_before_any_job(
    served: tuple[Readiness, str],
) -> None:
    _, base = served
    metrics.declare_job_types(["demo:declared-type:1"])
    _, _, body = await _get(base + "/metrics")
    for name in ("activated", "completed", "failed", "errored"):
        assert f'connector_jobs_{name}_total{{job_type="demo:declared-type:1"}} 0.0' in body
    assert 'connector_jobs_in_flight{job_type="demo:declared-type:1"} 0.0' in body
    assert 'connector_job_duration_seconds_count{job_type="demo:declared-type:1"} 0.0' in body
