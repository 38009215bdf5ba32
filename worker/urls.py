"""URLs as sent on the wire: encode what must be, never decode what the user encoded.

Characters that are not allowed in a URL (space, non-ASCII, control characters,
`"<>\\^`{|}`) are percent-encoded as UTF-8, a `%` that does not start an escape becomes
`%25`, and everything else is kept byte for byte: `%2F` stays `%2F` (Camunda decodes it to
`/`), `+` stays `+` (Camunda turned it into a space), reserved characters keep their meaning.
Host names are IDNA-encoded. Parameters added to the query (`queryParameters`, an API key)
are encoded as components: `a b&c=d` becomes `a%20b%26c%3Dd`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from urllib.parse import quote, unquote, urlsplit

import yarl

# A part of an IPv4 address as inet_aton reads it: decimal, octal (leading 0) or 0x hex.
_NUMERIC_PART = re.compile(r"0[xX][0-9a-fA-F]*|[0-9]+")
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_CANONICAL_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
# What `quote(text, safe="")` keeps as it is.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")
_NOT_URL_SAFE = re.compile(r"%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/?\[\]%]")
# Splitting and encoding are pure functions of the URL's text, and a job's URL is split when
# it is validated and again when it is encoded; most tasks call the same few URLs. Longer
# URLs are not kept, so the caches stay small whatever jobs send, nor URLs that may carry
# credentials (user:password@), which are not kept in memory longer than their job.
_CACHED_URLS = 1024
_CACHED_URL_CHARS = 2048


def _cacheable(url: str) -> bool:
    return len(url) <= _CACHED_URL_CHARS and "@" not in url


def split_url(url: str) -> tuple[str, str, str, str | None, str | None]:
    """Split `url` into origin (scheme, IDNA host, port), raw path, raw query, user, password.

    Raises:
        ValueError: not an absolute http(s) URL with a host, or an invalid port or host.
    """
    if _cacheable(url):
        return _split_url_cached(url)
    return _split_url(url)


def _split_url(url: str) -> tuple[str, str, str, str | None, str | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"must be an http:// or https:// URL, got {url!r}")
    hostname = parts.hostname
    if not hostname:
        raise ValueError(f"has no host name: {url!r}")
    numeric = hostname.rstrip(".").split(".")
    if (
        len(numeric) <= 4
        and all(_NUMERIC_PART.fullmatch(part) for part in numeric)
        and not _CANONICAL_IPV4.fullmatch(hostname.rstrip("."))
    ):
        # 2130706433, 127.1, 0x7f.0.0.1 all mean 127.0.0.1 to the C library: refuse what
        # reads as one address to a person and another to the network stack
        raise ValueError(
            f"has the host {hostname!r}, an unusual spelling of an IPv4 address; "
            "write it as four decimal numbers, a.b.c.d"
        )
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"has an invalid port: {url!r}") from None
    try:
        built = yarl.URL.build(scheme=scheme, host=hostname, port=port)
        if "xn--" in (built.raw_host or ""):
            built.host  # noqa: B018 - an IDNA name that does not decode back is no host name
    except ValueError:
        raise ValueError(f"has an invalid host name {hostname!r}") from None
    origin = str(built)
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    return origin, parts.path, parts.query, user, password


def encode_url(url: str, *, skip_encoding: bool = False) -> tuple[str, str | None, str | None]:
    """Return `url` encoded for the wire (fragment and credentials removed), user, password.

    Raises:
        ValueError: the URL is invalid, or holds characters that need encoding while
            `skipEncoding` is on.
    """
    if _cacheable(url):
        return _encode_url_cached(url, skip_encoding)
    return _encode_url(url, skip_encoding)


def _encode_url(url: str, skip_encoding: bool) -> tuple[str, str | None, str | None]:
    origin, path, query, user, password = split_url(url)
    if skip_encoding:
        if _NOT_URL_SAFE.search(path + query):
            raise ValueError(
                f"holds characters that need encoding (such as spaces), and skipEncoding "
                f"is on: {url!r}"
            )
    else:
        path, query = _quote_unsafe(path), _quote_unsafe(query)
    return f"{origin}{path or '/'}{'?' + query if query else ''}", user, password


_split_url_cached = functools.lru_cache(maxsize=_CACHED_URLS)(_split_url)
_encode_url_cached = functools.lru_cache(maxsize=_CACHED_URLS)(_encode_url)


def add_query(url: str, pairs: Iterable[tuple[str, str]]) -> str:
    """Append `pairs` to the query of the encoded `url`, each name and value encoded."""
    encoded = "&".join(f"{_component(name)}={_component(value)}" for name, value in pairs)
    if not encoded:
        return url
    separator = "" if url.endswith(("?", "&")) else "&" if "?" in url else "?"
    return f"{url}{separator}{encoded}"


def _component(text: str) -> str:
    # most names and values are plain words, which `quote` returns unchanged, slowly
    return text if _UNRESERVED.fullmatch(text) else quote(text, safe="")


def _quote_unsafe(text: str) -> str:
    return _NOT_URL_SAFE.sub(lambda match: quote(match.group(), safe=""), text)
