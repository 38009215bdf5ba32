"""Everything that can go wrong while the connector runs a job, as one exception tree.

```
ConnectorError                   code, message, variables; retryable or not
├── InputError                   INVALID_INPUT           no retry: the same input fails again
│   ├── SecretNotFoundError      SECRET_NOT_FOUND
│   ├── SecretNotAllowedError    SECRET_NOT_ALLOWED      the job type may not use that secret
│   ├── TaskHeaderError          INVALID_TASK_HEADER     retryBackoff, expression syntax
│   └── UnsupportedInputError    UNSUPPORTED_INPUT       Camunda features this worker cannot offer
├── ExpressionError              RESULT_EXPRESSION_ERROR / ERROR_EXPRESSION_ERROR   no retry
├── OutputTooLargeError          OUTPUT_TOO_LARGE        no retry
├── ResponseTooLargeError        RESPONSE_TOO_LARGE, RESPONSE_HEADERS_TOO_LARGE      no retry
├── BlockedDestinationError      DESTINATION_BLOCKED     no retry: the egress policy forbids it
├── HttpStatusError              "<status>", e.g. "404"  retried
├── OAuthError                   OAUTH_TOKEN_ERROR, OAUTH_REFRESH_TOKEN_EXPIRED,
│                                OAUTH_INTERACTION_REQUIRED                          retried
└── TransportError                                       retried
    ├── RequestTimeoutError      CONNECT_TIMEOUT, READ_TIMEOUT, TIMEOUT
    ├── ConnectionRefusedByPeerError  CONNECTION_REFUSED
    ├── DnsError                 DNS_FAILURE
    ├── TlsError                 TLS_ERROR
    ├── RedirectLimitError       TOO_MANY_REDIRECTS
    └── ConnectionFailedError    CONNECTION_ERROR (resets, protocol errors, anything else)
```

"No retry" errors fail the job with retries 0 (an incident right away): retrying cannot help,
and after the HTTP call it could repeat a request that is not idempotent. The others fail it
with the job's retries minus one. An error expression can override either.

`code` is what an error expression sees as `error.code`; `message` is `error.message`;
`variables` is `error.variables`; `incident_message()` is the readable text of the incident.
Messages may contain secret values until the connector masks them on the way out.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from worker.redaction import SecretMask

INCIDENT_MESSAGE_LIMIT = 6000


def shorten(text: str, limit: int) -> str:
    """Return `text` cut to at most `limit` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + "…"


