"""Configuration, read from the environment (and an optional `.env`) with pydantic-settings.

Three groups, each owned by the part of the service that uses it:

- `ConnectorSettings`: secrets, HTTP client limits and defaults (worker.connector and friends);
- `ZeebeSettings`: gateway address, credentials, job activation (worker.zeebe; defined
  in worker.zeebe_config);
- `ServiceSettings`: logging, metrics and the health endpoint (worker.service).

`load_settings()` reads and checks them together; `python -m worker check-config` prints
the effective values with secrets masked.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from worker import egress
from worker.zeebe_config import ENV_SOURCES as _ENV  # the same sources for every group
from worker.zeebe_config import ZeebeSettings as ZeebeSettings  # one import place for all groups

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConnectorSettings(BaseSettings):
    """Settings of the REST connector pipeline: secrets and who may use them, HTTP limits,
    the egress policy (SSRF guard), OAuth token cache."""

    model_config = SettingsConfigDict(**_ENV, populate_by_name=True)

    secrets_prefix: str = Field(
        default="SECRET_",
        validation_alias=AliasChoices(
            "SECRETS_PREFIX", "CAMUNDA_CONNECTOR_SECRETPROVIDER_ENVIRONMENT_PREFIX"
        ),
        description="Prefix of the environment variables holding secrets: "
        "`{{secrets.API_KEY}}` reads `SECRET_API_KEY`. An empty prefix makes every "
        "environment variable of the worker readable by a process model.",
    )
    secrets_dir: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("SECRETS_DIR"),
        description="Directory with one file per secret (a mounted Kubernetes secret "
        "volume); asked after the environment.",
    )
    default_timeout_seconds: float = Field(
        default=20.0,
        ge=0,
        validation_alias=AliasChoices("HTTP_DEFAULT_TIMEOUT_SECONDS"),
        description="Connection timeout when a job gives none (0: no limit).",
    )
    max_response_bytes: int = Field(
        default=10 * 1024 * 1024,
        gt=0,
        validation_alias=AliasChoices(
            "HTTP_MAX_RESPONSE_BYTES", "CONNECTOR_HTTP_CLIENT_MAX_BODY_SIZE"
        ),
        description="Largest response body read (after decompression); a larger one fails "
        "the job without being read to the end.",
    )
    max_output_bytes: int = Field(
        default=1_572_864,
        gt=0,
        validation_alias=AliasChoices("MAX_OUTPUT_BYTES"),
        description="Largest JSON size of the variables a job writes back (1.5 MiB).",
    )
    max_redirects: int = Field(
        default=10,
        ge=0,
        validation_alias=AliasChoices("HTTP_MAX_REDIRECTS"),
        description="Redirects followed at most when a job sets `followRedirects`.",
    )
    max_connections: int = Field(
        default=100,
        ge=0,
        validation_alias=AliasChoices("HTTP_MAX_CONNECTIONS"),
        description="Open connections at most in the shared pool (0: no limit).",
    )
    user_agent: str = Field(
        default="rest-connector-worker",
        validation_alias=AliasChoices("HTTP_USER_AGENT"),
        description="User-Agent sent when a job sets none.",
    )
    oauth_default_ttl_seconds: float = Field(
        default=300.0,
        ge=0,
        validation_alias=AliasChoices("OAUTH_DEFAULT_TTL_SECONDS"),
        description="How long an OAuth token without `expires_in` is reused (0: not cached).",
    )
    oauth_expiry_skew_seconds: float = Field(
        default=10.0,
        ge=0,
        validation_alias=AliasChoices("OAUTH_EXPIRY_SKEW_SECONDS"),
        description="A cached OAuth token is dropped this long before it expires.",
    )
    oauth_cache_size: int = Field(
        default=1000,
        ge=0,
        validation_alias=AliasChoices("OAUTH_CACHE_SIZE"),
        description="OAuth tokens kept at most (least recently used dropped first).",
    )
    deadline_margin_seconds: float = Field(
        default=2.0,
        ge=0,
        validation_alias=AliasChoices("JOB_DEADLINE_MARGIN_SECONDS"),
        description="The outcome is decided this long before the job's deadline, leaving "
        "time to report it to Zeebe before another worker may take the job.",
    )
    max_request_seconds: float = Field(
        default=300.0,
        ge=0,
        validation_alias=AliasChoices("HTTP_MAX_REQUEST_SECONDS"),
        description="Longest a whole exchange may take, OAuth token request and body "
        "included, whatever the job's timeouts: a server dripping its answer byte by byte "
        "is cut off (0: only the job's deadline bounds it).",
    )
    max_response_headers: int = Field(
        default=128,
        gt=0,
        validation_alias=AliasChoices("HTTP_MAX_RESPONSE_HEADERS"),
        description="Most header lines a response may have.",
    )
    max_response_header_bytes: int = Field(
        default=16384,
        ge=1024,
        validation_alias=AliasChoices("HTTP_MAX_RESPONSE_HEADER_BYTES"),
        description="Longest status line or header line of a response, in bytes.",
    )
    deny_metadata: bool = Field(
        default=True,
        validation_alias=AliasChoices("HTTP_DENY_METADATA"),
        description="Refuse link-local and cloud metadata addresses (169.254.0.0/16, "
        "fe80::/10, fd00:ec2::254, 100.100.100.200, ...; see Security) and 0.0.0.0/::, "
        "and the metadata host names.",
    )
    deny_addresses: Annotated[list[str], NoDecode] = Field(
        default=[],
        validation_alias=AliasChoices("HTTP_DENY_ADDRESSES"),
        description="Addresses requests may not go to, checked on the resolved address: "
        "comma-separated CIDR ranges or `loopback`, `private`, `non-public`, `all`.",
    )
    allow_addresses: Annotated[list[str], NoDecode] = Field(
        default=[],
        validation_alias=AliasChoices("HTTP_ALLOW_ADDRESSES"),
        description="Exceptions to the address rules above (CIDR ranges or keywords).",
    )
    deny_hosts: Annotated[list[str], NoDecode] = Field(
        default=[],
        validation_alias=AliasChoices("HTTP_DENY_HOSTS"),
        description="Host names requests may not go to, comma-separated patterns such as "
        "`*.internal` (`*` denies every host but those of HTTP_ALLOW_HOSTS).",
    )
    allow_hosts: Annotated[list[str], NoDecode] = Field(
        default=[],
        validation_alias=AliasChoices("HTTP_ALLOW_HOSTS"),
        description="Exceptions to HTTP_DENY_HOSTS (host name patterns).",
    )
    deny_ports: Annotated[list[str], NoDecode] = Field(
        default=[],
        validation_alias=AliasChoices("HTTP_DENY_PORTS"),
        description="Ports requests may not go to, e.g. `22,25,6379,8000-8999`.",
    )
    allow_ports: Annotated[list[str], NoDecode] = Field(
        default=[],
        validation_alias=AliasChoices("HTTP_ALLOW_PORTS"),
        description="Exceptions to HTTP_DENY_PORTS.",
    )
    camunda_block_rules: Annotated[dict[str, str], NoDecode] = Field(
        default={},
        validate_default=True,
        validation_alias=AliasChoices("CAMUNDA_CONNECTOR_HTTP_BLOCK_<TYPE>_<NAME>"),
        description="Camunda's block rules, read from every variable named so: `URL` "
        "(the URL contains the value), `REGEX` (the whole URL matches), `PORT` (comma list).",
    )
    secrets_allowed_names: Annotated[list[str], NoDecode] = Field(
        default=["*"],
        validation_alias=AliasChoices("SECRETS_ALLOWED_NAMES"),
        description="Secret names jobs may use, comma-separated patterns (`CRM_*`); a "
        "placeholder naming another secret fails the job.",
    )
    secrets_allowed_names_by_job_type: dict[str, list[str]] = Field(
        default={},
        validation_alias=AliasChoices("SECRETS_ALLOWED_NAMES_BY_JOB_TYPE"),
        description='The same per job type, as JSON: `{"acme:crm:1": ["CRM_*"]}`; a job '
        "type listed here uses its own list instead of SECRETS_ALLOWED_NAMES.",
    )

    @field_validator(
        "deny_addresses",
        "allow_addresses",
        "deny_hosts",
        "allow_hosts",
        "deny_ports",
        "allow_ports",
        "secrets_allowed_names",
        mode="before",
    )
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("deny_addresses", "allow_addresses")
    @classmethod
    def _address_rules(cls, value: list[str]) -> list[str]:
        return egress.parse_address_rules(value)

    @field_validator("deny_hosts", "allow_hosts")
    @classmethod
    def _host_patterns(cls, value: list[str]) -> list[str]:
        return egress.parse_host_patterns(value)

    @field_validator("deny_ports", "allow_ports")
    @classmethod
    def _ports(cls, value: list[str]) -> list[str]:
        egress.parse_ports(value)
        return value

    @field_validator("secrets_allowed_names_by_job_type", mode="before")
    @classmethod
    def _patterns_by_job_type(cls, value: object) -> object:
        if isinstance(value, dict):
            return {
                key: [p.strip() for p in item.split(",") if p.strip()]
                if isinstance(item, str)
                else item
                for key, item in value.items()
            }
        return value

    @field_validator("camunda_block_rules", mode="before")
    @classmethod
    def _block_rules(cls, value: object) -> object:
        # Camunda's rules are a family of variables, not one: read them from the
        # environment unless given.
        if value is None or value == "" or value == {}:
            return egress.camunda_block_rules(os.environ)
        if isinstance(value, dict):
            return egress.camunda_block_rules(value)
        return value


class ServiceSettings(BaseSettings):
    """Settings of logging, metrics and the health endpoint."""

    model_config = SettingsConfigDict(**_ENV, populate_by_name=True)

    log_level: str = Field(
        default="INFO",
        validation_alias=AliasChoices("LOG_LEVEL", "LOGGING_LEVEL_ROOT"),
        description="Level of the root logger: DEBUG, INFO, WARNING, ERROR or CRITICAL.",
    )
    log_format: Literal["auto", "json", "console"] = Field(
        default="auto",
        validation_alias=AliasChoices("LOG_FORMAT"),
        description="`json` (one JSON object a line), `console` (readable), or `auto`: "
        "console on a terminal, JSON otherwise.",
    )
    log_levels: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict,
        validation_alias=AliasChoices("LOG_LEVELS"),
        description="Levels of single loggers, e.g. `pyzeebe=DEBUG,aiohttp.client=WARNING`.",
    )
    health_host: str = Field(
        default="0.0.0.0",
        validation_alias=AliasChoices("HEALTH_HOST", "SERVER_ADDRESS"),
        description="Address the health and metrics endpoint listens on.",
    )
    health_port: int = Field(
        default=8080,
        ge=0,
        le=65535,
        validation_alias=AliasChoices("HEALTH_PORT", "MANAGEMENT_SERVER_PORT", "SERVER_PORT"),
        description="Port of `/healthz`, `/readyz` and `/metrics` (0: any free port).",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _known_level(cls, value: object) -> object:
        if isinstance(value, str):
            name = value.strip().upper()
            if name not in _LOG_LEVELS:
                raise ValueError(f"unknown log level {value!r}: use {', '.join(_LOG_LEVELS)}")
            return name
        return value

    @field_validator("log_levels", mode="before")
    @classmethod
    def _parse_logger_levels(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        levels: dict[str, str] = {}
        for entry in filter(None, (part.strip() for part in value.split(","))):
            name, sep, level = entry.partition("=")
            if not sep or not name.strip() or level.strip().upper() not in _LOG_LEVELS:
                raise ValueError(
                    f"expected LOGGER=LEVEL with a level among {', '.join(_LOG_LEVELS)}, "
                    f"got {entry!r}"
                )
            levels[name.strip()] = level.strip().upper()
        return levels


# ----- loading and checking all groups: the service and `check-config` ------------------


class ConfigurationError(Exception):
    """Settings that cannot work; the message is one line for the operator."""


_SETTINGS_CLASSES: tuple[type[BaseSettings], ...] = (
    ZeebeSettings,
    ConnectorSettings,
    ServiceSettings,
)


def _env_name(field_or_alias: str) -> tuple[str, bool]:
    """Return the environment name to show for an error location, and whether it is secret."""
    for cls in _SETTINGS_CLASSES:
        for name, field in cls.model_fields.items():
            aliases = field.validation_alias
            choices = (
                [str(choice) for choice in aliases.choices]
                if isinstance(aliases, AliasChoices)
                else []
            )
            if field_or_alias == name or field_or_alias.upper() in (c.upper() for c in choices):
                # pydantic names the first alias, not the one the user set
                return _set_name(choices), field.annotation is not None and "SecretStr" in str(
                    field.annotation
                )
    return field_or_alias, False


def _set_name(choices: list[str]) -> str:
    """The first of `choices` set in the environment (the one that was read), else the first."""
    present = {name.upper() for name in os.environ}
    return next((choice for choice in choices if choice.upper() in present), choices[0])


def settings_error_line(error: ValidationError) -> str:
    """Describe a settings validation error in one line, naming each variable.

    Secret values are never repeated; others are quoted so that typos show.
    """
    parts = []
    for detail in error.errors(include_url=False):
        message = str(detail["msg"]).removeprefix("Value error, ")
        if not detail["loc"]:
            parts.append(message)
            continue
        name, secret = _env_name(str(detail["loc"][0]))
        given = detail.get("input")
        if not secret and isinstance(given, str | int | float) and len(str(given)) <= 200:
            parts.append(f"{name}: {message} (got {given!r})")
        else:
            parts.append(f"{name}: {message}")
    return "; ".join(parts)


def slowest_default_request_s(connector: ConnectorSettings) -> float:
    """How long a job with default timeouts may take before its outcome is decided.

    A request waits up to the connect timeout, then up to the read timeout (which
    defaults to the connect timeout), and the outcome is decided the deadline margin
    before the job's deadline.
    """
    return 2 * connector.default_timeout_seconds + connector.deadline_margin_seconds


def check_timeouts(zeebe: ZeebeSettings, connector: ConnectorSettings) -> None:
    """Refuse a job timeout that a request with default timeouts could outlive.

    Otherwise Zeebe hands a job to another worker while this one is still calling the
    API, and the call runs twice.

    Raises:
        ConfigurationError: the job timeout is not above the slowest default request.
    """
    slowest = slowest_default_request_s(connector)
    job_timeout = zeebe.job_timeout.total_seconds()
    if job_timeout <= slowest:
        raise ConfigurationError(
            f"ZEEBE_JOB_TIMEOUT ({job_timeout:g} s) must be longer than the slowest request "
            f"the connector may make with default timeouts ({slowest:g} s: connect and read "
            f"timeouts of {connector.default_timeout_seconds:g} s each plus the "
            f"{connector.deadline_margin_seconds:g} s deadline margin); raise it or lower "
            "HTTP_DEFAULT_TIMEOUT_SECONDS"
        )


def load_settings() -> tuple[ZeebeSettings, ConnectorSettings, ServiceSettings]:
    """Read every group from the environment and check them against each other.

    Raises:
        ConfigurationError: a setting is invalid (the message names it).
    """
    try:
        zeebe, connector, service = ZeebeSettings(), ConnectorSettings(), ServiceSettings()
    except ValidationError as error:
        raise ConfigurationError(settings_error_line(error)) from None
    check_timeouts(zeebe, connector)
    return zeebe, connector, service


def effective_configuration(
    zeebe: ZeebeSettings, connector: ConnectorSettings, service: ServiceSettings
) -> dict[str, Any]:
    """All settings as JSON-able values, secrets masked, plus the derived connection."""
    from worker.zeebe import plan_connection  # imports gRPC: only when asked

    result: dict[str, Any] = {}
    for group, settings in (("zeebe", zeebe), ("connector", connector), ("service", service)):
        values = settings.model_dump(mode="json")
        for name, value in values.items():
            if isinstance(getattr(settings, name), SecretStr):
                values[name] = "***" if value else None
        result[group] = values
    result["zeebe"]["connection"] = plan_connection(zeebe).describe()
    return result


def check_config_main(argv: list[str]) -> int:
    """`python -m worker check-config`: print the effective configuration as JSON.

    Exit 0 when it is valid; 2 with one line on stderr naming the problem otherwise.
    """
    import argparse
    import json
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m worker check-config",
        description="Validate the configuration from the environment (and .env) and print "
        "the effective values, secrets masked.",
    )
    parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigurationError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(effective_configuration(*settings), indent=2))
    return 0
