"""Settings of the Zeebe gateway connection and job activation (`ZeebeSettings`).

Read from the environment (and an optional `.env`) like every group of `worker.config`,
which loads and checks them together. The many names per field are those Camunda's
clients read, so that a deployment's existing variables work unchanged.
"""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from pydantic import (
    AliasChoices,
    BeforeValidator,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from worker.durations import parse_setting_duration

ENV_SOURCES = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")


class ZeebeSettings(BaseSettings):
    """Settings of the Zeebe gateway connection and job activation.

    Every field also accepts the environment names Camunda's clients read (Java client,
    Spring SDK and its older spring-zeebe names, zbctl, the connector runtime); the first
    name in each list wins when several are set. Durations take ISO-8601 (`PT5M`), a
    number with a unit (`30s`, `5m`) or a bare number of milliseconds.
    """

    model_config = SettingsConfigDict(**ENV_SOURCES, populate_by_name=True)

    address: str = Field(
        default="localhost:26500",
        validation_alias=AliasChoices(
            "ZEEBE_ADDRESS",
            "ZEEBE_GRPC_ADDRESS",
            "CAMUNDA_GRPC_ADDRESS",
            "CAMUNDA_CLIENT_GRPCADDRESS",
            "CAMUNDA_CLIENT_ZEEBE_GRPCADDRESS",
            "ZEEBE_CLIENT_BROKER_GRPCADDRESS",
            "ZEEBE_CLIENT_BROKER_GATEWAYADDRESS",
        ),
        description="Gateway address, `host:port` or a URL; `https://` or `grpcs://` means "
        "TLS, `http://` or `grpc://` plaintext.",
    )
    insecure: bool | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "ZEEBE_INSECURE_CONNECTION", "ZEEBE_CLIENT_SECURITY_PLAINTEXT"
        ),
        description="Force plaintext (true) or TLS (false). Unset: plaintext unless the "
        "address says https/grpcs or credentials, a CA file or a SaaS cluster are set.",
    )
    ca_certificate_path: Path | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "ZEEBE_CA_CERTIFICATE_PATH",
            "CAMUNDA_CA_CERTIFICATE_PATH",
            "CAMUNDA_CLIENT_CACERTIFICATEPATH",
            "ZEEBE_CLIENT_SECURITY_CERTPATH",
        ),
        description="PEM file of the CA that signed the gateway's certificate (implies TLS).",
    )
    client_id: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "ZEEBE_CLIENT_ID",
            "CAMUNDA_CLIENT_ID",
            "CAMUNDA_CLIENT_AUTH_CLIENTID",
            "ZEEBE_CLIENT_CLOUD_CLIENTID",
        ),
        description="OAuth client id (client credentials flow).",
    )
    client_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "ZEEBE_CLIENT_SECRET",
            "CAMUNDA_CLIENT_SECRET",
            "CAMUNDA_CLIENT_AUTH_CLIENTSECRET",
            "ZEEBE_CLIENT_CLOUD_CLIENTSECRET",
        ),
        description="OAuth client secret.",
    )
    token_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "ZEEBE_AUTHORIZATION_SERVER_URL",
            "CAMUNDA_AUTHORIZATION_SERVER_URL",
            "CAMUNDA_OAUTH_URL",
            "CAMUNDA_CLIENT_AUTH_TOKENURL",
            "CAMUNDA_CLIENT_AUTH_ISSUER",
        ),
        description="OAuth token endpoint (SaaS default: https://login.cloud.camunda.io/oauth/token).",
    )
    audience: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "ZEEBE_TOKEN_AUDIENCE",
            "CAMUNDA_TOKEN_AUDIENCE",
            "CAMUNDA_CLIENT_AUTH_AUDIENCE",
            "CAMUNDA_CLIENT_ZEEBE_AUDIENCE",
        ),
        description="OAuth audience (SaaS default: zeebe.camunda.io).",
    )
    scope: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "ZEEBE_TOKEN_SCOPE",
            "CAMUNDA_TOKEN_SCOPE",
            "CAMUNDA_CLIENT_AUTH_SCOPE",
            "CAMUNDA_CLIENT_ZEEBE_SCOPE",
        ),
        description="OAuth scope, when the identity provider wants one.",
    )
    cluster_id: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "CAMUNDA_CLUSTER_ID", "CAMUNDA_CLIENT_CLOUD_CLUSTERID", "ZEEBE_CLIENT_CLOUD_CLUSTERID"
        ),
        description="Camunda SaaS cluster id; with it the address is derived from id and region.",
    )
    region: str = Field(
        default="bru-2",
        validation_alias=AliasChoices(
            "CAMUNDA_CLUSTER_REGION", "CAMUNDA_CLIENT_CLOUD_REGION", "ZEEBE_CLIENT_CLOUD_REGION"
        ),
        description="Camunda SaaS region.",
    )
    job_types: Annotated[list[str], NoDecode] = Field(
        default=["io.camunda:http-json:1"],
        min_length=1,
        validation_alias=AliasChoices(
            "ZEEBE_JOB_TYPES", "ZEEBE_JOB_TYPE", "CONNECTOR_HTTP_REST_TYPE"
        ),
        description="Job types to work on, comma-separated.",
    )
    worker_name: str = Field(
        default_factory=lambda: f"rest-connector-worker@{socket.gethostname()}",
        min_length=1,
        validation_alias=AliasChoices(
            "ZEEBE_WORKER_NAME",
            "CAMUNDA_CLIENT_WORKER_DEFAULTS_NAME",
            "ZEEBE_CLIENT_WORKER_DEFAULTNAME",
        ),
        description="Worker name shown in Operate and in the gateway's logs.",
    )
    max_jobs_active: int = Field(
        default=100,
        ge=1,
        le=10_000,
        validation_alias=AliasChoices(
            "ZEEBE_MAX_JOBS_ACTIVE",
            "CAMUNDA_CLIENT_WORKER_DEFAULTS_MAXJOBSACTIVE",
            "ZEEBE_CLIENT_WORKER_MAXJOBSACTIVE",
        ),
        description="Jobs worked on at once, at most (all job types together).",
    )
    job_timeout: Annotated[timedelta, BeforeValidator(parse_setting_duration)] = Field(
        default=timedelta(minutes=5),
        validation_alias=AliasChoices(
            "ZEEBE_JOB_TIMEOUT",
            "CAMUNDA_CLIENT_WORKER_DEFAULTS_TIMEOUT",
            "ZEEBE_CLIENT_JOB_TIMEOUT",
            "CONNECTOR_HTTP_REST_TIMEOUT",
        ),
        description="How long Zeebe leaves an activated job to this worker before handing it "
        "to another; must exceed the slowest request the connector may make.",
    )
    request_timeout: Annotated[timedelta, BeforeValidator(parse_setting_duration)] = Field(
        default=timedelta(seconds=10),
        validation_alias=AliasChoices(
            "ZEEBE_REQUEST_TIMEOUT",
            "CAMUNDA_CLIENT_WORKER_DEFAULTS_REQUESTTIMEOUT",
            "ZEEBE_CLIENT_REQUESTTIMEOUT",
        ),
        description="Long-poll time: how long one activation request waits for jobs.",
    )
    stream_enabled: bool = Field(
        default=False,
        validation_alias=AliasChoices(
            "ZEEBE_STREAM_ENABLED",
            "CAMUNDA_CLIENT_WORKER_DEFAULTS_STREAMENABLED",
            "CAMUNDA_CLIENT_WORKER_STREAM_ENABLED",
            "ZEEBE_CLIENT_WORKER_STREAM_ENABLED",
        ),
        description="Also open a job stream (Zeebe 8.4+): the gateway pushes new jobs as "
        "they are created instead of waiting for the next poll; polling goes on for jobs "
        "that were waiting already.",
    )
    fetch_variables: Annotated[list[str], NoDecode] = Field(
        default=["all"],
        validation_alias=AliasChoices("ZEEBE_FETCH_VARIABLES"),
        description="`all` (default: FEEL inputs may read any process variable), or "
        "comma-separated names to fetch, where `inputs` stands for the connector's own "
        "inputs (url, method, authentication, headers, body, ...).",
    )
    tenant_ids: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=AliasChoices(
            "ZEEBE_TENANT_IDS",
            "CAMUNDA_CLIENT_WORKER_DEFAULTS_TENANTIDS",
            "CAMUNDA_DEFAULT_JOB_WORKER_TENANT_IDS",
            "ZEEBE_DEFAULT_JOB_WORKER_TENANT_IDS",
        ),
        description="Tenants to activate jobs for, comma-separated (empty: the default "
        "tenant `<default>`). Needs multi-tenancy on the cluster: a gateway without it refuses "
        "other tenants and the worker stops (exit 3).",
    )
    shutdown_grace_period: Annotated[timedelta, BeforeValidator(parse_setting_duration)] = Field(
        default=timedelta(seconds=25),
        validation_alias=AliasChoices(
            "SHUTDOWN_GRACE_PERIOD", "SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE"
        ),
        description="On SIGTERM, how long in-flight jobs may finish; keep it below "
        "Kubernetes' terminationGracePeriodSeconds (30 s by default).",
    )
    retry_backoff_initial: Annotated[timedelta, BeforeValidator(parse_setting_duration)] = Field(
        default=timedelta(milliseconds=100),
        validation_alias=AliasChoices("ZEEBE_RETRY_BACKOFF_INITIAL"),
        description="First wait after a gateway error (doubled on each further error).",
    )
    retry_backoff_max: Annotated[timedelta, BeforeValidator(parse_setting_duration)] = Field(
        default=timedelta(seconds=5),
        validation_alias=AliasChoices("ZEEBE_RETRY_BACKOFF_MAX"),
        description="Longest wait between attempts while the gateway is unavailable or busy.",
    )
    command_retries: int = Field(
        default=3,
        ge=0,
        validation_alias=AliasChoices("ZEEBE_COMMAND_RETRIES"),
        description="Retries of a complete/fail/throw command after an internal gateway "
        "error; unavailable and busy answers are retried until the job's deadline.",
    )

    @field_validator("job_types", "tenant_ids", "fetch_variables", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("job_timeout", "request_timeout", "retry_backoff_initial", "retry_backoff_max")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError(f"must be longer than zero, got {value}")
        return value

    @field_validator("shutdown_grace_period")
    @classmethod
    def _not_negative(cls, value: timedelta) -> timedelta:
        if value < timedelta(0):
            raise ValueError(f"must not be negative, got {value}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ZeebeSettings:
        if bool(self.client_id) != bool(
            self.client_secret and self.client_secret.get_secret_value()
        ):
            raise ValueError(
                "OAuth needs both a client id (ZEEBE_CLIENT_ID) and a client secret "
                "(ZEEBE_CLIENT_SECRET); only one is set"
            )
        if self.cluster_id and not self.client_id:
            raise ValueError(
                "a Camunda SaaS cluster (CAMUNDA_CLUSTER_ID) needs a client id and secret "
                "(ZEEBE_CLIENT_ID, ZEEBE_CLIENT_SECRET)"
            )
        if self.client_id and not self.cluster_id and not self.token_url:
            raise ValueError(
                "OAuth credentials are set but no token URL: set ZEEBE_AUTHORIZATION_SERVER_URL "
                "(or CAMUNDA_OAUTH_URL), or CAMUNDA_CLUSTER_ID for Camunda SaaS"
            )
        if self.client_id and self.insecure:
            raise ValueError(
                "OAuth credentials need TLS, but ZEEBE_INSECURE_CONNECTION=true asks for "
                "plaintext: gRPC refuses to send tokens over plaintext"
            )
        if self.ca_certificate_path is not None and not self.ca_certificate_path.is_file():
            raise ValueError(f"CA certificate file {str(self.ca_certificate_path)!r} not found")
        if self.retry_backoff_initial > self.retry_backoff_max:
            raise ValueError("ZEEBE_RETRY_BACKOFF_INITIAL must not exceed ZEEBE_RETRY_BACKOFF_MAX")
        for name in self.fetch_variables:
            if name == "all" and len(self.fetch_variables) > 1:
                raise ValueError("ZEEBE_FETCH_VARIABLES: `all` cannot be combined with names")
        return self

    @property
    def fetch_all_variables(self) -> bool:
        return self.fetch_variables == ["all"] or not self.fetch_variables
