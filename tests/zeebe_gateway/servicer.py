"""The gRPC face of the double: Zeebe's gateway protocol (pyzeebe's generated stubs)
over a `GatewayState`.

Request validation follows the real gateway (INVALID_ARGUMENT for an empty job type, a
non-positive maxJobsToActivate or timeout); rejected commands map to the status codes
Zeebe uses (NOT_FOUND, FAILED_PRECONDITION, INVALID_ARGUMENT). Injected faults
(`GatewayState.inject`) apply to every method, ActivateJobs and Topology included.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import grpc
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayServicer

from .state import CommandRejected, GatewayState, Job, now_ms

# Zeebe splits large activations over several responses; so do we, by job count.
JOBS_PER_RESPONSE = 64


class DoubleGatewayServicer(GatewayServicer):  # type: ignore[misc]
    """Answers gateway RPCs from a shared `GatewayState`."""

    def __init__(self, state: GatewayState, token: str | None = None) -> None:
        self.state = state
        self.token = token
        self.authorizations: list[str] = []  # the authorization metadata of each call

    async def _authorize(self, context: grpc.aio.ServicerContext) -> None:
        if self.token is None:
            return
        metadata = dict(context.invocation_metadata() or ())
        given = str(metadata.get("authorization", ""))
        self.authorizations.append(given)
        if given != f"Bearer {self.token}":
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong bearer token")

    async def ActivateJobs(
        self, request: pb.ActivateJobsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ActivateJobsResponse]:
        await self._authorize(context)
        state = self.state
        state.activate_requests += 1
        state.activation_requests.append((request.type, request.maxJobsToActivate))
        await _raise_fault(state, "ActivateJobs", context)
        if not request.type:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "type must not be empty")
        if request.maxJobsToActivate < 1:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"maxJobsToActivate must be greater than 0, got {request.maxJobsToActivate}",
            )
        if request.timeout < 1:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"timeout must be greater than 0, got {request.timeout}",
            )
        if (problem := state.tenant_problem(request.tenantIds)) is not None:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, problem)
        long_poll_ms = request.requestTimeout or state.long_poll_default_ms
        give_up_at = now_ms() + max(long_poll_ms, 0)
        while True:
            activated = state.activate(
                request.type,
                request.worker,
                request.timeout,
                request.maxJobsToActivate,
                request.fetchVariable,
                request.tenantIds,
            )
            if activated:
                for start in range(0, len(activated), JOBS_PER_RESPONSE):
                    chunk = activated[start : start + JOBS_PER_RESPONSE]
                    yield pb.ActivateJobsResponse(
                        jobs=[_activated_job(state, job, vs) for job, vs in chunk]
                    )
                return
            remaining_ms = give_up_at - now_ms()
            if request.requestTimeout < 0 or remaining_ms <= 0:
                return
            await state.wait_for_change(remaining_ms / 1000)

    async def StreamActivatedJobs(
        self, request: pb.StreamActivatedJobsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ActivatedJob]:
        await self._authorize(context)
        state = self.state
        await _raise_fault(state, "StreamActivatedJobs", context)
        if not request.type:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "type must not be empty")
        if request.timeout < 1:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"timeout must be greater than 0, got {request.timeout}",
            )
        if (problem := state.tenant_problem(request.tenantIds)) is not None:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, problem)
        stream = state.open_stream(
            request.type, request.worker, request.timeout, request.fetchVariable, request.tenantIds
        )
        try:
            while True:
                due = state.next_timer_ms()
                wait_s = 1.0 if due is None else max(0.001, (due - now_ms()) / 1000 + 0.001)
                try:
                    job = await asyncio.wait_for(stream.queue.get(), min(wait_s, 1.0))
                except TimeoutError:
                    state.fire_due_timers()  # deadlines and backoffs push jobs here
                    continue
                if job.state != "ACTIVATED" or job.worker != stream.worker:
                    continue
                yield _activated_job(state, job, state.fetched_variables(job, stream.fetch))
        finally:
            state.close_stream(stream)

    async def CompleteJob(
        self, request: pb.CompleteJobRequest, context: grpc.aio.ServicerContext
    ) -> pb.CompleteJobResponse:
        await self._authorize(context)
        await _run(context, self.state.complete, request.jobKey, request.variables)
        return pb.CompleteJobResponse()

    async def FailJob(
        self, request: pb.FailJobRequest, context: grpc.aio.ServicerContext
    ) -> pb.FailJobResponse:
        await self._authorize(context)
        await _run(
            context,
            self.state.fail,
            request.jobKey,
            request.retries,
            request.errorMessage,
            request.retryBackOff,
            request.variables,
        )
        return pb.FailJobResponse()

    async def ThrowError(
        self, request: pb.ThrowErrorRequest, context: grpc.aio.ServicerContext
    ) -> pb.ThrowErrorResponse:
        await self._authorize(context)
        await _run(
            context,
            self.state.throw_error,
            request.jobKey,
            request.errorCode,
            request.errorMessage,
            request.variables,
        )
        return pb.ThrowErrorResponse()

    async def UpdateJobTimeout(
        self, request: pb.UpdateJobTimeoutRequest, context: grpc.aio.ServicerContext
    ) -> pb.UpdateJobTimeoutResponse:
        await self._authorize(context)
        await _run(context, self.state.update_timeout, request.jobKey, request.timeout)
        return pb.UpdateJobTimeoutResponse()

    async def Topology(
        self, request: pb.TopologyRequest, context: grpc.aio.ServicerContext
    ) -> pb.TopologyResponse:
        await self._authorize(context)
        await _raise_fault(self.state, "Topology", context)
        partition = pb.Partition(
            partitionId=1, role=pb.Partition.LEADER, health=pb.Partition.HEALTHY
        )
        broker = pb.BrokerInfo(
            nodeId=0, host="127.0.0.1", port=26501, partitions=[partition], version="8.7.0"
        )
        return pb.TopologyResponse(
            brokers=[broker],
            clusterSize=1,
            partitionsCount=1,
            replicationFactor=1,
            gatewayVersion="8.7.0-double",
        )


def _activated_job(state: GatewayState, job: Job, variables: dict[str, Any]) -> pb.ActivatedJob:
    text = json.dumps(variables)
    state.activated_bytes += len(text)
    return pb.ActivatedJob(
        key=job.key,
        type=job.type,
        processInstanceKey=job.process_instance_key,
        bpmnProcessId=job.bpmn_process_id,
        processDefinitionVersion=job.process_definition_version,
        processDefinitionKey=job.process_definition_key,
        elementId=job.element_id,
        elementInstanceKey=job.element_instance_key,
        customHeaders=json.dumps(job.custom_headers),
        worker=job.worker,
        retries=job.retries,
        deadline=job.deadline_ms,
        variables=text,
        tenantId=job.tenant_id,
    )


async def _raise_fault(state: GatewayState, method: str, context: grpc.aio.ServicerContext) -> None:
    fault = state.check_fault(method)
    if fault is not None:
        state.record_rejection(method, 0, fault.code, {})
        await context.abort(getattr(grpc.StatusCode, fault.code), fault.message)


async def _run(context: grpc.aio.ServicerContext, command: Any, *args: Any) -> None:
    try:
        command(*args)
    except CommandRejected as rejected:
        await context.abort(getattr(grpc.StatusCode, rejected.code), rejected.message)
