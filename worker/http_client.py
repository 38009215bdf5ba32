"""Sending requests with aiohttp: the one place that knows aiohttp and translates its errors.

One `aiohttp.ClientSession` is shared by every job: connections are kept alive and reused,
proxies come from the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, read once at
start), and cookies are never kept (a shared jar would carry one job's session cookies into
another's requests). aiohttp's own `trust_env` is off: it would look the proxy up again and
read `~/.netrc` in a thread for every request (more than a third of the worker's CPU per
job) and send whatever credentials a `.netrc` holds to the hosts it names.

Timeouts: `connect_timeout` bounds each TCP connect and TLS handshake (aiohttp's
`sock_connect`), `read_timeout` bounds every wait for response data (`sock_read`), and
`send`'s `total_timeout` (the job's deadline) and `HTTP_MAX_REQUEST_SECONDS` bound the whole
exchange, OAuth token requests included, so a server dripping one byte a second ends too.
A response body is streamed and given up as soon as it exceeds `max_response_bytes`; the
status line, header lines and header count are bounded too.

The egress policy (`worker.egress`) is enforced by `GuardedConnector`, aiohttp's connector
with its checks added where connections are made: the URL of every request and redirect hop
when a connection is asked for, and the addresses a host resolves to before any is connected
to (the very addresses then used: no second lookup to race). Through a proxy the proxy's own
address is trusted (the operator configured it) and the target is checked on its URL and on
the addresses the worker's own resolver gives for it, when it gives any.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import ssl
import time
import urllib.request
import warnings
from collections.abc import Sequence
from contextvars import ContextVar
from types import TracebackType
from typing import Any

import aiohttp
import structlog
import yarl
from aiohttp.abc import ResolveResult
from aiohttp.http_exceptions import BadHttpMessage, ContentEncodingError, LineTooLong
from multidict import CIMultiDict

from worker.auth import Authenticator
from worker.client_tls import TlsContexts
from worker.config import ConnectorSettings
from worker.egress import Denial, EgressPolicy
from worker.errors import (
    BlockedDestinationError,
    ConnectionFailedError,
    ConnectionRefusedByPeerError,
    ConnectorError,
    DnsError,
    InputError,
    RedirectLimitError,
    RequestTimeoutError,
    ResponseTooLargeError,
    TlsError,
)
from worker.metrics import observe_http_request
from worker.redaction import SecretMask
from worker.request import PreparedRequest
from worker.response import HttpResponse

log = structlog.get_logger(__name__)

_CHUNK = 64 * 1024
# aiohttp 3.14 deprecates BasicAuth and proxy_auth for aiohttp 4, but proxy_auth is still
# the one way it puts Proxy-Authorization on a plain request and on a CONNECT alike.
warnings.filterwarnings("ignore", message=".*proxy_auth.*deprecated", category=DeprecationWarning)
warnings.filterwarnings("ignore", message="BasicAuth is deprecated", category=DeprecationWarning)

# Set while aiohttp connects to a proxy: the proxy's address is not a request's target.
_PROXY_LEG: ContextVar[bool] = ContextVar("proxy_leg", default=False)


class GuardedConnector(aiohttp.TCPConnector):
    """aiohttp's TCP connector, refusing what the egress policy forbids.

    Raises `BlockedDestinationError` from `connect` (through the request that asked).
    """

    def __init__(self, policy: EgressPolicy, **options: Any) -> None:
        super().__init__(**options)
        self.policy = policy

    async def connect(
        self,
        req: aiohttp.ClientRequest,
        traces: list[aiohttp.tracing.Trace],
        timeout: aiohttp.ClientTimeout,
    ) -> aiohttp.connector.Connection:
        # Every request and redirect hop passes here, pooled connection or not.
        denial = self.policy.check_url(req.url)
        if denial is not None:
            raise _blocked(denial, req.url)
        return await super().connect(req, traces, timeout)

    async def _resolve_host(
        self, host: str, port: int, traces: Sequence[aiohttp.tracing.Trace] | None = None
    ) -> list[ResolveResult]:
        resolved = await super()._resolve_host(host, port, traces=traces)
        if _PROXY_LEG.get():
            return resolved
        allowed = []
        denial: Denial | None = None
        for entry in resolved:
            problem = self.policy.check_address(entry["host"])
            if problem is None:
                allowed.append(entry)
            else:
                denial = denial or problem
        if not allowed:
            raise _blocked(denial or Denial("HTTP_DENY_ADDRESSES", "no address"), host, port)
        return allowed

    async def _create_proxy_connection(
        self,
        req: aiohttp.ClientRequest,
        traces: list[aiohttp.tracing.Trace],
        timeout: aiohttp.ClientTimeout,
    ) -> tuple[asyncio.BaseTransport, aiohttp.client_proto.ResponseHandler]:
        await self._check_proxied_target(req.url)
        token = _PROXY_LEG.set(True)
        try:
            return await super()._create_proxy_connection(req, traces, timeout)
        finally:
            _PROXY_LEG.reset(token)

    async def _check_proxied_target(self, url: yarl.URL) -> None:
        """Check the addresses the target resolves to here; the proxy resolves it again."""
        host, port = url.raw_host, url.port
        if host is None or port is None:
            return
        try:
            resolved = await super()._resolve_host(host, port)
        except OSError:
            return  # no answer here (a proxy-only network): the proxy decides
        for entry in resolved:
            denial = self.policy.check_address(entry["host"])
            if denial is not None:
                raise _blocked(denial, host, port)


def _blocked(
    denial: Denial, where: yarl.URL | str, port: int | None = None
) -> BlockedDestinationError:
    destination = (
        _where(where.raw_host, where.port) if isinstance(where, yarl.URL) else _where(where, port)
    )
    return BlockedDestinationError(denial.message(destination), destination)


def _where(host: str | None, port: int | None) -> str:
    """`host:port` as messages show a destination, an IPv6 address in brackets."""
    host = host or ""
    return f"{'[' + host + ']' if ':' in host else host}:{port}"


class ProxyRoutes:
    """Which proxy, if any, a request goes through: `HTTP_PROXY`, `HTTPS_PROXY` and
    `NO_PROXY` (any case), read once. A proxy URL's user and password are its credentials.

    A request's redirects go through the proxy chosen for its first URL.
    """

    def __init__(self, proxies: dict[str, str]) -> None:
        self._proxies = proxies
        self._routes: dict[str, tuple[yarl.URL, aiohttp.BasicAuth | None]] = {}
        for scheme in ("http", "https"):
            address = proxies.get(scheme)
            if not address:
                continue
            proxy = yarl.URL(address if "://" in address else f"http://{address}")
            auth = None
            if proxy.user is not None:
                auth = aiohttp.BasicAuth(proxy.user, proxy.password or "")
            self._routes[scheme] = (proxy.with_user(None), auth)

    @classmethod
    def from_environment(cls) -> ProxyRoutes:
        return cls(urllib.request.getproxies_environment())

    def route(self, url: yarl.URL) -> tuple[yarl.URL | None, aiohttp.BasicAuth | None]:
        """The proxy for a URL and its credentials (None, None: go direct)."""
        route = self._routes.get(url.scheme)
        if route is None or not url.host:
            return None, None
        bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
        if bypass(url.host, self._proxies):
            return None, None
        return route


class HttpClient:
    """Sends `PreparedRequest`s over one shared session; use `async with` or start/close.

    `resolver` replaces aiohttp's DNS resolver (tests use it to fail a lookup without
    sending a DNS query anywhere).
    """

    def __init__(
        self,
        settings: ConnectorSettings,
        *,
        resolver: aiohttp.abc.AbstractResolver | None = None,
        policy: EgressPolicy | None = None,
    ) -> None:
        self.settings = settings
        self.policy = policy or EgressPolicy.from_settings(settings)
        self._resolver = resolver
        self._proxies = ProxyRoutes.from_environment()
        self._session: aiohttp.ClientSession | None = None
        self._tls_contexts = TlsContexts()
        self.auth = Authenticator(
            self.exchange,
            default_ttl=settings.oauth_default_ttl_seconds,
            expiry_skew=settings.oauth_expiry_skew_seconds,
            cache_size=settings.oauth_cache_size,
        )

    async def start(self) -> None:
        """Open the shared session (needs a running event loop)."""
        if self._session is not None:
            return
        connector = GuardedConnector(
            self.policy,
            limit=self.settings.max_connections,
            resolver=self._resolver,
            ttl_dns_cache=10,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            trust_env=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            headers={"User-Agent": self.settings.user_agent},
            timeout=aiohttp.ClientTimeout(total=None),
            max_line_size=self.settings.max_response_header_bytes,
            max_field_size=self.settings.max_response_header_bytes,
            max_headers=self.settings.max_response_headers,
        )

    async def close(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> HttpClient:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def send(
        self, request: PreparedRequest, mask: SecretMask, *, total_timeout: float | None = None
    ) -> HttpResponse:
        """Authenticate and send `request`; a 401 to a cached OAuth token retries once.

        Raises:
            TransportError: no response (timeouts, refused, DNS, TLS, resets, redirects).
            OAuthError: no OAuth token could be obtained.
            ResponseTooLargeError: the body or headers exceed their limits.
            BlockedDestinationError: the egress policy forbids the target (or a redirect's).
            InputError: the TLS material of `clientTls` is unusable.
        """
        cap = self.settings.max_request_seconds or None
        capped = cap is not None and (total_timeout is None or cap < total_timeout)
        try:
            async with asyncio.timeout(cap if capped else total_timeout):
                credentials = await self.auth.credentials(request.auth, mask, request)
                response = await self.exchange(
                    request.with_credentials(credentials.headers, credentials.query)
                )
                token = credentials.token
                if response.status == 401 and token is not None:
                    self.auth.invalidate(token)
                    if token.from_cache:
                        log.info("oauth.token_refused", status=401, action="fetching a new token")
                        credentials = await self.auth.credentials(request.auth, mask, request)
                        response = await self.exchange(
                            request.with_credentials(credentials.headers, credentials.query)
                        )
                return response
        except TimeoutError:
            if capped:
                raise RequestTimeoutError(
                    f"The request did not finish within {_seconds(cap)} "
                    "(HTTP_MAX_REQUEST_SECONDS), the longest a whole exchange may take",
                    code="TIMEOUT",
                ) from None
            raise RequestTimeoutError(
                f"The request did not finish within {_seconds(total_timeout)}, the time left "
                "before the job's deadline (the job's timeout minus a safety margin)",
                code="TIMEOUT",
            ) from None

    async def exchange(self, request: PreparedRequest) -> HttpResponse:
        """Send `request` as is and read the whole response; the only aiohttp call.

        Raises:
            TransportError, ResponseTooLargeError, InputError: see `send`.
        """
        if self._session is None:
            raise RuntimeError("HttpClient is not started")
        url = yarl.URL(request.url, encoded=True)
        where = _where(url.raw_host, url.port)
        timeout = _timeout(request.connect_timeout, request.read_timeout)
        started = time.perf_counter()
        status: int | None = None
        proxy, proxy_auth = self._proxies.route(url)
        try:
            async with self._session.request(
                request.method,
                url,
                proxy=proxy,
                proxy_auth=proxy_auth,
                headers=CIMultiDict(request.headers),
                data=request.body,
                # aiohttp would label a bodiless POST application/octet-stream; strict
                # servers refuse a Content-Type without a body.
                skip_auto_headers=() if request.header("Content-Type") else ("Content-Type",),
                allow_redirects=request.follow_redirects,
                max_redirects=self.settings.max_redirects,
                timeout=timeout,
                ssl=self._tls_contexts.get(request.tls) if request.tls is not None else True,
            ) as response:
                status = response.status
                # HEAD answers announce the size of a body they do not carry
                content = b"" if request.method == "HEAD" else await self._read(response, where)
                return HttpResponse(
                    status=response.status,
                    reason=_header_text(response.reason or ""),
                    headers=tuple(
                        (_header_text(name), _header_text(value))
                        for name, value in response.headers.items()
                    ),
                    content=content,
                )
        except BlockedDestinationError as exc:
            if exc.destination != where:
                exc.message += f" (a redirect from {where} led there)"
            raise
        except ConnectorError:
            raise
        except Exception as exc:
            raise _translate(exc, request, where, self.settings) from None
        finally:
            elapsed = time.perf_counter() - started
            observe_http_request(request.method, status, elapsed)
            log.info(
                "http.request",
                method=request.method,
                url=f"{url.scheme}://{url.raw_authority}{url.raw_path}",
                status=status,
                duration_ms=round(elapsed * 1000, 1),
            )

    async def _read(self, response: aiohttp.ClientResponse, where: str) -> bytes:
        limit = self.settings.max_response_bytes
        if response.content_length is not None and response.content_length > limit:
            raise _too_large(where, limit, f"announces {response.content_length} bytes")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise _too_large(where, limit, "is larger")
            chunks.append(chunk)
        return b"".join(chunks)


def _too_large(where: str, limit: int, how: str) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"The response from {where} {how} than the {limit}-byte limit; raise "
        "HTTP_MAX_RESPONSE_BYTES or ask the API for less"
    )


def _translate(
    exc: Exception, request: PreparedRequest, where: str, settings: ConnectorSettings
) -> ConnectorError:
    """Map an aiohttp (or socket) failure to the connector's error with a clear message."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return RequestTimeoutError(
            f"Could not connect to {where} within {_seconds(request.connect_timeout)} "
            "(connectionTimeoutInSeconds); the request was not sent",
            code="CONNECT_TIMEOUT",
        )
    if isinstance(exc, aiohttp.ServerTimeoutError | TimeoutError):
        return RequestTimeoutError(
            f"{where} sent no data for {_seconds(request.read_timeout)} (readTimeoutInSeconds)",
            code="READ_TIMEOUT",
        )
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return DnsError(f"Could not resolve the host of {where}: {_os_reason(exc)}")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return TlsError(
            f"The TLS certificate of {where} is not trusted: {exc.certificate_error}. Give the "
            "server's CA certificate in clientTls.trustedCertificate if it is a private one"
        )
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError):
        return TlsError(f"TLS with {where} failed: {_os_reason(exc)}")
    if isinstance(exc, aiohttp.ClientConnectorError):
        if exc.os_error.errno == errno.ECONNREFUSED:
            return ConnectionRefusedByPeerError(
                f"Connection to {where} refused: nothing listens there; the request was not sent"
            )
        return ConnectionFailedError(f"Could not connect to {where}: {_os_reason(exc)}")
    if isinstance(exc, aiohttp.TooManyRedirects):
        return RedirectLimitError(
            f"More than {len(exc.history)} redirects (HTTP_MAX_REDIRECTS) starting at {where}"
        )
    if isinstance(
        exc, aiohttp.InvalidUrlRedirectClientError | aiohttp.NonHttpUrlRedirectClientError
    ):
        return ConnectionFailedError(f"{where} redirected to an unusable URL: {exc}")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return ConnectionFailedError(f"{where} closed the connection without a complete answer")
    if isinstance(exc, aiohttp.ClientPayloadError):
        if any(isinstance(cause, ContentEncodingError) for cause in _causes(exc)):
            return ConnectionFailedError(
                f"The response body from {where} cannot be decompressed: it is not valid "
                "for its Content-Encoding"
            )
        return ConnectionFailedError(f"The response body from {where} is incomplete: {exc}")
    if isinstance(exc, aiohttp.ClientResponseError):
        causes = list(_causes(exc))
        if any(isinstance(cause, LineTooLong) for cause in causes):
            return ResponseTooLargeError(
                f"The response from {where} has a status or header line longer than "
                f"{settings.max_response_header_bytes} bytes (HTTP_MAX_RESPONSE_HEADER_BYTES); "
                "it was not read further",
                code="RESPONSE_HEADERS_TOO_LARGE",
            )
        if any(
            isinstance(cause, BadHttpMessage) and "Too many headers" in str(cause.message)
            for cause in causes
        ):
            return ResponseTooLargeError(
                f"The response from {where} has more than {settings.max_response_headers} "
                "headers (HTTP_MAX_RESPONSE_HEADERS); it was not read further",
                code="RESPONSE_HEADERS_TOO_LARGE",
            )
        return ConnectionFailedError(f"{where} answered with invalid HTTP: {exc.message}")
    if isinstance(exc, aiohttp.ClientError | OSError):
        return ConnectionFailedError(f"The connection to {where} failed: {_os_reason(exc)}")
    if isinstance(exc, ValueError):
        return InputError(f"The request cannot be sent: {exc}")
    raise exc


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc`'s chain of causes (aiohttp wraps a parser's error twice)."""
    chain: list[BaseException] = []
    cause = exc.__cause__
    while cause is not None and len(chain) < 8:
        chain.append(cause)
        cause = cause.__cause__
    return chain


def _header_text(text: str) -> str:
    """Header text as received: bytes that are not UTF-8 are read as Latin-1 (RFC 9110)."""
    if text.isascii():
        return str(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("latin-1")
    return str(text)


@functools.lru_cache(maxsize=64)
def _timeout(connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
    # immutable, and most tasks use the same few timeouts
    return aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)


def _seconds(value: float | None) -> str:
    return "the time allowed" if value is None else f"{value:g} s"


def _os_reason(exc: BaseException) -> str:
    inner: Any = getattr(exc, "os_error", None) or exc
    return str(
        getattr(inner, "strerror", None)
        or getattr(inner, "reason", None)
        or inner
        or type(exc).__name__
    )
