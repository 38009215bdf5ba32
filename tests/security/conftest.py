"""Fixtures of the security tests: loopback servers (any 127.x address), connectors.

Every server listens on loopback; every request goes to loopback. Deny rules aimed at a
loopback address (127.0.0.9) stand in for the addresses a real attack would reach.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from worker.config import ConnectorSettings
from worker.connector import Connector
from worker.job import Complete, Fail, JobInput, Outcome, ThrowError

SECRET_PREFIX = "SECURITY_TEST_SECRET_"
BLOCKED_HOST = "127.0.0.9"  # denied in the tests that need a forbidden address

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@dataclass
class RawServer:
    """A TCP server on a loopback address that answers with whatever `handler` writes."""

    host: str
    port: int = 0
    connections: int = 0
    server: asyncio.Server | None = None

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"


@pytest.fixture
async def raw_server() -> AsyncIterator[Callable[..., Awaitable[RawServer]]]:
    """`await raw_server(handler, host="127.0.0.1")`: a server closed after the test."""
    servers: list[RawServer] = []

    async def start(handler: Handler, host: str = "127.0.0.1") -> RawServer:
        record = RawServer(host)

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            record.connections += 1
            try:
                await handler(reader, writer)
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                writer.close()

        record.server = await asyncio.start_server(serve, host, 0)
        record.port = record.server.sockets[0].getsockname()[1]
        servers.append(record)
        return record

    yield start
    for record in servers:
        assert record.server is not None
        record.server.close()


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """Read a request's head (and nothing of its body)."""
    return await reader.readuntil(b"\r\n\r\n")


@dataclass
class Recorder:
    """An aiohttp app on a loopback address recording the requests it gets."""

    host: str
    seen: list[web.Request] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    runner: web.AppRunner | None = None
    port: int = 0

    def url(self, path: str = "/ok") -> str:
        return f"http://{self.host}:{self.port}{path}"


@pytest.fixture
async def recorder() -> AsyncIterator[Callable[..., Awaitable[Recorder]]]:
    """`await recorder(host, routes)`: routes map a path to an aiohttp handler."""
    started: list[Recorder] = []

    async def start(
        host: str = "127.0.0.1", routes: dict[str, Callable[..., Any]] | None = None
    ) -> Recorder:
        record = Recorder(host)

        async def ok(request: web.Request) -> web.Response:
            return web.json_response({"ok": True})

        app = web.Application()

        @web.middleware
        async def remember(request: web.Request, handler: Any) -> Any:
            record.seen.append(request)
            record.bodies.append(await request.read())
            return await handler(request)

        app.middlewares.append(remember)
        app.router.add_route("*", "/ok", ok)
        for path, handler in (routes or {}).items():
            app.router.add_route("*", path, handler)
        record.runner = web.AppRunner(app, access_log=None)
        await record.runner.setup()
        site = web.TCPSite(record.runner, host, 0)
        await site.start()
        record.port = record.runner.addresses[0][1]
        started.append(record)
        return record

    yield start
    for record in started:
        assert record.runner is not None
        await record.runner.cleanup()


def settings(**overrides: Any) -> ConnectorSettings:
    """Connector settings for a test: no environment secrets prefix clash, no .env."""
    return ConnectorSettings(  # type: ignore[call-arg]
        _env_file=None, secrets_prefix=SECRET_PREFIX, **overrides
    )


def job(
    variables: dict[str, Any],
    headers: dict[str, str] | None = None,
    *,
    retries: int = 3,
    type: str = "io.camunda:http-json:1",
    deadline_epoch_ms: int | None = None,
) -> JobInput:
    return JobInput(
        key=1,
        variables=variables,
        custom_headers=headers or {},
        retries=retries,
        type=type,
        deadline_epoch_ms=deadline_epoch_ms,
    )


async def run_job(
    connector_settings: ConnectorSettings, variables: dict[str, Any], **options: Any
) -> Outcome:
    """Run one job on a connector of its own."""
    headers = options.pop("headers", None)
    async with Connector(connector_settings) as connector:
        return await connector.run(job(variables, headers, **options))


def error_code(outcome: Outcome) -> str | None:
    """The `error.code` a failure carries (a jobError's `error` is only its message)."""
    error = outcome.variables.get("error")
    return error.get("code") if isinstance(error, dict) else None


def outcome_problems(outcome: Outcome, field: str | None, value: Any) -> list[str]:
    """What is wrong with `outcome` for a job whose `field` was `value` (empty: fine).

    With `field` None (fuzzing), an input error need only say `field: problem`.
    """
    shown = repr(value)[:80]
    problems = []
    if not isinstance(outcome, Complete | Fail | ThrowError):
        return [f"{field}={shown}: not an outcome: {outcome!r}"]
    variables = outcome.variables
    try:
        json.dumps(variables, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        problems.append(f"{field}={shown}: variables Zeebe cannot take: {exc}")
    if isinstance(outcome, Fail | ThrowError):
        message = outcome.error_message
        try:
            message.encode("utf-8")
        except UnicodeEncodeError:
            problems.append(f"{field}={shown}: the message is not UTF-8 text")
        if len(message) > 6000:
            problems.append(f"{field}={shown}: a message of {len(message)} characters")
        if "bug in the worker" in message:
            problems.append(f"{field}={shown}: crashed: {message[:300]}")
    if isinstance(outcome, Fail) and error_code(outcome) in (
        "INVALID_INPUT",
        "INVALID_TASK_HEADER",
    ):
        leaf = field.split(".")[-1] if field is not None else ": "
        if leaf not in outcome.error_message:
            problems.append(
                f"{field}={shown}: the message does not name the field: {outcome.error_message[:300]}"
            )
        if outcome.retries != 0:
            problems.append(f"{field}={shown}: an input error is retried")
    return problems


@pytest.fixture(autouse=True)
def no_proxy_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests go straight to loopback unless a test sets a proxy itself."""
    for name in (
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


class LoopbackOnlyResolver:
    """An aiohttp resolver that knows `localhost` only: no DNS query ever leaves the process."""

    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[Any]:
        import socket

        if host != "localhost":
            raise OSError(socket.EAI_NONAME, "Name or service not known (test resolver)")
        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": port,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


# Fuzzed and malformed inputs may name any host: the worker's own guard keeps them on
# loopback (host names other than these refused before any lookup, addresses other than
# loopback refused before any connection), and the resolver sends no DNS query at all.
SANDBOX: dict[str, Any] = {
    "deny_hosts": ["*"],
    "allow_hosts": ["127.0.0.1", "localhost"],
    "deny_addresses": ["all"],
    "allow_addresses": ["loopback"],
}


@pytest.fixture
async def sandboxed() -> AsyncIterator[Connector]:
    """A connector that can reach loopback only, whatever its jobs ask for."""
    from worker.http_client import HttpClient

    connector_settings = settings(max_request_seconds=10.0, **SANDBOX)
    http = HttpClient(connector_settings, resolver=LoopbackOnlyResolver())  # type: ignore[arg-type]
    async with Connector(connector_settings, http=http) as connector:
        yield connector
