"""The SSRF guard through the whole connector, against loopback servers only.

The forbidden address is a loopback one (127.0.0.9, denied by HTTP_DENY_ADDRESSES in these
tests), with a server listening there to prove nothing reaches it. Host names resolve
through a resolver of the test's own, so no DNS query leaves the machine.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from tests.security.conftest import BLOCKED_HOST, Recorder, job, settings
from worker.config import ConnectorSettings
from worker.connector import Connector
from worker.http_client import HttpClient
from worker.job import Complete, Fail, Outcome

pytestmark = pytest.mark.timeout(30)


class NamesResolver(AbstractResolver):
    """Resolves the test's own names to loopback addresses; anything else does not exist."""

    def __init__(self, names: dict[str, list[str]]) -> None:
        self.names = names
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        if host not in self.names:
            raise OSError(socket.EAI_NONAME, "Name or service not known")
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self.names[host]
        ]

    async def close(self) -> None:
        return None


async def run(
    connector_settings: ConnectorSettings,
    variables: dict[str, Any],
    headers: dict[str, str] | None = None,
    resolver: AbstractResolver | None = None,
) -> Outcome:
    http = HttpClient(connector_settings, resolver=resolver)
    async with Connector(connector_settings, http=http) as connector:
        return await connector.run(job(variables, headers))


def blocked(outcome: Outcome, rule: str) -> str:
    """Assert `outcome` is a blocked request without retries; return its message."""
    assert isinstance(outcome, Fail), outcome
    assert outcome.retries == 0
    assert outcome.variables["error"]["code"] == "DESTINATION_BLOCKED"
    assert outcome.variables["error"]["type"] == "BlockedDestinationError"
    assert f"({rule})" in outcome.error_message
    assert "nothing was sent there" in outcome.error_message
    return outcome.error_message


DENY_BLOCKED = {"deny_addresses": [f"{BLOCKED_HOST}/32"]}


@pytest.fixture
async def target(recorder: Any) -> Recorder:
    """A server on the forbidden address: it must never see a request."""
    server: Recorder = await recorder(BLOCKED_HOST)
    return server


