"""The docker-compose demo pieces, offline: the echo service, and the deployer against a
small gateway stand-in that answers the three calls it makes (Topology, DeployResource,
CreateProcessInstanceWithResult) on the real gRPC protocol."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import grpc
import pytest
from aiohttp import web
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc

REPO = Path(__file__).resolve().parents[2]


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"demo_{name}", REPO / "demo" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


echo = _load("echo")


@pytest.fixture
async def echo_url() -> AsyncIterator[str]:
    runner = web.AppRunner(echo.build_app("demo-token"))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_echo_describes_the_request_and_hides_credentials(echo_url: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            echo_url + "/orders/C-1?channel=web",
            json={"customerId": "C-1", "items": [1, 2]},
            headers={"Authorization": "Bearer demo-token", "X-Request-Source": "test"},
        ) as response,
    ):
        assert response.status == 200
        body = await response.json()
    assert body["method"] == "POST"
    assert body["path"] == "/orders/C-1"
    assert body["query"] == {"channel": "web"}
    assert body["body"] == {"customerId": "C-1", "items": [1, 2]}
    assert body["headers"]["X-Request-Source"] == "test"
    assert "Authorization" not in body["headers"]
    assert "demo-token" not in json.dumps(body)


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic ZGVtby10b2tlbg=="])
async def test_echo_refuses_a_missing_or_wrong_token(
    echo_url: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    async with (
        aiohttp.ClientSession() as session,
        session.get(echo_url + "/x", headers=headers) as response,
    ):
        assert response.status == 401
        assert response.reason == "Unauthorized"


async def test_echo_token_is_read_from_a_file(tmp_path: Path) -> None:
    token_file = tmp_path / "DEMO_TOKEN"
    token_file.write_text("from-file\n")
    assert echo.read_token(None, str(token_file)) == "from-file"
    assert echo.read_token("from-env", None) == "from-env"
    assert echo.read_token(None, None) is None


async def test_echo_without_a_token_accepts_anyone() -> None:
    runner = web.AppRunner(echo.build_app(None))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/anything"
        async with aiohttp.ClientSession() as session, session.put(url, data="plain") as response:
            assert response.status == 200
            assert (await response.json())["body"] == "plain"
    finally:
        await runner.cleanup()


class _DeployGateway(gateway_pb2_grpc.GatewayServicer):
    """Answers like a Zeebe gateway for the deployer's three calls, and records them."""

    def __init__(self, unavailable_topologies: int) -> None:
        self.unavailable_topologies = unavailable_topologies
        self.topology_calls = 0
        self.resources: dict[str, bytes] = {}
        self.started: list[tuple[str, dict[str, Any]]] = []

    async def Topology(self, request: Any, context: Any) -> pb.TopologyResponse:
        self.topology_calls += 1
        if self.topology_calls <= self.unavailable_topologies:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "broker starting")
        return pb.TopologyResponse(
            brokers=[pb.BrokerInfo(nodeId=0, host="127.0.0.1", port=26501)],
            clusterSize=1,
            partitionsCount=1,
            replicationFactor=1,
            gatewayVersion="test",
        )

    async def DeployResource(self, request: Any, context: Any) -> pb.DeployResourceResponse:
        deployments = []
        for key, resource in enumerate(request.resources, start=1):
            self.resources[resource.name] = resource.content
            root = ElementTree.fromstring(resource.content)
            for process in root.iterfind("{http://www.omg.org/spec/BPMN/20100524/MODEL}process"):
                deployments.append(
                    pb.Deployment(
                        process=pb.ProcessMetadata(
                            bpmnProcessId=process.get("id"),
                            version=1,
                            processDefinitionKey=1000 + key,
                            resourceName=resource.name,
                        )
                    )
                )
        return pb.DeployResourceResponse(key=1, deployments=deployments)

    async def CreateProcessInstanceWithResult(self, request: Any, context: Any) -> Any:
        variables = json.loads(request.request.variables or "{}")
        self.started.append((request.request.bpmnProcessId, dict(variables)))
        variables["echoResponse"] = {"status": 200}
        return pb.CreateProcessInstanceWithResultResponse(
            processDefinitionKey=1001,
            bpmnProcessId=request.request.bpmnProcessId,
            version=1,
            processInstanceKey=2251799813685249,
            variables=json.dumps(variables),
        )


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[_DeployGateway, str]]:
    servicer = _DeployGateway(unavailable_topologies=2)
    server = grpc.aio.server()
    gateway_pb2_grpc.add_GatewayServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield servicer, f"127.0.0.1:{port}"
    finally:
        await server.stop(None)


async def _run_deployer(*args: str) -> tuple[int, list[dict[str, Any]]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(REPO / "demo" / "deploy.py"),
        "--log-format",
        "json",
        *args,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    lines = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
    assert process.returncode is not None
    return process.returncode, lines


async def test_deployer_waits_deploys_config_bpmn_and_starts_each_process(
    gateway: tuple[_DeployGateway, str],
) -> None:
    servicer, address = gateway
    code, lines = await _run_deployer(
        "--address",
        address,
        "--bpmn-dir",
        str(REPO / "config" / "bpmn"),
        "--echo-url",
        "http://127.0.0.1:9/",
        "--wait",
        "30",
    )
    events = [line["event"] for line in lines]
    assert code == 0, lines
    assert servicer.topology_calls == 3
    assert events.count("waiting for the gateway") == 2
    bpmn_files = sorted((REPO / "config" / "bpmn").glob("*.bpmn"))
    assert servicer.resources == {path.name: path.read_bytes() for path in bpmn_files}
    assert servicer.started == [
        (
            "rest-connector-demo",
            {
                "echoUrl": "http://127.0.0.1:9",
                "customerId": "C-1042",
                "order": {"items": [{"sku": "BOOK-1", "quantity": 2}], "currency": "EUR"},
            },
        )
    ]
    completed = next(line for line in lines if line["event"] == "instance completed")
    assert completed["variables"]["echoResponse"] == {"status": 200}


async def test_deployer_gives_up_with_one_clear_line_when_no_gateway_answers(
    tmp_path: Path,
) -> None:
    import socket

    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
        code, lines = await _run_deployer(
            "--address",
            f"127.0.0.1:{port}",
            "--bpmn-dir",
            str(REPO / "config" / "bpmn"),
            "--wait",
            "1",
        )
    assert code == 1
    assert lines[-1]["event"] == "demo failed"
    assert "gateway not ready after 1 s" in lines[-1]["error"]


async def test_deployer_fails_on_an_empty_directory(tmp_path: Path) -> None:
    code, lines = await _run_deployer("--address", "127.0.0.1:9", "--bpmn-dir", str(tmp_path))
    assert code == 1
    assert lines[-1]["event"] == "no BPMN files to deploy"
