"""No secret value in any log line or Zeebe command, whatever path a job takes.

`python -m worker` runs as a subprocess at DEBUG level (ours, pyzeebe's, aiohttp's, gRPC's
loggers), against the gateway double over real gRPC, calling a loopback API that echoes
every credential it gets in its error answers. Every job path is taken: success, HTTP
errors, BPMN errors from an error expression, jobError, OAuth (token request and token
endpoint errors), missing and disallowed secrets, a blocked destination, timeouts,
refused connections, header injection, invalid inputs and broken expressions. Then the
whole log and every command the double received are scanned for every secret, in every
spelling it could leak in.

A completion's variables are the process's own data: an API that echoes a credential on
success would put it there, as the model asks. The API here never echoes on success.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from aiohttp import web

from tests.zeebe_gateway import GatewayDouble

pytestmark = pytest.mark.timeout(120)

PROJECT = Path(__file__).resolve().parents[2]
TYPE = "io.camunda:http-json:1"
RESTRICTED_TYPE = "acme:restricted:1"
SECRETS = {
    "TOKEN": "tok3n-7d9c1e5b2a",
    "PASSWORD": "pa55 w/rd+ü&=%x",
    "CLIENT_SECRET": "c1ient-s3cret-0f8e",
    "API_KEY": "ap1-k3y-6b4d2f",
    "CRLF": "crlf-secret-93\r\nX-Injected: yes",
    "PATH": "path-secret-5e7a",
    "FORBIDDEN": "forbidden-secret-2c4e",
}
ISSUED_TOKEN = "issued-access-token-8a7f6e"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def leak_forms(value: str) -> set[str]:
    forms = {
        value,
        quote(value, safe=""),
        quote(value),
        quote_plus(value),
        json.dumps(value)[1:-1],
        json.dumps(json.dumps(value)[1:-1])[1:-1],  # JSON inside JSON (a log line's field)
        repr(value)[1:-1],
        base64.b64encode(value.encode()).decode(),
    }
    return {form for form in forms if len(form) >= 6}


def secrets_and_derived() -> dict[str, set[str]]:
    derived = {name: leak_forms(value) for name, value in SECRETS.items()}
    basic = base64.b64encode(f"alice:{SECRETS['PASSWORD']}".encode()).decode()
    client = base64.b64encode(f"client:{SECRETS['CLIENT_SECRET']}".encode()).decode()
    derived["basic header"] = {basic}
    derived["client basic header"] = {client}
    derived["issued token"] = leak_forms(ISSUED_TOKEN)
    return derived


@pytest.fixture
async def api() -> AsyncIterator[str]:
    async def tattle(request: web.Request) -> web.Response:
        """Answers an error with everything it received."""
        body = await request.text()
        return web.json_response(
            {"url": str(request.url), "headers": dict(request.headers), "body": body},
            status=int(request.match_info["status"]),
        )

    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"ok": True})

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(3)
        return web.json_response({"late": True})

    async def token(request: web.Request) -> web.Response:
        return web.json_response({"access_token": ISSUED_TOKEN, "expires_in": 600})

    async def token_error(request: web.Request) -> web.Response:
        form = await request.post()
        return web.json_response(
            {
                "error": "invalid_client",
                "error_description": "secret " + str(form.get("client_secret")) + " is wrong",
            },
            status=401,
        )

    app = web.Application()
    app.router.add_route("*", "/tattle/{status}/{tail:.*}", tattle)
    app.router.add_route("*", "/ok{tail:.*}", ok)
    app.router.add_get("/slow", slow)
    app.router.add_post("/token", token)
    app.router.add_post("/token-error", token_error)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


def jobs(base: str) -> list[tuple[str, dict[str, Any], dict[str, str], str]]:
    """(name, variables, task headers, job type) for every path."""
    oauth = {
        "type": "oauth-client-credentials-flow",
        "oauthTokenEndpoint": f"{base}/token",
        "clientId": "client",
        "clientSecret": "{{secrets.CLIENT_SECRET}}",
        "clientAuthentication": "basicAuthHeader",
    }
    bearer = {"type": "bearer", "token": "{{secrets.TOKEN}}"}
    basic = {"type": "basic", "username": "alice", "password": "{{secrets.PASSWORD}}"}
    everything = {
        "headers": {"X-Token": "{{secrets.TOKEN}}", "X-Password": "{{secrets.PASSWORD}}"},
        "queryParameters": {"key": "{{secrets.API_KEY}}", "pw": "{{secrets.PASSWORD}}"},
        "body": {"password": "{{secrets.PASSWORD}}", "nested": ["{{secrets.TOKEN}}"]},
    }
    closed = f"http://127.0.0.1:{free_port()}"
    return [
        (
            "success with a bearer secret",
            {"method": "GET", "url": f"{base}/ok", "authentication": bearer},
            {"resultExpression": "={status: status}"},
            TYPE,
        ),
        (
            "success with basic auth",
            {
                "method": "POST",
                "url": f"{base}/ok/{{{{secrets.PATH}}}}",
                "authentication": basic,
                **everything,
            },
            {"resultVariable": "response"},
            TYPE,
        ),
        (
            "401 echoing basic auth",
            {
                "method": "POST",
                "url": f"{base}/tattle/401/x",
                "authentication": basic,
                **everything,
            },
            {},
            TYPE,
        ),
        (
            "500 echoing the URL",
            {
                "method": "GET",
                "url": f"{base}/tattle/500/{{{{secrets.PATH}}}}?t={{{{secrets.TOKEN}}}}",
                **everything,
            },
            {"retryBackoff": "PT0S"},
            TYPE,
        ),
        (
            "404 into a BPMN error",
            {
                "method": "GET",
                "url": f"{base}/tattle/404/x",
                "authentication": bearer,
                **everything,
            },
            {
                "errorExpression": '=bpmnError("NOT_FOUND", string(response.body), {echo: response.body})'
            },
            TYPE,
        ),
        (
            "jobError quoting the echo",
            {
                "method": "GET",
                "url": f"{base}/tattle/403/x",
                "authentication": bearer,
                **everything,
            },
            {"errorExpression": "=jobError(string(error) + string(response), {echo: response}, 0)"},
            TYPE,
        ),
        (
            "OAuth token, then 403 echoing it",
            {"method": "GET", "url": f"{base}/tattle/403/x", "authentication": oauth},
            {},
            TYPE,
        ),
        (
            "OAuth token endpoint echoing the client secret",
            {
                "method": "GET",
                "url": f"{base}/ok",
                "authentication": {
                    **oauth,
                    "oauthTokenEndpoint": f"{base}/token-error",
                    "clientAuthentication": "credentialsBody",
                },
            },
            {},
            TYPE,
        ),
        (
            "missing secret",
            {
                "method": "GET",
                "url": f"{base}/ok",
                "headers": {"X-A": "{{secrets.TOKEN}}", "X-B": "{{secrets.NOPE}}"},
            },
            {},
            TYPE,
        ),
        (
            "secret not allowed for the job type",
            {"method": "GET", "url": f"{base}/ok", "headers": {"X-A": "{{secrets.FORBIDDEN}}"}},
            {},
            RESTRICTED_TYPE,
        ),
        (
            "blocked destination",
            {
                "method": "GET",
                "url": "http://127.0.0.9:9/?t={{secrets.TOKEN}}",
                "authentication": basic,
            },
            {},
            TYPE,
        ),
        (
            "redirect to a blocked destination",
            {
                "method": "GET",
                "url": f"{base}/tattle/302/x",
                "followRedirects": True,
                "authentication": bearer,
            },
            {},
            TYPE,
        ),
        (
            "read timeout",
            {"method": "GET", "url": f"{base}/slow", "readTimeoutInSeconds": 1, **everything},
            {},
            TYPE,
        ),
        (
            "connection refused",
            {"method": "GET", "url": f"{closed}/{{{{secrets.PATH}}}}", "authentication": bearer},
            {},
            TYPE,
        ),
        (
            "header injection from a secret",
            {"method": "GET", "url": f"{base}/ok", "headers": {"X-A": "{{secrets.CRLF}}"}},
            {},
            TYPE,
        ),
        (
            "invalid method",
            {"method": "BREW", "url": f"{base}/{{{{secrets.PATH}}}}", "authentication": basic},
            {},
            TYPE,
        ),
        ("invalid URL", {"method": "GET", "url": "ftp://{{secrets.TOKEN}}@127.0.0.1/"}, {}, TYPE),
        (
            "broken result expression",
            {"method": "GET", "url": f"{base}/ok", "authentication": bearer},
            {"resultExpression": "={"},
            TYPE,
        ),
        (
            "result expression over its step budget",
            {"method": "GET", "url": f"{base}/ok", "authentication": bearer},
            {"resultExpression": "=for x in 1..1000000000 return x"},
            TYPE,
        ),
    ]


async def test_no_secret_in_logs_or_zeebe_commands(api: str, tmp_path: Path) -> None:
    async with GatewayDouble() as double:
        cases = jobs(api)
        keys = [
            double.state.create_job(
                job_type, variables=variables, custom_headers=headers, retries=1
            )
            for _, variables, headers, job_type in cases
        ]
        log_path = tmp_path / "worker.log"
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/tmp"),
            "ZEEBE_ADDRESS": double.address,
            "ZEEBE_JOB_TYPES": f"{TYPE},{RESTRICTED_TYPE}",
            "ZEEBE_JOB_TIMEOUT": "20s",
            "ZEEBE_REQUEST_TIMEOUT": "1s",
            "HEALTH_HOST": "127.0.0.1",
            "HEALTH_PORT": str(free_port()),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "DEBUG",
            "LOG_LEVELS": "aiohttp=DEBUG,pyzeebe=DEBUG,grpc=DEBUG",
            "GRPC_VERBOSITY": "ERROR",
            "HTTP_DEFAULT_TIMEOUT_SECONDS": "2",
            "HTTP_DENY_ADDRESSES": "127.0.0.9",
            "SECRETS_ALLOWED_NAMES_BY_JOB_TYPE": json.dumps({RESTRICTED_TYPE: ["TOKEN"]}),
            **{f"SECRET_{name}": value for name, value in SECRETS.items()},
        }
        with log_path.open("wb") as log:
            worker = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "worker", cwd=PROJECT, env=env, stdout=log, stderr=log
            )
        try:
            deadline = time.monotonic() + 60
            while any(double.state.jobs[key].state in ("ACTIVATABLE", "ACTIVATED") for key in keys):
                assert time.monotonic() < deadline, "the jobs did not all end"
                assert worker.returncode is None, log_path.read_text()[-3000:]
                await asyncio.sleep(0.05)
        finally:
            if worker.returncode is None:
                worker.terminate()
            await asyncio.wait_for(worker.wait(), 30)
        states = {
            name: double.state.jobs[key].state for (name, *_), key in zip(cases, keys, strict=True)
        }
        commands = json.dumps(
            [{"method": c.method, "detail": c.detail} for c in double.state.commands],
            ensure_ascii=False,
        )
        jobs_seen = json.dumps(
            [
                {"message": job.error_message, "code": job.error_code, "variables": job.variables}
                for job in double.state.jobs.values()
            ],
            ensure_ascii=False,
        )
    logged = log_path.read_text(encoding="utf-8", errors="backslashreplace")

    # the paths were really taken
    assert states["success with a bearer secret"] == "COMPLETED"
    assert states["404 into a BPMN error"] == "ERROR_THROWN"
    assert all(state in ("COMPLETED", "ERROR_THROWN", "INCIDENT") for state in states.values()), (
        states
    )
    assert "DESTINATION_BLOCKED" in commands and "SECRET_NOT_ALLOWED" in commands
    assert "SECRET_NOT_FOUND" in commands and "OAUTH_TOKEN_ERROR" in commands
    assert "READ_TIMEOUT" in commands and "CONNECTION_REFUSED" in commands
    assert "the evaluation was stopped" in commands
    assert "***" in commands  # masking happened, on echoed credentials
    assert '"event": "http.request"' in logged and "job.failed" in logged

    leaks = [
        f"{name} ({form!r}) in {where}"
        for name, forms in secrets_and_derived().items()
        for form in forms
        for where, text in (("the log", logged), ("a command", commands), ("a job", jobs_seen))
        if form in text
    ]
    assert leaks == []
