"""The bare loops the worker is measured against; each runs in a process of its own.

    python bench/bare_loops.py stub ADDRESS JOBS CONCURRENCY [URL]
    python bench/bare_loops.py raw URL JOBS CONCURRENCY

`stub`: activate and complete JOBS jobs with the raw gRPC stub, CONCURRENCY at a time,
batching activations as the worker does; with a URL, make each job's request with plain
aiohttp before completing it (a worker with no connector in it). Prints its CPU seconds,
all threads and the event loop's thread, from the first activation on.

`raw`: make JOBS requests like the worker's with plain aiohttp, CONCURRENCY at a time.
Prints the seconds it took and its CPU seconds.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orders import TYPE, request_body

from worker.job_worker import BATCH_FRACTION, BATCH_WAIT_S


async def stub_loop(address: str, jobs: int, concurrency: int, url: str) -> None:
    """Activate and complete `jobs` jobs with the raw stub, `concurrency` at a time; with
    a `url`, make each job's request with plain aiohttp first."""
    import aiohttp
    import grpc
    from pyzeebe.proto import gateway_pb2 as pb
    from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

    async with (
        grpc.aio.insecure_channel(address) as channel,
        aiohttp.ClientSession(trust_env=False) as session,
    ):
        stub = GatewayStub(channel)
        in_flight: set[asyncio.Task[Any]] = set()
        done = 0
        slot = asyncio.Event()

        async def complete(key: int, variables: dict[str, Any]) -> None:
            nonlocal done
            if url:
                async with session.request(
                    variables["method"],
                    variables["url"],
                    json=variables["body"],
                    params=variables["queryParameters"],
                    headers=variables["headers"],
                ) as response:
                    body = await response.json()
                result = {"status": response.status, "echoed": body["orderId"]}
            else:
                # the variables the worker's result expression makes of the echo
                result = {"status": 200, "echoed": variables["body"]["orderId"]}
            await stub.CompleteJob(pb.CompleteJobRequest(jobKey=key, variables=json.dumps(result)))
            done += 1

        def finished(task: asyncio.Task[Any]) -> None:
            in_flight.discard(task)
            slot.set()

        batch = max(1, int(concurrency * BATCH_FRACTION))
        cpu_started: tuple[float, float] | None = None
        while done < jobs:
            free = concurrency - len(in_flight)
            if free <= 0:
                slot.clear()
                await slot.wait()
                continue
            # The worker's batching rule, so that both ask the double alike.
            batch_by = time.monotonic() + BATCH_WAIT_S
            while concurrency - len(in_flight) < batch and time.monotonic() < batch_by:
                slot.clear()
                try:
                    await asyncio.wait_for(slot.wait(), batch_by - time.monotonic())
                except TimeoutError:
                    break
            free = concurrency - len(in_flight)
            request = pb.ActivateJobsRequest(
                type=TYPE,
                worker="ceiling",
                timeout=60_000,
                maxJobsToActivate=free,
                requestTimeout=200,
            )
            async for response in stub.ActivateJobs(request):
                if cpu_started is None:
                    cpu_started = time.process_time(), time.thread_time()
                for job in response.jobs:
                    task = asyncio.create_task(complete(job.key, json.loads(job.variables)))
                    in_flight.add(task)
                    task.add_done_callback(finished)
        await asyncio.gather(*in_flight)
        # CPU of this process, gRPC's own threads included (what the gateway costs any
        # worker), and of the thread that runs the event loop
        process_cpu, thread_cpu = cpu_started or (0.0, 0.0)
        print(time.process_time() - process_cpu, time.thread_time() - thread_cpu)


async def raw_loop(url: str, jobs: int, concurrency: int) -> None:
    """Make `jobs` POSTs like the worker's, `concurrency` at a time; print the seconds."""
    import aiohttp

    queue = iter(range(jobs))
    async with aiohttp.ClientSession() as session:

        async def loop() -> None:
            for n in queue:
                async with session.post(
                    f"{url}/orders",
                    json=request_body(n),
                    params={"source": "bench"},
                    headers={"X-Request-Id": f"req-{n}"},
                ) as response:
                    await response.json()

        for n in range(min(200, jobs)):  # warm up the connection pool
            async with session.post(f"{url}/orders", json=request_body(n)) as response:
                await response.read()
        started = time.perf_counter()
        cpu_started = time.process_time()
        await asyncio.gather(*(loop() for _ in range(concurrency)))
        print(time.perf_counter() - started, time.process_time() - cpu_started)


def main() -> None:
    command, *args = sys.argv[1:]
    if command == "stub":
        address, jobs, concurrency, *url = args
        asyncio.run(stub_loop(address, int(jobs), int(concurrency), url[0] if url else ""))
    elif command == "raw":
        url, jobs, concurrency = args
        asyncio.run(raw_loop(url, int(jobs), int(concurrency)))
    else:
        raise SystemExit(f"unknown loop {command!r}: stub or raw")


if __name__ == "__main__":
    main()
