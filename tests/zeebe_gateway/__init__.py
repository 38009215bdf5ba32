"""A Zeebe gateway test double: the real gateway protocol (pyzeebe's generated stubs) with
Zeebe's job semantics, for testing the worker end to end without a broker.

- `GatewayState`: jobs, deadlines, retries and backoff, faults to inject, the command log;
- `GatewayDouble`: serves a state over gRPC on 127.0.0.1, in-process; stop and start it
  again on the same port to simulate the gateway going away;
- `GatewayProcess`: the same in a subprocess (`python -m tests.zeebe_gateway`), driven
  through an HTTP admin API.
"""

from .process import GatewayProcess
from .server import GatewayDouble
from .state import CommandRecord, GatewayState, Job

__all__ = ["CommandRecord", "GatewayDouble", "GatewayProcess", "GatewayState", "Job"]
