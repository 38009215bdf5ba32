"""Fixtures of the connector tests: a loopback API, settings, a running connector."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.connector.servers import Api
from worker.config import ConnectorSettings
from worker.connector import Connector
from worker.job import JobInput, Outcome

SECRET_PREFIX = "CONNECTOR_TEST_SECRET_"

Run = Callable[..., Awaitable[Outcome]]


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    server = Api()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
def secrets_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "secrets"
    directory.mkdir()
    return directory


@pytest.fixture
def settings(secrets_dir: Path) -> ConnectorSettings:
    return ConnectorSettings(secrets_prefix=SECRET_PREFIX, secrets_dir=secrets_dir)


@pytest.fixture
async def connector(settings: ConnectorSettings) -> AsyncIterator[Connector]:
    async with Connector(settings) as running:
        yield running


def job(
    variables: dict[str, Any],
    headers: dict[str, str] | None = None,
    *,
    retries: int = 3,
    deadline_epoch_ms: int | None = None,
) -> JobInput:
    return JobInput(
        key=1,
        variables=variables,
        custom_headers=headers or {},
        retries=retries,
        deadline_epoch_ms=deadline_epoch_ms,
    )


@pytest.fixture
def run(connector: Connector) -> Run:
    """`await run(variables, headers=None, retries=3, deadline_epoch_ms=None)`."""

    async def run_job(
        variables: dict[str, Any],
        headers: dict[str, str] | None = None,
        **options: Any,
    ) -> Outcome:
        return await connector.run(job(variables, headers, **options))

    return run_job
