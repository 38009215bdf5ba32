"""Header and request smuggling: CR/LF and other control characters, wherever they come from
(the job's variables, FEEL, secrets, a token endpoint), are refused with a message naming
the field, and nothing is sent. Where a value is percent-encoded (query), it is carried
safely instead."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.security.conftest import SECRET_PREFIX, Recorder, job, settings
from worker.connector import Connector
from worker.job import Complete, Fail

pytestmark = pytest.mark.timeout(30)

INJECTION = "1\r\nX-Injected: yes"


@pytest.fixture
async def api(recorder: Any) -> AsyncIterator[Recorder]:
    async def echo(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "headers": dict(request.headers),
                "query": dict(request.query),
                "path": request.raw_path,
            }
        )

    async def hostile_token(request: web.Request) -> web.Response:
        return web.json_response({"access_token": "abc\r\nX-Injected: yes", "expires_in": 60})

    server: Recorder = await recorder("127.0.0.1", {"/echo": echo, "/hostile-token": hostile_token})
    yield server


@pytest.fixture
async def connector(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AsyncIterator[Connector]:
    monkeypatch.setenv(SECRET_PREFIX + "CRLF", INJECTION)
    monkeypatch.setenv(SECRET_PREFIX + "PATH", "a\r\nHost: evil.test")
    async with Connector(settings()) as running:
        yield running


def refused(outcome: Any, *words: str) -> str:
    assert isinstance(outcome, Fail), outcome
    assert outcome.retries == 0
    for word in words:
        assert word in outcome.error_message, outcome.error_message
    return str(outcome.error_message)


@pytest.mark.parametrize(
    ("inputs", "variables", "words"),
    [
        (
            {"headers": {"X-A": INJECTION}},
            {},
            ["headers: 'X-A' must not contain line breaks", "'\\r' at position 2"],
        ),
        ({"headers": {"X-A": "a\nb"}}, {}, ["headers: 'X-A' must not contain line breaks"]),
        ({"headers": {"X-A": "a\x00b"}}, {}, ["headers: 'X-A' must not contain", "'\\x00'"]),
        ({"headers": {"X-A": "a\x7fb"}}, {}, ["'\\x7f'"]),
        (
            {"headers": {"X-A": ["ok", INJECTION]}},
            {},
            ["headers: 'X-A' must not contain line breaks"],
        ),
        (
            {"headers": {"X-A\r\nX-Injected": "1"}},
            {},
            ["headers: 'X-A\\r\\nX-Injected' is not a valid header name"],
        ),
        ({"headers": {"X A": "1"}}, {}, ["is not a valid header name"]),
        ({"headers": {"": "1"}}, {}, ["'' is not a valid header name"]),
        (
            {"headers": {"Content-Type": "text/plain\r\nX-Injected: yes"}},
            {},
            ["headers: 'Content-Type'"],
        ),
        (
            {"headers": '={"X-A": "1" + suffix}'},
            {"suffix": "\r\nX-Injected: yes"},
            ["headers: 'X-A' must not contain line breaks"],
        ),
        (
            {"headers": {"X-A": "{{secrets.CRLF}}"}},
            {},
            ["headers: 'X-A' must not contain line breaks"],
        ),
        ({"headers": {"{{secrets.CRLF}}": "v"}}, {}, ["is not a valid header name"]),
        (
            {"authentication": {"type": "bearer", "token": INJECTION}},
            {},
            ["authentication.token: must not contain line breaks"],
        ),
        (
            {"authentication": {"type": "bearer", "token": "{{secrets.CRLF}}"}},
            {},
            ["authentication.token: must not contain line breaks"],
        ),
        (
            {
                "authentication": {
                    "type": "apiKey",
                    "apiKeyLocation": "headers",
                    "name": "X-Key",
                    "value": INJECTION,
                }
            },
            {},
            ["authentication: value: must not contain line breaks"],
        ),
        (
            {
                "authentication": {
                    "type": "apiKey",
                    "apiKeyLocation": "headers",
                    "name": "X\r\nKey",
                    "value": "v",
                }
            },
            {},
            ["authentication: name: 'X\\r\\nKey' is not a valid header name"],
        ),
        ({"url": "URL/echo\r\nX-Injected: yes"}, {}, ["url: must not contain line breaks"]),
        ({"url": "URL/echo\tx"}, {}, ["url: must not contain line breaks, tabs"]),
        ({"url": "=base + path"}, {"path": "/echo\r\nX: y"}, ["url: must not contain line breaks"]),
        ({"url": "URL/{{secrets.PATH}}"}, {}, ["url: must not contain line breaks"]),
        ({"method": "GET\r\nX-Injected: yes"}, {}, ["method: must be one of"]),
    ],
)
async def test_injection_is_refused_and_nothing_sent(
    connector: Connector,
    api: Recorder,
    inputs: dict[str, Any],
    variables: dict[str, Any],
    words: list[str],
) -> None:
    base_url = f"http://127.0.0.1:{api.port}"
    job_variables = {"method": "GET", "url": f"{base_url}/echo", "base": base_url, **variables}
    for name, value in inputs.items():
        job_variables[name] = value.replace("URL", base_url) if isinstance(value, str) else value
    message = refused(await connector.run(job(job_variables)), *words)
    assert api.seen == []
    assert INJECTION not in message and "evil.test" not in message  # secret values masked


async def test_percent_encoded_places_carry_line_breaks_safely(
    connector: Connector, api: Recorder
) -> None:
    outcome = await connector.run(
        job(
            {
                "method": "GET",
                "url": api.url("/echo"),
                "queryParameters": {"q": INJECTION, "k\r\n": "v"},
                "authentication": {
                    "type": "apiKey",
                    "apiKeyLocation": "query",
                    "name": "key",
                    "value": INJECTION,
                },
            },
            {"resultExpression": "={query: body.query, headers: body.headers}"},
        )
    )
    assert isinstance(outcome, Complete), outcome
    assert outcome.variables["query"] == {"q": INJECTION, "k\r\n": "v", "key": INJECTION}
    assert "X-Injected" not in outcome.variables["headers"]


async def test_basic_credentials_with_line_breaks_are_base64_and_harmless(
    connector: Connector, api: Recorder
) -> None:
    outcome = await connector.run(
        job(
            {
                "method": "GET",
                "url": api.url("/echo"),
                "authentication": {
                    "type": "basic",
                    "username": "a\r\nX-Injected: yes",
                    "password": "p",
                },
            },
            {"resultExpression": "={headers: body.headers}"},
        )
    )
    assert isinstance(outcome, Complete), outcome
    assert "X-Injected" not in outcome.variables["headers"]
    assert outcome.variables["headers"]["Authorization"].startswith("Basic ")


async def test_a_token_endpoint_cannot_inject_headers(connector: Connector, api: Recorder) -> None:
    outcome = await connector.run(
        job(
            {
                "method": "GET",
                "url": api.url("/echo"),
                "authentication": {
                    "type": "oauth-client-credentials-flow",
                    "oauthTokenEndpoint": api.url("/hostile-token"),
                    "clientId": "c",
                    "clientSecret": "client-secret-1234",
                    "clientAuthentication": "credentialsBody",
                },
            }
        )
    )
    assert isinstance(outcome, Fail), outcome
    assert outcome.variables["error"]["code"] == "OAUTH_TOKEN_ERROR"
    assert "has an access_token unfit for a header" in outcome.error_message
    assert [request.path for request in api.seen] == ["/hostile-token"]
