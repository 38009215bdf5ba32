"""Secrets: masked in incident messages, error variables, exception text and log lines, in
the forms they leak in (plain, URL-encoded, JSON-escaped, Basic auth's base64), never cut
in two by the incident's length limit; and restricted per job type."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from aiohttp import web

from tests.security.conftest import SECRET_PREFIX, Recorder, job, settings
from worker.config import ConnectorSettings
from worker.connector import Connector
from worker.http_client import HttpClient
from worker.job import Complete, Fail, ThrowError
from worker.logs import configure_logging
from worker.redaction import SECRET_MASK

pytestmark = pytest.mark.timeout(30)

PASSWORD = "p@ss w/rd+é&ü=1"  # every character class that encodes differently
TOKEN = "tok-8b1d4c2e9f"


def leak_forms(secret: str) -> set[str]:
    """The spellings a leak could take; none may appear anywhere."""
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=True)[1:-1],
    }
    return {form for form in forms if len(form) >= 4}


def assert_no_leak(text: str, *secrets: str) -> None:
    for secret in secrets:
        for form in leak_forms(secret):
            assert form not in text, f"{form!r} leaked in: {text[:500]}"


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_PREFIX + "PASSWORD", PASSWORD)
    monkeypatch.setenv(SECRET_PREFIX + "TOKEN", TOKEN)
    monkeypatch.setenv(SECRET_PREFIX + "API_KEY", "api-key-3141592653")
    monkeypatch.setenv(SECRET_PREFIX + "CRM_TOKEN", "crm-token-2718281828")
    monkeypatch.setenv(SECRET_PREFIX + "DB_PASSWORD", "db-password-1618033988")


@pytest.fixture
async def api(recorder: Any) -> AsyncIterator[Recorder]:
    async def tattle(request: web.Request) -> web.Response:
        """Fails, echoing everything it got: URL, headers, body."""
        body = await request.text()
        return web.json_response(
            {
                "url": str(request.url),
                "raw": request.raw_path,
                "headers": dict(request.headers),
                "body": body,
            },
            status=int(request.query.get("status", "400")),
        )

    async def long_error(request: web.Request) -> web.Response:
        pad = int(request.query["pad"])
        return web.Response(status=500, text="x" * pad + request.headers["X-Secret"] + " tail")

    async def token_error(request: web.Request) -> web.Response:
        form = await request.post()
        return web.json_response(
            {
                "error": "invalid_client",
                "error_description": "bad secret " + str(form.get("client_secret")),
            },
            status=401,
        )

    server: Recorder = await recorder(
        "127.0.0.1", {"/tattle": tattle, "/long-error": long_error, "/token-error": token_error}
    )
    yield server


@pytest.fixture
async def connector(secret_env: None) -> AsyncIterator[Connector]:
    async with Connector(settings()) as running:
        yield running


def everything(outcome: Any) -> str:
    """All the text an outcome sends to Zeebe."""
    assert isinstance(outcome, Fail | ThrowError), outcome
    return json.dumps(
        {"message": outcome.error_message, "variables": outcome.variables}, ensure_ascii=False
    )


async def test_secrets_echoed_in_every_form_are_masked(connector: Connector, api: Recorder) -> None:
    outcome = await connector.run(
        job(
            {
                "method": "POST",
                "url": api.url("/tattle?token={{secrets.TOKEN}}&p={{secrets.PASSWORD}}"),
                "queryParameters": {"again": "{{secrets.PASSWORD}}"},
                "headers": {"X-Password": "{{secrets.PASSWORD}}"},
                "authentication": {
                    "type": "basic",
                    "username": "alice",
                    "password": "{{secrets.PASSWORD}}",
                },
                "body": {"nested": {"pw": "{{secrets.PASSWORD}}", "t": "{{secrets.TOKEN}}"}},
            }
        )
    )
    text = everything(outcome)
    assert "***" in text
    assert_no_leak(text, PASSWORD, TOKEN)
    basic = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    assert basic not in text
    assert "X-Password" in text and "/tattle" in text  # the rest stays readable


async def test_a_secret_cut_by_the_message_limit_is_not_half_shown(
    connector: Connector, api: Recorder
) -> None:
    for pad in range(5940, 5990, 7):  # the cut falls at every place in the secret
        outcome = await connector.run(
            job(
                {
                    "method": "GET",
                    "url": api.url(f"/long-error?pad={pad}"),
                    "headers": {"X-Secret": "{{secrets.TOKEN}}"},
                }
            )
        )
        assert isinstance(outcome, Fail)
        assert len(outcome.error_message) <= 6000
        assert TOKEN[:5] not in outcome.error_message, pad


async def test_error_expressions_cannot_leak_secrets(connector: Connector, api: Recorder) -> None:
    variables = {
        "method": "GET",
        "url": api.url("/tattle"),
        "authentication": {"type": "bearer", "token": "{{secrets.TOKEN}}"},
    }
    for expression in (
        "=jobError(string(response.body.headers.Authorization), {leak: response.body})",
        '=bpmnError("LEAK", response.body.headers.Authorization, {leak: response})',
        "=jobError(error.message + string(response.body))",
    ):
        outcome = await connector.run(job(variables, {"errorExpression": expression}))
        text = everything(outcome)
        assert_no_leak(text, TOKEN)


async def test_oauth_secrets_echoed_by_the_token_endpoint_are_masked(
    connector: Connector, api: Recorder
) -> None:
    outcome = await connector.run(
        job(
            {
                "method": "GET",
                "url": api.url("/tattle"),
                "authentication": {
                    "type": "oauth-client-credentials-flow",
                    "oauthTokenEndpoint": api.url("/token-error"),
                    "clientId": "client",
                    "clientSecret": "{{secrets.PASSWORD}}",
                    "clientAuthentication": "credentialsBody",
                },
            }
        )
    )
    text = everything(outcome)
    assert "OAUTH_TOKEN_ERROR" in text
    assert_no_leak(text, PASSWORD)


async def test_a_secret_the_job_did_not_use_is_masked_too(
    connector: Connector, api: Recorder
) -> None:
    # registered by an earlier job, echoed by a server to this one
    await connector.run(
        job({"method": "GET", "url": api.url("/ok"), "headers": {"X-T": "{{secrets.API_KEY}}"}})
    )
    outcome = await connector.run(
        job(
            {
                "method": "GET",
                "url": api.url("/tattle"),
                "headers": {"X-Echo": "api-key-3141592653"},
            }
        )
    )
    assert_no_leak(everything(outcome), "api-key-3141592653")


async def test_exception_text_is_masked(secret_env: None, api: Recorder) -> None:
    class Exploding(HttpClient):
        async def send(self, request: Any, mask: Any, **options: Any) -> Any:
            raise RuntimeError(f"boom while sending {request.headers}")

    connector_settings = settings()
    async with Connector(connector_settings, http=Exploding(connector_settings)) as connector:
        outcome = await connector.run(
            job(
                {"method": "GET", "url": api.url("/ok"), "headers": {"X-P": "{{secrets.PASSWORD}}"}}
            )
        )
    text = everything(outcome)
    assert "bug in the worker" in text
    assert_no_leak(text, PASSWORD)


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream=stream)
    yield stream
    logging.getLogger().handlers.clear()


async def test_log_lines_never_show_a_secret(
    connector: Connector, api: Recorder, captured_logs: io.StringIO
) -> None:
    cases: list[dict[str, Any]] = [
        {
            "method": "GET",
            "url": api.url("/tattle?t={{secrets.TOKEN}}"),
            "headers": {"X-P": "{{secrets.PASSWORD}}"},
        },
        {"method": "GET", "url": api.url("/{{secrets.PASSWORD}}/path")},
        {
            "method": "GET",
            "url": api.url("/ok"),
            "authentication": {
                "type": "basic",
                "username": "bob",
                "password": "{{secrets.PASSWORD}}",
            },
        },
        {"method": "GET", "url": "http://127.0.0.1:1/{{secrets.TOKEN}}"},
        {"method": "GET", "url": api.url("/ok"), "body": "={{secrets.TOKEN}}"},
        {"method": "BREW", "url": api.url("/{{secrets.TOKEN}}")},
    ]
    for variables in cases:
        await connector.run(
            job(variables, {"errorExpression": '=jobError("x" + string(response))'})
        )
    logged = captured_logs.getvalue()
    assert "http.request" in logged
    assert_no_leak(logged, PASSWORD, TOKEN)
    assert base64.b64encode(f"bob:{PASSWORD}".encode()).decode() not in logged
    assert SECRET_MASK.redact(PASSWORD) == "***"


# --- which secrets a job type may use ---


def restricted(**overrides: Any) -> ConnectorSettings:
    return settings(**overrides)


@pytest.mark.parametrize(
    ("allowed", "by_type", "job_type", "secret", "ok"),
    [
        (["API_*"], {}, "io.camunda:http-json:1", "API_KEY", True),
        (["API_*"], {}, "io.camunda:http-json:1", "DB_PASSWORD", False),
        (["API_*", "CRM_TOKEN"], {}, "io.camunda:http-json:1", "CRM_TOKEN", True),
        (["*"], {"acme:crm:1": ["CRM_*"]}, "acme:crm:1", "CRM_TOKEN", True),
        (["*"], {"acme:crm:1": ["CRM_*"]}, "acme:crm:1", "API_KEY", False),
        (["*"], {"acme:crm:1": ["CRM_*"]}, "io.camunda:http-json:1", "DB_PASSWORD", True),
        (["API_*"], {"public:1": []}, "public:1", "API_KEY", False),
        (["API_?EY"], {}, "io.camunda:http-json:1", "API_KEY", True),
        (["api_*"], {}, "io.camunda:http-json:1", "API_KEY", False),  # names are case-sensitive
    ],
)
async def test_secrets_allowed_per_job_type(
    secret_env: None,
    api: Recorder,
    allowed: list[str],
    by_type: dict[str, list[str]],
    job_type: str,
    secret: str,
    ok: bool,
) -> None:
    connector_settings = restricted(
        secrets_allowed_names=allowed, secrets_allowed_names_by_job_type=by_type
    )
    async with Connector(connector_settings) as connector:
        outcome = await connector.run(
            job(
                {
                    "method": "GET",
                    "url": api.url("/ok"),
                    "headers": {"X-S": f"{{{{secrets.{secret}}}}}"},
                },
                type=job_type,
            )
        )
    if ok:
        assert isinstance(outcome, Complete), outcome
        return
    assert isinstance(outcome, Fail), outcome
    assert outcome.retries == 0
    assert outcome.variables["error"]["code"] == "SECRET_NOT_ALLOWED"
    assert (
        f"Secret '{secret}' may not be used by jobs of type '{job_type}'" in outcome.error_message
    )
    assert api.seen == []


async def test_a_disallowed_secret_is_never_looked_up(api: Recorder) -> None:
    # the secret does not exist: the answer is "not allowed", not "not found", so a
    # process model cannot probe which secrets the worker holds
    async with Connector(restricted(secrets_allowed_names=["API_*"])) as connector:
        outcome = await connector.run(
            job({"method": "GET", "url": api.url("/ok"), "body": "{{secrets.NO_SUCH_SECRET}}"})
        )
    assert isinstance(outcome, Fail)
    assert outcome.variables["error"]["code"] == "SECRET_NOT_ALLOWED"
    assert "allowed: API_*; SECRETS_ALLOWED_NAMES" in outcome.error_message


def test_the_per_job_type_setting_reads_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETS_ALLOWED_NAMES", "API_*, CRM_*")
    monkeypatch.setenv(
        "SECRETS_ALLOWED_NAMES_BY_JOB_TYPE", '{"acme:crm:1": "CRM_*", "public:1": []}'
    )
    connector_settings = ConnectorSettings(_env_file=None)  # type: ignore[call-arg]
    assert connector_settings.secrets_allowed_names == ["API_*", "CRM_*"]
    assert connector_settings.secrets_allowed_names_by_job_type == {
        "acme:crm:1": ["CRM_*"],
        "public:1": [],
    }
