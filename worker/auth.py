"""Credentials for a request: Basic, Bearer, API key, and OAuth 2.0 tokens with a cache.

`Authenticator.credentials(auth, ...)` returns the headers and query parameters to add.
Basic, Bearer and API keys are pure. OAuth tokens come from the token endpoint:

- client credentials (`grant_type=client_credentials`): the client authenticates with a Basic
  header (`basicAuthHeader`) or with `client_id`/`client_secret` form fields
  (`credentialsBody`); `audience` and `scope` are sent only when set;
- refresh token (`grant_type=refresh_token`, `client_secret` only when set). A rotated
  refresh token returned by the provider is used for the next refresh of the same key
  (in this process only).

Tokens are cached per endpoint, client, secret, scopes, audience and client authentication
(secrets hashed), until `expires_in` minus a skew, or for a default TTL when the provider
gives no `expires_in`. Only one token request per key is in flight: concurrent jobs wait for
it. When the API answers 401 to a cached token, the token is dropped and fetched once more.
Token requests use the task's connect and read timeouts and the job's deadline.

Every credential is added to the job's mask, with the Basic header's base64 form; a base64
form built from a secret of the secret store is added to the process-wide log mask too, so
no log line can print the header that carries it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from worker.errors import ConnectorError, OAuthError
from worker.inputs import (
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    NoAuth,
    OAuth,
    OAuthClientCredentials,
    OAuthRefreshToken,
)
from worker.metrics import OAUTH_TOKEN_FETCHES
from worker.redaction import SecretMask, mask_secret, redact
from worker.request import PreparedRequest
from worker.response import HttpResponse, decode_body, header_map
from worker.urls import encode_url
from worker.wire import header_value_problem

Send = Callable[[PreparedRequest], Awaitable[HttpResponse]]
Auth = NoAuth | BasicAuth | BearerAuth | ApiKeyAuth | OAuth
# Shorter credentials are not masked: hiding every "ab" would garble messages, protect nothing.
_MASK_MIN_LENGTH = 4
_REFRESH_ERRORS = {
    "invalid_grant": "OAUTH_REFRESH_TOKEN_EXPIRED",
    "interaction_required": "OAUTH_INTERACTION_REQUIRED",
}


@dataclass(frozen=True, slots=True)
class Token:
    """An OAuth access token, and whether it came from the cache."""

    key: tuple[str, ...]
    value: str
    from_cache: bool


@dataclass(frozen=True, slots=True)
class Credentials:
    """Headers and query parameters to add to a request, and the OAuth token used."""

    headers: tuple[tuple[str, str], ...] = ()
    query: tuple[tuple[str, str], ...] = ()
    token: Token | None = None


@dataclass(slots=True)
class _Entry:
    value: str
    expires_at: float


def basic_header(username: str, password: str) -> str:
    """Return the value of a Basic `Authorization` header (UTF-8, as RFC 7617 suggests)."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


