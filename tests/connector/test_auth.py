"""Authentication: Basic, Bearer, API keys, and OAuth against a loopback token endpoint."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.connector.conftest import SECRET_PREFIX, Run, job
from tests.connector.servers import Api
from worker.config import ConnectorSettings
from worker.connector import Connector
from worker.job import Complete, Fail
from worker.metrics import OAUTH_TOKEN_FETCHES


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("authentication", "header", "query"),
    [
        ({"type": "noAuth"}, None, ""),
        ({"type": "basic", "username": "ann", "password": "s3cret"}, basic("ann", "s3cret"), ""),
        ({"type": "basic", "username": "ann"}, basic("ann", ""), ""),
        ({"type": "basic", "username": "ann", "password": ""}, basic("ann", ""), ""),
        (
            {"type": "basic", "username": "jürgen", "password": "pä:ss"},
            basic("jürgen", "pä:ss"),
            "",
        ),
        ({"type": "bearer", "token": "abc.def"}, "Bearer abc.def", ""),
        (
            {"type": "apiKey", "apiKeyLocation": "headers", "name": "X-Api-Key", "value": "k1"},
            None,
            "",
        ),
        (
            {"type": "apiKey", "apiKeyLocation": "query", "name": "api key", "value": "a&b"},
            None,
            "?api%20key=a%26b",
        ),
        ({"type": "apiKey", "name": "X-Api-Key", "value": "k1"}, None, ""),
    ],
)
async def test_static_credentials(
    run: Run, api: Api, authentication: dict[str, Any], header: str | None, query: str
) -> None:
    outcome = await run(
        {"method": "GET", "url": api.url("/echo/a"), "authentication": authentication}
    )
    assert isinstance(outcome, Complete)
    assert api.last.header("Authorization") == header
    assert api.last.path == "/echo/a" + query
    if authentication.get("type") == "apiKey" and authentication.get("apiKeyLocation") != "query":
        assert api.last.header_values("X-Api-Key") == ["k1"]


async def test_api_key_in_query_is_added_after_the_query_parameters(run: Run, api: Api) -> None:
    await run(
        {
            "method": "GET",
            "url": api.url("/echo/?fixed=1"),
            "queryParameters": {"q": "x"},
            "authentication": {
                "type": "apiKey",
                "apiKeyLocation": "query",
                "name": "key",
                "value": "v",
            },
        }
    )
    assert api.last.path == "/echo/?fixed=1&q=x&key=v"


async def test_a_header_set_by_the_user_replaces_the_credential_header(run: Run, api: Api) -> None:
    await run(
        {
            "method": "GET",
            "url": api.url(),
            "authentication": {"type": "bearer", "token": "from-auth"},
            "headers": {"authorization": "Custom mine"},
        }
    )
    assert api.last.header_values("Authorization") == ["Custom mine"]


# --- OAuth ---


@dataclass
class TokenEndpoint:
    """A loopback OAuth token endpoint and an API that accepts the tokens it issued."""

    server: TestServer | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)
    api_calls: list[str | None] = field(default_factory=list)
    expires_in: Any = 3600
    delay: float = 0.0
    status: int = 200
    answer: Any = None  # replaces the token response when set
    rotate_refresh_tokens: bool = False

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.port}"

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.requests.append(
            {
                "form": dict(form),
                "authorization": request.headers.get("Authorization"),
                "content_type": request.content_type,
            }
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.answer is not None:
            if isinstance(self.answer, str):
                return web.Response(status=self.status, text=self.answer)
            return web.json_response(self.answer, status=self.status)
        value = f"token-{len(self.issued) + 1}"
        self.issued.append(value)
        body: dict[str, Any] = {"access_token": value, "token_type": "bearer"}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        if self.rotate_refresh_tokens:
            body["refresh_token"] = f"refresh-{len(self.issued) + 1}"
        return web.json_response(body)

    async def api(self, request: web.Request) -> web.Response:
        authorization = request.headers.get("Authorization")
        self.api_calls.append(authorization)
        token = (authorization or "").removeprefix("Bearer ")
        if token not in self.issued or token in self.revoked:
            return web.json_response({"error": "bad token", "echo": authorization}, status=401)
        return web.json_response({"hello": token})


@pytest.fixture
async def oauth() -> AsyncIterator[TokenEndpoint]:
    endpoint = TokenEndpoint()
    app = web.Application()
    app.router.add_post("/token", endpoint.token)
    app.router.add_get("/api", endpoint.api)
    endpoint.server = TestServer(app, host="127.0.0.1", port=0)
    await endpoint.server.start_server()
    yield endpoint
    await endpoint.server.close()


def client_credentials(oauth: TokenEndpoint, **fields: Any) -> dict[str, Any]:
    authentication = {
        "type": "oauth-client-credentials-flow",
        "oauthTokenEndpoint": oauth.base + "/token",
        "clientId": "my-client",
        "clientSecret": "my-secret",
        "clientAuthentication": "basicAuthHeader",
        **fields,
    }
    return {"method": "GET", "url": oauth.base + "/api", "authentication": authentication}


def refresh_token(oauth: TokenEndpoint, **fields: Any) -> dict[str, Any]:
    authentication = {
        "type": "oauth-refresh-token",
        "oauthTokenEndpoint": oauth.base + "/token",
        "clientId": "my-client",
        "refreshToken": "refresh-1",
        **fields,
    }
    return {"method": "GET", "url": oauth.base + "/api", "authentication": authentication}


HELLO = {"resultExpression": "={hello: body.hello}"}


@pytest.mark.parametrize(
    ("fields", "form", "authorization"),
    [
        ({}, {"grant_type": "client_credentials"}, basic("my-client", "my-secret")),
        (
            {"clientAuthentication": "credentialsBody"},
            {
                "grant_type": "client_credentials",
                "client_id": "my-client",
                "client_secret": "my-secret",
            },
            None,
        ),
        (
            {"audience": "https://api.example", "scopes": "read write"},
            {
                "grant_type": "client_credentials",
                "audience": "https://api.example",
                "scope": "read write",
            },
            basic("my-client", "my-secret"),
        ),
        (
            {"audience": "", "scopes": None},
            {"grant_type": "client_credentials"},
            basic("my-client", "my-secret"),
        ),
    ],
)
async def test_client_credentials_request(
    run: Run,
    oauth: TokenEndpoint,
    fields: dict[str, Any],
    form: dict[str, str],
    authorization: str | None,
) -> None:
    outcome = await run(client_credentials(oauth, **fields), HELLO)
    assert outcome == Complete({"hello": "token-1"})
    assert oauth.requests == [
        {
            "form": form,
            "authorization": authorization,
            "content_type": "application/x-www-form-urlencoded",
        }
    ]
    assert oauth.api_calls == ["Bearer token-1"]


async def test_tokens_are_cached_per_key(run: Run, oauth: TokenEndpoint) -> None:
    for _ in range(3):
        assert await run(client_credentials(oauth), HELLO) == Complete({"hello": "token-1"})
    assert len(oauth.requests) == 1
    # another scope, audience, secret or client authentication is another token
    variants = [
        {"scopes": "admin"},
        {"audience": "other"},
        {"clientSecret": "other-secret"},
        {"clientAuthentication": "credentialsBody"},
    ]
    for number, fields in enumerate(variants, start=2):
        assert await run(client_credentials(oauth, **fields), HELLO) == Complete(
            {"hello": f"token-{number}"}
        )
    assert len(oauth.requests) == 5
    assert await run(client_credentials(oauth, scopes="admin"), HELLO) == Complete(
        {"hello": "token-2"}
    )
    assert len(oauth.requests) == 5


@pytest.mark.parametrize("expires_in", [1.3, "1.3"])
async def test_a_token_is_dropped_before_it_expires(
    settings: ConnectorSettings, oauth: TokenEndpoint, expires_in: Any
) -> None:
    oauth.expires_in = expires_in
    async with Connector(
        settings.model_copy(update={"oauth_expiry_skew_seconds": 1.0})
    ) as connector:
        first = await connector.run(job(client_credentials(oauth), HELLO))
        second = await connector.run(job(client_credentials(oauth), HELLO))
        await asyncio.sleep(0.4)
        third = await connector.run(job(client_credentials(oauth), HELLO))
    assert [first, second, third] == [
        Complete({"hello": "token-1"}),
        Complete({"hello": "token-1"}),
        Complete({"hello": "token-2"}),
    ]


@pytest.mark.parametrize(("default_ttl", "token_requests"), [(300.0, 1), (0.0, 3)])
async def test_without_expires_in_the_default_ttl_applies(
    settings: ConnectorSettings, oauth: TokenEndpoint, default_ttl: float, token_requests: int
) -> None:
    oauth.expires_in = None
    async with Connector(
        settings.model_copy(update={"oauth_default_ttl_seconds": default_ttl})
    ) as connector:
        for _ in range(3):
            assert isinstance(await connector.run(job(client_credentials(oauth), HELLO)), Complete)
    assert len(oauth.requests) == token_requests


async def test_concurrent_jobs_share_one_token_request(
    connector: Connector, oauth: TokenEndpoint
) -> None:
    oauth.delay = 0.3
    outcomes = await asyncio.gather(
        *(connector.run(job(client_credentials(oauth), HELLO)) for _ in range(8))
    )
    assert outcomes == [Complete({"hello": "token-1"})] * 8
    assert len(oauth.requests) == 1


async def test_a_job_giving_up_does_not_cancel_the_token_request_others_wait_for(
    settings: ConnectorSettings, oauth: TokenEndpoint
) -> None:
    oauth.delay = 0.6
    async with Connector(settings.model_copy(update={"deadline_margin_seconds": 0.0})) as connector:
        hurried = connector.run(
            job(client_credentials(oauth), HELLO, deadline_epoch_ms=int((time.time() + 0.2) * 1000))
        )
        patient = connector.run(job(client_credentials(oauth), HELLO))
        first, second = await asyncio.gather(hurried, patient)
    assert isinstance(first, Fail) and first.variables["error"]["code"] == "TIMEOUT"
    assert second == Complete({"hello": "token-1"})
    assert len(oauth.requests) == 1


async def test_a_401_to_a_cached_token_fetches_a_new_one_once(
    run: Run, oauth: TokenEndpoint
) -> None:
    assert await run(client_credentials(oauth), HELLO) == Complete({"hello": "token-1"})
    oauth.revoked.add("token-1")
    assert await run(client_credentials(oauth), HELLO) == Complete({"hello": "token-2"})
    assert oauth.api_calls == ["Bearer token-1", "Bearer token-1", "Bearer token-2"]
    assert len(oauth.requests) == 2
    assert await run(client_credentials(oauth), HELLO) == Complete({"hello": "token-2"})
    assert len(oauth.requests) == 2


async def test_a_401_to_a_fresh_token_is_the_answer(run: Run, oauth: TokenEndpoint) -> None:
    oauth.revoked.update({"token-1", "token-2"})
    outcome = await run(client_credentials(oauth), HELLO)
    assert isinstance(outcome, Fail)
    assert outcome.variables["error"]["code"] == "401"
    assert len(oauth.requests) == 1 and len(oauth.api_calls) == 1
    # the refused token was dropped: the next job fetches another
    await run(client_credentials(oauth), HELLO)
    assert len(oauth.requests) == 2


@pytest.mark.parametrize(
    ("status", "answer", "code", "message"),
    [
        (
            401,
            {"error": "invalid_client", "error_description": "Client authentication failed"},
            "OAUTH_TOKEN_ERROR",
            "failed: HTTP 401 Unauthorized: invalid_client: Client authentication failed",
        ),
        (
            500,
            "upstream broke",
            "OAUTH_TOKEN_ERROR",
            "failed: HTTP 500 Internal Server Error: upstream broke",
        ),
        (200, {"token_type": "bearer"}, "OAUTH_TOKEN_ERROR", "has no access_token"),
        (
            200,
            "<html>login</html>",
            "OAUTH_TOKEN_ERROR",
            "is not a JSON object: <html>login</html>",
        ),
    ],
)
async def test_token_endpoint_failures(
    run: Run, oauth: TokenEndpoint, status: int, answer: Any, code: str, message: str
) -> None:
    oauth.status, oauth.answer = status, answer
    outcome = await run(client_credentials(oauth), HELLO)
    assert isinstance(outcome, Fail)
    error = outcome.variables["error"]
    assert error["code"] == code
    assert error["type"] == "OAuthError"
    assert (
        f"OAuth token request to {oauth.base}/token" in outcome.error_message
        or "OAuth token response" in outcome.error_message
    )
    assert message in outcome.error_message
    assert error["variables"]["response"]["status"] == status
    assert outcome.retries == 2
    assert oauth.api_calls == []


async def test_a_nested_access_token_is_found(run: Run, oauth: TokenEndpoint) -> None:
    oauth.answer = {"data": {"access_token": "nested-token", "expires_in": 60}}
    oauth.issued.append("nested-token")
    assert await run(client_credentials(oauth), HELLO) == Complete({"hello": "nested-token"})


async def test_an_unreachable_token_endpoint(run: Run, oauth: TokenEndpoint) -> None:
    probe = TestServer(web.Application(), host="127.0.0.1", port=0)
    await probe.start_server()
    port = probe.port
    await probe.close()
    variables = client_credentials(oauth, oauthTokenEndpoint=f"http://127.0.0.1:{port}/token")
    outcome = await run(variables, HELLO)
    assert isinstance(outcome, Fail)
    assert outcome.variables["error"]["code"] == "CONNECTION_REFUSED"
    assert outcome.error_message.startswith(f"OAuth token endpoint http://127.0.0.1:{port}/token: ")


async def test_refresh_token_grant(run: Run, oauth: TokenEndpoint) -> None:
    outcome = await run(refresh_token(oauth, clientSecret="", scopes="offline"), HELLO)
    assert outcome == Complete({"hello": "token-1"})
    assert oauth.requests[0]["form"] == {
        "grant_type": "refresh_token",
        "refresh_token": "refresh-1",
        "client_id": "my-client",
        "scope": "offline",
    }
    assert oauth.requests[0]["authorization"] is None
    await run(refresh_token(oauth, clientSecret="s"), HELLO)
    assert oauth.requests[1]["form"]["client_secret"] == "s"


async def test_a_rotated_refresh_token_is_used_next_time(
    settings: ConnectorSettings, oauth: TokenEndpoint
) -> None:
    oauth.rotate_refresh_tokens = True
    oauth.expires_in = 0
    async with Connector(settings) as connector:
        await connector.run(job(refresh_token(oauth), HELLO))
        await connector.run(job(refresh_token(oauth), HELLO))
    assert [request["form"]["refresh_token"] for request in oauth.requests] == [
        "refresh-1",
        "refresh-2",
    ]


@pytest.mark.parametrize(
    ("error", "code"),
    [
        ("invalid_grant", "OAUTH_REFRESH_TOKEN_EXPIRED"),
        ("interaction_required", "OAUTH_INTERACTION_REQUIRED"),
        ("invalid_request", "OAUTH_TOKEN_ERROR"),
    ],
)
async def test_refresh_token_errors(run: Run, oauth: TokenEndpoint, error: str, code: str) -> None:
    oauth.status, oauth.answer = 400, {"error": error, "error_description": "nope"}
    outcome = await run(refresh_token(oauth), HELLO)
    assert isinstance(outcome, Fail)
    assert outcome.variables["error"]["code"] == code
    assert f"{error}: nope" in outcome.error_message


async def test_credentials_never_appear_in_failures(
    run: Run, oauth: TokenEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_PREFIX + "CLIENT_SECRET", "client-secret-value")
    oauth.revoked.update({"token-1"})  # the API echoes the refused header in its 401 body
    outcome = await run(client_credentials(oauth, clientSecret="{{secrets.CLIENT_SECRET}}"), HELLO)
    assert isinstance(outcome, Fail)
    text = outcome.error_message + repr(outcome.variables)
    assert "token-1" not in text
    assert "Bearer ***" in text


async def test_token_fetches_are_counted(run: Run, oauth: TokenEndpoint) -> None:
    def fetched(result: str) -> float:
        value = OAUTH_TOKEN_FETCHES.labels(result=result)._value.get()
        return float(value)

    success, error = fetched("success"), fetched("error")
    await run(client_credentials(oauth), HELLO)
    await run(client_credentials(oauth), HELLO)
    oauth.status, oauth.answer = 401, {"error": "invalid_client"}
    await run(client_credentials(oauth, clientId="other"), HELLO)
    assert (fetched("success"), fetched("error")) == (success + 1, error + 1)
