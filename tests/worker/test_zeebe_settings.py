"""ZeebeSettings: Camunda's environment names, durations, one-line errors, check-config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import AliasChoices, ValidationError

from worker.config import (
    ConfigurationError,
    ConnectorSettings,
    ZeebeSettings,
    check_timeouts,
    settings_error_line,
)
from worker.durations import parse_iso_duration, parse_setting_duration
from worker.zeebe import plan_connection

PROJECT = Path(__file__).resolve().parents[2]


def all_env_names() -> list[str]:
    names = []
    for field in ZeebeSettings.model_fields.values():
        assert isinstance(field.validation_alias, AliasChoices)
        names += [str(choice) for choice in field.validation_alias.choices]
    return names


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in all_env_names():
        monkeypatch.delenv(name, raising=False)


def load(**env: str) -> ZeebeSettings:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        return ZeebeSettings(_env_file=None)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("env", "field", "expected"),
    [
        ({"ZEEBE_ADDRESS": "zeebe:26500"}, "address", "zeebe:26500"),
        ({"ZEEBE_GRPC_ADDRESS": "http://g:26500"}, "address", "http://g:26500"),
        ({"CAMUNDA_GRPC_ADDRESS": "g2:1"}, "address", "g2:1"),
        ({"CAMUNDA_CLIENT_GRPCADDRESS": "http://g3:26500"}, "address", "http://g3:26500"),
        ({"CAMUNDA_CLIENT_ZEEBE_GRPCADDRESS": "g4:1"}, "address", "g4:1"),
        ({"ZEEBE_CLIENT_BROKER_GATEWAYADDRESS": "g5:1"}, "address", "g5:1"),
        (
            {"ZEEBE_ADDRESS": "first:1", "CAMUNDA_CLIENT_GRPCADDRESS": "second:1"},
            "address",
            "first:1",
        ),
        ({"zeebe_address": "lower:1"}, "address", "lower:1"),
        ({"ZEEBE_INSECURE_CONNECTION": "true"}, "insecure", True),
        ({"ZEEBE_CLIENT_SECURITY_PLAINTEXT": "false"}, "insecure", False),
        ({"CAMUNDA_CLIENT_AUTH_AUDIENCE": "zeebe-api"}, "audience", "zeebe-api"),
        ({"ZEEBE_TOKEN_AUDIENCE": "a"}, "audience", "a"),
        ({"CAMUNDA_TOKEN_SCOPE": "s"}, "scope", "s"),
        ({"CAMUNDA_CLUSTER_REGION": "jfk-1"}, "region", "jfk-1"),
        ({"CAMUNDA_CLIENT_CLOUD_REGION": "syd-1"}, "region", "syd-1"),
        ({"ZEEBE_JOB_TYPES": "a, b"}, "job_types", ["a", "b"]),
        ({"CONNECTOR_HTTP_REST_TYPE": "my:type"}, "job_types", ["my:type"]),
        ({"ZEEBE_WORKER_NAME": "w1"}, "worker_name", "w1"),
        ({"CAMUNDA_CLIENT_WORKER_DEFAULTS_NAME": "w2"}, "worker_name", "w2"),
        ({"ZEEBE_MAX_JOBS_ACTIVE": "7"}, "max_jobs_active", 7),
        ({"CAMUNDA_CLIENT_WORKER_DEFAULTS_MAXJOBSACTIVE": "8"}, "max_jobs_active", 8),
        ({"ZEEBE_JOB_TIMEOUT": "PT10M"}, "job_timeout", timedelta(minutes=10)),
        (
            {"CAMUNDA_CLIENT_WORKER_DEFAULTS_TIMEOUT": "600000"},
            "job_timeout",
            timedelta(minutes=10),
        ),
        ({"CONNECTOR_HTTP_REST_TIMEOUT": "90s"}, "job_timeout", timedelta(seconds=90)),
        ({"ZEEBE_REQUEST_TIMEOUT": "20s"}, "request_timeout", timedelta(seconds=20)),
        ({"CAMUNDA_CLIENT_WORKER_DEFAULTS_STREAMENABLED": "true"}, "stream_enabled", True),
        ({"ZEEBE_FETCH_VARIABLES": "inputs,orderId"}, "fetch_variables", ["inputs", "orderId"]),
        ({"ZEEBE_TENANT_IDS": "t1,t2"}, "tenant_ids", ["t1", "t2"]),
        ({"SHUTDOWN_GRACE_PERIOD": "1m"}, "shutdown_grace_period", timedelta(minutes=1)),
        (
            {"SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE": "40s"},
            "shutdown_grace_period",
            timedelta(seconds=40),
        ),
        ({"ZEEBE_RETRY_BACKOFF_MAX": "2s"}, "retry_backoff_max", timedelta(seconds=2)),
        ({"ZEEBE_COMMAND_RETRIES": "5"}, "command_retries", 5),
    ],
)
def test_environment_names(env: dict[str, str], field: str, expected: Any) -> None:
    assert getattr(load(**env), field) == expected


@pytest.mark.parametrize(
    "prefix",
    [
        {
            "id": "ZEEBE_CLIENT_ID",
            "secret": "ZEEBE_CLIENT_SECRET",
            "url": "ZEEBE_AUTHORIZATION_SERVER_URL",
        },
        {"id": "CAMUNDA_CLIENT_ID", "secret": "CAMUNDA_CLIENT_SECRET", "url": "CAMUNDA_OAUTH_URL"},
        {
            "id": "CAMUNDA_CLIENT_AUTH_CLIENTID",
            "secret": "CAMUNDA_CLIENT_AUTH_CLIENTSECRET",
            "url": "CAMUNDA_CLIENT_AUTH_TOKENURL",
        },
        {
            "id": "ZEEBE_CLIENT_CLOUD_CLIENTID",
            "secret": "ZEEBE_CLIENT_CLOUD_CLIENTSECRET",
            "url": "CAMUNDA_AUTHORIZATION_SERVER_URL",
        },
    ],
)
def test_oauth_credentials_under_every_name(prefix: dict[str, str]) -> None:
    settings = load(
        **{prefix["id"]: "me", prefix["secret"]: "s3cr3t", prefix["url"]: "https://idp/token"},
        ZEEBE_ADDRESS="zeebe.example:26500",
    )
    assert settings.client_id == "me"
    assert settings.client_secret is not None
    assert settings.client_secret.get_secret_value() == "s3cr3t"
    assert settings.token_url == "https://idp/token"
    assert plan_connection(settings).describe() == "oauth to zeebe.example:26500"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "plaintext to localhost:26500"),
        ({"ZEEBE_ADDRESS": "zeebe:26500"}, "plaintext to zeebe:26500"),
        ({"ZEEBE_ADDRESS": "http://zeebe:26500"}, "plaintext to zeebe:26500"),
        ({"ZEEBE_ADDRESS": "grpc://zeebe"}, "plaintext to zeebe:26500"),
        ({"ZEEBE_ADDRESS": "https://zeebe.example"}, "tls to zeebe.example:443"),
        ({"ZEEBE_ADDRESS": "grpcs://zeebe.example:8443"}, "tls to zeebe.example:8443"),
        (
            {"ZEEBE_ADDRESS": "zeebe:26500", "ZEEBE_INSECURE_CONNECTION": "false"},
            "tls to zeebe:26500",
        ),
        (
            {"ZEEBE_ADDRESS": "https://z:443", "ZEEBE_INSECURE_CONNECTION": "true"},
            "plaintext to z:443",
        ),
        ({"ZEEBE_ADDRESS": "dns:///zeebe:26500"}, "plaintext to dns:///zeebe:26500"),
        (
            {
                "CAMUNDA_CLUSTER_ID": "abc-123",
                "CAMUNDA_CLUSTER_REGION": "jfk-1",
                "ZEEBE_CLIENT_ID": "id",
                "ZEEBE_CLIENT_SECRET": "secret",
            },
            "saas to abc-123.jfk-1.zeebe.camunda.io:443",
        ),
    ],
)
def test_connection_plan(env: dict[str, str], expected: str) -> None:
    assert plan_connection(load(**env)).describe() == expected


def test_a_ca_file_means_tls(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    settings = load(ZEEBE_ADDRESS="zeebe:26500", ZEEBE_CA_CERTIFICATE_PATH=str(ca))
    assert plan_connection(settings).describe() == "tls to zeebe:26500"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"ZEEBE_MAX_JOBS_ACTIVE": "0"},
            "ZEEBE_MAX_JOBS_ACTIVE: Input should be greater than or equal to 1 (got '0')",
        ),
        (
            {"CAMUNDA_CLIENT_WORKER_DEFAULTS_MAXJOBSACTIVE": "many"},
            "CAMUNDA_CLIENT_WORKER_DEFAULTS_MAXJOBSACTIVE: Input should be a valid integer",
        ),
        ({"ZEEBE_JOB_TIMEOUT": "soon"}, "ZEEBE_JOB_TIMEOUT: expected a duration such as 30s"),
        ({"ZEEBE_JOB_TIMEOUT": "0"}, "ZEEBE_JOB_TIMEOUT: must be longer than zero"),
        ({"ZEEBE_CLIENT_ID": "only-id"}, "OAuth needs both a client id"),
        (
            {"ZEEBE_CLIENT_ID": "id", "ZEEBE_CLIENT_SECRET": "s"},
            "OAuth credentials are set but no token URL",
        ),
        (
            {
                "ZEEBE_CLIENT_ID": "id",
                "ZEEBE_CLIENT_SECRET": "s",
                "ZEEBE_AUTHORIZATION_SERVER_URL": "https://idp",
                "ZEEBE_INSECURE_CONNECTION": "true",
            },
            "OAuth credentials need TLS",
        ),
        ({"CAMUNDA_CLUSTER_ID": "abc"}, "a Camunda SaaS cluster (CAMUNDA_CLUSTER_ID) needs"),
        (
            {"ZEEBE_CA_CERTIFICATE_PATH": "/nowhere/ca.pem"},
            "CA certificate file '/nowhere/ca.pem' not found",
        ),
        ({"ZEEBE_FETCH_VARIABLES": "all,url"}, "`all` cannot be combined"),
        ({"ZEEBE_JOB_TYPES": " , "}, "ZEEBE_JOB_TYPES: List should have at least 1 item"),
    ],
)
def test_invalid_settings_give_one_line_naming_the_variable(
    env: dict[str, str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as raised:
        ZeebeSettings(_env_file=None)  # type: ignore[call-arg]
    line = settings_error_line(raised.value)
    assert expected in line
    assert "\n" not in line


def test_secret_values_never_appear_in_errors() -> None:
    with pytest.raises(ValidationError) as raised:
        load(ZEEBE_CLIENT_SECRET="hunter2-very-secret")
    assert "hunter2" not in settings_error_line(raised.value)


def test_job_timeout_must_exceed_the_connectors_slowest_default_request() -> None:
    connector = ConnectorSettings(_env_file=None)  # type: ignore[call-arg]
    slowest = 2 * connector.default_timeout_seconds + connector.deadline_margin_seconds
    check_timeouts(load(ZEEBE_JOB_TIMEOUT=f"{slowest + 1}s"), connector)
    with pytest.raises(ConfigurationError, match=r"ZEEBE_JOB_TIMEOUT \(\d+ s\) must be longer"):
        check_timeouts(load(ZEEBE_JOB_TIMEOUT=f"{slowest}s"), connector)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT5M", timedelta(minutes=5)),
        ("PT0.5S", timedelta(milliseconds=500)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("pt10m", timedelta(minutes=10)),
        ("PT1H30M15S", timedelta(hours=1, minutes=30, seconds=15)),
        ("-PT5M", -timedelta(minutes=5)),
        ("PT-5M", -timedelta(minutes=5)),
    ],
)
def test_iso_durations(text: str, expected: timedelta) -> None:
    assert parse_iso_duration(text) == expected


@pytest.mark.parametrize("text", ["", "P", "PT", "P1M", "P1Y", "P1W", "5 minutes", "PT5", "T5M"])
def test_invalid_iso_durations(text: str) -> None:
    with pytest.raises(ValueError, match="ISO-8601"):
        parse_iso_duration(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("300000", timedelta(minutes=5)),
        (1500, timedelta(milliseconds=1500)),
        ("250ms", timedelta(milliseconds=250)),
        ("30s", timedelta(seconds=30)),
        ("5m", timedelta(minutes=5)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("PT5M", timedelta(minutes=5)),
    ],
)
def test_setting_durations(value: object, expected: timedelta) -> None:
    assert parse_setting_duration(value) == expected


def run_worker(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in set(all_env_names())}
    return subprocess.run(
        [sys.executable, "-m", "worker", *args],
        cwd=PROJECT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_config_prints_every_group_with_secrets_masked() -> None:
    result = run_worker(
        "check-config",
        env={
            "CAMUNDA_CLIENT_AUTH_CLIENTID": "me",
            "CAMUNDA_CLIENT_AUTH_CLIENTSECRET": "hunter2-very-secret",
            "CAMUNDA_CLIENT_CLOUD_CLUSTERID": "abc",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "hunter2" not in result.stdout + result.stderr
    config = json.loads(result.stdout)
    assert set(config) == {"zeebe", "connector", "service"}
    assert config["zeebe"]["client_secret"] == "***"
    assert config["zeebe"]["connection"] == "saas to abc.bru-2.zeebe.camunda.io:443"
    assert config["zeebe"]["job_timeout"] == "PT5M"


@pytest.mark.parametrize("command", [["check-config"], ["run"], []])
def test_invalid_configuration_exits_2_with_one_clear_line(command: list[str]) -> None:
    result = run_worker(*command, env={"ZEEBE_MAX_JOBS_ACTIVE": "-3"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: ZEEBE_MAX_JOBS_ACTIVE: Input should be greater than or equal to 1 "
        "(got '-3')"
    ]
    assert result.stdout == ""
