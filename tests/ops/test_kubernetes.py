"""Kubernetes manifests: schema-valid (strict) and shaped for replicas that drain safely."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ops.settings_names import is_worker_variable
from worker.config import ConnectorSettings
from worker.durations import parse_setting_duration

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "config" / "kubernetes"
VALIDATE = Path(sys.executable).with_name("kubernetes-validate")
# kustomize's file is not a Kubernetes resource: there is no schema to validate it against.
MANIFESTS = sorted(path for path in K8S.glob("*.yaml") if path.name != "kustomization.yaml")


def _docs() -> dict[str, dict[str, Any]]:
    found = {}
    for path in MANIFESTS:
        for doc in yaml.safe_load_all(path.read_text()):
            found[f"{doc['kind']}/{doc['metadata']['name']}"] = doc
    return found


def _validate(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VALIDATE), "--strict", *map(str, paths)], capture_output=True, text=True, check=False
    )


def test_manifests_pass_strict_schema_validation() -> None:
    result = _validate(*MANIFESTS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("passed") == len(_docs())


def test_strict_validation_rejects_an_unknown_field(tmp_path: Path) -> None:
    text = (
        (K8S / "deployment.yaml")
        .read_text()
        .replace(
            "          imagePullPolicy: IfNotPresent",
            "          imagePullPolicy: IfNotPresent\n          imagePullPolice: Always",
        )
    )
    broken = tmp_path / "deployment.yaml"
    broken.write_text(text)
    assert _validate(broken).returncode != 0


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(path.name for path in MANIFESTS)


@pytest.fixture(scope="module")
def deployment() -> dict[str, Any]:
    return _docs()["Deployment/rest-connector-worker"]


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def test_replicas_rollout_and_disruption_budget(deployment: dict[str, Any]) -> None:
    spec = deployment["spec"]
    assert spec["replicas"] >= 2
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    pdb = _docs()["PodDisruptionBudget/rest-connector-worker"]
    assert pdb["apiVersion"] == "policy/v1"
    assert 1 <= pdb["spec"]["minAvailable"] < spec["replicas"]
    pod_labels = spec["template"]["metadata"]["labels"]
    for selector in (pdb["spec"]["selector"]["matchLabels"], spec["selector"]["matchLabels"]):
        assert selector.items() <= pod_labels.items()


def test_probes_hit_the_health_endpoint(deployment: dict[str, Any]) -> None:
    container = _container(deployment)
    port_names = {port["name"]: port["containerPort"] for port in container["ports"]}
    configmap = _docs()["ConfigMap/rest-connector-worker"]["data"]
    assert port_names["http"] == int(configmap["HEALTH_PORT"])
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}


def test_resources_and_security_context(deployment: dict[str, Any]) -> None:
    pod = deployment["spec"]["template"]["spec"]
    container = _container(deployment)
    assert {"cpu", "memory"} <= container["resources"]["requests"].keys()
    assert "memory" in container["resources"]["limits"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001  # the image's USER
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }
    mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
    assert "/tmp" in mounts


def test_secrets_come_as_environment_and_as_a_mounted_volume(deployment: dict[str, Any]) -> None:
    pod = deployment["spec"]["template"]["spec"]
    container = _container(deployment)
    secrets = {name: doc for name, doc in _docs().items() if name.startswith("Secret/")}
    from_env = {
        item["name"]: item["valueFrom"]["secretKeyRef"]
        for item in container["env"]
        if "secretKeyRef" in item.get("valueFrom", {})
    }
    assert {"ZEEBE_CLIENT_SECRET", "SECRET_API_KEY"} <= from_env.keys()
    for ref in from_env.values():
        assert ref["key"] in secrets[f"Secret/{ref['name']}"]["stringData"]

    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    (mount,) = [m for m in container["volumeMounts"] if "secret" in volumes[m["name"]]]
    assert mount["readOnly"] is True
    configmap = _docs()["ConfigMap/rest-connector-worker"]["data"]
    assert configmap["SECRETS_DIR"] == mount["mountPath"]
    secret_name = volumes[mount["name"]]["secret"]["secretName"]
    assert f"Secret/{secret_name}" in secrets


def test_every_variable_given_to_the_worker_is_one_it_reads(deployment: dict[str, Any]) -> None:
    container = _container(deployment)
    names = set(_docs()["ConfigMap/rest-connector-worker"]["data"]) | {
        item["name"] for item in container["env"]
    }
    assert sorted(name for name in names if not is_worker_variable(name)) == []


def test_grace_periods_outlast_the_longest_http_call(deployment: dict[str, Any]) -> None:
    pod = deployment["spec"]["template"]["spec"]
    configmap = _docs()["ConfigMap/rest-connector-worker"]["data"]
    drain = parse_setting_duration(configmap["SHUTDOWN_GRACE_PERIOD"])
    timeout = ConnectorSettings().default_timeout_seconds
    # The template's defaults: 20 s to connect, then 20 s to read.
    longest_call = timedelta(seconds=timeout * 2)
    termination = timedelta(seconds=pod["terminationGracePeriodSeconds"])
    assert longest_call < drain < termination
    assert termination - drain >= timedelta(seconds=10)  # time to report outcomes and exit
