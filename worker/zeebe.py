"""The Zeebe gateway boundary: the only module that imports pyzeebe and grpc.

pyzeebe gives us the channels (plaintext, TLS with a CA file, OAuth client credentials,
Camunda SaaS) and the generated gateway stubs. We do not use its `ZeebeWorker`: it cannot
be configured around its pitfalls. It infers behaviour from the task function's signature
(broken by `from __future__ import annotations`), signals outcomes by exceptions, sends
`retries - 1` on every failure, sleeps a fixed 5 s after any gateway error (no backoff),
polls again only every `poll_retry_delay` seconds once max jobs are running, waits on
`stop()` for every queued job with no grace period, and counts transient errors over the
process lifetime until it quits. So the activation loop is ours (`worker.job_worker`), and
this module is the thin typed layer it stands on: `Gateway` sends one request and turns
the answer into our values (`JobInput`) or into one of our errors:

    GatewayError                  any failed gateway call; `.code` is the gRPC status name
    ├── GatewayTransientError     worth retrying with backoff
    │   ├── GatewayUnavailable    UNAVAILABLE, CANCELLED: no gateway, or it went away
    │   ├── GatewayBusy           RESOURCE_EXHAUSTED: back-pressure
    │   └── GatewayInternalError  INTERNAL, UNKNOWN, DEADLINE_EXCEEDED, ABORTED
    ├── GatewayAuthError          UNAUTHENTICATED, PERMISSION_DENIED (also retried: a
    │                             token server outage looks like this)
    ├── JobNotFound               NOT_FOUND: the job timed out and was taken, or cancelled
    ├── JobNotActive              FAILED_PRECONDITION: the job is in backoff or an incident
    └── GatewayRejected           INVALID_ARGUMENT and anything else: retrying cannot help

Connection rules: plaintext when no credentials, CA file or SaaS cluster are set and the
address has no https/grpcs scheme (ZEEBE_INSECURE_CONNECTION forces either way); TLS
otherwise; OAuth client credentials when a client id is set; SaaS when a cluster id is.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import grpc
from pyzeebe import (
    create_camunda_cloud_channel,
    create_insecure_channel,
    create_oauth2_client_credentials_channel,
    create_secure_channel,
)
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

if TYPE_CHECKING:
    from pyzeebe.proto.gateway_pb2_grpc import GatewayAsyncStub

from worker.config import ZeebeSettings
from worker.job import JobInput

SAAS_TOKEN_URL = "https://login.cloud.camunda.io/oauth/token"
SAAS_AUDIENCE = "zeebe.camunda.io"
# A unary command that takes longer than this is treated as lost (and retried).
COMMAND_CALL_TIMEOUT_S = 20.0
# An activation call may legitimately last its long-poll time; beyond that plus this
# margin the gateway is considered gone.
ACTIVATION_MARGIN_S = 10.0


class GatewayError(Exception):
    """A gateway call failed; `code` is the gRPC status name, `details` its message."""

    def __init__(self, code: str, details: str) -> None:
        super().__init__(f"{code}: {details}")
        self.code = code
        self.details = details


class GatewayTransientError(GatewayError):
    """The call may succeed if tried again later."""


class GatewayUnavailable(GatewayTransientError):
    """No gateway answers (not started, restarting, network down)."""


class GatewayBusy(GatewayTransientError):
    """The cluster asks clients to back off (RESOURCE_EXHAUSTED)."""


class GatewayInternalError(GatewayTransientError):
    """The gateway or broker failed internally, or the call ran out of time."""


class GatewayAuthError(GatewayError):
    """The gateway refused our credentials."""


class JobNotFound(GatewayError):
    """The job no longer exists: it timed out and was taken, was cancelled, or ended."""


class JobNotActive(GatewayError):
    """The job exists but cannot take this command (in retry backoff or an incident)."""


class GatewayRejected(GatewayError):
    """The gateway refused the request itself; sending it again cannot help."""


_ERRORS: dict[grpc.StatusCode, type[GatewayError]] = {
    grpc.StatusCode.UNAVAILABLE: GatewayUnavailable,
    grpc.StatusCode.CANCELLED: GatewayUnavailable,
    grpc.StatusCode.RESOURCE_EXHAUSTED: GatewayBusy,
    grpc.StatusCode.INTERNAL: GatewayInternalError,
    grpc.StatusCode.UNKNOWN: GatewayInternalError,
    grpc.StatusCode.DEADLINE_EXCEEDED: GatewayInternalError,
    grpc.StatusCode.ABORTED: GatewayInternalError,
    grpc.StatusCode.UNAUTHENTICATED: GatewayAuthError,
    grpc.StatusCode.PERMISSION_DENIED: GatewayAuthError,
    grpc.StatusCode.NOT_FOUND: JobNotFound,
    grpc.StatusCode.FAILED_PRECONDITION: JobNotActive,
}


def translate_error(error: grpc.aio.AioRpcError) -> GatewayError:
    """Map a gRPC error to ours (the one place where gRPC errors are interpreted)."""
    code = error.code()
    details = error.details() or ""
    return _ERRORS.get(code, GatewayRejected)(code.name, details)


# ----- connecting ----------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionPlan:
    """How the worker reaches its gateway, derived from the settings (no I/O)."""

    kind: str  # "plaintext" | "tls" | "oauth" | "saas"
    target: str  # host:port as gRPC dials it

    def describe(self) -> str:
        return f"{self.kind} to {self.target}"


def plan_connection(settings: ZeebeSettings) -> ConnectionPlan:
    """Decide plaintext, TLS, OAuth or SaaS, and the host:port to dial."""
    if settings.cluster_id:
        return ConnectionPlan(
            "saas", f"{settings.cluster_id}.{settings.region}.zeebe.camunda.io:443"
        )
    target, scheme_tls = _target(settings.address)
    if settings.client_id:
        return ConnectionPlan("oauth", target)
    if settings.insecure is not None:
        return ConnectionPlan("plaintext" if settings.insecure else "tls", target)
    if scheme_tls or settings.ca_certificate_path is not None:
        return ConnectionPlan("tls", target)
    return ConnectionPlan("plaintext", target)


def _target(address: str) -> tuple[str, bool]:
    """Return (host:port, whether the scheme asks for TLS) for an address or URL."""
    address = address.strip()
    if "://" not in address:
        return address, False
    parts = urlsplit(address)
    scheme = parts.scheme.lower()
    if scheme in ("dns", "unix", "ipv4", "ipv6", "unix-abstract"):
        return address, False  # a gRPC target name, used as it is
    tls = scheme in ("https", "grpcs")
    port = parts.port or (443 if tls else 26500)
    host = parts.hostname or "localhost"
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}", tls


def open_channel(
    settings: ZeebeSettings, options: Sequence[tuple[str, Any]] = ()
) -> grpc.aio.Channel:
    """Open the gRPC channel the settings describe (lazily: nothing is dialled yet).

    `options` are extra gRPC channel arguments (pyzeebe adds its keep-alive).
    """
    plan = plan_connection(settings)
    channel_options = (
        # Reconnect soon after the gateway comes back, not after gRPC's default backoff
        # that grows to two minutes.
        ("grpc.initial_reconnect_backoff_ms", _ms(settings.retry_backoff_initial)),
        ("grpc.min_reconnect_backoff_ms", _ms(settings.retry_backoff_initial)),
        ("grpc.max_reconnect_backoff_ms", _ms(settings.retry_backoff_max)),
        *options,
    )
    if plan.kind == "plaintext":
        return create_insecure_channel(plan.target, channel_options)
    credentials = _ssl_credentials(settings)
    if plan.kind == "tls":
        return create_secure_channel(plan.target, channel_options, credentials)
    secret = settings.client_secret.get_secret_value() if settings.client_secret else ""
    if plan.kind == "saas":
        return create_camunda_cloud_channel(
            client_id=settings.client_id or "",
            client_secret=secret,
            cluster_id=settings.cluster_id or "",
            region=settings.region,
            authorization_server=settings.token_url or SAAS_TOKEN_URL,
            scope=settings.scope,
            audience=settings.audience or SAAS_AUDIENCE,
            channel_credentials=credentials,
            channel_options=channel_options,
        )
    return create_oauth2_client_credentials_channel(
        grpc_address=plan.target,
        client_id=settings.client_id or "",
        client_secret=secret,
        authorization_server=settings.token_url or "",
        scope=settings.scope,
        audience=settings.audience,
        channel_credentials=credentials,
        channel_options=channel_options,
    )


def _ssl_credentials(settings: ZeebeSettings) -> grpc.ChannelCredentials:
    if settings.ca_certificate_path is None:
        return grpc.ssl_channel_credentials()
    return grpc.ssl_channel_credentials(root_certificates=settings.ca_certificate_path.read_bytes())


def _ms(value: Any) -> int:
    return max(1, int(value.total_seconds() * 1000))


# ----- calls ---------------------------------------------------------------------------


class Gateway:
    """Typed gateway calls over one channel; every gRPC error leaves as a `GatewayError`."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._channel = channel
        self._stub = cast("GatewayAsyncStub", GatewayStub(channel))

    async def close(self) -> None:
        await self._channel.close()

    async def topology(self) -> str:
        """Return the gateway's version (a cheap call to check the connection)."""
        try:
            response = await self._stub.Topology(
                pb.TopologyRequest(), timeout=COMMAND_CALL_TIMEOUT_S
            )
        except grpc.aio.AioRpcError as error:
            raise translate_error(error) from None
        return str(response.gatewayVersion)

    async def activate_jobs(
        self,
        *,
        job_type: str,
        worker: str,
        timeout_ms: int,
        max_jobs: int,
        request_timeout_ms: int,
        fetch_variables: Sequence[str] = (),
        tenant_ids: Sequence[str] = (),
    ) -> AsyncIterator[JobInput]:
        """Long-poll for up to `max_jobs` jobs; yield each one as it arrives.

        Raises:
            GatewayError: the call failed (jobs yielded before that are still ours).
        """
        request = pb.ActivateJobsRequest(
            type=job_type,
            worker=worker,
            timeout=timeout_ms,
            maxJobsToActivate=max_jobs,
            requestTimeout=request_timeout_ms,
            fetchVariable=list(fetch_variables),
            tenantIds=list(tenant_ids),
        )
        call = self._stub.ActivateJobs(
            request, timeout=request_timeout_ms / 1000 + ACTIVATION_MARGIN_S
        )
        try:
            async for response in call:
                for raw in response.jobs:
                    yield job_input(raw)
        except grpc.aio.AioRpcError as error:
            raise translate_error(error) from None
        finally:
            call.cancel()  # a no-op once finished; ends the call if our caller stopped early

    async def stream_jobs(
        self,
        *,
        job_type: str,
        worker: str,
        timeout_ms: int,
        fetch_variables: Sequence[str] = (),
        tenant_ids: Sequence[str] = (),
    ) -> AsyncIterator[JobInput]:
        """Open a job stream; yield jobs as the gateway pushes them, until it ends.

        Raises:
            GatewayError: the stream failed or could not be opened.
        """
        request = pb.StreamActivatedJobsRequest(
            type=job_type,
            worker=worker,
            timeout=timeout_ms,
            fetchVariable=list(fetch_variables),
            tenantIds=list(tenant_ids),
        )
        call = self._stub.StreamActivatedJobs(request)
        try:
            async for raw in call:
                yield job_input(raw)
        except grpc.aio.AioRpcError as error:
            raise translate_error(error) from None
        finally:
            call.cancel()

    async def complete_job(self, key: int, variables: dict[str, Any]) -> None:
        await self._unary(
            self._stub.CompleteJob,
            pb.CompleteJobRequest(jobKey=key, variables=json.dumps(variables)),
        )

    async def fail_job(
        self,
        key: int,
        *,
        retries: int,
        error_message: str,
        retry_backoff_ms: int,
        variables: dict[str, Any],
    ) -> None:
        await self._unary(
            self._stub.FailJob,
            pb.FailJobRequest(
                jobKey=key,
                retries=retries,
                errorMessage=error_message,
                retryBackOff=retry_backoff_ms,
                variables=json.dumps(variables),
            ),
        )

    async def throw_error(
        self, key: int, *, error_code: str, error_message: str, variables: dict[str, Any]
    ) -> None:
        await self._unary(
            self._stub.ThrowError,
            pb.ThrowErrorRequest(
                jobKey=key,
                errorCode=error_code,
                errorMessage=error_message,
                variables=json.dumps(variables),
            ),
        )

    async def update_job_timeout(self, key: int, timeout_ms: int) -> None:
        await self._unary(
            self._stub.UpdateJobTimeout,
            pb.UpdateJobTimeoutRequest(jobKey=key, timeout=timeout_ms),
        )

    async def _unary(self, method: Any, request: Any) -> None:
        try:
            await method(request, timeout=COMMAND_CALL_TIMEOUT_S)
        except grpc.aio.AioRpcError as error:
            raise translate_error(error) from None


def job_input(raw: pb.ActivatedJob) -> JobInput:
    """Turn an activated job from the wire into the connector's `JobInput`."""
    headers = json.loads(raw.customHeaders) if raw.customHeaders else {}
    return JobInput(
        key=raw.key,
        variables=json.loads(raw.variables) if raw.variables else {},
        custom_headers={str(name): str(value) for name, value in headers.items()},
        retries=raw.retries,
        type=raw.type,
        process_instance_key=raw.processInstanceKey,
        bpmn_process_id=raw.bpmnProcessId,
        element_id=raw.elementId,
        tenant_id=raw.tenantId,
        deadline_epoch_ms=raw.deadline or None,
    )