class ConnectorError(Exception):
    """Base of every error the connector reports as a job outcome."""

    code: str = "CONNECTOR_ERROR"
    retryable: ClassVar[bool] = True

    def __init__(
        self, message: str, *, code: str | None = None, variables: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.variables: dict[str, Any] = variables or {}

    @property
    def type(self) -> str:
        """The error's kind as an error expression sees it (`error.type`)."""
        return type(self).__name__

    def retries(self, job_retries: int) -> int:
        """Retries left after this failure: the job's minus one, or 0 when not retryable."""
        return max(job_retries - 1, 0) if self.retryable else 0

    def redact(self, mask: SecretMask) -> None:
        """Mask secret values in the message and variables, before anything cuts them short.

        Masking after a cut would miss a secret sliced in two by it, and leak its start.
        """
        self.message = mask.redact(self.message)
        self.variables = mask.redact_value(self.variables)

    def incident_message(self) -> str:
        """The text of the incident (Zeebe's `errorMessage`), capped at 6000 characters."""
        return shorten(self.message, INCIDENT_MESSAGE_LIMIT)

    def as_variable(self) -> dict[str, Any]:
        """The `error` context: what a BPMN model or an error expression reads."""
        return {
            "code": self.code,
            "message": self.message,
            "type": self.type,
            "variables": self.variables,
        }


class InputError(ConnectorError):
    """The job's inputs are wrong (bad method, URL, timeout, auth field, ...)."""

    code = "INVALID_INPUT"
    retryable = False


class SecretNotFoundError(InputError):
    """A `{{secrets.NAME}}` placeholder names a secret that no source provides."""

    code = "SECRET_NOT_FOUND"

    def __init__(self, name: str, where: str) -> None:
        super().__init__(f"Secret '{name}' is not available ({where}); referenced by the inputs")
        self.name = name


class SecretNotAllowedError(InputError):
    """A placeholder names a secret that jobs of this type may not use (SECRETS_ALLOWED_*)."""

    code = "SECRET_NOT_ALLOWED"

    def __init__(self, name: str, job_type: str, allowed: str) -> None:
        super().__init__(
            f"Secret '{name}' may not be used by jobs of type '{job_type}' (allowed: {allowed}); "
            "referenced by the inputs"
        )
        self.name = name


class TaskHeaderError(InputError):
    """A task header (retryBackoff, resultExpression, errorExpression, ...) is invalid."""

    code = "INVALID_TASK_HEADER"


class UnsupportedInputError(InputError):
    """The inputs ask for a Camunda feature this worker does not offer."""

    code = "UNSUPPORTED_INPUT"


class ExpressionError(ConnectorError):
    """The result or error expression failed or returned something unusable."""

    retryable = False

    def __init__(self, header: str, message: str) -> None:
        error_code = "ERROR" if header == "errorExpression" else "RESULT"
        super().__init__(f"{header}: {message}", code=f"{error_code}_EXPRESSION_ERROR")


class OutputTooLargeError(ConnectorError):
    """The variables to write back exceed the configured size limit."""

    code = "OUTPUT_TOO_LARGE"
    retryable = False


class ResponseTooLargeError(ConnectorError):
    """The response body exceeds the configured limit; it was not read to the end."""

    code = "RESPONSE_TOO_LARGE"
    retryable = False


class BlockedDestinationError(ConnectorError):
    """The egress policy forbids the destination (SSRF guard): an address, host, port or URL
    rule matched. Retrying cannot help, so there is none; the message names the rule."""

    code = "DESTINATION_BLOCKED"
    retryable = False

    def __init__(self, message: str, destination: str) -> None:
        super().__init__(message)
        self.destination = destination


class HttpStatusError(ConnectorError):
    """The server answered with a status of 400 or more.

    `code` is the status as a string and `message` the reason phrase, as in Camunda's
    connector; `variables` is `{response: {headers, body}}`.
    """

    def __init__(self, status: int, reason: str, headers: dict[str, Any], body: Any) -> None:
        super().__init__(
            reason,
            code=str(status),
            variables={"response": {"headers": headers, "body": body}},
        )
        self.status = status
        self.body = body

    def redact(self, mask: SecretMask) -> None:
        super().redact(mask)
        self.body = mask.redact_value(self.body)

    def incident_message(self) -> str:
        text = f"HTTP {self.status} {self.message}".rstrip()
        if self.body is not None and self.body != "":
            body = self.body if isinstance(self.body, str) else _compact_json(self.body)
            text = f"{text}: {' '.join(body.split())}"
        return shorten(text, INCIDENT_MESSAGE_LIMIT)


class OAuthError(ConnectorError):
    """The OAuth token endpoint refused to give a token, or answered something unusable."""

    code = "OAUTH_TOKEN_ERROR"


class TransportError(ConnectorError):
    """No usable HTTP response arrived: timeouts, refused connections, DNS, TLS, resets."""

    code = "CONNECTION_ERROR"


class RequestTimeoutError(TransportError):
    """A timeout fired: `CONNECT_TIMEOUT` (the request was never sent), `READ_TIMEOUT`
    (the server went quiet) or `TIMEOUT` (the job's deadline)."""

    code = "TIMEOUT"


class ConnectionRefusedByPeerError(TransportError):
    """Nothing listens at the target address (the request was never sent)."""

    code = "CONNECTION_REFUSED"


class DnsError(TransportError):
    """The host name could not be resolved (the request was never sent)."""

    code = "DNS_FAILURE"


class TlsError(TransportError):
    """The TLS handshake failed: untrusted or mismatched certificate, or a protocol error."""

    code = "TLS_ERROR"


class RedirectLimitError(TransportError):
    """`followRedirects` is on and the server redirected more times than allowed."""

    code = "TOO_MANY_REDIRECTS"


class ConnectionFailedError(TransportError):
    """The connection failed or broke, or the server's answer was not valid HTTP."""

    code = "CONNECTION_ERROR"


def _compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
