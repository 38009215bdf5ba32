"""Bad input, field by field: every malformed value gives a clear outcome, never a crash.

For each input (and each authentication field, task header and `invoke` file) a table of
hostile values: wrong types, huge strings, unicode edge cases (lone surrogates, bidi
overrides, NUL, BOM), CR/LF, invalid URLs, unknown auth types, bad durations. Each job
must end with an outcome Zeebe can take (UTF-8 text, JSON variables, a message of at most
6000 characters), never the connector's "bug in the worker" failure; an input error names
its field. The jobs run in a sandboxed connector that can reach loopback only.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.security.conftest import Recorder, job, outcome_problems
from worker.connector import Connector
from worker.invoke import JobFileError, read_job
from worker.job import Complete, Fail, ThrowError

pytestmark = pytest.mark.timeout(60)

HUGE = "A" * 1_000_000
WRONG_TYPES: list[Any] = [42, -1, 3.5, True, False, [], ["a", ["b"]], {}, {"a": {"b": 1}}]
UNICODE = [
    "\ud800",  # lone high surrogate
    "x\udfffy",  # lone low surrogate
    "\u202egnp.exe",  # right-to-left override
    "\u200b",  # zero-width space
    "\ufeff",  # BOM
    "e\u0301",  # combining accent
    "😀",
    "\U0010ffff",
    "\x00",
    "\x7f",
    "ｈｔｔｐ",  # fullwidth
    "İ",  # lowercases to two characters
]
CRLF = ["a\r\nX-Injected: yes", "a\nb", "a\rb", "\r\n\r\nGET /admin HTTP/1.1\r\n", "a\tb"]
TEXTS = [*WRONG_TYPES, None, "", " ", HUGE, *UNICODE, *CRLF]
INVALID_URLS = [
    "ftp://127.0.0.1/",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "http://",
    "://127.0.0.1",
    "127.0.0.1/ok",
    "http://[::1",
    "http://127.0.0.1:99999/",
    "http://127.0.0.1:-1/",
    "http://a b/",
    "http://\u202e.test/",
    "http://xn--/",
    "http://" + "a" * 300 + ".test/",
    "http://127.0.0.1/\r\nX-Injected: yes",
    "http://127.0.0.1/\x00",
    "http://127.0.0.1/ok#\ud800",
    "http://user:pass@",
    "http:\\\\127.0.0.1\\",
]
DURATIONS = [
    "PT",
    "P",
    "P-1D",
    "-PT1S",
    "30s",
    "PT1H1H",
    "PT99999999999999999999S",
    "P99999999Y",
    "P1.5.5D",
    "PT1S\r\n",
    "\ud800",
    "P1W2D",
    " ",
    HUGE,
]

AUTHS: dict[str, dict[str, Any]] = {
    "basic": {"type": "basic", "username": "user", "password": "pw"},
    "bearer": {"type": "bearer", "token": "token-value"},
    "apiKey": {"type": "apiKey", "apiKeyLocation": "headers", "name": "X-Key", "value": "k"},
    "oauth-client-credentials-flow": {
        "type": "oauth-client-credentials-flow",
        "oauthTokenEndpoint": "TOKEN_URL",
        "clientId": "client",
        "clientSecret": "secret",
        "clientAuthentication": "credentialsBody",
    },
    "oauth-refresh-token": {
        "type": "oauth-refresh-token",
        "oauthTokenEndpoint": "TOKEN_URL",
        "clientId": "client",
        "refreshToken": "refresh",
    },
}


@pytest.fixture
async def api(recorder: Any) -> AsyncIterator[Recorder]:
    async def token(request: web.Request) -> web.Response:
        return web.json_response({"access_token": "fresh-token", "expires_in": 60})

    server: Recorder = await recorder("127.0.0.1", {"/token": token})
    yield server


def base(api: Recorder) -> dict[str, Any]:
    return {"method": "POST", "url": api.url("/ok"), "body": {"a": 1}}


def set_path(variables: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `variables` with the dotted `path` set to `value`."""
    result: dict[str, Any] = json.loads(json.dumps(variables))
    target = result
    *parents, last = path.split(".")
    for name in parents:
        target = target.setdefault(name, {})
    target[last] = value
    return result


async def run_matrix(
    connector: Connector, cases: list[tuple[str, dict[str, Any], dict[str, str], Any]]
) -> list[str]:
    problems = []
    for field, variables, headers, value in cases:
        outcome = await connector.run(job(variables, headers))
        problems += outcome_problems(outcome, field, value)
    return problems


