"""The REST connector: one job's inputs in, one outcome out, no Zeebe in sight.

```python
async with Connector(settings) as connector:
    outcome = await connector.run(job)   # Complete | Fail | ThrowError, never an exception
```

The story of a job, top to bottom:

1. task headers parsed: `retryBackoff`, result and error expressions compiled (a bad one
   fails the job before any request is sent);
2. inputs bound: FEEL evaluated, secrets replaced, values validated (`worker.request`);
3. request prepared and sent, credentials added, within the job's deadline
   (`worker.http_client`, `worker.auth`);
4. response mapped, status >= 400 made an error, result variable and expression applied;
5. outcome decided, with the error expression if any (`worker.outcome`);
6. secret values masked in every message and error variable of the outcome (in the error
   before its message is cut to the incident's length, so no secret is cut in two).
"""

from __future__ import annotations

import time
from types import TracebackType

import structlog

from worker.config import ConnectorSettings
from worker.errors import (
    ConnectorError,
    HttpStatusError,
    RequestTimeoutError,
    TaskHeaderError,
)
from worker.http_client import HttpClient
from worker.job import Complete, Fail, JobInput, Outcome, ThrowError
from worker.outcome import TaskHeaders, decide, failure, output_variables
from worker.redaction import SECRET_MASK, SecretMask
from worker.request import bind_inputs, prepare
from worker.response import response_value
from worker.secret_store import SecretAccess, SecretStore
from worker.wire import sendable_text, sendable_value

log = structlog.get_logger(__name__)

# Secrets the job did not use are masked in its outcome from this length on (see _finished).
_SHARED_SECRET_MIN_LENGTH = 8


class Connector:
    """Runs jobs of the REST connector over one shared HTTP client."""

    def __init__(self, settings: ConnectorSettings, *, http: HttpClient | None = None) -> None:
        self.settings = settings
        self.secrets = SecretStore(
            settings.secrets_prefix,
            settings.secrets_dir,
            access=SecretAccess(
                settings.secrets_allowed_names, settings.secrets_allowed_names_by_job_type
            ),
        )
        self.http = http or HttpClient(settings)

    async def __aenter__(self) -> Connector:
        if not self.settings.secrets_prefix:
            log.warning(
                "secrets.no_prefix",
                advice="every environment variable of the worker can be read as a secret; "
                "set SECRETS_PREFIX (default SECRET_)",
            )
        if not self.settings.deny_metadata:
            log.warning(
                "egress.metadata_allowed",
                advice="HTTP_DENY_METADATA is false: any job may call the cloud metadata "
                "service and read the node's credentials",
            )
        await self.http.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.http.close()

    async def run(self, job: JobInput) -> Outcome:
        """Run `job` and return its outcome; never raises for anything a job can contain."""
        mask = SecretMask()
        try:
            outcome = await self._run(job, mask)
        except Exception as exc:
            log.exception("connector.internal_error", job_key=job.key)
            outcome = Fail(
                f"The connector failed unexpectedly ({type(exc).__name__}: {exc}); this is a "
                "bug in the worker, please report it",
                retries=0,
            )
        return _finished(outcome, mask)

    async def _run(self, job: JobInput, mask: SecretMask) -> Outcome:
        try:
            headers = TaskHeaders.parse(job.custom_headers)
        except TaskHeaderError as exc:
            return failure(exc, job, 0)
        response = None
        outputs = {}
        error: ConnectorError | None = None
        try:
            used_secrets: dict[str, str] = {}
            try:
                inputs = bind_inputs(job.variables, self.secrets, used_secrets, job.type)
            finally:
                mask.add_all(used_secrets.values())
            request = prepare(inputs, self.settings.default_timeout_seconds)
            raw = await self.http.send(request, mask, total_timeout=self._time_left(job))
            response = response_value(raw, request.response_format)
            if raw.status >= 400:
                raise HttpStatusError(
                    raw.status, response["reason"], response["headers"], response["body"]
                )
            outputs = output_variables(response, headers)
        except ConnectorError as exc:
            exc.redact(mask)
            error = exc
        return decide(
            job,
            headers,
            response=response,
            outputs=outputs,
            error=error,
            mask=mask,
            max_output_bytes=self.settings.max_output_bytes,
        )

    def _time_left(self, job: JobInput) -> float | None:
        """Seconds the request may take so that the outcome is decided before the deadline.

        Raises:
            RequestTimeoutError: too little time is left to send the request at all.
        """
        if job.deadline_epoch_ms is None:
            return None
        margin = self.settings.deadline_margin_seconds
        left = job.deadline_epoch_ms / 1000 - time.time() - margin
        if left <= 0:
            raise RequestTimeoutError(
                f"The job's deadline is {margin:g} s away or less (the safety margin, "
                "JOB_DEADLINE_MARGIN_SECONDS); the request was not sent",
                code="TIMEOUT",
            )
        return left


def _finished(outcome: Outcome, mask: SecretMask) -> Outcome:
    """The outcome as it may leave the connector: secrets masked, text Zeebe can carry.

    Secrets are masked in the message and variables of a failure or BPMN error: the job's
    own credentials first, then every secret of 8 characters or more the process knows (a
    server may echo a secret this job did not use). Lone surrogates, which no UTF-8 command
    can carry, become escapes (a completion's variables were seen to by `decide`).
    """
    if isinstance(outcome, Complete):
        return outcome
    shared = SECRET_MASK.at_least(_SHARED_SECRET_MIN_LENGTH)
    message = sendable_text(shared.redact(mask.redact(outcome.error_message)))
    variables = sendable_value(shared.redact_value(mask.redact_value(outcome.variables)))
    if isinstance(outcome, Fail):
        return Fail(message, outcome.retries, outcome.retry_backoff_ms, variables)
    return ThrowError(sendable_text(outcome.error_code), message, variables)
