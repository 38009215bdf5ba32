"""Hostile endpoints on loopback: each ends in bounded time with a clear failure.

The servers are raw asyncio ones, so they can misbehave below HTTP: endless bodies, one
byte a second, redirect loops, thousands of headers, broken gzip, resets mid-body. Each
test has a hard timeout (pytest-timeout) as a hang guard; nothing asserts how fast.
Durations are printed (`pytest -s`) for the README's figures.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import time
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.security.conftest import BLOCKED_HOST, RawServer, read_request, settings
from worker.config import ConnectorSettings
from worker.connector import Connector
from worker.job import Complete, Fail, JobInput, Outcome

StartServer = Callable[..., Awaitable[RawServer]]

pytestmark = pytest.mark.timeout(20)

OK_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"


async def endless_chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(OK_HEAD + b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"x" * 65536
    while True:
        writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        await writer.drain()


async def endless_until_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(OK_HEAD + b"Connection: close\r\n\r\n")
    while True:
        writer.write(b"y" * 65536)
        await writer.drain()


async def endless_announced(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(OK_HEAD + b"Content-Length: 99999999999\r\n\r\n")
    await writer.drain()
    await asyncio.sleep(30)


async def drip_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(OK_HEAD + b"Content-Length: 1000\r\n\r\n")
    for _ in range(1000):
        writer.write(b"d")
        await writer.drain()
        await asyncio.sleep(1)


async def drip_headers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    for byte in OK_HEAD + b"X-Slow: " + b"s" * 1000:
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(1)


async def redirect_loop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # keep-alive: every hop may come on the same connection
    while True:
        await read_request(reader)
        writer.write(b"HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()


def redirect_to(location: str) -> Callable[..., Awaitable[None]]:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(
            b"HTTP/1.1 307 Temporary Redirect\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n"
            % location.encode()
        )
        await writer.drain()

    return handler


async def many_headers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\n")
    for index in range(100_000):
        writer.write(b"X-Header-%d: value\r\n" % index)
        if index % 1000 == 0:
            await writer.drain()
    writer.write(b"Content-Length: 0\r\n\r\n")
    await writer.drain()


async def huge_header(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nX-Huge: ")
    for _ in range(1000):  # 64 MB of one header value, if anyone read it all
        writer.write(b"h" * 65536)
        await writer.drain()


async def huge_status_line(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 " + b"O" * 1_000_000 + b"\r\n\r\n")
    await writer.drain()


async def invalid_gzip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    body = b"\x1f\x8b\x08\x00" + b"not really gzip at all" * 10
    writer.write(
        OK_HEAD + b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    await writer.drain()


def _bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    parts = [compressor.compress(zeros) for _ in range(256)]  # 256 MiB of zeros, gzipped
    return b"".join(parts) + compressor.flush()


BOMB = _bomb()


async def gzip_bomb(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(OK_HEAD + b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(BOMB))
    writer.write(BOMB)
    await writer.drain()


async def reset_mid_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(OK_HEAD + b"Content-Length: 100000\r\n\r\n" + b"r" * 5000)
    await writer.drain()
    await asyncio.sleep(0.05)
    sock = writer.get_extra_info("socket")
    # SO_LINGER 0: close() sends a TCP RST instead of a FIN
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    await asyncio.sleep(30)


async def broken_chunks(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(OK_HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n0\r\n\r\n")
    await writer.drain()


async def short_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(OK_HEAD + b"Content-Length: 100\r\n\r\nonly this")
    await writer.drain()


async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"\x00\x01\x02 SSH-2.0-OpenSSH_9.6\r\n" * 100)
    await writer.drain()


async def deep_json(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    body = b"[" * 100_000 + b"]" * 100_000
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
        % (len(body), body)
    )
    await writer.drain()


async def deep_json_error(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    body = b'{"a":' * 900 + b"1" + b"}" * 900  # parses, but deeper than the worker keeps
    writer.write(
        b"HTTP/1.1 500 Oops\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
        % (len(body), body)
    )
    await writer.drain()


LIMITED = {"max_response_bytes": 1 << 20, "max_request_seconds": 1.5}

# name, handler, extra inputs, expected error code, words the message must hold
CASES: list[tuple[str, Any, dict[str, Any], str, list[str]]] = [
    ("endless chunked body", endless_chunked, {}, "RESPONSE_TOO_LARGE", ["1048576-byte limit"]),
    ("endless body until close", endless_until_close, {}, "RESPONSE_TOO_LARGE", ["limit"]),
    ("announced endless body", endless_announced, {}, "RESPONSE_TOO_LARGE", ["announces"]),
    ("slow drip body", drip_body, {}, "TIMEOUT", ["HTTP_MAX_REQUEST_SECONDS"]),
    ("slow drip headers", drip_headers, {}, "TIMEOUT", ["HTTP_MAX_REQUEST_SECONDS"]),
    (
        "redirect loop",
        redirect_loop,
        {"followRedirects": True},
        "TOO_MANY_REDIRECTS",
        ["redirects"],
    ),
    ("many headers", many_headers, {}, "RESPONSE_HEADERS_TOO_LARGE", ["128 headers"]),
    ("huge header", huge_header, {}, "RESPONSE_HEADERS_TOO_LARGE", ["16384 bytes"]),
    ("huge status line", huge_status_line, {}, "RESPONSE_HEADERS_TOO_LARGE", ["16384 bytes"]),
    ("invalid gzip", invalid_gzip, {}, "CONNECTION_ERROR", ["cannot be decompressed"]),
    ("gzip bomb", gzip_bomb, {}, "RESPONSE_TOO_LARGE", ["limit"]),
    ("reset mid-body", reset_mid_body, {}, "CONNECTION_ERROR", []),
    (
        "silent server",
        silent,
        {"readTimeoutInSeconds": 1},
        "READ_TIMEOUT",
        ["readTimeoutInSeconds"],
    ),
    ("broken chunked encoding", broken_chunks, {}, "CONNECTION_ERROR", []),
    ("body shorter than announced", short_body, {}, "CONNECTION_ERROR", ["incomplete"]),
    ("not HTTP at all", garbage, {}, "CONNECTION_ERROR", ["invalid HTTP"]),
]


def job_for(url: str, extra: dict[str, Any], key: int = 1) -> JobInput:
    return JobInput(
        key=key,
        variables={"method": "GET", "url": url, **extra},
        custom_headers={"resultVariable": "response"},
        retries=3,
    )


def check_failure(outcome: Outcome, code: str, words: list[str]) -> None:
    assert isinstance(outcome, Fail), outcome
    error = outcome.variables["error"]
    assert error["code"] == code, outcome.error_message
    for word in words:
        assert word in outcome.error_message, outcome.error_message
    assert "bug in the worker" not in outcome.error_message
    assert len(outcome.error_message) <= 6000


@pytest.mark.parametrize(
    ("handler", "extra", "code", "words"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_a_hostile_endpoint_ends_in_a_clear_failure(
    raw_server: StartServer, handler: Any, extra: dict[str, Any], code: str, words: list[str]
) -> None:
    server = await raw_server(handler)
    started = time.monotonic()
    async with Connector(settings(**LIMITED)) as connector:
        outcome = await connector.run(job_for(server.url("/hostile"), extra))
    print(f"\n{code}: {time.monotonic() - started:.2f} s")
    check_failure(outcome, code, words)


async def test_a_redirect_to_a_blocked_address(raw_server: StartServer) -> None:
    target = await raw_server(silent, host=BLOCKED_HOST)
    server = await raw_server(redirect_to(target.url("/metadata")))
    async with Connector(settings(deny_addresses=[BLOCKED_HOST])) as connector:
        outcome = await connector.run(job_for(server.url("/"), {"followRedirects": True}))
    check_failure(outcome, "DESTINATION_BLOCKED", ["HTTP_DENY_ADDRESSES", "a redirect from"])
    assert outcome.retries == 0  # type: ignore[union-attr]
    assert target.connections == 0


async def test_the_job_deadline_also_ends_a_drip(raw_server: StartServer) -> None:
    server = await raw_server(drip_body)
    relaxed = settings(max_request_seconds=0, deadline_margin_seconds=0.5)
    job = job_for(server.url("/"), {})
    job = JobInput(
        key=1,
        variables=job.variables,
        custom_headers={},
        retries=3,
        deadline_epoch_ms=int(time.time() * 1000) + 2500,
    )
    async with Connector(relaxed) as connector:
        outcome = await connector.run(job)
    check_failure(outcome, "TIMEOUT", ["job's deadline"])


async def test_json_too_deep_to_walk_is_kept_as_text(raw_server: StartServer) -> None:
    server = await raw_server(deep_json)
    async with Connector(settings()) as connector:
        outcome = await connector.run(
            JobInput(
                key=1,
                variables={"method": "GET", "url": server.url("/")},
                custom_headers={"resultExpression": "={length: string length(body)}"},
                retries=3,
            )
        )
    assert outcome == Complete({"length": 200_000})


async def test_an_error_body_too_deep_to_walk_is_kept_as_text(raw_server: StartServer) -> None:
    server = await raw_server(deep_json_error)
    async with Connector(settings()) as connector:
        outcome = await connector.run(job_for(server.url("/"), {}))
    check_failure(outcome, "500", ["HTTP 500 Oops"])
    body = outcome.variables["error"]["variables"]["response"]["body"]
    assert isinstance(body, str) and body.startswith('{"a":{"a":')


async def test_hostile_endpoints_do_not_hold_up_other_jobs(raw_server: StartServer) -> None:
    """All hostile cases at once, with well-behaved jobs between them on the same worker."""

    async def fine(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            writer.write(OK_HEAD + b"Content-Length: 2\r\n\r\nok")
            await writer.drain()

    good = await raw_server(fine)
    hostile = [(await raw_server(case[1]), case) for case in CASES]
    connector_settings: ConnectorSettings = settings(**LIMITED)
    async with Connector(connector_settings) as connector:

        async def timed(job: JobInput) -> tuple[Outcome, float]:
            started = time.monotonic()
            outcome = await connector.run(job)
            return outcome, time.monotonic() - started

        bad_jobs = [
            timed(job_for(server.url("/h"), case[2], key))
            for key, (server, case) in enumerate(hostile)
        ]

        async def good_jobs() -> list[tuple[Outcome, float]]:
            results = []
            for key in range(20):
                results.append(await timed(job_for(good.url("/good"), {}, 1000 + key)))
                await asyncio.sleep(0.05)
            return results

        good_run = asyncio.ensure_future(good_jobs())
        bad = await asyncio.gather(*bad_jobs)
        good_results = await good_run
    for (outcome, _), (_, case) in zip(bad, hostile, strict=True):
        check_failure(outcome, case[3], case[4])
    for outcome, _took in good_results:
        assert isinstance(outcome, Complete), outcome
        assert outcome.variables["response"]["body"] == "ok"
    slowest_good = max(took for _, took in good_results)
    print(f"\nslowest well-behaved job among the hostile ones: {slowest_good:.3f} s")


def test_the_gzip_bomb_is_a_bomb() -> None:
    head = BOMB[:4096]
    assert len(zlib.decompressobj(31).decompress(head, 64 << 20)) > 500 * len(head)
