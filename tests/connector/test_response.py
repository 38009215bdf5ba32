"""The response as the job sees it: body by Content-Type and charset, headers, reason."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.connector.conftest import Run
from tests.connector.servers import Api
from worker.job import Complete
from worker.request import ReturnFormat
from worker.response import HttpResponse, decode_body, header_map, response_value

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452")


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        (b"", "application/json", None),
        (b"", None, None),
        (b'{"a": 1, "b": [true, null]}', "application/json", {"a": 1, "b": [True, None]}),
        (b'{"a": 1}', "application/json; charset=utf-8", {"a": 1}),
        (b"[1, 2]", "application/problem+json", [1, 2]),
        (b'{"data": {}}', "application/vnd.api+json", {"data": {}}),
        # any JSON value when the Content-Type says JSON, scalars included
        (b"123", "application/json", 123),
        (b"1.5", "application/json", 1.5),
        (b'"Hello"', "application/json", "Hello"),
        (b"true", "application/json", True),
        (b"null", "application/json", None),
        # JSON that does not parse stays text
        (b"{not json", "application/json", "{not json"),
        (b"NaN", "application/json", "NaN"),
        # an object or array is parsed whatever the Content-Type says
        (b'{"a": 1}', "text/plain", {"a": 1}),
        (b"  [1]\n", None, [1]),
        (b'{"a": 1}', "application/octet-stream", {"a": 1}),
        # other text stays text, JSON scalars included
        (b"123", "text/plain", "123"),
        (b'"Hello, world"', "text/plain", '"Hello, world"'),
        (b"a/b and c", "text/plain", "a/b and c"),
        (b"<a>x</a>", "application/xml", "<a>x</a>"),
        (b"<html/>", "text/html; charset=utf-8", "<html/>"),
        # charsets
        ("grüße".encode("latin-1"), "text/plain; charset=ISO-8859-1", "grüße"),
        ("grüße".encode("utf-16"), 'text/plain; charset="utf-16"', "grüße"),
        ('{"k": "é"}'.encode("latin-1"), "application/json; charset=latin-1", {"k": "é"}),
        ("ünïcode".encode(), "text/plain", "ünïcode"),
        (b'\xef\xbb\xbf{"bom": 1}', "application/json", {"bom": 1}),
        (b"\xff broken", "text/plain", "\ufffd broken"),
        (b"x", "text/plain; charset=klingon", "x"),
        # binary content becomes base64
        (PNG, "image/png", base64.b64encode(PNG).decode()),
        (PNG, None, base64.b64encode(PNG).decode()),
        (PNG, "application/octet-stream", base64.b64encode(PNG).decode()),
        (b"plain bytes", "application/octet-stream", "plain bytes"),
    ],
)
def test_body_decoding(content: bytes, content_type: str | None, expected: Any) -> None:
    assert decode_body(content, content_type) == expected


@pytest.mark.parametrize(
    ("content", "content_type", "choice", "encoding", "expected"),
    [
        (b'{"a": 1}', "application/json", "TEXT", "UTF-8", '{"a": 1}'),
        ("é".encode("latin-1"), "text/plain; charset=utf-8", "TEXT", "ISO-8859-1", "é"),
        (b"123", "text/plain", "JSON", "UTF-8", 123),
        (b"plain", "text/plain", "JSON", "UTF-8", "plain"),
        (b"", "application/json", "JSON", "UTF-8", None),
        (PNG, "image/png", "JSON", "UTF-8", base64.b64encode(PNG).decode()),
    ],
)
def test_document_return_format_of_template_17(
    content: bytes, content_type: str, choice: str, encoding: str, expected: Any
) -> None:
    response_format = ReturnFormat(choice=choice, encoding=encoding)  # type: ignore[arg-type]
    assert decode_body(content, content_type, response_format) == expected


def test_headers_one_string_each_a_list_when_repeated_case_kept() -> None:
    headers = (
        ("Content-Type", "application/json"),
        ("Set-Cookie", "a=1"),
        ("set-cookie", "b=2"),
        ("SET-COOKIE", "c=3"),
        ("X-Single", "only"),
        ("x-empty", ""),
    )
    assert header_map(headers) == {
        "Content-Type": "application/json",
        "Set-Cookie": ["a=1", "b=2", "c=3"],
        "X-Single": "only",
        "x-empty": "",
    }


@pytest.mark.parametrize(
    ("status", "reason", "expected"),
    [
        (200, "OK", "OK"),
        (404, "", "Not Found"),
        (299, "", ""),
        (401, "Unauthorized sorry!", "Unauthorized sorry!"),
    ],
)
def test_reason_phrase(status: int, reason: str, expected: str) -> None:
    value = response_value(HttpResponse(status, reason, (), b""))
    assert value == {"status": status, "headers": {}, "body": None, "reason": expected}


async def test_response_from_a_real_server(run: Run, api: Api) -> None:
    url = api.url(
        "/status/201?body=created&reason=Made%20It&header=Set-Cookie:a%3D1&header=Set-Cookie:b%3D2&header=X-Trace:t1"
    )
    outcome = await run({"method": "POST", "url": url}, {"resultVariable": "response"})
    assert isinstance(outcome, Complete)
    response = outcome.variables["response"]
    assert response["status"] == 201
    assert response["reason"] == "Made It"
    assert response["body"] == "created"
    assert response["headers"]["Set-Cookie"] == ["a=1", "b=2"]
    assert response["headers"]["X-Trace"] == "t1"
    assert response["headers"]["Content-Type"] == "text/plain; charset=utf-8"
    assert set(response) == {"status", "headers", "body", "reason"}


async def test_no_content_keeps_the_headers(run: Run, api: Api) -> None:
    outcome = await run(
        {"method": "DELETE", "url": api.url("/status/204?header=X-Deleted:yes")},
        {"resultVariable": "r"},
    )
    assert isinstance(outcome, Complete)
    assert outcome.variables["r"]["body"] is None
    assert outcome.variables["r"]["headers"]["X-Deleted"] == "yes"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("123", 123), ('"text"', "text"), ('{"a": {"b": null}}', {"a": {"b": None}}), ("[]", [])],
)
async def test_json_scalars_from_a_real_server(
    run: Run, api: Api, value: str, expected: Any
) -> None:
    outcome = await run(
        {"method": "GET", "url": api.url("/json"), "queryParameters": {"value": value}},
        {"resultExpression": "={got: response.body}"},
    )
    assert outcome == Complete({"got": expected})


async def test_binary_from_a_real_server(run: Run, api: Api) -> None:
    outcome = await run(
        {
            "method": "GET",
            "url": api.url("/bytes"),
            "queryParameters": {"hex": PNG.hex(), "type": "image/png"},
        },
        {"resultExpression": "={png: body}"},
    )
    assert outcome == Complete({"png": base64.b64encode(PNG).decode()})


async def test_a_compressed_body_is_decompressed(run: Run) -> None:
    async def compressed(request: web.Request) -> web.Response:
        response = web.json_response({"big": "x" * 10_000})
        response.enable_compression(web.ContentCoding.gzip)
        return response

    app = web.Application()
    app.router.add_get("/", compressed)
    async with TestServer(app, host="127.0.0.1", port=0) as server:
        outcome = await run(
            {"method": "GET", "url": f"http://127.0.0.1:{server.port}/"},
            {
                "resultExpression": '={encoding: get value(headers, "Content-Encoding"), size: '
                "string length(body.big)}"
            },
        )
    assert outcome == Complete({"encoding": "gzip", "size": 10_000})
