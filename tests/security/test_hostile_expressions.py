"""Hostile FEEL where the connector runs it: inputs, result and error expressions.

tests/feel/test_hostile.py shows each expression ends inside the engine; here the question
is what the job becomes: a stopped evaluation must fail the job (no retries, saying why),
never complete it as if the expression had returned null, and a huge value must hit the
output limit. A regular expression that backtracks forever over the response body ends
with the engine's timeout (1 s). Each test has a hard timeout as a hang guard.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from tests.feel.test_hostile import HOSTILE
from tests.security.conftest import Recorder, job, settings
from worker.connector import Connector
from worker.job import Complete, Fail

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def api(recorder: Any) -> AsyncIterator[Recorder]:
    async def evil_text(request: web.Request) -> web.Response:
        return web.Response(text="a" * 40 + "!")

    server: Recorder = await recorder("127.0.0.1", {"/evil-text": evil_text})
    yield server


@pytest.fixture
async def connector() -> AsyncIterator[Connector]:
    async with Connector(settings()) as running:
        yield running


def ended_cleanly(outcome: Any) -> None:
    """A completion, or a failure that is either the expression's (no retries) or the
    request's own when the expression decided nothing."""
    assert isinstance(outcome, Complete | Fail), outcome
    if isinstance(outcome, Fail):
        assert "bug in the worker" not in outcome.error_message
        stopped = "the evaluation was stopped" in outcome.error_message
        assert outcome.retries == 0 or not stopped, outcome.error_message


@pytest.mark.parametrize("expression", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_result_expressions(
    connector: Connector, api: Recorder, expression: str
) -> None:
    outcome = await connector.run(
        job(
            {"method": "GET", "url": api.url("/ok")},
            {"resultExpression": "={x: " + expression + "}"},
        )
    )
    ended_cleanly(outcome)


@pytest.mark.parametrize("expression", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_error_expressions(
    connector: Connector, api: Recorder, expression: str
) -> None:
    outcome = await connector.run(
        job({"method": "GET", "url": api.url("/missing")}, {"errorExpression": "=" + expression})
    )
    ended_cleanly(outcome)
    assert isinstance(outcome, Fail)


@pytest.mark.parametrize("expression", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_input_expressions(
    connector: Connector, api: Recorder, expression: str
) -> None:
    outcome = await connector.run(
        job({"method": "POST", "url": api.url("/ok"), "body": "=" + expression})
    )
    ended_cleanly(outcome)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            {"resultExpression": "={x: for x in 1..1000000000 return x}"},
            "resultExpression: the evaluation was stopped",
        ),
        (
            {"resultExpression": "={x: {f: function(n) f(n + 1), r: f(1)}.r}"},
            "resultExpression: the evaluation was stopped",
        ),
        (
            {"resultExpression": '={x: matches(body, "(a|aa)+$")}'},
            "resultExpression: the evaluation was stopped",
        ),
        (
            {"resultExpression": '={x: string join(for i in 1..200000 return "abcdefghij")}'},
            "OUTPUT_TOO_LARGE",
        ),
        (
            {"errorExpression": '=if matches(body, "(a|aa)+$") then bpmnError("X") else null'},
            "errorExpression: the evaluation was stopped",
        ),
    ],
)
async def test_a_stopped_expression_fails_the_job_and_says_why(
    connector: Connector, api: Recorder, headers: dict[str, str], expected: str
) -> None:
    outcome = await connector.run(job({"method": "GET", "url": api.url("/evil-text")}, headers))
    assert isinstance(outcome, Fail), outcome
    assert outcome.retries == 0
    assert expected in outcome.error_message or expected == outcome.variables["error"]["code"]


async def test_an_expression_that_merely_finds_nothing_still_completes(
    connector: Connector, api: Recorder
) -> None:
    # null from a missing entry is a value, not a stopped evaluation: no variables, as before
    outcome = await connector.run(
        job({"method": "GET", "url": api.url("/ok")}, {"resultExpression": "=body.no.such.entry"})
    )
    assert outcome == Complete({})
