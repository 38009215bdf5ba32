"""`python -m worker invoke --job FILE`: run one job through the connector, print the outcome.

The job file (`-` for stdin) is a JSON object:

```json
{"variables": {"method": "GET", "url": "https://..."},
 "customHeaders": {"resultExpression": "={id: body.id}"},
 "retries": 3}
```

`variables` and `customHeaders` default to empty, `retries` to 3. The same pipeline as the
worker runs (secrets, FEEL, HTTP, result and error expressions), with the same settings
from the environment, and one JSON object is printed on stdout:

- `{"outcome": "complete", "variables": {...}}`
- `{"outcome": "fail", "errorMessage": ..., "retries": N, "retryBackOff": MS, "variables": {...}}`
- `{"outcome": "error", "errorCode": ..., "errorMessage": ..., "variables": {...}}`

Exit status 0 whatever the outcome; 2 when the job file cannot be read or is malformed, or
the settings are invalid. Log lines go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from worker.config import ConnectorSettings, ServiceSettings
from worker.connector import Connector
from worker.job import Complete, Fail, JobInput, Outcome, ThrowError
from worker.logs import configure_logging

_KEYS = ("variables", "customHeaders", "retries")


class JobFileError(Exception):
    """The job file cannot be read, or does not hold a job."""


def read_job(source: str) -> JobInput:
    """Read a job from the file `source` (`-`: stdin).

    Raises:
        JobFileError: unreadable, not JSON, or not shaped like a job (the message says how).
    """
    name = "stdin" if source == "-" else repr(source)
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise JobFileError(f"cannot read the job file {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise JobFileError(f"the job file {name} is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JobFileError(
            f"the job file {name} is not valid JSON: {exc.msg} (line {exc.lineno}, "
            f"column {exc.colno})"
        ) from None
    except RecursionError:
        raise JobFileError(f"the job file {name} is JSON nested too deeply to read") from None
    if not isinstance(data, dict):
        raise JobFileError(f"the job file {name} must hold a JSON object with {_expected()}")
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise JobFileError(
            f"the job file {name} has unknown keys {', '.join(map(repr, unknown))}; "
            f"expected {_expected()}"
        )
    variables = data.get("variables", {})
    headers = data.get("customHeaders", {})
    retries = data.get("retries", 3)
    if not isinstance(variables, dict):
        raise JobFileError(f"'variables' in {name} must be an object")
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise JobFileError(
            f"'customHeaders' in {name} must be an object of strings (Zeebe's task headers "
            "are text)"
        )
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise JobFileError(f"'retries' in {name} must be a whole number of 0 or more")
    return JobInput(key=1, variables=variables, custom_headers=headers, retries=retries)


def render(outcome: Outcome) -> dict[str, Any]:
    """The printed form of an outcome."""
    if isinstance(outcome, Complete):
        return {"outcome": "complete", "variables": outcome.variables}
    if isinstance(outcome, Fail):
        return {
            "outcome": "fail",
            "errorMessage": outcome.error_message,
            "retries": outcome.retries,
            "retryBackOff": outcome.retry_backoff_ms,
            "variables": outcome.variables,
        }
    assert isinstance(outcome, ThrowError)
    return {
        "outcome": "error",
        "errorCode": outcome.error_code,
        "errorMessage": outcome.error_message,
        "variables": outcome.variables,
    }


async def invoke(job: JobInput, settings: ConnectorSettings) -> Outcome:
    """Run `job` through a connector of its own."""
    async with Connector(settings) as connector:
        return await connector.run(job)


def main(argv: list[str]) -> int:
    """Entry point of `python -m worker invoke`; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m worker invoke",
        description="Run one REST connector job from a JSON file and print its outcome.",
    )
    parser.add_argument(
        "--job",
        required=True,
        metavar="FILE",
        help='JSON {"variables": {...}, "customHeaders": {...}, "retries": 3}; - reads stdin',
    )
    args = parser.parse_args(argv)
    try:
        job = read_job(args.job)
    except JobFileError as exc:
        print(f"invoke: {exc}", file=sys.stderr)
        return 2
    try:
        settings = ConnectorSettings()
        service = ServiceSettings()
    except ValidationError as exc:
        print(f"invoke: invalid settings: {exc}", file=sys.stderr)
        return 2
    configure_logging(service.log_level, service.log_format, levels=service.log_levels)
    outcome = asyncio.run(invoke(job, settings))
    print(json.dumps(render(outcome), ensure_ascii=False, indent=2))
    return 0


def _expected() -> str:
    return "keys " + ", ".join(f"'{key}'" for key in _KEYS)
