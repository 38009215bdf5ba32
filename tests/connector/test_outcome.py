"""From response or error to outcome: result and error expressions, retries, limits, masking."""

from __future__ import annotations

import json
import time
from email.utils import formatdate
from typing import Any

import pytest

from tests.connector.conftest import SECRET_PREFIX, Run, job
from tests.connector.servers import Api
from worker.config import ConnectorSettings
from worker.connector import Connector
from worker.errors import HttpStatusError
from worker.job import Complete, Fail, JobInput, Outcome, ThrowError
from worker.outcome import _within_limit


def body_url(api: Api, status: int, body: Any, **query: str) -> str:
    """URL of a response with `status` and a JSON `body`."""
    from urllib.parse import urlencode

    params = {"body": json.dumps(body), "type": "application/json", **query}
    return api.url(f"/status/{status}?{urlencode(params)}")


# --- success: result variable and result expression ---


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, {}),
        ({"resultVariable": ""}, {}),
        ({"resultExpression": "={id: body.id}"}, {"id": 7}),
        ({"resultExpression": "{id: response.body.id}"}, {"id": 7}),
        (
            {"resultExpression": "={status: status, reason: reason, type: headers.X-Type}"},
            {"status": 200, "reason": "OK", "type": None},
        ),
        ({"resultExpression": "={missing: body.a.b.c}"}, {"missing": None}),
        ({"resultExpression": "=null"}, {}),
        ({"resultExpression": "=if status = 200 then {ok: true} else null"}, {"ok": True}),
        (
            {
                "resultExpression": "={\n  myResponseBody: response.body\n"
                "  // Use FEEL to extract values, e.g.,:\n"
                "  // myUserId: response.body.post.userId\n}"
            },
            {"myResponseBody": {"id": 7, "tags": ["a", "b"], "price": 1.5}},
        ),
        (
            {
                "resultExpression": "={first: body.tags[1], total: body.price * 2, "
                "n: count(body.tags)}"
            },
            {"first": "a", "total": 3, "n": 2},
        ),
        ({"resultVariable": "r", "resultExpression": "={r: 1, id: body.id}"}, {"r": 1, "id": 7}),
    ],
)
async def test_result_mapping(
    run: Run, api: Api, headers: dict[str, str], expected: dict[str, Any]
) -> None:
    url = body_url(api, 200, {"id": 7, "tags": ["a", "b"], "price": 1.5})
    assert await run({"method": "GET", "url": url}, headers) == Complete(expected)


async def test_result_variable_holds_the_whole_response(run: Run, api: Api) -> None:
    outcome = await run(
        {"method": "GET", "url": body_url(api, 200, [1])}, {"resultVariable": "result"}
    )
    assert isinstance(outcome, Complete)
    result = outcome.variables["result"]
    assert (result["status"], result["body"], result["reason"]) == (200, [1], "OK")
    assert result["headers"]["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("=response.body", "must return a context, e.g. {id: response.body.id}, got a list"),
        ('="text"', 'must return a context, e.g. {id: response.body.id}, got a string "text"'),
        ("=status", "must return a context, e.g. {id: response.body.id}, got a number 200"),
    ],
)
async def test_a_result_expression_that_is_not_a_context_fails_without_retries(
    run: Run, api: Api, expression: str, problem: str
) -> None:
    outcome = await run(
        {"method": "POST", "url": body_url(api, 200, [1])}, {"resultExpression": expression}
    )
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert outcome.error_message == f"resultExpression: {problem}"
    assert outcome.variables["error"]["code"] == "RESULT_EXPRESSION_ERROR"
    assert len(api.seen) == 1


