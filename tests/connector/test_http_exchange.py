"""Sending requests: timeouts, redirects, transport errors, size limits, deadline, TLS, proxy."""

from __future__ import annotations

import asyncio
import base64
import socket
import struct
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.test_utils import TestServer

from tests.connector.certificates import KEY_PASSWORD, Certificates, make_certificates
from tests.connector.conftest import Run, job
from tests.connector.servers import Api
from worker.config import ConnectorSettings
from worker.connector import Connector
from worker.http_client import HttpClient
from worker.job import Complete, Fail, Outcome
from worker.metrics import HTTP_REQUEST_DURATION


def error_of(outcome: Outcome) -> dict[str, Any]:
    assert isinstance(outcome, Fail), outcome
    error: dict[str, Any] = outcome.variables["error"]
    return error


@pytest.fixture
def unaccepting_port() -> Iterator[int]:
    """A listening socket whose accept queue is full: a connect to it never completes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.05)
    yield port
    for filler in fillers:
        filler.close()
    listener.close()


@pytest.fixture
def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


# --- timeouts ---


async def test_connect_timeout_is_the_tcp_connect_timeout(run: Run, unaccepting_port: int) -> None:
    started = time.monotonic()
    outcome = await run(
        {
            "method": "POST",
            "url": f"http://127.0.0.1:{unaccepting_port}/",
            "connectionTimeoutInSeconds": 0.3,
            "readTimeoutInSeconds": 30,
        }
    )
    elapsed = time.monotonic() - started
    error = error_of(outcome)
    assert error["code"] == "CONNECT_TIMEOUT"
    assert "within 0.3 s (connectionTimeoutInSeconds); the request was not sent" in error["message"]
    assert 0.25 < elapsed < 2
    assert isinstance(outcome, Fail) and outcome.retries == 2


async def test_read_timeout_bounds_the_wait_for_the_response(run: Run, api: Api) -> None:
    started = time.monotonic()
    outcome = await run(
        {
            "method": "GET",
            "url": api.url("/slow?delay=3"),
            "connectionTimeoutInSeconds": 5,
            "readTimeoutInSeconds": "0.3",
        }
    )
    assert time.monotonic() - started < 2
    error = error_of(outcome)
    assert error["code"] == "READ_TIMEOUT"
    assert "sent no data for 0.3 s (readTimeoutInSeconds)" in error["message"]


async def test_read_timeout_also_bounds_a_stalled_body(run: Run, api: Api) -> None:
    outcome = await run(
        {"method": "GET", "url": api.url("/slow?delay=3&stage=body"), "readTimeoutInSeconds": 0.3}
    )
    assert error_of(outcome)["code"] == "READ_TIMEOUT"


async def test_read_timeout_falls_back_to_the_connection_timeout(run: Run, api: Api) -> None:
    outcome = await run(
        {"method": "GET", "url": api.url("/slow?delay=3"), "connectionTimeoutInSeconds": 0.3}
    )
    assert error_of(outcome)["code"] == "READ_TIMEOUT"


async def test_zero_means_no_limit(run: Run, api: Api) -> None:
    outcome = await run(
        {
            "method": "GET",
            "url": api.url("/slow?delay=0.4"),
            "connectionTimeoutInSeconds": 0.1,
            "readTimeoutInSeconds": 0,
        },
        {"resultExpression": "={slept: body.slept}"},
    )
    assert outcome == Complete({"slept": 0.4})


async def test_the_job_deadline_caps_the_whole_request(
    settings: ConnectorSettings, api: Api
) -> None:
    settings = settings.model_copy(update={"deadline_margin_seconds": 0.5})
    async with Connector(settings) as connector:
        started = time.monotonic()
        deadline = int((time.time() + 1.2) * 1000)
        outcome = await connector.run(
            job({"method": "GET", "url": api.url("/slow?delay=5")}, deadline_epoch_ms=deadline)
        )
        elapsed = time.monotonic() - started
        assert error_of(outcome)["code"] == "TIMEOUT"
        assert "before the job's deadline" in error_of(outcome)["message"]
        assert 0.5 < elapsed < 1.0  # decided before the deadline, with the margin
        assert isinstance(outcome, Fail) and outcome.retries == 2


async def test_a_deadline_too_close_sends_nothing(run: Run, api: Api) -> None:
    outcome = await run(
        {"method": "POST", "url": api.url()}, deadline_epoch_ms=int(time.time() * 1000) + 500
    )
    assert error_of(outcome)["code"] == "TIMEOUT"
    assert "the request was not sent" in error_of(outcome)["message"]
    assert api.seen == []


# --- redirects ---


async def test_redirects_are_not_followed_by_default(run: Run, api: Api) -> None:
    outcome = await run({"method": "GET", "url": api.url("/redirect/1")}, {"resultVariable": "r"})
    assert isinstance(outcome, Complete)
    response = outcome.variables["r"]
    assert response["status"] == 302
    assert response["headers"]["Location"] == "/echo/done"
    assert response["body"] == "moved"
    assert [seen.path for seen in api.seen] == ["/redirect/1"]


@pytest.mark.parametrize("follow", [True, "true"])
async def test_redirects_are_followed_when_asked(run: Run, api: Api, follow: Any) -> None:
    outcome = await run(
        {"method": "GET", "url": api.url("/redirect/3"), "followRedirects": follow},
        {"resultExpression": "={status: status, path: body.path}"},
    )
    assert outcome == Complete({"status": 200, "path": "/echo/done"})
    assert len(api.seen) == 4


async def test_too_many_redirects(settings: ConnectorSettings, api: Api) -> None:
    async with Connector(settings.model_copy(update={"max_redirects": 2})) as connector:
        outcome = await connector.run(
            job({"method": "GET", "url": api.url("/redirect/5"), "followRedirects": True})
        )
    error = error_of(outcome)
    assert error["code"] == "TOO_MANY_REDIRECTS"
    assert "More than 2 redirects" in error["message"]


# --- transport errors ---


async def test_connection_refused(run: Run, closed_port: int) -> None:
    outcome = await run({"method": "GET", "url": f"http://127.0.0.1:{closed_port}/x"}, retries=1)
    error = error_of(outcome)
    assert error["code"] == "CONNECTION_REFUSED"
    assert f"127.0.0.1:{closed_port} refused" in error["message"]
    assert isinstance(outcome, Fail) and outcome.retries == 0


class UnknownHosts(AbstractResolver):
    """Resolves nothing: a failed lookup without sending a DNS query anywhere."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        raise OSError(socket.EAI_NONAME, "Name or service not known")

    async def close(self) -> None:
        pass


