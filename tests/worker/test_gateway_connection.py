"""The connection modes of worker/zeebe.py against the double: TLS with a CA file, and
OAuth client credentials (token fetched from a loopback token endpoint, sent as a bearer
token on every call)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from tests.connector.certificates import make_certificates
from tests.zeebe_gateway import GatewayDouble
from worker.config import ZeebeSettings
from worker.job import Complete, JobInput, Outcome
from worker.job_worker import JobWorker
from worker.zeebe import Gateway, open_channel, plan_connection

TYPE = "io.camunda:http-json:1"


class TokenEndpoint:
    """An OAuth token endpoint on 127.0.0.1 in its own thread (pyzeebe asks it from a
    gRPC thread with a blocking HTTP client)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.requests: list[dict[str, list[str]]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                endpoint.requests.append(parse_qs(self.rfile.read(length).decode()))
                body = json.dumps(
                    {"access_token": endpoint.token, "token_type": "Bearer", "expires_in": 3600}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/oauth/token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def certificates(tmp_path: Path) -> Any:
    return make_certificates(tmp_path)


@pytest.fixture
def token_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[TokenEndpoint]:
    # oauthlib insists on https for token URLs; the loopback endpoint here is plain http
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    endpoint = TokenEndpoint("token-abc-123")
    yield endpoint
    endpoint.close()


async def complete(job: JobInput) -> Outcome:
    return Complete({"done": True})


async def work_one_job(double: GatewayDouble, settings: ZeebeSettings) -> JobWorker:
    key = double.state.create_job(TYPE)
    gateway = Gateway(open_channel(settings))
    worker = JobWorker(gateway, complete, settings)
    running = asyncio.create_task(worker.run())
    try:
        await eventually(lambda: double.state.jobs[key].state == "COMPLETED")
    finally:
        worker.stop()
        await asyncio.wait_for(running, 10)
        await gateway.close()
    return worker


async def eventually(check: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


def settings(**values: Any) -> ZeebeSettings:
    return ZeebeSettings(
        _env_file=None,  # type: ignore[call-arg]
        request_timeout=timedelta(seconds=1),
        retry_backoff_max=timedelta(milliseconds=200),
        **values,
    )


async def test_tls_with_a_ca_file(certificates: Any) -> None:
    tls = (
        certificates.path("server.key").read_bytes(),
        certificates.path("server.pem").read_bytes(),
    )
    async with GatewayDouble(tls=tls) as double:
        config = settings(
            address=f"https://127.0.0.1:{double.port}",
            ca_certificate_path=certificates.path("ca.pem"),
        )
        assert plan_connection(config).kind == "tls"
        worker = await work_one_job(double, config)
        assert worker.stats.completed == 1


async def test_tls_with_an_untrusted_certificate_never_connects(certificates: Any) -> None:
    tls = (certificates.path("self.key").read_bytes(), certificates.path("self.pem").read_bytes())
    async with GatewayDouble(tls=tls) as double:
        key = double.state.create_job(TYPE)
        config = settings(address=f"grpcs://127.0.0.1:{double.port}")
        gateway = Gateway(open_channel(config))
        worker = JobWorker(gateway, complete, config)
        running = asyncio.create_task(worker.run())
        await asyncio.sleep(1.5)
        assert double.state.jobs[key].state == "ACTIVATABLE"
        assert not worker.readiness.gateway_connected
        assert not running.done()  # still retrying, not crashed
        worker.stop()
        await asyncio.wait_for(running, 10)
        await gateway.close()


async def test_oauth_client_credentials(certificates: Any, token_endpoint: TokenEndpoint) -> None:
    tls = (
        certificates.path("server.key").read_bytes(),
        certificates.path("server.pem").read_bytes(),
    )
    async with GatewayDouble(tls=tls, token="token-abc-123") as double:
        config = settings(
            address=f"127.0.0.1:{double.port}",
            ca_certificate_path=certificates.path("ca.pem"),
            client_id="worker-client",
            client_secret="client-secret-value",
            token_url=token_endpoint.url,
            audience="zeebe-api",
        )
        assert plan_connection(config).kind == "oauth"
        await work_one_job(double, config)
        assert double.servicer.authorizations
        assert set(double.servicer.authorizations) == {"Bearer token-abc-123"}
        [request] = token_endpoint.requests  # fetched once, then cached
        assert request["grant_type"] == ["client_credentials"]
        assert request["audience"] == ["zeebe-api"]


async def test_a_wrong_token_keeps_the_worker_retrying(
    certificates: Any, token_endpoint: TokenEndpoint
) -> None:
    tls = (
        certificates.path("server.key").read_bytes(),
        certificates.path("server.pem").read_bytes(),
    )
    async with GatewayDouble(tls=tls, token="another-token") as double:
        key = double.state.create_job(TYPE)
        config = settings(
            address=f"127.0.0.1:{double.port}",
            ca_certificate_path=certificates.path("ca.pem"),
            client_id="worker-client",
            client_secret="client-secret-value",
            token_url=token_endpoint.url,
        )
        gateway = Gateway(open_channel(config))
        worker = JobWorker(gateway, complete, config)
        running = asyncio.create_task(worker.run())
        await eventually(lambda: len(double.servicer.authorizations) >= 3)
        assert double.state.jobs[key].state == "ACTIVATABLE"
        assert not running.done()
        worker.stop()
        await asyncio.wait_for(running, 10)
        await gateway.close()