@pytest.mark.parametrize(
    ("headers", "problem"),
    [
        ({"resultExpression": "={a: }"}, "resultExpression: not a valid FEEL expression"),
        ({"errorExpression": "=if then"}, "errorExpression: not a valid FEEL expression"),
        (
            {"retryBackoff": "5 minutes"},
            "retryBackoff: expected an ISO-8601 duration such as PT30S or PT5M, got '5 minutes'",
        ),
        ({"retryBackoff": "-PT5S"}, "retryBackoff: expected an ISO-8601 duration"),
    ],
)
async def test_broken_task_headers_fail_before_any_request(
    run: Run, api: Api, headers: dict[str, str], problem: str
) -> None:
    outcome = await run({"method": "POST", "url": api.url()}, headers)
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert problem in outcome.error_message
    assert outcome.variables["error"]["code"] == "INVALID_TASK_HEADER"
    assert api.seen == []


# --- errors: defaults ---


async def test_an_error_status_fails_with_retries_minus_one_and_readable_message(
    run: Run, api: Api
) -> None:
    outcome = await run(
        {"method": "GET", "url": body_url(api, 404, {"detail": "no order 7"})}, retries=3
    )
    assert isinstance(outcome, Fail)
    assert outcome.error_message == 'HTTP 404 Not Found: {"detail":"no order 7"}'
    assert outcome.retries == 2
    assert outcome.retry_backoff_ms == 0
    error = outcome.variables["error"]
    assert error["code"] == "404"
    assert error["message"] == "Not Found"
    assert error["type"] == "HttpStatusError"
    assert error["variables"]["response"]["body"] == {"detail": "no order 7"}
    assert (
        error["variables"]["response"]["headers"]["Content-Type"]
        == "application/json; charset=utf-8"
    )


@pytest.mark.parametrize(
    ("status", "body", "reason", "message"),
    [
        (422, [{"field": "name"}], None, 'HTTP 422 Unprocessable Entity: [{"field":"name"}]'),
        (500, None, "Kaput", "HTTP 500 Kaput"),
        (503, "line one\nline   two", None, "HTTP 503 Service Unavailable: line one line two"),
        (400, "", None, "HTTP 400 Bad Request"),
    ],
)
async def test_error_messages_and_json_arrays_kept(
    run: Run, api: Api, status: int, body: Any, reason: str | None, message: str
) -> None:
    query: dict[str, str] = {"reason": reason} if reason else {}
    if isinstance(body, str) or body is None:
        from urllib.parse import urlencode

        params: dict[str, str] = {**query, **({"body": body} if body is not None else {})}
        url = api.url(f"/status/{status}?{urlencode(params)}")
    else:
        url = body_url(api, status, body, **query)
    outcome = await run({"method": "GET", "url": url})
    assert isinstance(outcome, Fail)
    assert outcome.error_message == message
    if isinstance(body, list):
        assert outcome.variables["error"]["variables"]["response"]["body"] == body


def test_incident_messages_are_capped_at_6000_characters() -> None:
    error = HttpStatusError(500, "Internal Server Error", {}, "x" * 10_000)
    message = error.incident_message()
    assert len(message) == 6000
    assert message.startswith("HTTP 500 Internal Server Error: xxx")
    assert message.endswith("…")


@pytest.mark.parametrize(
    ("retries", "backoff", "expected_retries", "expected_backoff"),
    [
        (3, None, 2, 0),
        (1, "PT0S", 0, 0),
        (0, "PT5S", 0, 5000),
        (5, "PT1M30S", 4, 90_000),
        (5, "P1DT1H", 4, 90_000_000),
        (5, "PT0.25S", 4, 250),
        (5, " PT30S ", 4, 30_000),
        (5, "", 4, 0),
    ],
)
async def test_retries_and_backoff(
    run: Run,
    api: Api,
    retries: int,
    backoff: str | None,
    expected_retries: int,
    expected_backoff: int,
) -> None:
    headers = {} if backoff is None else {"retryBackoff": backoff}
    outcome = await run({"method": "GET", "url": api.url("/status/500")}, headers, retries=retries)
    assert isinstance(outcome, Fail)
    assert (outcome.retries, outcome.retry_backoff_ms) == (expected_retries, expected_backoff)