INPUT_FIELDS: dict[str, list[Any]] = {
    "method": [*TEXTS, "CONNECT", "TRACE", "GET\r\nX: y", "get ", "G\u0130T"],
    "url": [*TEXTS, *INVALID_URLS],
    "headers": [*TEXTS, "{not json", '{"a": 1}', {"\ud800": "v"}, {"": "v"}],
    "queryParameters": [*TEXTS, "{not json", {"": "v"}, {"a": {"b": 1}}, {"\ud800": "v"}],
    "body": [*TEXTS, {"\ud800": 1}, [float("inf")], {"deep": json.loads("[" * 250 + "]" * 250)}],
    "connectionTimeoutInSeconds": [*TEXTS, "1e309", "NaN", "-5", 10**100, "1_0", "0x10"],
    "readTimeoutInSeconds": [*TEXTS, "inf", float("nan"), -0.0],
    "followRedirects": TEXTS,
    "ignoreNullValues": TEXTS,
    "skipEncoding": TEXTS,
    "storeResponse": TEXTS,
    "documentReturnFormat": TEXTS,
    "documentReturnFormat.choice": [*TEXTS, "DOCUMENT", "json", "XML"],
    "documentReturnFormat.encoding": [*TEXTS, "rot13", "utf-7", "no-such-charset"],
    "clientTls": TEXTS,
    "clientTls.trustedCertificate": [
        *TEXTS,
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
    ],
    "clientTls.clientCertificate": TEXTS,
    "authentication": [*TEXTS, {"type": None}],
    "authentication.type": [*TEXTS, "digest", "oauth", "NOAUTH", "basic ", "Bearer"],
    "authenticationConfiguration": [*TEXTS, {"authentication": "bearer"}],
}


@pytest.mark.parametrize("field", list(INPUT_FIELDS))
async def test_every_input_field(sandboxed: Connector, api: Recorder, field: str) -> None:
    no_headers: dict[str, str] = {}
    cases = [
        (field, set_path(base(api), field, value), no_headers, value)
        for value in INPUT_FIELDS[field]
    ]
    assert await run_matrix(sandboxed, cases) == []


@pytest.mark.parametrize("auth_type", list(AUTHS))
async def test_every_authentication_field(
    sandboxed: Connector, api: Recorder, auth_type: str
) -> None:
    authentication = {
        key: api.url("/token") if value == "TOKEN_URL" else value
        for key, value in AUTHS[auth_type].items()
    }
    cases: list[tuple[str, dict[str, Any], dict[str, str], Any]] = []
    for name in authentication:
        if name == "type":
            continue
        values = [*TEXTS, *INVALID_URLS] if name == "oauthTokenEndpoint" else TEXTS
        for value in values:
            variables = {**base(api), "authentication": {**authentication, name: value}}
            cases.append((f"authentication.{name}", variables, {}, value))
    assert await run_matrix(sandboxed, cases) == []


HEADERS: dict[str, list[Any]] = {
    "resultVariable": ["", " ", "\ud800", "a\r\nb", HUGE[:100_000], "😀"],
    "resultExpression": [
        "",
        "=",
        "={",
        "=1 +",
        "=\ud800",
        "=" + "(" * 10_000,
        "=for x in 1..1000000000 return x",
        '={x: string join(for i in 1..200000 return "abcdefghij")}',
        "={x: for i in 1..5000 return if i = 1 then [] else [partial[-1]]}",
        "=response",
        "=[1, 2]",
        '="text"',
        "={'a': 1}",
        HUGE,
    ],
    "errorExpression": [
        "=",
        "={",
        "=\ud800",
        "=for x in 1..1000000000 return x",
        '=bpmnError("")',
        "=bpmnError(1)",
        '=jobError("m", {}, -5)',
        '=jobError("m", {}, 1, "P-1D")',
        '=jobError("m", {}, 1, "PT99999999999999999999S")',
        '=bpmnError("C", string join(for i in 1..200000 return "abcdefghij"))',
        '=bpmnError("\\ud800", "m")',
        '={errorType: "nonsense"}',
        HUGE,
    ],
    "retryBackoff": DURATIONS,
}


@pytest.mark.parametrize("header", list(HEADERS))
async def test_every_task_header(sandboxed: Connector, api: Recorder, header: str) -> None:
    failing = {"method": "GET", "url": api.url("/missing")}  # a 404: error expressions run
    cases: list[tuple[str, dict[str, Any], dict[str, str], Any]] = [
        (header, base(api) if header == "resultVariable" else failing, {header: value}, value)
        for value in HEADERS[header]
    ]
    cases += [(header, base(api), {header: value}, value) for value in HEADERS[header]]
    assert await run_matrix(sandboxed, cases) == []


