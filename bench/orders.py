"""The bench's jobs and the loopback service they call.

Every contender of `worker_bench.py` works the same jobs: what the REST connector
template (v10+) puts in a job, a POST of a small order to `/orders` with a header and a
query parameter, whose result expression keeps the status and the echoed order id.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

TYPE = "io.camunda:http-json:1"


def request_body(n: int) -> dict[str, Any]:
    return {"orderId": n, "customer": "C-1042", "items": [{"sku": "A-1", "qty": 2}]}


def job_variables(url: str, n: int, extra_bytes: int = 0) -> dict[str, Any]:
    """A job as the REST connector template (v10+) produces it, plus process data."""
    variables: dict[str, Any] = {
        "url": f"{url}/orders",
        "method": "POST",
        "authentication": {"type": "noAuth"},
        "headers": {"X-Request-Id": f"req-{n}"},
        "queryParameters": {"source": "bench"},
        "body": request_body(n),
        "connectionTimeoutInSeconds": 20,
        "readTimeoutInSeconds": 20,
    }
    if extra_bytes:
        # Process variables the task does not use, as a real process carries them.
        variables["order"] = {"lines": ["x" * 90 for _ in range(extra_bytes // 100)]}
    return variables


HEADERS = {"resultExpression": "={status: response.status, echoed: response.body.orderId}"}


# ----- the loopback HTTP service ----------------------------------------------------------


class OrdersProtocol(asyncio.Protocol):
    """A minimal keep-alive HTTP/1.1 server answering every POST with a small JSON body.

    aiohttp.web would cost this process about as much CPU per request as the double
    costs per job; the service under the worker is not what is measured here.
    """

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].lower()
            length_at = head.find(b"content-length:")
            length = 0
            if length_at >= 0:
                line_end = head.find(b"\r\n", length_at)
                length = int(head[length_at + 15 : line_end if line_end > 0 else None])
            end = head_end + 4 + length
            if len(self.buffer) < end:
                return
            body, self.buffer = self.buffer[head_end + 4 : end], self.buffer[end:]
            order = json.loads(body)["orderId"] if body else 0
            payload = b'{"orderId": %d, "accepted": true}' % order
            self.transport.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload)
            )


async def start_http_server() -> tuple[asyncio.Server, str]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(OrdersProtocol, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"
