"""Worker throughput, CPU and memory, measured side by side in one run on this machine.

    .venv/bin/python bench/worker_bench.py [--jobs 10000] [--concurrency 100]

This process hosts the gateway double (`tests.zeebe_gateway`) and a loopback aiohttp
server; each contender runs in its own process, so that on a 2-core machine it gets one
core while the double and the HTTP server share the other:

1. ceiling: a bare gRPC stub loop that activates and completes the same jobs doing no
   HTTP, at the same concurrency and with the worker's gRPC settings: the most the double
   lets any worker do;
2. raw: a plain aiohttp loop making the same HTTP requests at the same concurrency;
3. worker: `python -m worker` (the real connector pipeline) working the jobs, with its
   CPU time per job (from /proc) and its resident memory sampled every 1,000 jobs;
4. fetch variables: the worker again on jobs that carry a large process variable, once
   fetching all variables and once with `ZEEBE_FETCH_VARIABLES=inputs`.

It prints jobs/s for each and the worker/ceiling and worker/raw ratios. Targets: worker/
ceiling >= 0.8, worker CPU well under 0.5 ms a job, memory flat over 10,000 jobs. Then
where the machine's CPU went: every process's CPU per job in the ceiling and worker runs,
the rate at which that would keep every core busy, the same for a worker spending only
the bare loops' CPU, and, for a machine with a core per process, the bound set by each
run's busiest event loop thread.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orders import HEADERS, TYPE, job_variables, start_http_server  # noqa: E402

from tests.zeebe_gateway import GatewayDouble, GatewayState  # noqa: E402
from worker.__main__ import apply_grpc_defaults  # noqa: E402

BARE_LOOPS = Path(__file__).with_name("bare_loops.py")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


# ----- measuring --------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    jobs: int
    seconds: float
    cpu_seconds: float | None = None
    # this process's CPU meanwhile: the double (and, in the worker runs, the HTTP server)
    host_cpu_seconds: float | None = None
    # the event loop threads alone: the contender's and this process's
    main_cpu_seconds: float | None = None
    host_main_cpu_seconds: float | None = None
    peak_rss: int | None = None
    rss_samples: list[tuple[int, int]] = field(default_factory=list)
    bytes_per_job: float | None = None

    @property
    def rate(self) -> float:
        return self.jobs / self.seconds


def cpu_seconds(pid: int, thread: int | None = None) -> float:
    """CPU time of process `pid`, all threads, or of its thread `thread` alone."""
    stat = Path(f"/proc/{pid}/stat" if thread is None else f"/proc/{pid}/task/{thread}/stat")
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_bytes(pid: int) -> int:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE


def peak_rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


async def wait_for_endings(
    state: GatewayState, target: int, on_progress: Callable[[int], None] | None = None
) -> tuple[float, float, float]:
    """Wait until `target` jobs ended; return when the first activation happened (wall
    clock, this process's CPU time and its main thread's)."""
    while not state.activation_log:
        await asyncio.sleep(0.001)
    first = time.perf_counter(), time.process_time(), time.thread_time()
    seen = 0
    while True:
        done = state.ended_count
        if on_progress and done // 1000 > seen // 1000:
            on_progress(done)
        seen = done
        if done >= target:
            return first
        await asyncio.sleep(0.005)


async def spawn(*args: str, env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *args,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def measure_ceiling(url: str, jobs: int, concurrency: int, *, http: bool = False) -> Run:
    """The bare stub loop; with `http`, it also makes each job's request with plain aiohttp
    (a worker with no connector in it: the least any Python worker on these libraries
    spends a job)."""
    # The stub loop runs gRPC as `python -m worker` does: the same runtime settings.
    client_env = dict(os.environ)
    apply_grpc_defaults(client_env)
    async with GatewayDouble() as double:
        # The worker's jobs, so that the double hands out and takes back the same bytes.
        for n in range(jobs):
            double.state.create_job(TYPE, variables=job_variables(url, n), custom_headers=HEADERS)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            BARE_LOOPS,
            "stub",
            double.address,
            str(jobs),
            str(concurrency),
            url if http else "",
            cwd=ROOT,
            env=client_env,
            stdout=asyncio.subprocess.PIPE,
        )
        first, host_first, host_main_first = await wait_for_endings(double.state, jobs)
        elapsed = time.perf_counter() - first
        host_cpu = time.process_time() - host_first
        host_main_cpu = time.thread_time() - host_main_first
        out, _ = await process.communicate()
    cpu, main_cpu = map(float, out.split())
    return Run(
        "bare worker (stub loop + aiohttp)" if http else "ceiling (bare stub loop, no HTTP)",
        jobs,
        elapsed,
        cpu_seconds=cpu,
        host_cpu_seconds=host_cpu,
        main_cpu_seconds=main_cpu,
        host_main_cpu_seconds=host_main_cpu,
    )


async def measure_raw(url: str, jobs: int, concurrency: int) -> Run:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        BARE_LOOPS,
        "raw",
        url,
        str(jobs),
        str(concurrency),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    seconds, cpu = map(float, out.split())
    return Run("raw aiohttp loop", jobs, seconds, cpu_seconds=cpu)


async def measure_worker(
    url: str,
    jobs: int,
    concurrency: int,
    *,
    name: str,
    extra_bytes: int = 0,
    env: dict[str, str] | None = None,
    warmup: int = 500,
) -> Run:
    async with GatewayDouble() as double:
        state = double.state
        worker_env = {
            "ZEEBE_ADDRESS": double.address,
            "ZEEBE_MAX_JOBS_ACTIVE": str(concurrency),
            "HEALTH_PORT": "0",
            "LOG_FORMAT": "json",
            **(env or {}),
        }
        process = await spawn(sys.executable, "-m", "worker", env=worker_env)
        # Warm up (imports, connections, FEEL caches) before measuring.
        for n in range(warmup):
            state.create_job(
                TYPE, variables=job_variables(url, n, extra_bytes), custom_headers=HEADERS
            )
        await wait_for_endings(state, warmup)
        state.activated_bytes = 0
        cpu_before = cpu_seconds(process.pid)
        main_before = cpu_seconds(process.pid, process.pid)
        samples: list[tuple[int, int]] = []
        for n in range(jobs):
            state.create_job(
                TYPE, variables=job_variables(url, n, extra_bytes), custom_headers=HEADERS
            )
        started, host_before, host_main_before = (
            time.perf_counter(),
            time.process_time(),
            time.thread_time(),
        )
        await wait_for_endings(
            state,
            warmup + jobs,
            lambda done: samples.append((done - warmup, rss_bytes(process.pid))),
        )
        elapsed = time.perf_counter() - started
        host_cpu = time.process_time() - host_before
        host_main_cpu = time.thread_time() - host_main_before
        cpu = cpu_seconds(process.pid) - cpu_before
        main_cpu = cpu_seconds(process.pid, process.pid) - main_before
        peak = peak_rss_bytes(process.pid)
        bytes_per_job = state.activated_bytes / jobs
        process.send_signal(signal.SIGTERM)
        code = await process.wait()
        problems = state.problems_with_exactly_once(list(state.jobs))
        failed = [j for j in state.jobs.values() if j.state != "COMPLETED"]
        if code != 0 or problems or failed:
            raise SystemExit(f"worker run went wrong: exit {code}, {problems[:3]}, {failed[:1]}")
    return Run(
        name,
        jobs,
        elapsed,
        cpu,
        host_cpu,
        main_cpu,
        host_main_cpu,
        peak,
        samples,
        bytes_per_job,
    )


# ----- report ----------------------------------------------------------------------------


def cpu_ms(run: Run) -> float:
    return (run.cpu_seconds or 0.0) * 1000 / run.jobs


def host_cpu_ms(run: Run) -> float:
    return (run.host_cpu_seconds or 0.0) * 1000 / run.jobs


def one_core_rate(run: Run) -> float:
    """The rate at which the busier event loop thread of the run would fill a core."""
    busiest = max(run.main_cpu_seconds or 0.0, run.host_main_cpu_seconds or 0.0)
    return run.jobs / busiest if busiest else 0.0


def mib(value: int | None) -> str:
    return f"{(value or 0) / 2**20:.1f} MiB"


async def bench(jobs: int, concurrency: int, fetch_jobs: int, rounds: int, round_jobs: int) -> None:
    server, url = await start_http_server()
    print(
        f"concurrency {concurrency}, {os.cpu_count()} CPUs; {rounds} interleaved rounds of "
        f"{round_jobs} jobs for the rates (best of each), then {jobs} jobs for CPU and memory\n"
    )
    ceilings: list[Run] = []
    bares: list[Run] = []
    raws: list[Run] = []
    workers: list[Run] = []
    try:
        # Interleaved rounds, so that a neighbour's load on this shared machine hits
        # every contender alike; the best round of each is compared.
        for _ in range(rounds):
            ceilings.append(await measure_ceiling(url, round_jobs, concurrency))
            bares.append(await measure_ceiling(url, round_jobs, concurrency, http=True))
            raws.append(await measure_raw(url, round_jobs, concurrency))
            workers.append(
                await measure_worker(url, round_jobs, concurrency, name="worker", warmup=300)
            )
        long_run = await measure_worker(url, jobs, concurrency, name="worker, long run")
        fetch_all = await measure_worker(
            url,
            fetch_jobs,
            concurrency,
            name="worker, 20 KB process data, fetch all",
            extra_bytes=20_000,
            warmup=200,
        )
        fetch_inputs = await measure_worker(
            url,
            fetch_jobs,
            concurrency,
            name="worker, 20 KB process data, fetch inputs",
            extra_bytes=20_000,
            warmup=200,
            env={"ZEEBE_FETCH_VARIABLES": "inputs"},
        )
    finally:
        server.close()

    def rates(runs: list[Run]) -> str:
        return ", ".join(f"{run.rate:.0f}" for run in runs)

    ceiling = max(ceilings, key=lambda run: run.rate)
    bare = max(bares, key=lambda run: run.rate)
    raw = max(raws, key=lambda run: run.rate)
    worker = max(workers, key=lambda run: run.rate)
    for name, best, runs in (
        ("ceiling (bare stub loop, no HTTP)", ceiling, ceilings),
        ("raw aiohttp loop", raw, raws),
        ("bare worker (stub loop + aiohttp)", bare, bares),
        ("worker (python -m worker)", worker, workers),
    ):
        print(f"{name:40} best {best.rate:6.0f} jobs/s  rounds: {rates(runs)}")
    print()
    print(f"worker/ceiling  {worker.rate / ceiling.rate:.2f}   (target >= 0.8)")
    print(f"worker/raw      {worker.rate / raw.rate:.2f}")
    print(
        f"bare/ceiling    {bare.rate / ceiling.rate:.2f}   "
        "(the stub loop making each job's request with plain aiohttp, no connector)"
    )
    print(f"worker/bare     {worker.rate / bare.rate:.2f}")
    assert long_run.cpu_seconds is not None
    worker_cpu = long_run.cpu_seconds * 1000 / long_run.jobs
    print(
        f"worker CPU      {worker_cpu:.3f} ms/job "
        f"({long_run.cpu_seconds:.2f} s for {long_run.jobs} jobs at {long_run.rate:.0f} jobs/s; "
        "target well under 0.5)"
    )
    # The floors under it: what the bare stub loop and the raw aiohttp loop spend a job
    # (the lowest round of each); the rest is the worker's own.
    grpc_cpu = min(cpu_ms(run) for run in ceilings)
    http_cpu = min(cpu_ms(run) for run in raws)
    print(
        f"                of which at least {grpc_cpu:.3f} gRPC (the bare stub loop's CPU/job) "
        f"and {http_cpu:.3f} aiohttp (the raw loop's CPU/request); "
        f"the rest, {worker_cpu - grpc_cpu - http_cpu:.3f}, is the worker's own"
    )
    # Where the machine's CPU goes: the processes share os.cpu_count() cores, so the CPU a
    # job costs all of them together bounds the rate, whoever spends it.
    cores = os.cpu_count() or 1
    print(f"CPU a job, all processes ({cores} cores; the best round of each):")
    bounds = []
    contenders = (
        ("ceiling", ceiling, "stub loop"),
        ("bare", bare, "bare"),
        ("worker", worker, "worker"),
    )
    for label, run, side in contenders:
        host, own = host_cpu_ms(run), cpu_ms(run)
        bound = cores * 1000 / (host + own)
        bounds.append(bound)
        print(
            f"  {label:8} double{'' if run is ceiling else ' + HTTP server'} {host:.3f} + "
            f"{side} {own:.3f} = {host + own:.3f} ms: {bound:5.0f} jobs/s would keep every core "
            f"busy; measured {run.rate:.0f} ({run.rate / bound:.0%} of that)"
        )
    print(
        f"  with every core busy in every run: bare/ceiling {bounds[1] / bounds[0]:.2f}, "
        f"worker/ceiling {bounds[2] / bounds[0]:.2f}"
    )
    # With a core for each process, each event loop thread (the rest of gRPC runs on
    # threads of its own) would bound its process alone.
    print("  with a core for each process, the busier event loop thread bounds each run:")
    for label, run, side in contenders:
        host_main = (run.host_main_cpu_seconds or 0.0) * 1000 / run.jobs
        own_main = (run.main_cpu_seconds or 0.0) * 1000 / run.jobs
        print(
            f"  {label:8} double's loop {host_main:.3f}, {side}'s loop {own_main:.3f} ms/job: "
            f"at most {one_core_rate(run):5.0f} jobs/s"
        )
    print(
        "  with a core for each process: "
        f"bare/ceiling {one_core_rate(bare) / one_core_rate(ceiling):.2f}, "
        f"worker/ceiling {one_core_rate(worker) / one_core_rate(ceiling):.2f}"
    )
    print(f"worker memory   peak {mib(long_run.peak_rss)}; resident after N jobs:")
    print("                " + ", ".join(f"{n}: {mib(rss)}" for n, rss in long_run.rss_samples))
    if len(long_run.rss_samples) >= 3:
        (first_n, early), (last_n, last) = long_run.rss_samples[1], long_run.rss_samples[-1]
        print(f"                growth from {first_n} to {last_n} jobs: {mib(last - early)}")
    print()
    for run in (fetch_all, fetch_inputs):
        print(
            f"{run.name:42} {run.bytes_per_job:6.0f} bytes of variables/job, "
            f"{run.rate:5.0f} jobs/s, CPU {(run.cpu_seconds or 0) * 1000 / run.jobs:.3f} ms/job"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--fetch-jobs", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--round-jobs", type=int, default=4_000)
    args = parser.parse_args()
    asyncio.run(bench(args.jobs, args.concurrency, args.fetch_jobs, args.rounds, args.round_jobs))


if __name__ == "__main__":
    main()