async def test_specific_answers(sandboxed: Connector, api: Recorder) -> None:
    """A few of the cases above, with the exact failure they must give."""
    expectations: list[tuple[dict[str, Any], dict[str, str], str]] = [
        ({"url": "file:///etc/passwd"}, {}, "url: must be an http:// or https:// URL"),
        ({"url": api.url("/ok\r\nX-Injected: yes")}, {}, "url: must not contain line breaks"),
        ({"authentication": {"type": "digest"}}, {}, "authentication.type: must be one of"),
        ({"method": "\ud800"}, {}, "method: holds a lone surrogate"),
        (
            {"connectionTimeoutInSeconds": "1e309"},
            {},
            "connectionTimeoutInSeconds: must be a number",
        ),
        ({}, {"retryBackoff": "P-1D"}, "retryBackoff: expected an ISO-8601 duration"),
        ({}, {"retryBackoff": "PT99999999999999999999S"}, "retryBackoff: expected an ISO-8601"),
        (
            {},
            {"resultExpression": "=for x in 1..1000000000 return x"},
            "resultExpression: the evaluation was stopped",
        ),
        (
            {},
            {"resultExpression": '={x: string join(for i in 1..200000 return "abcdefghij")}'},
            "over the 1.50 MiB limit (MAX_OUTPUT_BYTES)",
        ),
        (
            {},
            {
                "resultExpression": "={x: for i in 1..5000 return if i = 1 then [] else [partial[-1]]}"
            },
            "resultExpression: returned a value nested more than 200 levels deep",
        ),
    ]
    for overrides, headers, expected in expectations:
        outcome = await sandboxed.run(job({**base(api), **overrides}, headers))
        assert isinstance(outcome, Fail), (overrides, headers, outcome)
        assert expected in outcome.error_message, outcome.error_message
        assert outcome.retries == 0


async def test_an_error_expression_that_loops_ends_the_job(
    sandboxed: Connector, api: Recorder
) -> None:
    outcome = await sandboxed.run(
        job(
            {"method": "GET", "url": api.url("/missing")},
            {"errorExpression": "={f: function(n) f(n + 1), r: f(1)}.r"},
        )
    )
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert "errorExpression: the evaluation was stopped" in outcome.error_message
    assert "(while handling: HTTP 404" in outcome.error_message


async def test_bad_jobs_do_not_affect_good_ones(sandboxed: Connector, api: Recorder) -> None:
    """Hundreds of malformed jobs at once, good ones among them: the good ones complete."""
    bad = [
        sandboxed.run(job(set_path(base(api), field, value)))
        for field, values in INPUT_FIELDS.items()
        for value in values[:12]
    ]
    good = [
        sandboxed.run(job(base(api), {"resultExpression": "={ok: body.ok}"})) for _ in range(30)
    ]
    outcomes = await asyncio.gather(*bad, *good)
    assert all(isinstance(outcome, Complete | Fail | ThrowError) for outcome in outcomes)
    assert outcomes[len(bad) :] == [Complete({"ok": True})] * 30


# --- job files given to `python -m worker invoke` ---

JOB_FILES: list[tuple[bytes, str]] = [
    (b"", "not valid JSON"),
    (b"{", "not valid JSON"),
    (b'{"variables": {"a": 1}', "not valid JSON"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[]", "must hold a JSON object"),
    (b'"job"', "must hold a JSON object"),
    (b"null", "must hold a JSON object"),
    (b'{"variables": []}', "'variables'"),
    (b'{"variables": {}, "customHeaders": {"a": 1}}', "'customHeaders'"),
    (b'{"variables": {}, "retries": -1}', "'retries'"),
    (b'{"variables": {}, "retries": 1.5}', "'retries'"),
    (b'{"variables": {}, "retries": true}', "'retries'"),
    (b'{"variables": {}, "custom_headers": {}}', "unknown keys"),
    (b'{"variables": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    (b'{"variables": {"a": NaN}}', ""),  # Python's JSON reads NaN: the job runs
    (b'{"variables": {"a": 1e999999}}', ""),
]


@pytest.mark.parametrize(("content", "expected"), JOB_FILES, ids=range(len(JOB_FILES)))
def test_invoke_job_files(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "job.json"
    path.write_bytes(content)
    if not expected:
        read_job(str(path))
        return
    with pytest.raises(JobFileError, match=expected):
        read_job(str(path))


@pytest.mark.parametrize(
    ("variables", "headers", "expected"),
    [
        ({"headers": {"X-A": "\ud800"}}, {}, {"outcome": "fail"}),
        ({}, {"resultVariable": "\ud800"}, {"outcome": "complete"}),
    ],
)
async def test_invoke_prints_an_outcome_for_hostile_variables(
    tmp_path: Path,
    api: Recorder,
    variables: dict[str, Any],
    headers: dict[str, str],
    expected: dict[str, str],
) -> None:
    path = tmp_path / "job.json"
    path.write_text(
        json.dumps(
            {
                "variables": {"method": "GET", "url": api.url("/ok"), **variables},
                "customHeaders": headers,
            }
        )
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "worker",
        "invoke",
        "--job",
        str(path),
        cwd=Path(__file__).resolve().parents[2],
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    printed = json.loads(stdout)
    assert printed["outcome"] == expected["outcome"]
    if printed["outcome"] == "fail":
        assert "headers.X-A: holds a lone surrogate" in printed["errorMessage"]
    else:
        assert list(printed["variables"]) == ["\\ud800"]  # escaped, so Zeebe could take it
