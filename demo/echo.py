"""A tiny HTTP echo service for the docker-compose demo.

Answers any method on any path with a JSON description of the request it received:
method, path, query, headers and body (parsed as JSON when it is JSON). When the
token is set (`--token-file`, as docker-compose mounts the demo secret, or the
`ECHO_BEARER_TOKEN` environment variable), requests must carry `Authorization: Bearer
<token>`, otherwise they get 401; the demo process catches that with its error expression.

The `Authorization` header is never echoed back: it would end up in a process variable.

    python demo/echo.py --host 0.0.0.0 --port 8000
"""

from __future__ import annotations

import argparse
import contextlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

from aiohttp import web

_HIDDEN_HEADERS = {"authorization", "proxy-authorization", "cookie"}


def build_app(token: str | None) -> web.Application:
    """Return the echo application; `token`, when set, is the bearer token required."""

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def echo(request: web.Request) -> web.Response:
        if token and not hmac.compare_digest(
            request.headers.get("Authorization", "").encode(), f"Bearer {token}".encode()
        ):
            return web.json_response(
                {"error": "missing or wrong bearer token"},
                status=401,
                reason="Unauthorized",
            )
        raw = await request.text()
        body: Any = raw or None
        if raw and request.content_type == "application/json":
            with contextlib.suppress(ValueError):  # not JSON after all: echo the text
                body = json.loads(raw)
        return web.json_response(
            {
                "method": request.method,
                "path": request.path,
                "query": dict(request.query),
                "headers": {
                    name: value
                    for name, value in request.headers.items()
                    if name.lower() not in _HIDDEN_HEADERS
                },
                "body": body,
                "authenticated": bool(token),
            }
        )

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_route("*", "/{tail:.*}", echo)
    return app


def read_token(from_env: str | None, token_file: str | None) -> str | None:
    """Return the bearer token to require: the file's content (one trailing newline
    stripped) when a file is given, else the environment's value, else None."""
    if token_file:
        text = Path(token_file).read_text(encoding="utf-8")
        return text[:-1] if text.endswith("\n") else text
    return from_env or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--token-file", help="file holding the bearer token to require")
    args = parser.parse_args(argv)
    web.run_app(
        build_app(read_token(os.environ.get("ECHO_BEARER_TOKEN"), args.token_file)),
        host=args.host,
        port=args.port,
        access_log=None,
        print=lambda message: print(message, flush=True),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
