"""What goes on the wire: URL and query encoding, headers and bodies, as the server sees them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.connector.conftest import Run
from tests.connector.servers import Api
from worker.content import encode_body
from worker.errors import InputError
from worker.job import Complete, Fail
from worker.urls import add_query, encode_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://h/hello, world!", "http://h/hello,%20world!"),
        ("http://h/über uns", "http://h/%C3%BCber%20uns"),
        ("http://h/a%2Fb/c", "http://h/a%2Fb/c"),  # already encoded: never decoded
        ("http://h/hello%2C%20world%21", "http://h/hello%2C%20world%21"),
        ("http://h/a+b", "http://h/a+b"),  # a plus in a path is a plus
        ("http://h/?hello+world", "http://h/?hello+world"),
        ("http://h/?query=hello%3Fworld?", "http://h/?query=hello%3Fworld?"),
        ("http://h/?q=a%26b&c=d", "http://h/?q=a%26b&c=d"),
        ("http://h/100%", "http://h/100%25"),  # a % that starts no escape
        ("http://h/%zz", "http://h/%25zz"),
        ('http://h/"quoted"<tag>{x}|^`\\', "http://h/%22quoted%22%3Ctag%3E%7Bx%7D%7C%5E%60%5C"),
        ("http://h/filter?a[0]=1", "http://h/filter?a[0]=1"),
        ("http://h/path#fragment", "http://h/path"),
        ("http://h", "http://h/"),
        ("HTTP://Example.COM:8080/A", "http://example.com:8080/A"),
        ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
        ("http://[::1]:8080/a b", "http://[::1]:8080/a%20b"),
        ("http://user:pa%40ss@h/p", "http://h/p"),
    ],
)
def test_url_encoding_encodes_what_must_be_and_decodes_nothing(url: str, expected: str) -> None:
    assert encode_url(url)[0] == expected


def test_credentials_in_the_url_are_taken_out_and_decoded() -> None:
    assert encode_url("http://user:pa%40ss@h/p")[1:] == ("user", "pa@ss")


@pytest.mark.parametrize(
    ("url", "fine"),
    [("http://h/a%20b?x=%2F", True), ("http://h/a b", False), ("http://h/ü", False)],
)
def test_skip_encoding_sends_the_url_as_is_or_refuses_it(url: str, fine: bool) -> None:
    if fine:
        assert encode_url(url, skip_encoding=True)[0] == url
    else:
        with pytest.raises(ValueError, match="need encoding"):
            encode_url(url, skip_encoding=True)


@pytest.mark.parametrize(
    ("url", "pairs", "expected"),
    [
        ("http://h/", [("q", "São Paulo")], "http://h/?q=S%C3%A3o%20Paulo"),
        ("http://h/?a=1", [("b", "2")], "http://h/?a=1&b=2"),
        ("http://h/?", [("b", "2")], "http://h/?b=2"),
        ("http://h/?a=1&", [("b", "2")], "http://h/?a=1&b=2"),
        (
            "http://h/",
            [("a b&c", "d=e/f?g#h+i%j")],
            "http://h/?a%20b%26c=d%3De%2Ff%3Fg%23h%2Bi%25j",
        ),
        ("http://h/", [("tag", "1"), ("tag", "2")], "http://h/?tag=1&tag=2"),
        ("http://h/", [("emoji", "😀")], "http://h/?emoji=%F0%9F%98%80"),
        ("http://h/", [("already", "%2F")], "http://h/?already=%252F"),
        ("http://h/", [], "http://h/"),
    ],
)
def test_query_parameters_are_encoded_as_components(
    url: str, pairs: list[tuple[str, str]], expected: str
) -> None:
    assert add_query(url, pairs) == expected


@pytest.mark.parametrize(
    ("path", "query", "received"),
    [
        ("/echo/a b/ü", {}, "/echo/a%20b/%C3%BC"),
        ("/echo/a%2Fb?x=%2F", {}, "/echo/a%2Fb?x=%2F"),
        ("/echo/", {"q": "São Paulo", "r": "a&b=c"}, "/echo/?q=S%C3%A3o%20Paulo&r=a%26b%3Dc"),
        (
            "/echo/?fixed=1",
            {"tag": ["x", "y", 3, True, None]},
            "/echo/?fixed=1&tag=x&tag=y&tag=3&tag=true",
        ),
        ("/echo/", {"none": None}, "/echo/"),
    ],
)
async def test_the_server_receives_the_exact_path_and_query(
    run: Run, api: Api, path: str, query: dict[str, Any], received: str
) -> None:
    outcome = await run({"method": "GET", "url": api.url(path), "queryParameters": query})
    assert isinstance(outcome, Complete)
    assert api.last.path == received


# --- bodies ---


@pytest.mark.parametrize(
    ("body", "content_type", "ignore_nulls", "expected_bytes", "added_type"),
    [
        (None, None, False, None, None),
        ("", None, False, None, None),
        ({}, None, False, b"{}", "application/json"),
        ({"a": 1, "b": None}, None, False, b'{"a":1,"b":null}', "application/json"),
        (
            {"a": 1, "b": None, "c": [None, {"d": None}]},
            None,
            True,
            b'{"a":1,"c":[null,{}]}',
            "application/json",
        ),
        ([1, "two"], None, False, b'[1,"two"]', "application/json"),
        (123, None, False, b"123", "application/json"),
        (True, "text/plain", False, b"true", None),
        ({"é": "ü"}, None, False, '{"é":"ü"}'.encode(), "application/json"),
        ('{"typed": "as text"}', None, False, b'{"typed": "as text"}', "application/json"),
        ('"My body"', None, False, b'"My body"', "application/json"),
        ("plain text", "text/plain", False, b"plain text", None),
        ("é", "text/plain; charset=ISO-8859-1", False, b"\xe9", None),
        ("é", "text/plain; charset=utf-8", False, b"\xc3\xa9", None),
        (
            {"a": "x y", "b": ["1", 2], "c": None, "d": True},
            "application/x-www-form-urlencoded",
            False,
            b"a=x+y&b=1&b=2&c&d=true",
            None,
        ),
        (
            {"a": "x", "c": None},
            "application/x-www-form-urlencoded; charset=UTF-8",
            True,
            b"a=x",
            None,
        ),
        ("a=raw&b=form", "application/x-www-form-urlencoded", False, b"a=raw&b=form", None),
        ({"k": "v"}, "application/vnd.api+json", False, b'{"k":"v"}', None),
    ],
)
def test_body_encoding(
    body: Any,
    content_type: str | None,
    ignore_nulls: bool,
    expected_bytes: bytes | None,
    added_type: str | None,
) -> None:
    assert encode_body(body, content_type, ignore_nulls=ignore_nulls) == (
        expected_bytes,
        added_type,
    )


def test_multipart_body_with_and_without_a_given_boundary() -> None:
    data, content_type = encode_body({"a": "x y", "b": [1, 2], "c": None}, "multipart/form-data")
    assert content_type is not None and content_type.startswith("multipart/form-data; boundary=")
    boundary = content_type.split("boundary=")[1]
    assert (
        data
        == (
            f'--{boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\nx y\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="b"\r\n\r\n1\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="b"\r\n\r\n2\r\n'
            f"--{boundary}--\r\n"
        ).encode()
    )
    data, content_type = encode_body({"a": "1"}, 'multipart/form-data; boundary="XyZ"')
    assert content_type == "multipart/form-data; boundary=XyZ"
    assert data is not None and data.startswith(b"--XyZ\r\n")


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        ("ü", "text/plain; charset=ascii", "body: cannot be encoded as ascii"),
        ("x", "text/plain; charset=klingon", "unknown charset 'klingon'"),
        ({"n": float("nan")}, None, "body: cannot be written as JSON"),
    ],
)
def test_body_encoding_errors(body: Any, content_type: str | None, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        encode_body(body, content_type)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "GET", "OPTIONS"])
async def test_every_method_may_carry_a_json_body(run: Run, api: Api, method: str) -> None:
    outcome = await run({"method": method, "url": api.url(), "body": {"id": 7}})
    assert isinstance(outcome, Complete)
    assert api.last.method == method
    assert api.last.json() == {"id": 7}
    assert api.last.header("Content-Type") == "application/json"


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE", "PUT"])
async def test_no_body_sends_no_content_type(run: Run, api: Api, method: str) -> None:
    outcome = await run({"method": method, "url": api.url()})
    assert isinstance(outcome, Complete)
    assert api.last.body == b""
    assert api.last.header("Content-Type") is None


async def test_head_and_options(run: Run, api: Api) -> None:
    head = await run({"method": "HEAD", "url": api.url()}, {"resultVariable": "r"})
    assert isinstance(head, Complete)
    assert head.variables["r"]["status"] == 200
    assert head.variables["r"]["body"] is None
    assert "Content-Length" in head.variables["r"]["headers"]
    options = await run({"method": "options", "url": api.url()}, {"resultVariable": "r"})
    assert isinstance(options, Complete)
    assert api.last.method == "OPTIONS"


async def test_form_and_raw_bodies_on_the_wire(run: Run, api: Api) -> None:
    await run(
        {
            "method": "POST",
            "url": api.url(),
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "body": {"name": "Ann Lee", "tags": ["a", "b"]},
        }
    )
    assert api.last.body == b"name=Ann+Lee&tags=a&tags=b"
    assert api.last.header_values("Content-Type") == ["application/x-www-form-urlencoded"]
    await run(
        {
            "method": "PUT",
            "url": api.url(),
            "headers": {"content-type": "text/csv; charset=utf-8"},
            "body": "a,b\n1,2\n",
        }
    )
    assert api.last.body == b"a,b\n1,2\n"
    assert api.last.header_values("Content-Type") == ["text/csv; charset=utf-8"]


async def test_headers_repeated_values_and_case_kept(run: Run, api: Api) -> None:
    await run(
        {
            "method": "GET",
            "url": api.url(),
            "headers": {"X-Tag": ["one", "two"], "x-lower": "v", "X-Num": 5},
        }
    )
    assert api.last.header_values("X-Tag") == ["one", "two"]
    assert ("x-lower", "v") in api.last.headers
    assert api.last.header("X-Num") == "5"


async def test_default_user_agent_and_a_job_that_sets_its_own(run: Run, api: Api) -> None:
    await run({"method": "GET", "url": api.url()})
    assert api.last.header_values("User-Agent") == ["rest-connector-worker"]
    await run({"method": "GET", "url": api.url(), "headers": {"user-agent": "mine/1.0"}})
    assert api.last.header_values("User-Agent") == ["mine/1.0"]


async def test_credentials_in_the_url_become_basic_auth(run: Run, api: Api) -> None:
    url = api.url().replace("http://", "http://ann:s%3Acret@")
    outcome = await run({"method": "GET", "url": url})
    assert isinstance(outcome, Complete)
    assert api.last.header("Authorization") == "Basic YW5uOnM6Y3JldA=="
    clash = await run(
        {"method": "GET", "url": url, "authentication": {"type": "bearer", "token": "t"}}
    )
    assert isinstance(clash, Fail)
    assert "url: holds credentials" in clash.error_message
    assert clash.retries == 0
