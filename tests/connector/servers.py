"""Loopback HTTP servers for the connector tests (aiohttp.web on 127.0.0.1, port 0).

`Api` serves a fixed set of routes and records every request it receives, raw:

- `/echo/...`        JSON `{method, path, headers: [[name, value], ...], body}` of the request,
                     with status 200 or `?status=`
- `/status/{code}`   that status; `?body=` text (or JSON with `?type=application/json`),
                     `?reason=` a custom reason phrase, `?header=Name:Value` (repeatable)
- `/bytes`           `?type=` Content-Type and `?hex=` body bytes
- `/slow`            waits `?delay=` seconds before the headers (or after them with `?stage=body`)
- `/redirect/{n}`    302 to `/redirect/{n-1}` ... `/echo/done`
- `/big`             `?size=` bytes of "x" (`?chunked=1` streams them without Content-Length),
                     with status 200 or `?status=`
- `/cut`             announces a body and closes the connection half way
- `/json`            `?value=` sent as is with Content-Type application/json
- `/token`           an OAuth token endpoint: `{"access_token": "token-for-<client>", ...}`,
                     the client taken from the Basic header, `client_id` or the refresh token
"""

from __future__ import annotations

import asyncio
import base64
import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Api:
    """A recording test server with the routes listed in the module docstring."""

    server: TestServer | None = None
    seen: list[Seen] = field(default_factory=list)

    @property
    def port(self) -> int:
        assert self.server is not None and self.server.port is not None
        return self.server.port

    def url(self, path: str = "/echo/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def last(self) -> Seen:
        return self.seen[-1]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/echo/{tail:.*}", self._echo)
        app.router.add_route("*", "/status/{code}", self._status)
        app.router.add_get("/bytes", self._bytes)
        app.router.add_get("/slow", self._slow)
        app.router.add_get("/redirect/{count}", self._redirect)
        app.router.add_get("/big", self._big)
        app.router.add_get("/cut", self._cut)
        app.router.add_get("/json", self._json)
        app.router.add_post("/token", self._token)
        self.server = TestServer(app, host="127.0.0.1", port=0)
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    async def _record(self, request: web.Request) -> Seen:
        seen = Seen(
            method=request.method,
            path=request.raw_path,
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw_headers],
            body=await request.read(),
        )
        self.seen.append(seen)
        return seen

    async def _echo(self, request: web.Request) -> web.Response:
        seen = await self._record(request)
        return web.json_response(
            {
                "method": seen.method,
                "path": seen.path,
                "headers": seen.headers,
                "body": seen.body.decode("utf-8", "replace"),
            },
            status=int(request.query.get("status", "200")),
        )

    async def _status(self, request: web.Request) -> web.Response:
        await self._record(request)
        headers: list[tuple[str, str]] = []
        for item in request.query.getall("header", []):
            name, _, value = item.partition(":")
            headers.append((name, value))
        response = web.Response(
            status=int(request.match_info["code"]),
            reason=request.query.get("reason"),
            text=request.query.get("body"),
            content_type=request.query.get("type", "text/plain"),
        )
        for name, value in headers:
            response.headers.add(name, value)
        return response

    async def _bytes(self, request: web.Request) -> web.Response:
        await self._record(request)
        response = web.Response(body=bytes.fromhex(request.query.get("hex", "")))
        if "type" in request.query:
            response.headers["Content-Type"] = request.query["type"]
        else:
            response.headers.popall("Content-Type", None)
        return response

    async def _slow(self, request: web.Request) -> web.StreamResponse:
        await self._record(request)
        delay = float(request.query.get("delay", "1"))
        if request.query.get("stage") == "body":
            response = web.StreamResponse()
            await response.prepare(request)
            await response.write(b'{"partial": ')
            await asyncio.sleep(delay)
            await response.write(b"1}")
            await response.write_eof()
            return response
        await asyncio.sleep(delay)
        return web.json_response({"slept": delay})

    async def _redirect(self, request: web.Request) -> web.Response:
        await self._record(request)
        count = int(request.match_info["count"])
        target = "/echo/done" if count <= 1 else f"/redirect/{count - 1}"
        return web.Response(status=302, headers={"Location": target}, text="moved")

    async def _big(self, request: web.Request) -> web.StreamResponse:
        await self._record(request)
        size = int(request.query["size"])
        response = web.StreamResponse(status=int(request.query.get("status", "200")))
        if request.query.get("chunked") != "1":
            response.content_length = size
        response.content_type = "text/plain"
        await response.prepare(request)
        chunk = b"x" * 65536
        sent = size if request.method == "HEAD" else 0
        while sent < size:
            part = chunk[: min(len(chunk), size - sent)]
            await response.write(part)
            sent += len(part)
        await response.write_eof()
        return response

    async def _cut(self, request: web.Request) -> web.StreamResponse:
        await self._record(request)
        response = web.StreamResponse()
        response.content_length = 1000
        await response.prepare(request)
        await response.write(b"x" * 10)
        assert request.transport is not None
        request.transport.close()
        return response

    async def _json(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.Response(text=request.query["value"], content_type="application/json")

    async def _token(self, request: web.Request) -> web.Response:
        seen = await self._record(request)
        form = dict(urllib.parse.parse_qsl(seen.body.decode()))
        client = form.get("client_id")
        authorization = seen.header("Authorization") or ""
        if authorization.startswith("Basic "):
            client = base64.b64decode(authorization[6:]).decode().partition(":")[0]
        return web.json_response(
            {"access_token": f"token-for-{client}", "token_type": "Bearer", "expires_in": 3600}
        )