@pytest.mark.parametrize(
    ("status", "retry_after", "expected_backoff"),
    [
        (429, "7", 7000),
        (503, "2", 5000),
        (404, "7", 5000),
        (429, "soon", 5000),
        (429, "999999", 3_600_000),
    ],
)
async def test_retry_after_lengthens_the_backoff_of_429_and_503(
    run: Run, api: Api, status: int, retry_after: str, expected_backoff: int
) -> None:
    url = api.url(f"/status/{status}?header=Retry-After:{retry_after}")
    outcome = await run({"method": "GET", "url": url}, {"retryBackoff": "PT5S"})
    assert isinstance(outcome, Fail)
    assert outcome.retry_backoff_ms == expected_backoff


# --- error expressions ---

NOT_FOUND = {"detail": "no order", "temp": 36}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (
            '=if error.code = "404" then bpmnError("NOT_FOUND", error.message) else null',
            ThrowError("NOT_FOUND", "Not Found"),
        ),
        ('=bpmnError("E")', ThrowError("E", "")),
        (
            '=bpmnError("E", "m", {body: error.variables.response.body})',
            ThrowError("E", "m", {"body": NOT_FOUND}),
        ),
        ('=bpmnError(errorCode: "E", variables: {x: 1})', ThrowError("E", "", {"x": 1})),
        (
            '={errorType: "bpmnError", errorCode: "RAW", errorMessage: "raw context"}',
            ThrowError("RAW", "raw context"),
        ),
        ('={errorType: "bpmnError", errorCode: null}', None),
        (
            '=if matches(error.code, "40[0-9]") and error.variables.response.body.temp = 36 '
            'then bpmnError("Too hot", error.variables.response.body.detail, '
            'error.variables.response.body) else bpmnError("Not too hot")',
            ThrowError("Too hot", "no order", NOT_FOUND),
        ),
        (
            '=if response.error.code = "404" then bpmnError("VIA_RESPONSE") else null',
            ThrowError("VIA_RESPONSE", ""),
        ),
        (
            '=if response.status = 404 then bpmnError("RAW_STATUS", response.body.detail) '
            "else null",
            ThrowError("RAW_STATUS", "no order"),
        ),
        ('=jobError("custom")', Fail("custom", 0, 0, {"error": "custom"})),
        (
            '=jobError("custom", {a: 1}, job.retries - 1, "PT1M")',
            Fail("custom", 2, 60_000, {"a": 1, "error": "custom"}),
        ),
        (
            '=jobError(errorMessage: "named", retries: 5, retryBackoff: duration("PT30S"))',
            Fail("named", 5, 30_000, {"error": "named"}),
        ),
        (
            '=jobError("keeps user error key last", {error: "mine"})',
            Fail("keeps user error key last", 0, 0, {"error": "keeps user error key last"}),
        ),
        ("=ignoreError()", Complete({})),
        (
            "=ignoreError({found: false, code: error.code})",
            Complete({"found": False, "code": "404"}),
        ),
        ("=null", None),
        ("={}", None),
        ('=if error.code = "500" then bpmnError("X") else null', None),
    ],
)
async def test_error_expression_on_an_error(
    run: Run, api: Api, expression: str, expected: Outcome | None
) -> None:
    outcome = await run(
        {"method": "GET", "url": body_url(api, 404, NOT_FOUND)}, {"errorExpression": expression}
    )
    if expected is None:
        assert isinstance(outcome, Fail)
        assert outcome.error_message.startswith("HTTP 404 Not Found")
        assert outcome.retries == 2
    else:
        assert outcome == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            {
                "errorExpression": '=if body.state = "FAILED" then '
                'bpmnError("JOB_FAILED", body.reason) else null'
            },
            ThrowError("JOB_FAILED", "quota"),
        ),
        (
            {
                "errorExpression": '=if response.body.state = "FAILED" then '
                'jobError("remote failure: " + response.body.reason) else null'
            },
            Fail("remote failure: quota", 0, 0, {"error": "remote failure: quota"}),
        ),
        (
            {
                "resultVariable": "r",
                "errorExpression": "=if r.status = 200 and status = 200 and response.status = 200 "
                'then bpmnError("SEES_ALL") else null',
            },
            ThrowError("SEES_ALL", ""),
        ),
        (
            {
                "resultExpression": "={state: body.state}",
                "errorExpression": '=if state = "FAILED" then bpmnError("FROM_OUTPUT") else null',
            },
            ThrowError("FROM_OUTPUT", ""),
        ),
        (
            {
                "resultExpression": "={state: body.state}",
                "errorExpression": '=if error = null then null else bpmnError("NEVER")',
            },
            Complete({"state": "FAILED"}),
        ),
        (
            {"resultVariable": "r", "errorExpression": "=ignoreError({only: 1})"},
            Complete({"only": 1}),
        ),
    ],
)
async def test_error_expression_on_a_success(
    run: Run, api: Api, headers: dict[str, str], expected: Outcome
) -> None:
    outcome = await run(
        {"method": "GET", "url": body_url(api, 200, {"state": "FAILED", "reason": "quota"})},
        headers,
    )
    assert outcome == expected


