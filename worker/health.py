"""Liveness and readiness of the worker, as the health endpoint reports them.

The endpoint is a small aiohttp.web server beside the job worker:

- `GET /healthz`: 200 while the event loop answers. It never looks at Zeebe: a worker
  waiting for its gateway is alive, and restarting it would not bring the gateway back.
- `GET /readyz`: 200 when `Readiness.ready` (the last gateway call succeeded and the
  worker is not draining), 503 otherwise; the body says which.
- `GET /metrics`: Prometheus exposition of the default registry (OpenMetrics when the
  scraper asks for it).

`python -m worker healthcheck` probes `/healthz` (or `/readyz` with `--ready`) with the
standard library only, for the Docker HEALTHCHECK of a slim image without curl.

aiohttp and prometheus-client are imported when the server starts, not when this module
is imported, so that the healthcheck command, which runs every few seconds, stays cheap.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from aiohttp import web
    from prometheus_client import CollectorRegistry

# Addresses that mean "every interface" when listening, and the loopback to probe them on.
_WILDCARD_TO_LOOPBACK = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}


@dataclass
class Readiness:
    """Mutable readiness state, updated by the Zeebe layer and the service.

    Ready means: the last gateway call succeeded and the worker is not draining.
    Liveness (`/healthz`) never depends on this: a worker waiting for its gateway
    is alive and must not be restarted for it.
    """

    gateway_connected: bool = False
    draining: bool = False

    @property
    def ready(self) -> bool:
        return self.gateway_connected and not self.draining


def build_health_app(
    readiness: Readiness, registry: CollectorRegistry | None = None
) -> web.Application:
    """Return the aiohttp application serving `/healthz`, `/readyz` and `/metrics`."""
    from aiohttp import web
    from prometheus_client import REGISTRY
    from prometheus_client.exposition import choose_encoder

    import worker.metrics  # noqa: F401  (registers the connector metrics before any job)

    metrics_registry = REGISTRY if registry is None else registry

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(_request: web.Request) -> web.Response:
        body = {
            "ready": readiness.ready,
            "gateway_connected": readiness.gateway_connected,
            "draining": readiness.draining,
        }
        return web.json_response(body, status=200 if readiness.ready else 503)

    async def metrics(request: web.Request) -> web.Response:
        encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
        response = web.Response(body=encoder(metrics_registry))
        # Set as a raw header: the exposition type carries parameters (version, charset)
        # that aiohttp's content_type/charset split would rewrite.
        response.headers["Content-Type"] = content_type
        return response

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    return app


async def start_health_server(
    readiness: Readiness,
    host: str = "0.0.0.0",
    port: int = 8080,
    *,
    registry: CollectorRegistry | None = None,
) -> web.AppRunner:
    """Start serving the health endpoint on `host`:`port` (0: any free port).

    Returns the runner; `await runner.cleanup()` stops the server. Probes are not
    access-logged: they would be most of the log.

    Raises:
        OSError: the address cannot be bound (port in use, unknown host).
    """
    from aiohttp import web

    runner = web.AppRunner(
        build_health_app(readiness, registry), access_log=None, handle_signals=False
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner


def health_url(runner: web.AppRunner, path: str = "") -> str:
    """Return an http URL reaching the running server `runner` from this host."""
    address = runner.addresses[0]
    host, port = str(address[0]), int(address[1])
    host = _WILDCARD_TO_LOOPBACK.get(host, host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}{path}"


def _default_url(path: str) -> str:
    from worker.config import ServiceSettings

    settings = ServiceSettings()
    host = _WILDCARD_TO_LOOPBACK.get(settings.health_host, settings.health_host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.health_port}{path}"


def probe(url: str, timeout: float) -> tuple[int, str]:
    """GET `url` and return its status and body (at most 4 KiB).

    Raises:
        OSError: no connection, or no answer within `timeout` seconds.
        ValueError: `url` is not an http URL.
    """
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"expected an http://host:port/path URL, got {url!r}")
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    try:
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        connection.request("GET", target, headers={"Accept": "application/json"})
        response = connection.getresponse()
        return response.status, response.read(4096).decode("utf-8", "replace")
    except http.client.HTTPException as error:
        raise OSError(f"bad HTTP answer: {error!r}") from error
    finally:
        connection.close()


def healthcheck_main(argv: list[str]) -> int:
    """`python -m worker healthcheck`: exit 0 when the running worker answers 200.

    Exit 1 (Docker's "unhealthy") on any other status, no answer, or settings that
    cannot be read; the reason goes to stderr.
    """
    parser = argparse.ArgumentParser(
        prog="python -m worker healthcheck",
        description="Probe the running worker's health endpoint (for Docker HEALTHCHECK).",
    )
    parser.add_argument("--ready", action="store_true", help="probe /readyz instead of /healthz")
    parser.add_argument(
        "--url",
        help="full URL to probe (default: http://HEALTH_HOST:HEALTH_PORT/healthz from the "
        "environment, a wildcard host probed on loopback)",
    )
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds to wait (default: 3)")
    args = parser.parse_args(argv)
    path = "/readyz" if args.ready else "/healthz"
    url = args.url
    try:
        url = url or _default_url(path)
        status, body = probe(url, args.timeout)
    except Exception as error:  # any failure is "unhealthy", with its reason
        where = f"{url}: " if url else ""
        print(f"unhealthy: {where}{error}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"unhealthy: {url} answered {status} {body.strip()}", file=sys.stderr)
        return 1
    print(body.strip() or json.dumps({"status": status}))
    return 0
