"""The gateway double itself, driven with the raw generated stub (no worker code).

If the double's semantics were wrong, every end-to-end test built on it would prove
nothing; these pin down what Zeebe does and the double must do too.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import grpc
import pytest
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from tests.zeebe_gateway import GatewayDouble, GatewayProcess

TYPE = "io.camunda:http-json:1"


@pytest.fixture
async def double() -> AsyncIterator[GatewayDouble]:
    async with GatewayDouble() as gateway:
        yield gateway


@pytest.fixture
async def stub(double: GatewayDouble) -> AsyncIterator[GatewayStub]:
    async with grpc.aio.insecure_channel(double.address) as channel:
        yield GatewayStub(channel)


async def activate(
    stub: GatewayStub,
    *,
    type: str = TYPE,
    max_jobs: int = 10,
    timeout: int = 60_000,
    request_timeout: int = -1,
    fetch: tuple[str, ...] = (),
    worker: str = "test-worker",
    tenants: tuple[str, ...] = (),
) -> list[pb.ActivatedJob]:
    jobs: list[pb.ActivatedJob] = []
    async for response in stub.ActivateJobs(
        pb.ActivateJobsRequest(
            type=type,
            worker=worker,
            timeout=timeout,
            maxJobsToActivate=max_jobs,
            requestTimeout=request_timeout,
            fetchVariable=fetch,
            tenantIds=tenants,
        )
    ):
        jobs.extend(response.jobs)
    return jobs


async def code_of(call: object) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call  # type: ignore[misc]
    return raised.value.code()


async def test_topology_describes_one_healthy_broker(stub: GatewayStub) -> None:
    topology = await stub.Topology(pb.TopologyRequest())
    assert topology.clusterSize == 1
    assert topology.brokers[0].partitions[0].health == pb.Partition.HEALTHY


async def test_activation_hands_out_the_job_with_deadline_worker_and_payload(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    key = double.state.create_job(
        TYPE, variables={"url": "http://x", "other": 1}, custom_headers={"resultVariable": "r"}
    )
    before = time.time() * 1000
    [job] = await activate(stub, timeout=30_000)
    assert job.key == key
    assert job.type == TYPE
    assert job.worker == "test-worker"
    assert json.loads(job.variables) == {"url": "http://x", "other": 1}
    assert json.loads(job.customHeaders) == {"resultVariable": "r"}
    assert job.retries == 3
    assert before + 30_000 - 50 <= job.deadline <= time.time() * 1000 + 30_000 + 50


async def test_fetch_variables_restricts_the_payload(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    double.state.create_job(TYPE, variables={"url": "u", "method": "GET", "big": "x" * 1000})
    [job] = await activate(stub, fetch=("url", "method", "missing"))
    assert json.loads(job.variables) == {"url": "u", "method": "GET"}


async def test_activation_respects_max_jobs_and_type(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    double.state.create_jobs(5, TYPE)
    double.state.create_job("other")
    assert len(await activate(stub, max_jobs=3)) == 3
    assert len(await activate(stub, max_jobs=10)) == 2
    assert await activate(stub) == []  # all activated, none of them time out yet
    assert len(await activate(stub, type="other")) == 1


@pytest.mark.parametrize(
    ("type", "max_jobs", "timeout"),
    [("", 1, 1000), (TYPE, 0, 1000), (TYPE, 1, 0)],
    ids=["empty type", "max jobs 0", "timeout 0"],
)
async def test_invalid_activation_requests_are_rejected(
    stub: GatewayStub, type: str, max_jobs: int, timeout: int
) -> None:
    call = activate(stub, type=type, max_jobs=max_jobs, timeout=timeout)
    assert await code_of(call) == grpc.StatusCode.INVALID_ARGUMENT


async def test_activation_hands_out_only_the_jobs_of_the_tenants_asked_for(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    double.state.multi_tenancy = True
    default = double.state.create_job(TYPE)
    a = double.state.create_job(TYPE, tenant_id="tenant-a")
    b = double.state.create_job(TYPE, tenant_id="tenant-b")
    [job] = await activate(stub)  # no tenant ids: the default tenant
    assert (job.key, job.tenantId) == (default, "<default>")
    [job] = await activate(stub, tenants=("tenant-b",))
    assert (job.key, job.tenantId) == (b, "tenant-b")
    # tenant-a's job was passed over twice and is still first in line for its tenant
    assert [j.key for j in await activate(stub, tenants=("tenant-a", "tenant-b"))] == [a]


async def test_other_tenants_are_refused_without_multi_tenancy(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    double.state.create_job(TYPE)
    assert await code_of(activate(stub, tenants=("tenant-a",))) == grpc.StatusCode.INVALID_ARGUMENT
    stream = stub.StreamActivatedJobs(
        pb.StreamActivatedJobsRequest(type=TYPE, worker="s", timeout=1000, tenantIds=["x"])
    )
    assert await code_of(stream.read()) == grpc.StatusCode.INVALID_ARGUMENT
    [job] = await activate(stub, tenants=("<default>",))  # the default tenant by name is fine
    assert job.tenantId == "<default>"


async def test_a_stream_gets_only_its_tenants_jobs(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    double.state.multi_tenancy = True
    call = stub.StreamActivatedJobs(
        pb.StreamActivatedJobsRequest(type=TYPE, worker="s", timeout=60_000, tenantIds=["t1"])
    )
    await until(lambda: double.state.open_streams(TYPE) == 1)
    other = double.state.create_job(TYPE, tenant_id="t2")
    mine = double.state.create_job(TYPE, tenant_id="t1")
    job = await asyncio.wait_for(call.read(), 2)
    assert (job.key, job.tenantId) == (mine, "t1")
    assert double.state.jobs[other].state == "ACTIVATABLE"  # left for t2's pollers
    assert [j.key for j in await activate(stub, tenants=("t2",))] == [other]
    call.cancel()


async def test_long_poll_waits_for_request_timeout_when_no_job_comes(stub: GatewayStub) -> None:
    started = time.monotonic()
    assert await activate(stub, request_timeout=300) == []
    assert 0.25 <= time.monotonic() - started < 2


async def test_negative_request_timeout_returns_at_once(stub: GatewayStub) -> None:
    started = time.monotonic()
    assert await activate(stub, request_timeout=-1) == []
    assert time.monotonic() - started < 0.2


async def test_a_job_created_during_a_long_poll_is_handed_to_it(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    poll = asyncio.create_task(activate(stub, request_timeout=10_000))
    await asyncio.sleep(0.2)
    assert not poll.done()
    key = double.state.create_job(TYPE)
    started = time.monotonic()
    jobs = await asyncio.wait_for(poll, 2)
    assert [job.key for job in jobs] == [key]
    assert time.monotonic() - started < 0.5


async def test_a_job_is_activatable_again_once_its_deadline_passed(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    key = double.state.create_job(TYPE)
    [first] = await activate(stub, timeout=200, worker="a")
    assert await activate(stub) == []
    [second] = await activate(stub, request_timeout=2000, worker="b")  # waits for the deadline
    assert first.key == second.key == key
    assert second.worker == "b"
    assert double.state.jobs[key].activations == 2


async def test_complete_ends_the_job_and_later_commands_are_not_found(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    key = double.state.create_job(TYPE, variables={"a": 1})
    await activate(stub)
    await stub.CompleteJob(pb.CompleteJobRequest(jobKey=key, variables='{"result": 2}'))
    assert double.state.jobs[key].state == "COMPLETED"
    assert double.state.jobs[key].variables == {"a": 1, "result": 2}
    again = stub.CompleteJob(pb.CompleteJobRequest(jobKey=key, variables="{}"))
    assert await code_of(again) == grpc.StatusCode.NOT_FOUND
    fail = stub.FailJob(pb.FailJobRequest(jobKey=key, retries=1))
    assert await code_of(fail) == grpc.StatusCode.NOT_FOUND
    assert double.state.problems_with_exactly_once([key]) == []


async def test_unknown_job_keys_are_not_found(stub: GatewayStub) -> None:
    for call in (
        stub.CompleteJob(pb.CompleteJobRequest(jobKey=42)),
        stub.FailJob(pb.FailJobRequest(jobKey=42, retries=1)),
        stub.ThrowError(pb.ThrowErrorRequest(jobKey=42, errorCode="E")),
        stub.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=42, timeout=1000)),
    ):
        assert await code_of(call) == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("variables", ["[1, 2]", '"text"', "3", "{not json"])
async def test_complete_variables_must_be_a_json_object(
    double: GatewayDouble, stub: GatewayStub, variables: str
) -> None:
    key = double.state.create_job(TYPE)
    await activate(stub)
    call = stub.CompleteJob(pb.CompleteJobRequest(jobKey=key, variables=variables))
    assert await code_of(call) == grpc.StatusCode.INVALID_ARGUMENT
    assert double.state.jobs[key].state == "ACTIVATED"  # nothing changed


async def test_fail_with_backoff_delays_the_next_activation(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    key = double.state.create_job(TYPE, retries=3)
    await activate(stub)
    await stub.FailJob(
        pb.FailJobRequest(jobKey=key, retries=2, errorMessage="boom", retryBackOff=400)
    )
    assert await activate(stub) == []  # in backoff
    started = time.monotonic()
    [job] = await activate(stub, request_timeout=3000)
    assert 0.25 <= time.monotonic() - started < 1.5
    assert job.key == key
    assert job.retries == 2


async def test_fail_without_backoff_is_activatable_at_once(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    key = double.state.create_job(TYPE)
    await activate(stub)
    await stub.FailJob(pb.FailJobRequest(jobKey=key, retries=1, errorMessage="x"))
    [job] = await activate(stub)
    assert (job.key, job.retries) == (key, 1)


async def test_fail_with_no_retries_left_raises_an_incident(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    key = double.state.create_job(TYPE)
    await activate(stub)
    await stub.FailJob(pb.FailJobRequest(jobKey=key, retries=0, errorMessage="bad input"))
    job = double.state.jobs[key]
    assert (job.state, job.error_message) == ("INCIDENT", "bad input")
    assert await activate(stub) == []
    complete = stub.CompleteJob(pb.CompleteJobRequest(jobKey=key))
    assert await code_of(complete) == grpc.StatusCode.FAILED_PRECONDITION
    assert double.state.problems_with_exactly_once([key]) == []


async def test_throw_error_ends_the_job_and_needs_a_code(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    key = double.state.create_job(TYPE)
    await activate(stub)
    empty = stub.ThrowError(pb.ThrowErrorRequest(jobKey=key, errorCode=""))
    assert await code_of(empty) == grpc.StatusCode.INVALID_ARGUMENT
    await stub.ThrowError(
        pb.ThrowErrorRequest(jobKey=key, errorCode="404", errorMessage="Not Found")
    )
    job = double.state.jobs[key]
    assert (job.state, job.error_code) == ("ERROR_THROWN", "404")
    again = stub.CompleteJob(pb.CompleteJobRequest(jobKey=key))
    assert await code_of(again) == grpc.StatusCode.NOT_FOUND


async def test_update_job_timeout_moves_the_deadline(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    key = double.state.create_job(TYPE)
    await activate(stub, timeout=200)
    await stub.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=key, timeout=5_000))
    assert await activate(stub, request_timeout=500) == []  # the old deadline did not count
    assert double.state.jobs[key].deadline_ms > time.time() * 1000 + 4000


async def test_update_job_timeout_needs_an_activated_job(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    key = double.state.create_job(TYPE)
    call = stub.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=key, timeout=5_000))
    assert await code_of(call) == grpc.StatusCode.FAILED_PRECONDITION


async def test_a_timed_out_job_can_still_be_completed_until_reactivated(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    key = double.state.create_job(TYPE)
    await activate(stub, timeout=50)
    await asyncio.sleep(0.1)
    await stub.CompleteJob(pb.CompleteJobRequest(jobKey=key))  # as Zeebe allows
    assert await activate(stub) == []


@pytest.mark.parametrize("code", ["RESOURCE_EXHAUSTED", "UNAVAILABLE"])
async def test_injected_faults_fail_the_next_calls_then_stop(
    double: GatewayDouble, stub: GatewayStub, code: str
) -> None:
    key = double.state.create_job(TYPE)
    double.state.inject("ActivateJobs", code, times=2)
    for _ in range(2):
        assert await code_of(activate(stub)) == getattr(grpc.StatusCode, code)
    [job] = await activate(stub)
    double.state.inject("CompleteJob", code)
    complete = stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
    assert await code_of(complete) == getattr(grpc.StatusCode, code)
    assert double.state.jobs[key].state == "ACTIVATED"  # the rejected command did nothing
    await stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
    assert [c.code for c in double.state.commands if c.method == "CompleteJob"] == [code, "OK"]


async def test_a_fault_after_apply_loses_only_the_answer(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    key = double.state.create_job(TYPE)
    await activate(stub)
    double.state.inject("CompleteJob", "UNAVAILABLE", after_apply=True)
    complete = stub.CompleteJob(pb.CompleteJobRequest(jobKey=key))
    assert await code_of(complete) == grpc.StatusCode.UNAVAILABLE
    assert double.state.jobs[key].state == "COMPLETED"
    retry = stub.CompleteJob(pb.CompleteJobRequest(jobKey=key))
    assert await code_of(retry) == grpc.StatusCode.NOT_FOUND


async def test_exactly_once_check_reports_jobs_that_never_ended(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    done, left = double.state.create_jobs(2, TYPE)
    await activate(stub)
    await stub.CompleteJob(pb.CompleteJobRequest(jobKey=done))
    assert double.state.problems_with_exactly_once([done, left]) == [
        f"job {left} ended 0 times (state ACTIVATED)"
    ]


async def test_the_gateway_can_go_away_and_come_back_on_the_same_port(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    key = double.state.create_job(TYPE)
    port = double.port
    await double.stop()
    assert await code_of(stub.Topology(pb.TopologyRequest())) == grpc.StatusCode.UNAVAILABLE
    await double.start()
    assert double.port == port
    # the same channel reconnects (after gRPC's reconnect backoff); the job is still there
    await stub.Topology(pb.TopologyRequest(), wait_for_ready=True, timeout=10)
    [job] = await activate(stub)
    assert job.key == key


async def test_stopping_the_gateway_ends_a_pending_long_poll(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    poll = asyncio.create_task(activate(stub, request_timeout=10_000))
    await asyncio.sleep(0.2)
    await double.stop()
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await asyncio.wait_for(poll, 5)
    assert raised.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED)


async def test_the_double_runs_as_a_subprocess_with_an_admin_api() -> None:
    async with GatewayProcess() as gateway:
        keys = await gateway.create_jobs(3, TYPE, variables={"a": 1})
        async with grpc.aio.insecure_channel(gateway.address) as channel:
            stub = GatewayStub(channel)
            jobs = await activate(stub)
            assert sorted(job.key for job in jobs) == sorted(keys)
            await gateway.inject("CompleteJob", "RESOURCE_EXHAUSTED")
            assert await code_of(stub.CompleteJob(pb.CompleteJobRequest(jobKey=keys[0]))) == (
                grpc.StatusCode.RESOURCE_EXHAUSTED
            )
            for key in keys:
                await stub.CompleteJob(pb.CompleteJobRequest(jobKey=key))
            await gateway.stop_gateway()
            with pytest.raises(grpc.aio.AioRpcError):
                await stub.Topology(pb.TopologyRequest())
            await gateway.start_gateway()
            await stub.Topology(pb.TopologyRequest(), wait_for_ready=True, timeout=10)
        assert await gateway.problems_with_exactly_once(keys) == []
        summary = await gateway.summary()
        assert summary["states"] == {"COMPLETED": 3}
        assert summary["commands"]["CompleteJob"] == {"RESOURCE_EXHAUSTED": 1, "OK": 3}
        assert (await gateway.job(keys[0]))["state"] == "COMPLETED"


async def until(check: object, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


async def test_a_job_stream_gets_jobs_that_become_activatable_after_it_opened(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    older = double.state.create_job(TYPE)  # activatable before the stream: pollers only
    call = stub.StreamActivatedJobs(
        pb.StreamActivatedJobsRequest(type=TYPE, worker="s", timeout=60_000, fetchVariable=["a"])
    )
    await until(lambda: double.state.open_streams(TYPE) == 1)
    key = double.state.create_job(TYPE, variables={"a": 1, "b": 2})
    job = await asyncio.wait_for(call.read(), 2)
    assert (job.key, job.worker, json.loads(job.variables)) == (key, "s", {"a": 1})
    assert double.state.jobs[older].state == "ACTIVATABLE"
    assert [j.key for j in await activate(stub)] == [older]
    call.cancel()
    await until(lambda: double.state.open_streams(TYPE) == 0)


async def test_a_streamed_job_whose_deadline_passes_is_pushed_again(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    call = stub.StreamActivatedJobs(
        pb.StreamActivatedJobsRequest(type=TYPE, worker="s", timeout=200)
    )
    await until(lambda: double.state.open_streams(TYPE) == 1)
    key = double.state.create_job(TYPE)
    first = await asyncio.wait_for(call.read(), 2)
    second = await asyncio.wait_for(call.read(), 2)
    assert first.key == second.key == key
    assert double.state.jobs[key].activations == 2
    call.cancel()


async def test_without_an_open_stream_jobs_wait_for_pollers(
    double: GatewayDouble, stub: GatewayStub
) -> None:
    call = stub.StreamActivatedJobs(
        pb.StreamActivatedJobsRequest(type=TYPE, worker="s", timeout=1000)
    )
    await until(lambda: double.state.open_streams(TYPE) == 1)
    call.cancel()
    await until(lambda: double.state.open_streams(TYPE) == 0)
    key = double.state.create_job(TYPE)
    assert [j.key for j in await activate(stub)] == [key]
    assert double.state.streamed_count == 0
