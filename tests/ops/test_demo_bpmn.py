"""The demo BPMN: it parses, and its REST connector task is bound as Camunda Modeler binds
the REST connector element template (task type, inputs, headers, template attributes)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest

from tests.reference import ELEMENT_TEMPLATES
from worker.job import HTTP_JSON_JOB_TYPE

REPO = Path(__file__).resolve().parents[2]
BPMN_DIR = REPO / "config" / "bpmn"
TEMPLATE = ELEMENT_TEMPLATES / "http-json-connector.json"

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "zeebe": "http://camunda.org/schema/zeebe/1.0",
}
ZEEBE = "{http://camunda.org/schema/zeebe/1.0}"


def _connector_tasks() -> list[tuple[Path, ElementTree.Element]]:
    found = []
    for path in sorted(BPMN_DIR.glob("*.bpmn")):
        root = ElementTree.parse(path).getroot()
        for task in root.iterfind(".//bpmn:serviceTask", NS):
            definition = task.find("bpmn:extensionElements/zeebe:taskDefinition", NS)
            if definition is not None and definition.get("type") == HTTP_JSON_JOB_TYPE:
                found.append((path, task))
    return found


def _bindings(task: ElementTree.Element) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Return (task definition attributes, inputs by target, headers by key)."""
    extensions = task.find("bpmn:extensionElements", NS)
    assert extensions is not None
    definition = extensions.find("zeebe:taskDefinition", NS)
    assert definition is not None
    inputs = {
        item.attrib["target"]: item.attrib["source"]
        for item in extensions.iterfind("zeebe:ioMapping/zeebe:input", NS)
    }
    headers = {
        item.attrib["key"]: item.attrib["value"]
        for item in extensions.iterfind("zeebe:taskHeaders/zeebe:header", NS)
    }
    return dict(definition.attrib), inputs, headers


def test_every_bpmn_file_parses_and_has_an_executable_process() -> None:
    paths = sorted(BPMN_DIR.glob("*.bpmn"))
    assert paths, "config/bpmn/ holds no BPMN file"
    for path in paths:
        root = ElementTree.parse(path).getroot()
        processes = root.findall("bpmn:process", NS)
        assert processes and all(p.get("isExecutable") == "true" for p in processes), path


def test_demo_task_binds_what_the_worker_reads() -> None:
    tasks = _connector_tasks()
    assert len(tasks) == 1
    definition, inputs, headers = _bindings(tasks[0][1])
    assert definition == {"type": "io.camunda:http-json:1", "retries": "3"}
    assert inputs["authentication.type"] == "bearer"
    assert inputs["authentication.token"] == "{{secrets.DEMO_TOKEN}}"
    assert inputs["method"] == "POST"
    assert inputs["url"].startswith("=echoUrl")
    for feel_input in ("url", "headers", "queryParameters", "body"):
        assert inputs[feel_input].startswith("="), feel_input
    assert set(headers) == {
        "elementTemplateVersion",
        "elementTemplateId",
        "resultVariable",
        "resultExpression",
        "errorExpression",
        "retryBackoff",
    }
    assert headers["resultVariable"] == "echoResponse"
    assert headers["errorExpression"].startswith('=if error.code = "401" then bpmnError(')
    assert headers["retryBackoff"] == "PT5S"


def test_demo_error_expression_code_is_caught_by_a_boundary_event() -> None:
    path, task = _connector_tasks()[0]
    root = ElementTree.parse(path).getroot()
    errors = {e.get("id"): e.get("errorCode") for e in root.iterfind("bpmn:error", NS)}
    boundaries = [
        b
        for b in root.iterfind(".//bpmn:boundaryEvent", NS)
        if b.get("attachedToRef") == task.get("id")
    ]
    caught = {
        errors[d.get("errorRef")]
        for b in boundaries
        for d in b.iterfind("bpmn:errorEventDefinition", NS)
    }
    assert caught == {"unauthorized"}


# ---- against the element template itself ------------------------------------------------


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(TEMPLATE.read_text())
    return loaded


def _is_active(prop: dict[str, Any], values: dict[str, str]) -> bool:
    condition = prop.get("condition")
    if condition is None:
        return True
    if "allMatch" in condition:
        return all(_is_active({"condition": c}, values) for c in condition["allMatch"])
    actual = values.get(condition["property"])
    if "equals" in condition:
        return bool(actual == condition["equals"])
    if "oneOf" in condition:
        return actual in condition["oneOf"]
    if "isActive" in condition:
        return (actual is not None) == condition["isActive"]
    raise AssertionError(f"condition kind not handled by this test: {condition}")


def _bound_value(
    prop: dict[str, Any],
    definition: dict[str, str],
    inputs: dict[str, str],
    headers: dict[str, str],
) -> str | None:
    binding = prop["binding"]
    kind = binding["type"]
    if kind == "zeebe:taskDefinition":
        return definition.get(binding["property"])
    if kind == "zeebe:input":
        return inputs.get(binding["name"])
    if kind == "zeebe:taskHeader":
        return headers.get(binding["key"])
    raise AssertionError(f"binding kind not handled by this test: {binding}")