@pytest.fixture
async def api(recorder: Any) -> AsyncIterator[Recorder]:
    async def redirect(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": request.query["to"]})

    async def token(request: web.Request) -> web.Response:
        return web.json_response({"access_token": "token-123456", "expires_in": 60})

    server: Recorder = await recorder("127.0.0.1", {"/redirect": redirect, "/token": token})
    yield server


async def test_a_denied_address_is_refused_before_connecting(target: Recorder) -> None:
    outcome = await run(
        settings(**DENY_BLOCKED),
        {
            "method": "POST",
            "url": f"http://alice:hunter2-password@{BLOCKED_HOST}:{target.port}/orders?token=query-secret-77",
            "body": {"a": 1},
        },
    )
    message = blocked(outcome, "HTTP_DENY_ADDRESSES")
    assert f"{BLOCKED_HOST}:{target.port}" in message
    assert f"{BLOCKED_HOST}/32" in message
    # never the secret parts of the URL
    assert "query-secret-77" not in message and "hunter2" not in message and "alice" not in message
    assert target.seen == []


async def test_nothing_needs_to_listen_for_the_block_to_apply(closed_port: int) -> None:
    outcome = await run(
        settings(**DENY_BLOCKED), {"method": "GET", "url": f"http://{BLOCKED_HOST}:{closed_port}/"}
    )
    blocked(outcome, "HTTP_DENY_ADDRESSES")  # not CONNECTION_REFUSED: no connection was tried


async def test_the_ipv6_spelling_of_a_denied_address_is_refused(target: Recorder) -> None:
    outcome = await run(
        settings(**DENY_BLOCKED),
        {"method": "GET", "url": f"http://[::ffff:{BLOCKED_HOST}]:{target.port}/ok"},
    )
    message = blocked(outcome, "HTTP_DENY_ADDRESSES")
    assert "it carries the IPv4 address 127.0.0.9" in message
    assert target.seen == []


async def test_the_check_is_on_the_resolved_address_not_the_name(target: Recorder) -> None:
    resolver = NamesResolver({"innocent.test": [BLOCKED_HOST]})
    outcome = await run(
        settings(**DENY_BLOCKED),
        {"method": "GET", "url": f"http://innocent.test:{target.port}/ok"},
        resolver=resolver,
    )
    message = blocked(outcome, "HTTP_DENY_ADDRESSES")
    assert f"innocent.test:{target.port}" in message and f"the address {BLOCKED_HOST}" in message
    assert resolver.asked == ["innocent.test"]
    assert target.seen == []


async def test_only_allowed_addresses_of_a_name_are_connected_to(recorder: Any) -> None:
    # DNS rebinding in one answer: one good address, one forbidden. The port is the same
    # on both addresses, so the connection could go to either.
    good: Recorder = await recorder("127.0.0.1")
    sock = socket.socket()
    sock.bind((BLOCKED_HOST, good.port))  # hold the port on the forbidden address
    sock.listen(8)
    try:
        resolver = NamesResolver({"mixed.test": [BLOCKED_HOST, "127.0.0.1"]})
        for _ in range(3):
            outcome = await run(
                settings(**DENY_BLOCKED),
                {"method": "GET", "url": f"http://mixed.test:{good.port}/ok"},
                {"resultVariable": "r"},
                resolver=resolver,
            )
            assert isinstance(outcome, Complete), outcome
        assert len(good.seen) == 3
        sock.setblocking(False)
        with pytest.raises(BlockingIOError):
            sock.accept()  # nobody ever connected to the forbidden address
    finally:
        sock.close()


async def test_every_redirect_hop_is_checked(api: Recorder, target: Recorder) -> None:
    variables = {
        "method": "GET",
        "url": api.url("/redirect"),
        "queryParameters": {"to": target.url("/ok?session=redirect-secret-99")},
        "followRedirects": True,
    }
    outcome = await run(settings(**DENY_BLOCKED), variables)
    message = blocked(outcome, "HTTP_DENY_ADDRESSES")
    assert f"a redirect from 127.0.0.1:{api.port} led there" in message
    assert "redirect-secret-99" not in message
    assert len(api.seen) == 1 and target.seen == []
    # Not following redirects, the 302 itself is the answer: nothing is blocked.
    outcome = await run(
        settings(**DENY_BLOCKED),
        {**variables, "followRedirects": False},
        {"resultExpression": "={status: status}"},
    )
    assert outcome == Complete({"status": 302})


async def test_a_redirect_to_a_denied_host_or_port_is_refused(
    api: Recorder, closed_port: int
) -> None:
    outcome = await run(
        settings(deny_hosts=["localhost"]),
        {
            "method": "GET",
            "url": api.url("/redirect"),
            "queryParameters": {"to": f"http://localhost:{api.port}/ok"},
            "followRedirects": True,
        },
    )
    blocked(outcome, "HTTP_DENY_HOSTS")
    outcome = await run(
        settings(deny_ports=[str(closed_port)]),
        {
            "method": "GET",
            "url": api.url("/redirect"),
            "queryParameters": {"to": f"http://127.0.0.1:{closed_port}/"},
            "followRedirects": True,
        },
    )
    blocked(outcome, "HTTP_DENY_PORTS")
    assert len(api.seen) == 2


async def test_the_oauth_token_endpoint_is_checked_too(api: Recorder, target: Recorder) -> None:
    outcome = await run(
        settings(**DENY_BLOCKED),
        {
            "method": "GET",
            "url": api.url("/ok"),
            "authentication": {
                "type": "oauth-client-credentials-flow",
                "oauthTokenEndpoint": target.url("/token"),
                "clientId": "client",
                "clientSecret": "client-secret-value-1",
                "clientAuthentication": "credentialsBody",
            },
        },
    )
    message = blocked(outcome, "HTTP_DENY_ADDRESSES")
    assert "OAuth token endpoint" in message
    assert target.seen == [] and api.seen == []


async def test_allowed_addresses_are_exceptions(api: Recorder, target: Recorder) -> None:
    only_one = settings(deny_addresses=["loopback"], allow_addresses=["127.0.0.1/32"])
    outcome = await run(only_one, {"method": "GET", "url": api.url("/ok")})
    assert isinstance(outcome, Complete), outcome
    outcome = await run(only_one, {"method": "GET", "url": target.url("/ok")})
    message = blocked(outcome, "HTTP_DENY_ADDRESSES")
    assert "127.0.0.0/8 (loopback)" in message


async def test_an_allow_list_of_hosts(api: Recorder) -> None:
    allow_list = settings(deny_hosts=["*"], allow_hosts=["127.0.0.1"])
    assert isinstance(await run(allow_list, {"method": "GET", "url": api.url("/ok")}), Complete)
    outcome = await run(allow_list, {"method": "GET", "url": f"http://localhost:{api.port}/ok"})
    assert "the host localhost matches '*'" in blocked(outcome, "HTTP_DENY_HOSTS")
    assert len(api.seen) == 1


async def test_camundas_block_variables_through_the_connector(
    api: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMUNDA_CONNECTOR_HTTP_BLOCK_URL_ADMIN", "/admin")
    monkeypatch.setenv(
        "CAMUNDA_CONNECTOR_HTTP_BLOCK_REGEX_REPORTS", r"http://127\.0\.0\.1:\d+/reports/.*"
    )
    monkeypatch.setenv("CAMUNDA_CONNECTOR_HTTP_BLOCK_PORT_SSH", "22")
    configured = settings()
    outcome = await run(configured, {"method": "GET", "url": api.url("/admin/users?x=1")})
    assert "the URL contains a blocked text" in blocked(
        outcome, "CAMUNDA_CONNECTOR_HTTP_BLOCK_URL_ADMIN"
    )
    outcome = await run(
        configured,
        {"method": "GET", "url": api.url("/reports/2024"), "queryParameters": {"page": "2"}},
    )
    blocked(outcome, "CAMUNDA_CONNECTOR_HTTP_BLOCK_REGEX_REPORTS")
    outcome = await run(configured, {"method": "GET", "url": "http://127.0.0.1:22/"})
    blocked(outcome, "CAMUNDA_CONNECTOR_HTTP_BLOCK_PORT_SSH")
    assert api.seen == []
    assert isinstance(await run(configured, {"method": "GET", "url": api.url("/ok")}), Complete)


async def test_an_error_expression_sees_the_block(target: Recorder) -> None:
    outcome = await run(
        settings(**DENY_BLOCKED),
        {"method": "GET", "url": target.url("/ok")},
        {
            "errorExpression": '=if error.code = "DESTINATION_BLOCKED" then bpmnError("FORBIDDEN", error.message) else null'
        },
    )
    assert outcome.__class__.__name__ == "ThrowError"
    assert outcome.error_code == "FORBIDDEN"  # type: ignore[union-attr]


# --- proxies: the proxy is trusted, the target is checked ---


@pytest.fixture
async def proxy(recorder: Any) -> Recorder:
    """A forward proxy on loopback that answers for every target itself."""

    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"via": "proxy", "target": str(request.url)})

    server: Recorder = await recorder("127.0.0.1", {"/{tail:.*}": answer})
    return server


