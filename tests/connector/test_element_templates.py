"""One job shaped like each version of Camunda's REST connector element template.

`CASES` maps every template file in the reference folder to what a user filled in with
Camunda Modeler; `modeler_job` applies the template the way the Modeler and Zeebe do
(defaults, Hidden values, conditions, nested `authentication.*` names, string timeouts
up to v9 and numbers from v10, task headers, retries) and the job runs against a loopback
API. A template file without a case fails `test_every_template_file_has_a_case`, so a new
version cannot go unnoticed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.connector.conftest import SECRET_PREFIX, Run
from tests.connector.servers import Api
from tests.reference import ELEMENT_TEMPLATES
from worker.job import Complete, Fail, JobInput, Outcome, ThrowError

TEMPLATES = ELEMENT_TEMPLATES
TASK_TYPE = "io.camunda:http-json:1"


@dataclass(frozen=True)
class Case:
    """What a user typed into one template, what the API receives, and the outcome.

    `choices` is keyed by binding: input name, task header key, or `retries`. Values are
    what reaches the job: a FEEL field typed as `=...` arrives evaluated (Zeebe did it),
    any other field arrives as the text typed. `{api}` stands for the loopback API.
    """

    choices: dict[str, Any]
    method: str
    path: str
    outcome: Outcome
    authorization: str | None = None
    body: bytes | None = None
    template_id: str | None = None
    secrets: dict[str, str] = field(default_factory=dict)


ECHO_PATH = "={path: body.path}"
CASES: dict[str, list[Case]] = {
    "history/http-json-connector.2022-03-15-initial-v1-array.json": [
        Case(
            template_id="io.camunda.connectors.HttpJson.v1.noAuth",
            choices={
                "method": "post",
                "url": "{api}/echo/v1?x=1",
                "queryParamters": '{"q": "a b"}',
                "headers": '{"X-Old": "yes"}',
                "body": '{"typed": "json"}',
                "resultExpression": ECHO_PATH,
            },
            method="POST",
            path="/echo/v1?x=1&q=a%20b",
            body=b'{"typed": "json"}',
            outcome=Complete({"path": "/echo/v1?x=1&q=a%20b"}),
        ),
        Case(
            template_id="io.camunda.connectors.HttpJson.v1.basicAuth",
            choices={
                "url": "{api}/echo/basic",
                "authentication.username": "ann",
                "authentication.password": "pw",
                "resultVariable": "result",
            },
            method="GET",
            path="/echo/basic",
            authorization="Basic YW5uOnB3",
            outcome=Complete({}),
        ),
        Case(
            template_id="io.camunda.connectors.HttpJson.v1.bearerToken",
            choices={
                "method": "delete",
                "url": "{api}/echo/b",
                "authentication.token": "tk",
                "body": "gone",
            },
            method="DELETE",
            path="/echo/b",
            authorization="Bearer tk",
            body=b"gone",
            outcome=Complete({}),
        ),
    ],
    "http-json-connector-01.json": [
        Case(
            choices={
                "method": "put",
                "url": "{api}/echo/01",
                "headers": {"X-A": 1},
                "queryParameters": {"page": 2},
                "body": {"n": 1},
                "resultExpression": ECHO_PATH,
            },
            method="PUT",
            path="/echo/01?page=2",
            body=b'{"n":1}',
            outcome=Complete({"path": "/echo/01?page=2"}),
        )
    ],
    "http-json-connector-02.json": [
        Case(
            choices={
                "method": "patch",
                "url": "{api}/echo/02",
                "authentication.username": "u",
                "authentication.password": "",
                "body": {"p": True},
            },
            method="PATCH",
            path="/echo/02",
            authorization="Basic dTo=",
            body=b'{"p":true}',
            outcome=Complete({}),
        )
    ],
    "http-json-connector-03.json": [
        Case(
            choices={
                "url": "{api}/echo/03",
                "authentication.token": "t03",
                "body": {"ignored": "no"},
            },
            method="GET",
            path="/echo/03",
            authorization="Bearer t03",
            body=b'{"ignored":"no"}',
            outcome=Complete({}),
        )
    ],
    "history/http-json-connector.2022-09-07-first-dynamic-v2.json": [
        Case(
            choices={
                "authentication.type": "basic",
                "authentication.username": "dyn",
                "authentication.password": "amic",
                "method": "delete",
                "url": "{api}/echo/v2",
                "body": {"id": 1},
            },
            method="DELETE",
            path="/echo/v2",
            authorization="Basic ZHluOmFtaWM=",
            body=b'{"id":1}',
            outcome=Complete({}),
        )
    ],
    "http-json-connector-0.json": [
        Case(
            choices={
                "authentication.type": "oauth-client-credentials-flow",
                "authentication.oauthTokenEndpoint": "{api}/token",
                "authentication.clientId": "zero",
                "authentication.clientSecret": "s0",
                "url": "{api}/status/418",
                "errorExpression": '=if error.code = "418" then '
                'bpmnError("TEAPOT", error.message) else null',
            },
            method="GET",
            path="/status/418",
            authorization="Bearer token-for-zero",
            outcome=ThrowError("TEAPOT", "I'm a Teapot"),
        )
    ],
    "http-json-connector-1.json": [
        Case(
            choices={
                "authentication.type": "bearer",
                "authentication.token": "t1",
                "url": "{api}/echo/1",
                "resultVariable": "result",
            },
            method="GET",
            path="/echo/1",
            authorization="Bearer t1",
            outcome=Complete({}),
        )
    ],
    "http-json-connector-2.json": [
        Case(
            choices={"url": "{{secrets.TEMPLATE_API}}/echo/2", "resultExpression": ECHO_PATH},
            secrets={"TEMPLATE_API": "{api}"},
            method="GET",
            path="/echo/2",
            outcome=Complete({"path": "/echo/2"}),
        )
    ],
    "http-json-connector-3.json": [
        Case(
            choices={
                "authentication.type": "oauth-client-credentials-flow",
                "authentication.oauthTokenEndpoint": "{api}/token",
                "authentication.clientId": "three",
                "authentication.clientSecret": "s3",
                "authentication.clientAuthentication": "credentialsBody",
                "authentication.scopes": "read",
                "authentication.audience": "aud",
                "method": "POST",
                "url": "{api}/echo/3",
                "body": {"v": 3},
            },
            method="POST",
            path="/echo/3",
            authorization="Bearer token-for-three",
            body=b'{"v":3}',
            outcome=Complete({}),
        )
    ],
    "http-json-connector-4.json": [
        Case(
            choices={
                "method": "PATCH",
                "url": "{api}/echo/4",
                "body": {"x": None},
                "resultExpression": ECHO_PATH,
            },
            method="PATCH",
            path="/echo/4",
            body=b'{"x":null}',
            outcome=Complete({"path": "/echo/4"}),
        )
    ],
    "http-json-connector-5.json": [
        Case(
            choices={
                "authentication.type": "apiKey",
                "authentication.apiKeyLocation": "query",
                "authentication.name": "key",
                "authentication.value": "v5",
                "url": "{api}/echo/5",
            },
            method="GET",
            path="/echo/5?key=v5",
            outcome=Complete({}),
        )
    ],
    "http-json-connector-6.json": [
        Case(
            choices={
                "authentication.type": "apiKey",
                "authentication.name": "X-Key",
                "authentication.value": "v6",
                "url": "{api}/status/500",
                "retryBackoff": "PT1S",
            },
            method="GET",
            path="/status/500",
            outcome=Fail("HTTP 500 Internal Server Error", 2, 1000),
        )
    ],
    "http-json-connector-7.json": [
        Case(
            choices={
                "authentication.type": "basic",
                "authentication.username": "seven",
                "authentication.password": "7",
                "method": "POST",
                "url": "{api}/echo/7",
                "body": "text body",
                "readTimeoutInSeconds": "15",
            },
            method="POST",
            path="/echo/7",
            authorization="Basic c2V2ZW46Nw==",
            body=b"text body",
            outcome=Complete({}),
        )
    ],
    "http-json-connector-8.json": [
        Case(
            choices={
                "authentication.type": "bearer",
                "authentication.token": "t8",
                "url": "{api}/status/404",
                "errorExpression": '=bpmnError("NF_" + error.code)',
            },
            method="GET",
            path="/status/404",
            authorization="Bearer t8",
            outcome=ThrowError("NF_404", ""),
        )
    ],
    "history/http-json-connector.2025-01-07-v9-storeResponse.json": [
        Case(
            choices={"url": "{api}/echo/9", "resultExpression": ECHO_PATH},
            method="GET",
            path="/echo/9",
            outcome=Complete({"path": "/echo/9"}),
        )
    ],
    "http-json-connector-10.json": [
        Case(
            choices={"url": "{api}/echo/a%2Fb c", "resultExpression": ECHO_PATH},
            method="GET",
            path="/echo/a%2Fb%20c",
            outcome=Complete({"path": "/echo/a%2Fb%20c"}),
        )
    ],
    "history/http-json-connector.2025-01-20-v10-groupSetCookieHeaders.json": [
        Case(
            choices={
                "url": "{api}/status/200?header=Set-Cookie:a%3D1&header=Set-Cookie:b%3D2",
                "resultExpression": '={cookies: get value(headers, "Set-Cookie")}',
            },
            method="GET",
            path="/status/200?header=Set-Cookie:a%3D1&header=Set-Cookie:b%3D2",
            outcome=Complete({"cookies": ["a=1", "b=2"]}),
        )
    ],
    "http-json-connector-11.json": [
        Case(
            choices={
                "authentication.type": "basic",
                "authentication.username": "eleven",
                "authentication.password": "11",
                "url": "{api}/echo/11",
                "resultExpression": ECHO_PATH,
            },
            method="GET",
            path="/echo/11",
            authorization="Basic ZWxldmVuOjEx",
            outcome=Complete({"path": "/echo/11"}),
        )
    ],
    "http-json-connector-12.json": [
        Case(
            choices={
                "method": "POST",
                "url": "{api}/echo/12",
                "body": {"a": 1, "b": None},
                "ignoreNullValues": True,
            },
            method="POST",
            path="/echo/12",
            body=b'{"a":1}',
            outcome=Complete({}),
        )
    ],
    "history/http-connector.json-12.json": [
        Case(
            choices={"method": "PUT", "url": "{api}/echo/h12", "body": {"a": None}},
            method="PUT",
            path="/echo/h12",
            body=b'{"a":null}',
            outcome=Complete({}),
        )
    ],
    "http-json-connector-13.json": [
        Case(
            choices={"url": "{api}/redirect/2", "followRedirects": True},
            method="GET",
            path="/echo/done",
            outcome=Complete({"myResponseBody": "<echo>"}),
        )
    ],
    "http-json-connector-14.json": [
        Case(
            choices={
                "authentication.type": "oauth-refresh-token",
                "authentication.oauthTokenEndpoint": "{api}/token",
                "authentication.clientId": "fourteen",
                "authentication.refreshToken": "r14",
                "url": "{api}/echo/14",
                "resultExpression": ECHO_PATH,
            },
            method="GET",
            path="/echo/14",
            authorization="Bearer token-for-fourteen",
            outcome=Complete({"path": "/echo/14"}),
        )
    ],
    "http-json-connector-15.json": [
        Case(
            choices={"url": "{api}/status/503"},
            method="GET",
            path="/status/503",
            outcome=Fail("HTTP 503 Service Unavailable", 2, 30_000),
        )
    ],
    "http-json-connector-16.json": [
        Case(
            choices={
                "authenticationConfiguration": {
                    "authentication": {"type": "bearer", "token": "from-credential"}
                },
                "url": "{api}/echo/16",
                "resultExpression": ECHO_PATH,
            },
            method="GET",
            path="/echo/16",
            authorization="Bearer from-credential",
            outcome=Complete({"path": "/echo/16"}),
        )
    ],
    "http-json-connector.json": [
        Case(
            choices={
                "url": "{api}/json?value=123",
                "jobTimeout": "PT1M",
                "resultExpression": "={n: body}",
            },
            method="GET",
            path="/json?value=123",
            outcome=Complete({"n": 123}),
        )
    ],
    "http-json-connector-hybrid.json": [
        Case(
            choices={
                "url": "{api}/json?value=%7B%22a%22%3A1%7D",
                "documentReturnFormat.choice": "TEXT",
                "resultExpression": "={text: body}",
            },
            method="GET",
            path="/json?value=%7B%22a%22%3A1%7D",
            outcome=Complete({"text": '{"a":1}'}),
        )
    ],
}


def template_files() -> list[str]:
    return sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.json"))


def templates_in(file_name: str) -> list[dict[str, Any]]:
    data = json.loads((TEMPLATES / file_name).read_text())
    return data if isinstance(data, list) else [data]


def _binding_key(prop: dict[str, Any]) -> str | None:
    binding = prop.get("binding", {})
    if binding.get("type") == "zeebe:taskDefinition" and binding.get("property") == "retries":
        return "retries"
    key: str | None = binding.get("name") or binding.get("key")
    return key


def _active(prop: dict[str, Any], values: dict[str, Any]) -> bool:
    condition = prop.get("condition")
    if condition is None:
        return True
    value = values.get(condition["property"])
    if "equals" in condition:
        return bool(value == condition["equals"])
    return value in condition["oneOf"]


def modeler_job(template: dict[str, Any], choices: dict[str, Any]) -> JobInput:
    """The job Zeebe creates for a task made with `template` and filled with `choices`."""
    properties = template["properties"]
    values: dict[str, Any] = {}
    for _ in range(10):  # conditions depend on other properties' values: iterate to a fixpoint
        current = {
            prop["id"]: choices.get(_binding_key(prop) or "", prop.get("value"))
            for prop in properties
            if "id" in prop and _active(prop, values)
        }
        if current == values:
            break
        values = current
    variables: dict[str, Any] = {}
    headers: dict[str, str] = {}
    retries = 3  # Zeebe's default when the template sets none
    used: set[str] = set()
    for prop in properties:
        key = _binding_key(prop)
        kind = prop.get("binding", {}).get("type", "")
        if key is None or not _active(prop, values):
            continue
        value = choices.get(key, prop.get("value"))
        if key in choices:
            used.add(key)
        if value is None or value == "":
            continue  # an empty field gives no input mapping
        if kind == "zeebe:input":
            target = variables
            *parents, last = key.split(".")
            for parent in parents:
                target = target.setdefault(parent, {})
            target[last] = value
        elif kind == "zeebe:taskHeader":
            headers[key] = str(value)
        elif key == "retries":
            retries = int(value)
    unused = set(choices) - used
    assert not unused, f"choices not bound by the template (or hidden by a condition): {unused}"
    task_types = [
        prop.get("value") for prop in properties if "taskDefinition" in str(prop.get("binding"))
    ]
    assert TASK_TYPE in task_types
    return JobInput(key=1, variables=variables, custom_headers=headers, retries=retries)


def test_every_template_file_has_a_case() -> None:
    files = template_files()
    assert len(files) >= 26
    missing = [name for name in files if name not in CASES]
    assert not missing, f"new element template files need a case in CASES: {missing}"
    assert not set(CASES) - set(files), "CASES names files that do not exist"
    for name in files:
        ids = sorted(template.get("id", "") for template in templates_in(name))
        if len(ids) > 1:
            assert sorted(case.template_id or "" for case in CASES[name]) == ids


def _substitute(value: Any, base: str) -> Any:
    if isinstance(value, str):
        return value.replace("{api}", base)
    if isinstance(value, dict):
        return {key: _substitute(item, base) for key, item in value.items()}
    return value


PARAMS = [
    pytest.param(name, case, id=f"{name}-{case.template_id or index}")
    for name in CASES
    for index, case in enumerate(CASES[name])
]


@pytest.mark.parametrize(("file_name", "case"), PARAMS)
async def test_a_job_from_each_template_version_works_unchanged(
    run: Run, api: Api, monkeypatch: pytest.MonkeyPatch, file_name: str, case: Case
) -> None:
    base = api.url("").rstrip("/")
    for name, value in case.secrets.items():
        monkeypatch.setenv(SECRET_PREFIX + name, _substitute(value, base))
    template = next(t for t in templates_in(file_name) if case.template_id in (None, t.get("id")))
    modeled = modeler_job(template, _substitute(case.choices, base))
    outcome = await run(modeled.variables, modeled.custom_headers, retries=modeled.retries)

    sent = [seen for seen in api.seen if seen.path != "/token"][-1]
    assert (sent.method, sent.path) == (case.method, case.path)
    assert sent.header("Authorization") == case.authorization
    assert sent.body == (case.body or b"")

    if isinstance(case.outcome, Fail):
        assert isinstance(outcome, Fail)
        assert outcome.error_message.startswith(case.outcome.error_message)
        assert (outcome.retries, outcome.retry_backoff_ms) == (
            case.outcome.retries,
            case.outcome.retry_backoff_ms,
        )
        return
    assert isinstance(outcome, type(case.outcome))
    if isinstance(outcome, Complete):
        variables = dict(outcome.variables)
        if "result" in variables:
            assert variables.pop("result")["status"] == 200
        if variables.get("myResponseBody") is not None:
            assert variables["myResponseBody"]["path"] == case.path
            variables["myResponseBody"] = "<echo>"
        assert variables == case.outcome.variables
    else:
        assert outcome == case.outcome


def test_modeler_job_applies_defaults_conditions_and_types() -> None:
    v8 = templates_in("http-json-connector-8.json")[0]
    job = modeler_job(
        v8, {"url": "http://h/", "authentication.type": "basic", "authentication.username": "u"}
    )
    assert job.variables["connectionTimeoutInSeconds"] == "20"
    assert job.variables["readTimeoutInSeconds"] == "20"
    assert job.variables["method"] == "GET"
    assert job.variables["authentication"] == {"type": "basic", "username": "u"}
    assert job.custom_headers == {"retryBackoff": "PT0S"}
    assert job.retries == 3
    v17 = templates_in("http-json-connector.json")[0]
    job = modeler_job(v17, {"url": "http://h/", "method": "POST"})
    assert job.variables["connectionTimeoutInSeconds"] == 20
    assert job.variables["documentReturnFormat"] == {"choice": "JSON"}
    assert job.variables["followRedirects"] is False
    assert job.custom_headers["elementTemplateVersion"] == "17"
    assert job.custom_headers["retryBackoff"] == "PT30S"
    assert "myResponseBody: response.body" in job.custom_headers["resultExpression"]
