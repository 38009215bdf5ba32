"""Command line: `python -m worker [run | invoke | check-config | healthcheck]`.

Each subcommand lives in the module that owns its concern; this file only
dispatches, so that importing it stays cheap (the Docker HEALTHCHECK runs often).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, MutableMapping, Sequence
from importlib import import_module

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    # name: (module, function taking the remaining argv and returning an exit code)
    "run": ("worker.service", "main"),
    "invoke": ("worker.invoke", "main"),
    "check-config": ("worker.config", "check_config_main"),
    "healthcheck": ("worker.health", "healthcheck_main"),
}

# gRPC's core reads these once, when `grpc` is first imported; a value the user set wins.
# `-event_engine_client` makes the channel's connection the core's older iomgr TCP client,
# whose socket is read by the thread that already waits on the completion queue; with the
# EventEngine client every read hops over a pool thread first. Measured with
# bench/worker_bench.py: about 10 % less CPU a job for the worker and the bare stub loop alike.
GRPC_DEFAULTS = {"GRPC_EXPERIMENTS": "-event_engine_client"}


def apply_grpc_defaults(environ: MutableMapping[str, str] = os.environ) -> None:
    """Set the gRPC runtime defaults the user has not set; before `grpc` is imported."""
    for name, value in GRPC_DEFAULTS.items():
        environ.setdefault(name, value)


USAGE = """usage: python -m worker [COMMAND] [ARGS...]

commands:
  run            run the job worker (the default when no command is given)
  invoke         run one job from a JSON file through the connector and print the outcome
  check-config   print the effective configuration, secrets masked
  healthcheck    exit 0 when the running worker's /healthz answers (for Docker HEALTHCHECK)
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        return 0
    command = "run"
    if args and not args[0].startswith("-"):
        command = args.pop(0)
    if command not in SUBCOMMANDS:
        print(f"unknown command {command!r}\n\n{USAGE}", end="", file=sys.stderr)
        return 2
    module_name, function_name = SUBCOMMANDS[command]
    if command == "run":
        apply_grpc_defaults()
    entry: Callable[[list[str]], int] = getattr(import_module(module_name), function_name)
    return entry(args)


if __name__ == "__main__":
    sys.exit(main())
