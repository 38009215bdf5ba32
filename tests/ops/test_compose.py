"""docker-compose.yml: valid against the Compose specification, pinned, and wired so that
`docker compose up` runs the demo end to end in the right order."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ops.settings_names import read_env_file
from worker.durations import parse_setting_duration

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())["services"]
    return loaded


def test_compose_file_passes_the_compose_spec_schema() -> None:
    result = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_misspelt_key(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("    depends_on:", "    depend_on:", 1))
    result = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0


def test_the_four_services_and_pinned_images(services: dict[str, Any]) -> None:
    assert set(services) == {"zeebe", "echo", "worker", "deployer"}
    image = services["zeebe"]["image"]
    assert re.fullmatch(r"camunda/zeebe:\d+\.\d+\.\d+", image), image
    for name in ("echo", "worker", "deployer"):
        build = services[name]["build"]
        assert build == {"context": ".", "dockerfile": "Dockerfile"}, name
        assert "image" not in services[name]


def test_healthchecks_and_start_order(services: dict[str, Any]) -> None:
    for name in ("zeebe", "echo", "worker"):
        assert services[name]["healthcheck"]["test"][0] == "CMD", name
    assert services["zeebe"]["healthcheck"]["test"][-1].count("/actuator/health/readiness") == 1
    assert services["worker"]["healthcheck"]["test"] == [
        "CMD",
        "python",
        "-m",
        "worker",
        "healthcheck",
        "--ready",
    ]
    assert services["deployer"]["healthcheck"] == {"disable": True}
    healthy = {"condition": "service_healthy"}
    assert services["worker"]["depends_on"] == {"zeebe": healthy, "echo": healthy}
    assert services["deployer"]["depends_on"] == {"zeebe": healthy, "worker": healthy}
    assert services["deployer"]["restart"] == "no"


def test_published_ports_are_loopback_only(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_worker_runs_hardened_and_drains_before_being_killed(services: dict[str, Any]) -> None:
    worker = services["worker"]
    assert worker["read_only"] is True and worker["tmpfs"] == ["/tmp"]
    assert worker["cap_drop"] == ["ALL"]
    env = read_env_file((REPO / worker["env_file"][0]).read_text())
    drain = parse_setting_duration(env["SHUTDOWN_GRACE_PERIOD"])
    stop = parse_setting_duration(worker["stop_grace_period"])
    assert drain < stop
    assert env["ZEEBE_ADDRESS"] == "zeebe:26500"


def test_demo_wiring_matches_the_files(services: dict[str, Any]) -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    for secret in compose["secrets"].values():
        assert (REPO / secret["file"]).is_file()
    env = read_env_file((REPO / services["worker"]["env_file"][0]).read_text())
    targets = {s["target"] for s in services["worker"]["secrets"]}
    bpmn = (REPO / "config" / "bpmn" / "rest-connector-demo.bpmn").read_text()
    # The process's {{secrets.X}} must be a file in the worker's SECRETS_DIR.
    for name in re.findall(r"\{\{secrets\.([A-Za-z0-9_]+)\}\}", bpmn):
        assert name in targets and env["SECRETS_DIR"] == "/run/secrets"
    echo_command = services["echo"]["command"]
    assert echo_command[echo_command.index("--token-file") + 1] == "/run/secrets/DEMO_TOKEN"
    for name in ("echo", "deployer"):
        for volume in services[name]["volumes"]:
            source = volume.split(":")[0]
            assert (REPO / source).is_dir(), volume
    entry = services["deployer"]["entrypoint"]
    assert entry == ["python", "/demo/deploy.py"]
