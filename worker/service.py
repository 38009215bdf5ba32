"""`python -m worker [run]`: the long-running job worker service.

Reads the settings, sets up logging, starts the health endpoint, opens the gateway
channel, enters the connector, and runs the job worker until SIGTERM or SIGINT; then
drains in-flight jobs within the grace period and exits.

Exit codes:
    0  stopped by a signal (jobs still running after the grace period were left to time
       out in Zeebe, which hands them out again)
    2  invalid configuration, or the health endpoint cannot listen (one line on stderr)
    3  the gateway refuses the activation request (e.g. a job type it calls invalid)
    1  anything unexpected (logged with its traceback)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import signal
import sys
from typing import Any

import structlog

from worker.config import (
    ConfigurationError,
    ConnectorSettings,
    ServiceSettings,
    ZeebeSettings,
    load_settings,
)
from worker.health import Readiness, health_url, start_health_server
from worker.logs import configure_logging
from worker.metrics import declare_job_types
from worker.redaction import mask_secret

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_CONFIG = 2
EXIT_REJECTED = 3
# Objects a young-generation collection waits for (Python's default: 700). A job allocates
# a few thousand short-lived objects; collecting every 700 walked the in-flight jobs'
# objects again and again (about 60 us of CPU a job, measured).
GC_YOUNG_THRESHOLD = 10_000

log = structlog.get_logger("worker.service")


def main(argv: list[str]) -> int:
    """Run the worker until a signal stops it; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m worker run",
        description="Run the REST connector job worker (configured by environment "
        "variables; `python -m worker check-config` shows them).",
    )
    parser.parse_args(argv)
    try:
        zeebe, connector, service = load_settings()
    except ConfigurationError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(service.log_level, service.log_format, levels=service.log_levels)
    if zeebe.client_secret is not None:
        # pyzeebe's OAuth client and its HTTP library may log the token request at DEBUG.
        mask_secret(zeebe.client_secret.get_secret_value())
    try:
        return asyncio.run(serve(zeebe, connector, service))
    except KeyboardInterrupt:  # a second Ctrl-C while draining
        return EXIT_OK


async def serve(
    zeebe: ZeebeSettings, connector: ConnectorSettings, service: ServiceSettings
) -> int:
    """Run the service in the current event loop; return the exit code."""
    # Imported here so that `check-config` and friends stay cheap and gRPC-free.
    from worker.connector import Connector
    from worker.job_worker import ActivationRejected, JobWorker
    from worker.zeebe import Gateway, open_channel, plan_connection

    readiness = Readiness()
    try:
        health = await start_health_server(readiness, service.health_host, service.health_port)
    except OSError as error:
        print(
            f"configuration error: the health endpoint cannot listen on "
            f"{service.health_host}:{service.health_port}: {error.strerror or error}",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    log.info("health.listening", url=health_url(health))
    declare_job_types(zeebe.job_types)
    gateway = Gateway(open_channel(zeebe))
    log.info("service.starting", gateway=plan_connection(zeebe).describe())
    try:
        async with Connector(connector) as pipeline:
            worker = JobWorker(gateway, pipeline.run, zeebe, readiness)
            _on_signals(worker.stop)
            _tune_garbage_collection()
            try:
                await worker.run()
            except ActivationRejected as error:
                print(f"gateway error: {error}", file=sys.stderr)
                return EXIT_REJECTED
    except Exception:
        log.exception("service.crashed")
        return EXIT_UNEXPECTED
    finally:
        await gateway.close()
        await health.cleanup()
    return EXIT_OK


def _tune_garbage_collection() -> None:
    """Spare the cyclic garbage collector work it cannot turn into freed memory.

    Everything built at start (modules, settings, validators, the connector) lives as long
    as the process: frozen, it is no longer walked by every collection. Jobs' short-lived
    objects are freed by reference counting; the young generation is collected less often.
    """
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def _on_signals(stop: Any) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, _stop_once, stop, signum)


def _stop_once(stop: Any, signum: int) -> None:
    log.info("service.signal", signal=signal.Signals(signum).name)
    stop()