async def test_retry_after_as_an_http_date(run: Run, api: Api) -> None:
    when = formatdate(time.time() + 20, usegmt=True).replace(" ", "%20").replace(",", "%2C")
    outcome = await run({"method": "GET", "url": api.url(f"/status/429?header=Retry-After:{when}")})
    assert isinstance(outcome, Fail)
    assert 17_000 <= outcome.retry_backoff_ms <= 21_000


async def test_backoff_function_gives_a_growing_delay(run: Run, api: Api) -> None:
    expression = (
        '=jobError("retry later", {}, job.retries - 1, '
        'backoff(3, duration("PT1S"), 2, duration("PT1M"), 0))'
    )
    outcome = await run(
        {"method": "GET", "url": api.url("/status/500")}, {"errorExpression": expression}, retries=4
    )
    assert outcome == Fail("retry later", 3, 4000, {"error": "retry later"})
    expression = (
        '=jobError("x", {}, 1, '
        'backoff(attempt: 10, minDelay: "PT1S", maxDelay: "PT5S", jitterFactor: 0.1))'
    )
    outcome = await run(
        {"method": "GET", "url": api.url("/status/500")}, {"errorExpression": expression}
    )
    assert isinstance(outcome, Fail)
    assert 4500 <= outcome.retry_backoff_ms <= 5500


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        (
            '="not a decision"',
            "must return bpmnError(...), jobError(...), ignoreError(...) or null, "
            "got 'not a decision'",
        ),
        ("=[1, 2]", "got a list"),
        ("={code: 1}", "got a context with errorType null"),
        ("=bpmnError(404)", "bpmnError(): errorCode must be a string, got 404"),
        ('=bpmnError("E", "m", "not a context")', "bpmnError(): variables must be a context"),
        ('=bpmnError("E", "m", {}, "too many")', "bpmnError(): too many positional arguments"),
        ("=bpmnError()", "bpmnError(): missing a required argument: 'errorCode'"),
        ('=bpmnError(" ")', "bpmnError(): errorCode must not be empty"),
        ('={errorType: "bpmnError", errorCode: ""}', "errorCode must not be empty"),
        ('=jobError("x", {}, -1)', "jobError(): retries must be a whole number of 0 or more"),
        ('=jobError("x", {}, 1, "soon")', "jobError(): expected an ISO-8601 duration"),
        (
            '=jobError("x", {}, 1, duration("P1M"))',
            "jobError(): retryBackoff must be a days-time duration",
        ),
        ('=jobError("x", {}, 1, "-PT5S")', "jobError(): retryBackoff must not be negative"),
        ('=jobError("x", {}, "2")', "jobError(): retries must be a number, got '2'"),
        ('=jobError("x", {}, 1.5)', "jobError(): retries must be a whole number"),
        ('=jobError("x", {}, 1, backoff(0))', "backoff(): attempt must be 1 or more, got 0"),
        ('=jobError("x", {}, 1, backoff(1, "PT1S", 0.5))', "backoff(): factor must be 1 or more"),
        (
            '=jobError("x", {}, 1, backoff(attempt: 1, jitterFactor: 2))',
            "backoff(): jitterFactor must be between 0 and 1",
        ),
        ("=ignoreError([1])", "ignoreError(): variables must be a context, got a list"),
        (
            "=if true then bpmnError(nope: 1) else null",
            "bpmnError(): unknown argument 'nope'",
        ),
    ],
)
async def test_a_broken_error_expression_fails_without_retries(
    run: Run, api: Api, expression: str, problem: str
) -> None:
    outcome = await run(
        {"method": "GET", "url": api.url("/status/500")}, {"errorExpression": expression}, retries=5
    )
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert problem in outcome.error_message
    assert outcome.error_message.startswith("errorExpression: ")
    assert "(while handling: HTTP 500 Internal Server Error" in outcome.error_message
    assert outcome.variables["error"]["code"] == "ERROR_EXPRESSION_ERROR"