def test_demo_task_follows_the_template(template: dict[str, Any]) -> None:
    for path, task in _connector_tasks():
        assert task.get(f"{ZEEBE}modelerTemplate") == template["id"], path
        assert task.get(f"{ZEEBE}modelerTemplateVersion") == str(template["version"]), path
        assert task.get(f"{ZEEBE}modelerTemplateIcon") == template["icon"]["contents"], path
        definition, inputs, headers = _bindings(task)

        properties = template["properties"]
        # Values by property id, for the template's conditions.
        values = {
            prop["id"]: value
            for prop in properties
            if "id" in prop
            and (value := _bound_value(prop, definition, inputs, headers)) is not None
        }
        active_inputs: set[str] = set()
        active_headers: set[str] = set()
        for prop in properties:
            binding = prop["binding"]
            value = _bound_value(prop, definition, inputs, headers)
            label = prop.get("id", binding)
            if not _is_active(prop, values):
                continue
            if binding["type"] == "zeebe:input":
                active_inputs.add(binding["name"])
            if binding["type"] == "zeebe:taskHeader":
                active_headers.add(binding["key"])
            if prop["type"] == "Hidden":
                if "value" in prop:
                    assert value == prop["value"], label
                continue
            if value is None:
                assert prop.get("optional") is True or prop["type"] == "Configuration", (
                    f"{path.name}: required template property {label} is missing"
                )
                continue
            if prop["type"] == "Dropdown":
                assert value in {choice["value"] for choice in prop["choices"]}, label
            feel = prop.get("feel")
            if feel == "required":
                assert value.startswith("="), f"{label} must be a FEEL expression"
            if feel == "static":
                # Modeler writes Boolean and Number values as FEEL literals: "=false", "=20".
                assert value.startswith("="), label
                literal = json.loads(value[1:])
                expected_type = {"Boolean": bool, "Number": int | float}[prop["type"]]
                assert isinstance(literal, expected_type), label
            pattern = prop.get("constraints", {}).get("pattern")
            if pattern:
                # The Modeler checks the value as typed, before it writes "=" for static FEEL.
                typed = value[1:] if feel == "static" else value
                assert re.match(pattern["value"], typed), f"{label}: {pattern['message']}"

        assert set(inputs) <= active_inputs, (
            f"inputs the template does not bind: {set(inputs) - active_inputs}"
        )
        assert set(headers) <= active_headers, (
            f"headers the template does not bind: {set(headers) - active_headers}"
        )


# ---- the demo task through our connector, as Zeebe would hand it over --------------------


def _as_zeebe_maps_inputs(inputs: dict[str, str], variables: dict[str, Any]) -> dict[str, Any]:
    """Evaluate input mappings like Zeebe: `=` sources with FEEL, others as static text,
    dotted targets as nested objects."""
    import feel

    job_variables: dict[str, Any] = {}
    for target, source in inputs.items():
        value = feel.to_json(feel.evaluate(source, variables)) if source.startswith("=") else source
        *parents, leaf = target.split(".")
        node = job_variables
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return job_variables


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("demo-token", "complete"),
        ("another-token", "unauthorized"),
    ],
)
async def test_demo_task_runs_through_the_connector_against_the_echo(
    monkeypatch: pytest.MonkeyPatch, token: str, expected: str
) -> None:
    from aiohttp import web

    from tests.ops.test_demo import echo
    from worker.config import ConnectorSettings
    from worker.connector import Connector
    from worker.job import Complete, JobInput, ThrowError

    runner = web.AppRunner(echo.build_app("demo-token"))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        ((_, task),) = _connector_tasks()
        _, inputs, headers = _bindings(task)
        process_variables = {
            "echoUrl": f"http://127.0.0.1:{runner.addresses[0][1]}",
            "customerId": "C-1042",
            "order": {"items": [{"sku": "BOOK-1", "quantity": 2}], "currency": "EUR"},
        }
        monkeypatch.setenv("SECRET_DEMO_TOKEN", token)
        job = JobInput(
            key=1,
            variables={**process_variables, **_as_zeebe_maps_inputs(inputs, process_variables)},
            custom_headers=headers,
            retries=3,
            element_id=task.get("id", ""),
        )
        async with Connector(ConnectorSettings()) as connector:
            outcome = await connector.run(job)
    finally:
        await runner.cleanup()

    if expected == "complete":
        assert isinstance(outcome, Complete), outcome
        variables = outcome.variables
        assert variables["echoStatus"] == 200
        assert variables["echoedCustomer"] == "C-1042"
        assert variables["echoedItems"] == 1
        echoed = variables["echoResponse"]["body"]
        assert echoed["method"] == "POST" and echoed["path"] == "/orders/C-1042"
        assert echoed["query"] == {"channel": "web", "priority": "normal"}
        assert echoed["headers"]["X-Request-Source"] == "rest-connector-demo"
        assert "demo-token" not in json.dumps(variables)
    else:
        assert isinstance(outcome, ThrowError), outcome
        assert outcome.error_code == "unauthorized"
