"""`python -m tests.zeebe_gateway --port N --admin-port M`: the double in its own process.

Prints `gateway=<port> admin=<port>` on stdout once both listen (0 picks free ports).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .server import serve


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.zeebe_gateway")
    parser.add_argument("--port", type=int, default=0, help="gRPC port on 127.0.0.1")
    parser.add_argument("--admin-port", type=int, default=0, help="HTTP admin port")
    parser.add_argument("--ready-file", help="also write the ports line to this file")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.admin_port, args.ready_file))


if __name__ == "__main__":
    main()
