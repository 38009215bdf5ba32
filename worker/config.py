"""Configuration, read from the environment (and an optional `.env`) with pydantic-settings.

Three groups, each owned by the part of the service that uses it:

- `ConnectorSettings`: secrets, HTTP client limits and defaults (worker.connector and friends);
- `ZeebeSettings`: gateway address, credentials, job activation (worker.zeebe);
- `ServiceSettings`: logging, metrics and the health endpoint (worker.service).

`Settings` gathers them; `python -m worker check-config` prints the effective values with
secrets masked.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

_ENV = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")


class ConnectorSettings(BaseSettings):
    """Settings of the REST connector pipeline."""

    model_config = _ENV


class ZeebeSettings(BaseSettings):
    """Settings of the Zeebe gateway connection and job activation."""

    model_config = _ENV


class ServiceSettings(BaseSettings):
    """Settings of logging, metrics and the health endpoint."""

    model_config = _ENV