async def test_through_a_proxy_a_denied_target_address_is_refused(
    proxy: Recorder, target: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    outcome = await run(settings(**DENY_BLOCKED), {"method": "GET", "url": target.url("/ok")})
    blocked(outcome, "HTTP_DENY_ADDRESSES")
    resolver = NamesResolver({"innocent.test": [BLOCKED_HOST]})
    outcome = await run(
        settings(**DENY_BLOCKED),
        {"method": "GET", "url": "http://innocent.test/ok"},
        resolver=resolver,
    )
    blocked(outcome, "HTTP_DENY_ADDRESSES")  # resolved here as the proxy would
    assert proxy.seen == [] and target.seen == []


async def test_through_a_proxy_a_name_unknown_here_is_left_to_the_proxy(
    proxy: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    outcome = await run(
        settings(**DENY_BLOCKED),
        {"method": "GET", "url": "http://only-the-proxy-knows.test/x"},
        {"resultExpression": "={via: body.via}"},
        resolver=NamesResolver({}),
    )
    assert outcome == Complete({"via": "proxy"})
    assert len(proxy.seen) == 1


async def test_the_proxy_itself_may_sit_on_a_denied_address(
    recorder: Any, api: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"via": "proxy"})

    proxy_on_denied: Recorder = await recorder(BLOCKED_HOST, {"/{tail:.*}": answer})
    monkeypatch.setenv("HTTP_PROXY", f"http://{BLOCKED_HOST}:{proxy_on_denied.port}")
    outcome = await run(
        settings(**DENY_BLOCKED),
        {"method": "GET", "url": api.url("/elsewhere")},
        {"resultExpression": "={via: body.via}"},
    )
    assert outcome == Complete({"via": "proxy"})
    assert len(proxy_on_denied.seen) == 1 and api.seen == []


@pytest.fixture
def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


@pytest.mark.parametrize(
    "host",
    ["2130706441", "127.9", "127.0.9", "0x7f.0.0.9", "0x7f000009", "017700000011", "0177.0.0.011"],
)
async def test_legacy_spellings_of_an_address_are_refused(target: Recorder, host: str) -> None:
    # each means 127.0.0.9 to the C library; a rule written a.b.c.d must not be sidestepped
    outcome = await run(
        settings(**DENY_BLOCKED), {"method": "GET", "url": f"http://{host}:{target.port}/"}
    )
    assert isinstance(outcome, Fail), outcome
    assert outcome.retries == 0
    assert (
        f"url: has the host '{host}', an unusual spelling of an IPv4 address"
        in outcome.error_message
    )
    assert target.seen == []