class TokenCache:
    """OAuth tokens by key, least recently used dropped first, one fetch in flight per key."""

    def __init__(self, max_size: int = 1000) -> None:
        self.max_size = max_size
        self._entries: OrderedDict[tuple[str, ...], _Entry] = OrderedDict()
        self._in_flight: dict[tuple[str, ...], asyncio.Future[tuple[str, float | None]]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def get(
        self,
        key: tuple[str, ...],
        fetch: Callable[[], Awaitable[tuple[str, float | None]]],
    ) -> Token:
        """Return the cached token for `key`, or wait for one fetch shared by all callers.

        `fetch` returns the token and how long it may be kept (None or <= 0: not kept).
        A caller that gives up (cancelled) does not cancel the fetch others wait for.
        """
        entry = self._entries.get(key)
        if entry is not None and entry.expires_at > time.monotonic():
            self._entries.move_to_end(key)
            return Token(key, entry.value, from_cache=True)
        future = self._in_flight.get(key)
        if future is None:
            future = asyncio.ensure_future(fetch())
            self._in_flight[key] = future
            future.add_done_callback(lambda done: self._landed(key, done))
        value, _ttl = await asyncio.shield(future)
        return Token(key, value, from_cache=False)

    def invalidate(self, token: Token) -> None:
        """Drop `token` from the cache, unless another token already replaced it."""
        entry = self._entries.get(token.key)
        if entry is not None and entry.value == token.value:
            del self._entries[token.key]

    def _landed(
        self, key: tuple[str, ...], future: asyncio.Future[tuple[str, float | None]]
    ) -> None:
        self._in_flight.pop(key, None)
        if future.cancelled() or future.exception() is not None:
            return
        value, ttl = future.result()
        if ttl is None or ttl <= 0 or self.max_size <= 0:
            return
        self._entries[key] = _Entry(value, time.monotonic() + ttl)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_size:
            self._entries.popitem(last=False)


class Authenticator:
    """Turns an `authentication` input into credentials, fetching OAuth tokens with `send`."""

    def __init__(
        self,
        send: Send,
        *,
        default_ttl: float = 300.0,
        expiry_skew: float = 10.0,
        cache_size: int = 1000,
    ) -> None:
        self._send = send
        self.default_ttl = default_ttl
        self.expiry_skew = expiry_skew
        self.cache = TokenCache(cache_size)
        self._rotated: OrderedDict[tuple[str, ...], str] = OrderedDict()

    async def credentials(
        self, auth: Auth, mask: SecretMask, request: PreparedRequest
    ) -> Credentials:
        """Return what `auth` adds to `request`; OAuth may fetch a token.

        Raises:
            OAuthError: the token endpoint refused or answered something unusable.
            TransportError: the token endpoint could not be reached in time.
        """
        if isinstance(auth, BasicAuth):
            header = basic_header(auth.username, auth.password)
            _mask(mask, auth.password)
            _mask_derived(mask, auth.username + auth.password, header.removeprefix("Basic "))
            return Credentials(headers=(("Authorization", header),))
        if isinstance(auth, BearerAuth):
            _mask(mask, auth.token)
            return Credentials(headers=(("Authorization", f"Bearer {auth.token}"),))
        if isinstance(auth, ApiKeyAuth):
            _mask(mask, auth.value)
            pair = ((auth.name, auth.value),)
            if auth.apiKeyLocation == "query":
                return Credentials(query=pair)
            return Credentials(headers=pair)
        if isinstance(auth, OAuthClientCredentials | OAuthRefreshToken):
            _mask(mask, auth.clientSecret or "")
            if isinstance(auth, OAuthRefreshToken):
                _mask(mask, auth.refreshToken)
            elif auth.clientAuthentication == "basicAuthHeader":
                header = basic_header(auth.clientId, auth.clientSecret)
                _mask_derived(
                    mask, auth.clientId + auth.clientSecret, header.removeprefix("Basic ")
                )
            key = _cache_key(auth)
            token = await self.cache.get(key, lambda: self._fetch(auth, key, mask, request))
            _mask(mask, token.value)
            return Credentials(headers=(("Authorization", f"Bearer {token.value}"),), token=token)
        return Credentials()

    def invalidate(self, token: Token) -> None:
        """Forget `token` (the API refused it), so that the next request fetches another."""
        self.cache.invalidate(token)

    async def _fetch(
        self,
        auth: OAuth,
        key: tuple[str, ...],
        mask: SecretMask,
        request: PreparedRequest,
    ) -> tuple[str, float | None]:
        token_request = self._token_request(auth, key, request)
        try:
            response = await self._send(token_request)
        except ConnectorError as exc:
            OAUTH_TOKEN_FETCHES.labels(result="error").inc()
            exc.message = f"OAuth token endpoint {auth.oauthTokenEndpoint}: {exc.message}"
            raise
        try:
            value, expires_in, rotated = _read_token(auth, response)
        except OAuthError:
            OAUTH_TOKEN_FETCHES.labels(result="error").inc()
            raise
        OAUTH_TOKEN_FETCHES.labels(result="success").inc()
        if rotated is not None:
            _mask(mask, rotated)
            self._rotated[key] = rotated
            self._rotated.move_to_end(key)
            while len(self._rotated) > max(self.cache.max_size, 1):
                self._rotated.popitem(last=False)
        ttl = self.default_ttl if expires_in is None else expires_in - self.expiry_skew
        return value, ttl

    def _token_request(
        self, auth: OAuth, key: tuple[str, ...], request: PreparedRequest
    ) -> PreparedRequest:
        headers = [
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
        ]
        form: list[tuple[str, str]]
        if isinstance(auth, OAuthClientCredentials):
            form = [("grant_type", "client_credentials")]
            if auth.clientAuthentication == "basicAuthHeader":
                headers.append(("Authorization", basic_header(auth.clientId, auth.clientSecret)))
            else:
                form += [("client_id", auth.clientId), ("client_secret", auth.clientSecret)]
            if auth.audience:
                form.append(("audience", auth.audience))
        else:
            refresh_token = self._rotated.get(key, auth.refreshToken)
            form = [
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
                ("client_id", auth.clientId),
            ]
            if auth.clientSecret:
                form.append(("client_secret", auth.clientSecret))
        if auth.scopes:
            form.append(("scope", auth.scopes))
        url, _user, _password = encode_url(auth.oauthTokenEndpoint)
        return PreparedRequest(
            method="POST",
            url=url,
            headers=tuple(headers),
            body=urlencode(form).encode("ascii"),
            connect_timeout=request.connect_timeout,
            read_timeout=request.read_timeout,
        )


def _mask(mask: SecretMask, *values: str) -> None:
    for value in values:
        if len(value) >= _MASK_MIN_LENGTH:
            mask.add(value)


def _mask_derived(mask: SecretMask, sources: str, derived: str) -> None:
    """Mask `derived` in the job, and in every log line when `sources` hold a stored secret."""
    mask.add(derived)
    if redact(sources) != sources:
        mask_secret(derived)


def _digest(text: str | None) -> str:
    return "" if text is None else hashlib.sha256(text.encode()).hexdigest()


def _cache_key(auth: OAuth) -> tuple[str, ...]:
    if isinstance(auth, OAuthClientCredentials):
        return (
            auth.type,
            auth.oauthTokenEndpoint,
            auth.clientId,
            _digest(auth.clientSecret),
            auth.scopes or "",
            auth.audience or "",
            auth.clientAuthentication,
        )
    return (
        auth.type,
        auth.oauthTokenEndpoint,
        auth.clientId,
        _digest(auth.clientSecret),
        auth.scopes or "",
        _digest(auth.refreshToken),
    )


def _read_token(auth: OAuth, response: HttpResponse) -> tuple[str, float | None, str | None]:
    """Return the access token, its `expires_in` and a rotated refresh token, if any.

    Raises:
        OAuthError: an error status, a body that is not JSON, or no `access_token`.
    """
    endpoint = auth.oauthTokenEndpoint
    body = decode_body(response.content, response.header("Content-Type"))
    variables = {
        "response": {
            "status": response.status,
            "headers": header_map(response.headers),
            "body": body,
        }
    }
    if response.status >= 400:
        error = body.get("error") if isinstance(body, dict) else None
        detail = body.get("error_description") if isinstance(body, dict) else None
        code = "OAUTH_TOKEN_ERROR"
        if isinstance(auth, OAuthRefreshToken) and isinstance(error, str):
            code = _REFRESH_ERRORS.get(error, code)
        summary = ": ".join(str(part) for part in (error, detail) if part) or _snippet(body)
        message = f"OAuth token request to {endpoint} failed: HTTP {response.status}"
        message += f" {response.reason_phrase}".rstrip()
        raise OAuthError(
            f"{message}: {summary}" if summary else message, code=code, variables=variables
        )
    if not isinstance(body, dict):
        raise OAuthError(
            f"OAuth token response from {endpoint} is not a JSON object: {_snippet(body)}",
            variables=variables,
        )
    token = _find(body, "access_token")
    if not isinstance(token, str) or not token:
        raise OAuthError(
            f"OAuth token response from {endpoint} has no access_token", variables=variables
        )
    problem = header_value_problem(token)
    if problem is not None:
        raise OAuthError(
            f"OAuth token response from {endpoint} has an access_token unfit for a header: "
            f"it {problem}",
            variables=variables,
        )
    expires_in = _seconds(body.get("expires_in"))
    rotated = body.get("refresh_token")
    if not isinstance(rotated, str) or not rotated or not isinstance(auth, OAuthRefreshToken):
        rotated = None
    return token, expires_in, rotated


def _find(value: Any, name: str) -> Any:
    """Find `name` at the top of `value`, else depth first (some providers nest it)."""
    if isinstance(value, dict):
        if name in value:
            return value[name]
        for item in value.values():
            found = _find(item, name)
            if found is not None:
                return found
    return None


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _snippet(body: Any) -> str:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    text = " ".join(text.split())
    return text[:200] + ("…" if len(text) > 200 else "")