async def test_dns_failure(settings: ConnectorSettings) -> None:
    http = HttpClient(settings, resolver=UnknownHosts())
    async with Connector(settings, http=http) as connector:
        outcome = await connector.run(
            job({"method": "GET", "url": "http://no-such-host.example/x"})
        )
    error = error_of(outcome)
    assert error["code"] == "DNS_FAILURE"
    assert (
        "Could not resolve the host of no-such-host.example:80: Name or service not known"
        in error["message"]
    )


async def test_connection_closed_in_the_middle_of_the_body(run: Run, api: Api) -> None:
    error = error_of(await run({"method": "GET", "url": api.url("/cut")}))
    assert error["code"] == "CONNECTION_ERROR"
    assert error["type"] == "ConnectionFailedError"


@pytest.fixture
async def garbage_server() -> AsyncIterator[int]:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"THIS IS NOT HTTP\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


@pytest.fixture
async def resetting_server() -> AsyncIterator[int]:
    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        sock = writer.get_extra_info("socket")
        # linger 0: closing sends a TCP reset instead of a graceful end
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    server = await asyncio.start_server(reset, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


async def test_a_connection_reset_by_the_server(run: Run, resetting_server: int) -> None:
    url = f"http://127.0.0.1:{resetting_server}/"
    error = error_of(await run({"method": "POST", "url": url, "body": "x"}))
    assert error["code"] == "CONNECTION_ERROR"
    assert f"127.0.0.1:{resetting_server}" in error["message"]


@pytest.fixture
async def latin1_header_server() -> AsyncIterator[int]:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
            b'Content-Disposition: attachment; filename="r\xe9sum\xe9.txt"\r\n'
            b"X-Utf8: \xc3\xa9t\xc3\xa9\r\n\r\nok"
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


async def test_header_values_that_are_not_utf8_are_read_as_latin1(
    run: Run, latin1_header_server: int
) -> None:
    outcome = await run(
        {"method": "GET", "url": f"http://127.0.0.1:{latin1_header_server}/"},
        {"resultVariable": "r"},
    )
    assert isinstance(outcome, Complete)
    headers = outcome.variables["r"]["headers"]
    assert headers["Content-Disposition"] == 'attachment; filename="résumé.txt"'
    assert headers["X-Utf8"] == "été"


async def test_an_answer_that_is_not_http(run: Run, garbage_server: int) -> None:
    error = error_of(await run({"method": "GET", "url": f"http://127.0.0.1:{garbage_server}/"}))
    assert error["code"] == "CONNECTION_ERROR"
    assert "answered with invalid HTTP" in error["message"]


# --- response size limit (streamed) ---


@pytest.mark.parametrize("chunked", ["0", "1"])
async def test_a_response_over_the_limit_is_not_read_to_the_end(
    settings: ConnectorSettings, api: Api, chunked: str
) -> None:
    async with Connector(settings.model_copy(update={"max_response_bytes": 100_000})) as connector:
        small = await connector.run(
            job({"method": "GET", "url": api.url(f"/big?size=100000&chunked={chunked}")})
        )
        big = await connector.run(
            job({"method": "GET", "url": api.url(f"/big?size=5000000&chunked={chunked}")})
        )
    assert isinstance(small, Complete)
    error = error_of(big)
    assert error["code"] == "RESPONSE_TOO_LARGE"
    assert "100000-byte limit" in error["message"]
    assert isinstance(big, Fail) and big.retries == 0


async def test_a_head_answer_announcing_a_huge_body_is_fine(
    settings: ConnectorSettings, api: Api
) -> None:
    async with Connector(settings.model_copy(update={"max_response_bytes": 1000})) as connector:
        outcome = await connector.run(
            job({"method": "HEAD", "url": api.url("/big?size=5000")}, {"resultVariable": "r"})
        )
    assert isinstance(outcome, Complete)
    assert outcome.variables["r"]["headers"]["Content-Length"] == "5000"
    assert outcome.variables["r"]["body"] is None


# --- one shared session: keep-alive, no cookies shared between jobs ---


async def test_connections_are_kept_alive_between_jobs(run: Run) -> None:
    peers: list[Any] = []

    async def handler(request: web.Request) -> web.Response:
        assert request.transport is not None
        peers.append(request.transport.get_extra_info("peername"))
        return web.Response(text="ok", headers={"Set-Cookie": "session=abc; Path=/"})

    app = web.Application()
    app.router.add_get("/", handler)
    cookies: list[str | None] = []

    async def cookie_probe(request: web.Request) -> web.Response:
        cookies.append(request.headers.get("Cookie"))
        return web.Response(text="ok")

    app.router.add_get("/probe", cookie_probe)
    async with TestServer(app, host="127.0.0.1", port=0) as server:
        base = f"http://127.0.0.1:{server.port}"
        for _ in range(3):
            assert isinstance(await run({"method": "GET", "url": base + "/"}), Complete)
        await run({"method": "GET", "url": base + "/probe"})
    assert len(peers) == 3 and len(set(peers)) == 1
    assert cookies == [None]


# --- proxies from the environment ---


async def _proxy_server(seen: list[tuple[str, str | None]]) -> TestServer:
    async def proxy(request: web.Request) -> web.Response:
        seen.append((str(request.url), request.headers.get("Proxy-Authorization")))
        return web.Response(text="via proxy")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", proxy)
    return TestServer(app, host="127.0.0.1", port=0)


def _clear_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "ALL_PROXY", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


async def test_proxy_from_the_environment_read_at_start(
    settings: ConnectorSettings, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxied: list[tuple[str, str | None]] = []
    _clear_proxy_environment(monkeypatch)
    async with await _proxy_server(proxied) as server:
        monkeypatch.setenv("HTTP_PROXY", f"http://user:pass@127.0.0.1:{server.port}")
        async with Connector(settings) as connector:
            outcome = await connector.run(
                job(
                    {"method": "GET", "url": api.url("/echo/target?x=1")},
                    {"resultExpression": "={body: body}"},
                )
            )
    assert outcome == Complete({"body": "via proxy"})
    credentials = "Basic " + base64.b64encode(b"user:pass").decode()
    assert proxied == [(api.url("/echo/target?x=1"), credentials)]
    assert api.seen == []


async def test_no_proxy_hosts_are_reached_directly(
    settings: ConnectorSettings, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxied: list[tuple[str, str | None]] = []
    _clear_proxy_environment(monkeypatch)
    async with await _proxy_server(proxied) as server:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.port}")
        monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
        async with Connector(settings) as connector:
            outcome = await connector.run(job({"method": "GET", "url": api.url("/echo/direct")}))
    assert isinstance(outcome, Complete)
    assert proxied == []
    assert len(api.seen) == 1


async def test_a_netrc_file_is_never_read(
    settings: ConnectorSettings,
    api: Api,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """aiohttp would add a ~/.netrc's credentials to requests that carry none."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login leaked password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    async with Connector(settings) as connector:
        outcome = await connector.run(job({"method": "GET", "url": api.url("/echo/plain")}))
    assert isinstance(outcome, Complete)
    assert api.last.header("Authorization") is None


# --- metrics ---


async def test_request_duration_is_recorded_by_method_and_status_class(run: Run, api: Api) -> None:
    def count() -> float:
        for metric in HTTP_REQUEST_DURATION.collect():
            for sample in metric.samples:
                if sample.name.endswith("_count") and sample.labels == {
                    "method": "PATCH",
                    "status_class": "4xx",
                }:
                    return sample.value
        return 0.0

    before = count()
    await run({"method": "PATCH", "url": api.url("/status/418")})
    assert count() == before + 1


# --- TLS ---


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("certificates"))


@pytest.fixture
async def tls_server(
    certificates: Certificates, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    options = getattr(request, "param", {})

    async def hello(request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peercert") if request.transport else None
        subject = dict(item[0] for item in peer["subject"]) if peer else {}
        return web.json_response({"client": subject.get("commonName")})

    app = web.Application()
    app.router.add_get("/", hello)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server(ssl=certificates.server_context(**options))
    yield f"https://127.0.0.1:{server.port}/"
    await server.close()


@pytest.mark.parametrize("tls_server", [{"self_signed": True}, {}], indirect=True)
async def test_an_untrusted_certificate_is_a_tls_error(run: Run, tls_server: str) -> None:
    error = error_of(await run({"method": "GET", "url": tls_server}))
    assert error["code"] == "TLS_ERROR"
    assert "not trusted" in error["message"]
    assert "clientTls.trustedCertificate" in error["message"]


async def test_a_private_ca_given_in_the_job_is_trusted(
    run: Run, tls_server: str, certificates: Certificates
) -> None:
    outcome = await run(
        {
            "method": "GET",
            "url": tls_server,
            "clientTls": {"trustedCertificate": certificates.text("ca.pem")},
        },
        {"resultExpression": "={client: body.client}"},
    )
    assert outcome == Complete({"client": None})


@pytest.mark.parametrize("tls_server", [{"require_client": True}], indirect=True)
@pytest.mark.parametrize(
    ("key", "password"), [("client.key", None), ("client-encrypted.key", KEY_PASSWORD)]
)
async def test_mutual_tls_with_a_client_certificate(
    run: Run, tls_server: str, certificates: Certificates, key: str, password: str | None
) -> None:
    outcome = await run(
        {
            "method": "GET",
            "url": tls_server,
            "clientTls": {
                "trustedCertificate": certificates.text("ca.pem"),
                "clientCertificate": certificates.text("client.pem"),
                "clientPrivateKey": certificates.text(key),
                "privateKeyPassword": password,
            },
        },
        {"resultExpression": "={client: body.client}"},
    )
    assert outcome == Complete({"client": "client"})


@pytest.mark.parametrize("tls_server", [{"require_client": True}], indirect=True)
async def test_mutual_tls_without_a_client_certificate_fails(
    run: Run, tls_server: str, certificates: Certificates
) -> None:
    outcome = await run(
        {
            "method": "GET",
            "url": tls_server,
            "clientTls": {"trustedCertificate": certificates.text("ca.pem")},
        }
    )
    assert error_of(outcome)["code"] in ("TLS_ERROR", "CONNECTION_ERROR")


@pytest.mark.parametrize(
    ("client_tls", "problem"),
    [
        (
            {"trustedCertificate": "not a certificate"},
            "clientTls.trustedCertificate: not a usable PEM certificate",
        ),
        (
            {"clientCertificate": "client.pem", "clientPrivateKey": "self.key"},
            "clientTls: the client certificate and private key cannot be loaded",
        ),
        (
            {
                "clientCertificate": "client.pem",
                "clientPrivateKey": "client-encrypted.key",
                "privateKeyPassword": "wrong",
            },
            "cannot be loaded",
        ),
    ],
)
async def test_unusable_tls_material_fails_without_retries(
    run: Run, tls_server: str, certificates: Certificates, client_tls: dict[str, str], problem: str
) -> None:
    materials = {
        name: certificates.text(value)
        if value.endswith((".pem", ".key")) and name != "privateKeyPassword"
        else value
        for name, value in client_tls.items()
    }
    outcome = await run({"method": "GET", "url": tls_server, "clientTls": materials})
    assert isinstance(outcome, Fail)
    assert problem in outcome.error_message
    assert outcome.retries == 0
