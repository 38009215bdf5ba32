"""Configuration, read from the environment (and an optional `.env`) with pydantic-settings.

Three groups, each owned by the part of the service that uses it:

- `ConnectorSettings`: secrets, HTTP client limits and defaults (worker.connector and friends);
- `ZeebeSettings`: gateway address, credentials, job activation (worker.zeebe);
- `ServiceSettings`: logging, metrics and the health endpoint (worker.service).

`Settings` gathers them; `python -m worker check-config` prints the effective values with
secrets masked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_ENV = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConnectorSettings(BaseSettings):
    """Settings of the REST connector pipeline: secrets, HTTP limits, OAuth token cache."""

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


class ZeebeSettings(BaseSettings):
    """Settings of the Zeebe gateway connection and job activation."""

    model_config = _ENV


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
