"""Demo deployer: deploy every BPMN file of a directory, then run one instance of each.

Used by docker-compose once the broker is healthy: it deploys `config/bpmn/`, starts each
deployed process with the demo variables and waits for the instance to finish, then
logs the variables it ended with, so `docker compose up` shows a REST connector job done
end to end. Exits 0 when every instance completed, 1 otherwise.

    python demo/deploy.py --address zeebe:26500 --bpmn-dir /bpmn --echo-url http://echo:8000
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from pyzeebe import ZeebeClient, create_insecure_channel
from pyzeebe.grpc_internals.types import DeployResourceResponse

from worker.logs import configure_logging, get_logger

log = get_logger("demo.deploy")


async def wait_for_gateway(client: ZeebeClient, timeout_s: float) -> None:
    """Return once the gateway answers a topology request with at least one broker.

    Raises:
        TimeoutError: no usable answer within `timeout_s`.
    """
    deadline = time.monotonic() + timeout_s
    delay = 0.5
    while True:
        try:
            topology = await client.topology()
            if topology.brokers:
                return
            problem = "no broker in the topology yet"
        except Exception as error:  # any gateway error means "not yet"; the deadline ends it
            problem = str(error) or type(error).__name__
        if time.monotonic() + delay > deadline:
            raise TimeoutError(f"gateway not ready after {timeout_s:.0f} s: {problem}")
        log.info("waiting for the gateway", reason=problem)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5.0)


async def deploy_and_run(
    address: str,
    bpmn_dir: Path,
    variables: dict[str, Any],
    *,
    wait_s: float = 120.0,
    instance_timeout_s: float = 120.0,
) -> int:
    """Deploy `bpmn_dir/*.bpmn` through the gateway at `address`, run each process once."""
    paths = sorted(bpmn_dir.glob("*.bpmn"))
    if not paths:
        log.error("no BPMN files to deploy", directory=str(bpmn_dir))
        return 1
    client = ZeebeClient(create_insecure_channel(grpc_address=address))
    await wait_for_gateway(client, wait_s)

    deployment = await client.deploy_resource(*paths)
    processes = [
        item
        for item in deployment.deployments
        if isinstance(item, DeployResourceResponse.ProcessMetadata)
    ]
    for process in processes:
        log.info(
            "process deployed",
            bpmn_process_id=process.bpmn_process_id,
            version=process.version,
            resource=process.resource_name,
        )

    failures = 0
    for process in processes:
        log.info("starting an instance", bpmn_process_id=process.bpmn_process_id)
        try:
            result = await client.run_process_with_result(
                process.bpmn_process_id,
                variables,
                timeout=int(instance_timeout_s * 1000),
            )
        except Exception as error:  # reported, and the exit code says it failed
            failures += 1
            log.error(
                "instance did not complete",
                bpmn_process_id=process.bpmn_process_id,
                error=str(error) or type(error).__name__,
            )
            continue
        log.info(
            "instance completed",
            bpmn_process_id=process.bpmn_process_id,
            process_instance_key=result.process_instance_key,
            variables=result.variables,
        )
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default="zeebe:26500", help="gateway host:port")
    parser.add_argument("--bpmn-dir", type=Path, default=Path("/bpmn"))
    parser.add_argument("--echo-url", default="http://echo:8000", help="base URL of the echo")
    parser.add_argument("--wait", type=float, default=120.0, help="seconds to wait for Zeebe")
    parser.add_argument("--instance-timeout", type=float, default=120.0)
    parser.add_argument("--log-format", choices=["auto", "json", "console"], default="console")
    args = parser.parse_args(argv)
    configure_logging("INFO", args.log_format)
    variables = {
        "echoUrl": args.echo_url.rstrip("/"),
        "customerId": "C-1042",
        "order": {"items": [{"sku": "BOOK-1", "quantity": 2}], "currency": "EUR"},
    }
    try:
        return asyncio.run(
            deploy_and_run(
                args.address,
                args.bpmn_dir,
                variables,
                wait_s=args.wait,
                instance_timeout_s=args.instance_timeout,
            )
        )
    except Exception as error:  # one clear line instead of a traceback
        log.error("demo failed", error=str(error) or type(error).__name__)
        return 1


if __name__ == "__main__":
    sys.exit(main())
