"""Configuration, read from the environment (and an optional `.env`) with pydantic-settings.

Three groups, each owned by the part of the service that uses it:

- `ConnectorSettings`: secrets, HTTP client limits and defaults (worker.connector and friends);
- `ZeebeSettings`: gateway address, credentials, job activation (worker.zeebe);
- `ServiceSettings`: logging, metrics and the health endpoint (worker.service).

`Settings` gathers them; `python -m worker check-config` prints the effective values with
secrets masked.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_ENV = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConnectorSettings(BaseSettings):
    """Settings of the REST connector pipeline."""

    model_config = _ENV


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