async def test_error_expression_sees_transport_and_input_errors(run: Run, api: Api) -> None:
    expression = '=bpmnError("GOT_" + error.code, error.type)'
    refused = await run(
        {"method": "GET", "url": "http://127.0.0.1:1/"}, {"errorExpression": expression}
    )
    assert refused == ThrowError("GOT_CONNECTION_REFUSED", "ConnectionRefusedByPeerError")
    invalid = await run({"method": "FETCH", "url": api.url()}, {"errorExpression": expression})
    assert invalid == ThrowError("GOT_INVALID_INPUT", "InputError")


async def test_error_expression_sees_the_job_retries(run: Run, api: Api) -> None:
    expression = (
        '=if job.retries > 1 then jobError("again", {}, job.retries - 1) else bpmnError("GIVE_UP")'
    )
    assert await run(
        {"method": "GET", "url": api.url("/status/500")}, {"errorExpression": expression}, retries=3
    ) == Fail("again", 2, 0, {"error": "again"})
    assert await run(
        {"method": "GET", "url": api.url("/status/500")}, {"errorExpression": expression}, retries=1
    ) == ThrowError("GIVE_UP", "")


# --- output size limit ---


@pytest.fixture
async def small_connector(settings: ConnectorSettings) -> Any:
    async with Connector(settings.model_copy(update={"max_output_bytes": 2000})) as connector:
        yield connector


async def test_output_over_the_limit_fails_without_retries(
    small_connector: Connector, api: Api
) -> None:
    fits = await small_connector.run(
        job({"method": "GET", "url": api.url("/big?size=1000")}, {"resultExpression": "={b: body}"})
    )
    assert isinstance(fits, Complete)
    too_big = await small_connector.run(
        job({"method": "GET", "url": api.url("/big?size=3000")}, {"resultVariable": "r"})
    )
    assert isinstance(too_big, Fail)
    assert too_big.retries == 0
    assert too_big.variables["error"]["code"] == "OUTPUT_TOO_LARGE"
    assert "over the 2000 bytes limit (MAX_OUTPUT_BYTES)" in too_big.error_message
    error = await small_connector.run(
        job(
            {"method": "GET", "url": api.url("/big?size=3000")},
            {"errorExpression": '=bpmnError("E", "m", {b: response.body})'},
        )
    )
    assert isinstance(error, Fail) and error.variables["error"]["code"] == "OUTPUT_TOO_LARGE"
    assert "throw the error with" in error.error_message


