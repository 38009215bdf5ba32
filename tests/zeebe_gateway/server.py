"""Running the double: in-process (`GatewayDouble`) or as a subprocess with an HTTP admin
side channel (`serve`, used by `python -m tests.zeebe_gateway`).

The cluster state outlives the gRPC server: `stop()` then `start()` on the same port is a
gateway going away and coming back, with every job where it was.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import grpc
from aiohttp import web
from pyzeebe.proto.gateway_pb2_grpc import add_GatewayServicer_to_server

from .servicer import DoubleGatewayServicer
from .state import GatewayState


class GatewayDouble:
    """A Zeebe gateway on 127.0.0.1 that tests can stop and restart on the same port."""

    def __init__(
        self,
        state: GatewayState | None = None,
        port: int = 0,
        *,
        tls: tuple[bytes, bytes] | None = None,
        token: str | None = None,
    ) -> None:
        """`tls` is (private key, certificate chain) in PEM to serve TLS; with `token`
        every call must carry `authorization: Bearer <token>` (else UNAUTHENTICATED)."""
        self.state = state or GatewayState()
        self.port = port
        self.tls = tls
        self.token = token
        self._server: grpc.aio.Server | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        """Start serving; the first start picks a free port, later ones reuse it."""
        if self._server is not None:
            return
        server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
        self.servicer = DoubleGatewayServicer(self.state, self.token)
        add_GatewayServicer_to_server(self.servicer, server)
        address = f"127.0.0.1:{self.port}"
        if self.tls is None:
            self.port = server.add_insecure_port(address)
        else:
            credentials = grpc.ssl_server_credentials([self.tls])
            self.port = server.add_secure_port(address, credentials)
        await server.start()
        self._server = server

    async def stop(self, grace: float | None = None) -> None:
        """Stop serving: open calls are cancelled, new connections refused."""
        server, self._server = self._server, None
        if server is not None:
            await server.stop(grace)

    async def __aenter__(self) -> GatewayDouble:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


# ----- subprocess mode: an HTTP admin API over the same state --------------------------


def admin_app(double: GatewayDouble) -> web.Application:
    """JSON endpoints to drive and inspect a double running in another process."""
    state = double.state
    routes = web.RouteTableDef()

    @routes.post("/jobs")
    async def create_jobs(request: web.Request) -> web.Response:
        body = await request.json()
        count = int(body.pop("count", 1))
        keys = state.create_jobs(count, **body)
        return web.json_response({"keys": keys})

    @routes.get("/jobs/{key}")
    async def job(request: web.Request) -> web.Response:
        found = state.jobs.get(int(request.match_info["key"]))
        if found is None:
            raise web.HTTPNotFound()
        return web.json_response(
            {
                "key": found.key,
                "state": found.state,
                "retries": found.retries,
                "variables": found.variables,
                "activations": found.activations,
                "errorMessage": found.error_message,
                "errorCode": found.error_code,
            }
        )

    @routes.get("/summary")
    async def summary(request: web.Request) -> web.Response:
        return web.json_response(_summary(state))

    @routes.post("/exactly-once")
    async def exactly_once(request: web.Request) -> web.Response:
        keys = (await request.json())["keys"]
        return web.json_response({"problems": state.problems_with_exactly_once(keys)})

    @routes.get("/commands")
    async def commands(request: web.Request) -> web.Response:
        return web.json_response(
            [
                {"method": c.method, "jobKey": c.job_key, "code": c.code, "detail": c.detail}
                for c in state.commands
            ]
        )

    @routes.post("/faults")
    async def faults(request: web.Request) -> web.Response:
        body = await request.json()
        state.inject(
            body["method"],
            body["code"],
            int(body.get("times", 1)),
            after_apply=bool(body.get("afterApply", False)),
        )
        return web.json_response({})

    @routes.post("/stop")
    async def stop(request: web.Request) -> web.Response:
        await double.stop()
        return web.json_response({})

    @routes.post("/start")
    async def start(request: web.Request) -> web.Response:
        await double.start()
        return web.json_response({"port": double.port})

    app = web.Application()
    app.add_routes(routes)
    return app


def _summary(state: GatewayState) -> dict[str, Any]:
    by_method: dict[str, dict[str, int]] = {}
    for command in state.commands:
        codes = by_method.setdefault(command.method, {})
        codes[command.code] = codes.get(command.code, 0) + 1
    return {
        "jobs": len(state.jobs),
        "states": state.counts(),
        "commands": by_method,
        "activateRequests": state.activate_requests,
        "activatedBytes": state.activated_bytes,
    }


async def serve(port: int, admin_port: int, ready_file: str | None = None) -> None:
    """Run the double and its admin API until cancelled; print both ports once ready."""
    double = GatewayDouble(port=port)
    await double.start()
    runner = web.AppRunner(admin_app(double), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", admin_port)
    await site.start()
    actual_admin = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    line = f"gateway={double.port} admin={actual_admin}"
    print(line, flush=True)
    if ready_file:
        with open(ready_file, "w") as file:
            file.write(line + "\n")
    try:
        await asyncio.Event().wait()
    finally:
        with contextlib.suppress(Exception):
            await runner.cleanup()
        await double.stop()