async def test_a_failure_with_a_huge_body_keeps_its_error_within_the_limit(
    settings: ConnectorSettings, api: Api
) -> None:
    async with Connector(settings.model_copy(update={"max_output_bytes": 6000})) as connector:
        outcome = await connector.run(
            job({"method": "GET", "url": api.url("/big?size=20000&status=500")})
        )
    assert isinstance(outcome, Fail)
    assert outcome.retries == 2
    body = outcome.variables["error"]["variables"]["response"]["body"]
    assert body == "x" * 3999 + "… [cut: the body is too large for a variable]"
    assert len(json.dumps(outcome.variables)) <= 6000


def test_a_failure_whose_error_cannot_fit_keeps_code_and_message() -> None:
    headers = {f"X-{index}": "h" * 100 for index in range(100)}
    error = HttpStatusError(500, "Internal Server Error", headers, "body")
    failure = Fail("HTTP 500", 2, 0, {"error": error.as_variable()})
    trimmed = _within_limit(failure, 2000)
    assert trimmed == Fail(
        "HTTP 500",
        2,
        0,
        {"error": {"code": "500", "message": "Internal Server Error", "type": "HttpStatusError"}},
    )


# --- masking ---


async def test_secret_values_are_masked_in_messages_and_error_variables(
    run: Run, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the API echoes the request (path, headers, body) in its 400 answer
    monkeypatch.setenv(SECRET_PREFIX + "PASSWORD", "p@ss w/rd&")
    outcome = await run(
        {
            "method": "POST",
            "url": api.url("/echo/?status=400"),
            "authentication": {
                "type": "basic",
                "username": "ann",
                "password": "{{secrets.PASSWORD}}",
            },
            "queryParameters": {"encoded": "{{secrets.PASSWORD}}"},
            "body": "raw {{secrets.PASSWORD}}",
        }
    )
    assert isinstance(outcome, Fail)
    sent = api.last
    assert sent.header("Authorization") == "Basic YW5uOnBAc3Mgdy9yZCY="
    assert sent.path.endswith("encoded=p%40ss%20w%2Frd%26")
    assert sent.body == b"raw p@ss w/rd&"
    text = outcome.error_message + json.dumps(outcome.variables)
    for form in ("p@ss w/rd&", "p%40ss%20w%2Frd%26", "YW5uOnBAc3Mgdy9yZCY="):
        assert form not in text
    assert "encoded=***" in outcome.error_message
    assert "Basic ***" in outcome.error_message
    assert "raw ***" in outcome.error_message


async def test_masked_in_a_bpmn_error_too_but_not_in_a_completion(
    run: Run, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_PREFIX + "KEY", "key-value-42")
    variables = {"method": "GET", "url": api.url(), "headers": {"X-Key": "{{secrets.KEY}}"}}
    thrown = await run(
        variables,
        {
            "errorExpression": '=bpmnError("E", "key " + '
            'body.headers[item[1] = "X-Key"][1][2], {echo: body})'
        },
    )
    assert isinstance(thrown, ThrowError)
    assert thrown.error_message == "key ***"
    assert "key-value-42" not in json.dumps(thrown.variables)
    completed = await run(
        variables, {"resultExpression": '={echoed: body.headers[item[1] = "X-Key"][1][2]}'}
    )
    # a completion carries the process's own data: a value the API echoes back is kept
    assert completed == Complete({"echoed": "key-value-42"})


# --- never raises ---


async def test_a_malformed_job_is_a_failure_not_an_exception(connector: Connector) -> None:
    headers: dict[str, Any] = {"resultVariable": 5}  # Zeebe's headers are text; this is not
    broken = JobInput(key=1, variables={"method": "GET"}, custom_headers=headers, retries=3)
    outcome = await connector.run(broken)
    assert isinstance(outcome, Fail)
    assert outcome.retries == 0
    assert "The connector failed unexpectedly" in outcome.error_message
